import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cutPage, decodeContinue, useContinueTokenSecret } from '../../core/paging.ts';
import type { KubeObject } from '../../core/types/object.ts';

const objects: KubeObject[] = ['a', 'b', 'c'].map((name) => ({ apiVersion: 'v1', kind: 'X', metadata: { name, namespace: 'n' } }));

describe('continue tokens', () => {
  it('are good on every replica sharing the serving key, and across one key rotation', () => {
    useContinueTokenSecret('serving key one');
    const token = cutPage(objects, 1, undefined, '7').continue!;
    assert.equal(decodeContinue(token).after, 'n/a', 'another replica with the same key reads it');
    useContinueTokenSecret('serving key two');
    assert.equal(decodeContinue(token).resourceVersion, '7', 'still good just after a rotation');
    useContinueTokenSecret('serving key three');
    assert.throws(() => decodeContinue(token), /invalid continue token/);
  });

  it('refuses a token whose signature does not match', () => {
    const token = cutPage(objects, 1, undefined, '7').continue!;
    const [payload] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ v: 'kindred.meta/v1', rv: '99999', start: 'n/a' })).toString('base64url');
    assert.throws(() => decodeContinue(`${forged}.${token.split('.')[1]}`), /invalid continue token/);
    assert.ok(payload);
  });
});
