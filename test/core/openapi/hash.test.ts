import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { openAPIHash } from '../../../core/openapi/hash.ts';

describe('openAPIHash(doc)', () => {
  it('is the upper-case hex SHA-512 of the JSON served', () => {
    const doc = { openapi: '3.0.0', paths: {} };
    const expected = createHash('sha512').update('{"openapi":"3.0.0","paths":{}}').digest('hex').toUpperCase();
    assert.equal(openAPIHash(doc), expected);
    assert.match(openAPIHash(doc), /^[0-9A-F]{128}$/);
  });

  it('changes when the content changes', () => {
    assert.notEqual(openAPIHash({ a: 1 }), openAPIHash({ a: 2 }));
  });
});
