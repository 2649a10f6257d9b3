import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tokenReviewAuthenticator } from '../../../core/auth/token-review.ts';
import { input } from './fixtures.ts';

function reviewer(answers: Record<string, { username: string; groups?: string[] } | 'fail'>) {
  const asked: string[] = [];
  const review = async (body: Record<string, unknown>) => {
    const token = (body.spec as { token: string }).token;
    asked.push(token);
    const answer = answers[token];
    if (answer === 'fail') return { status: 500, body: undefined };
    return { status: 201, body: { status: answer ? { authenticated: true, user: answer } : { authenticated: false } } };
  };
  return { review, asked };
}

describe('tokenReviewAuthenticator(options)', () => {
  const bearer = (token: string) => input({ headers: { authorization: `Bearer ${token}` } });

  it('returns the user kube-apiserver names for a valid token', async () => {
    const { review } = reviewer({ t1: { username: 'alice', groups: ['team-a'] } });
    assert.deepEqual(await tokenReviewAuthenticator({ review })(bearer('t1')), { username: 'alice', groups: ['team-a'] });
  });

  it('does not recognise requests without a bearer token', async () => {
    const { review, asked } = reviewer({});
    assert.equal(await tokenReviewAuthenticator({ review })(input()), undefined);
    assert.deepEqual(asked, []);
  });

  it('reuses an answer, either way, for the cache TTL and asks again after it', async () => {
    let now = 0;
    const { review, asked } = reviewer({ good: { username: 'alice' } });
    const authenticate = tokenReviewAuthenticator({ review, cacheTtlMs: 10_000, now: () => now });
    await authenticate(bearer('good'));
    await authenticate(bearer('bad'));
    now = 9_999;
    assert.equal((await authenticate(bearer('good')))?.username, 'alice');
    assert.equal(await authenticate(bearer('bad')), undefined);
    assert.deepEqual(asked, ['good', 'bad']);
    now = 10_000;
    await authenticate(bearer('good'));
    assert.deepEqual(asked, ['good', 'bad', 'good']);
  });

  it('throws, and caches nothing, when the review itself fails', async () => {
    const { review, asked } = reviewer({ t: 'fail' });
    const authenticate = tokenReviewAuthenticator({ review });
    await assert.rejects(async () => authenticate(bearer('t')), /HTTP 500/);
    await assert.rejects(async () => authenticate(bearer('t')), /HTTP 500/);
    assert.equal(asked.length, 2);
  });
});
