import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { unionAuthenticator } from '../../../core/auth/union.ts';
import type { Authenticator } from '../../../core/auth/types.ts';
import { input } from './fixtures.ts';

const none: Authenticator = async () => undefined;
const bob: Authenticator = async () => ({ username: 'bob', groups: ['devs'] });
const broken: Authenticator = async () => {
  throw new Error('TokenReview unreachable');
};

describe('unionAuthenticator(authenticators, options)', () => {
  it('returns the first user found, with system:authenticated added', async () => {
    assert.deepEqual(await unionAuthenticator([none, bob])(input()), { username: 'bob', groups: ['devs', 'system:authenticated'] });
  });

  it('answers undefined (401) when nobody recognises the request and anonymous is off', async () => {
    assert.equal(await unionAuthenticator([none])(input()), undefined);
  });

  it('makes a request without credentials system:anonymous when anonymous is on', async () => {
    assert.deepEqual(await unionAuthenticator([none], { anonymous: true })(input()), { username: 'system:anonymous', groups: ['system:unauthenticated'] });
  });

  it('never makes a request with a rejected token anonymous', async () => {
    assert.equal(await unionAuthenticator([none], { anonymous: true })(input({ headers: { authorization: 'Bearer x' } })), undefined);
  });

  it('tries the next authenticator after an error, and answers 401 if none succeeds', async () => {
    const errors: unknown[] = [];
    assert.equal((await unionAuthenticator([broken, bob], { onError: (e) => errors.push(e) })(input()))?.username, 'bob');
    assert.equal(await unionAuthenticator([broken, none], { anonymous: true })(input()), undefined);
    assert.equal(errors.length, 1);
  });
});
