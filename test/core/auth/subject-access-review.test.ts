import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { reviewSpec, subjectAccessReviewAuthorizer } from '../../../core/auth/subject-access-review.ts';
import { parseRequestInfo } from '../../../core/request-info.ts';

const alice = { username: 'alice', uid: 'a-1', groups: ['team-a', 'system:authenticated'], extra: { scopes: ['x'] } };

function reviewer(allow: (spec: Record<string, unknown>) => boolean | 'fail') {
  const asked: Record<string, unknown>[] = [];
  const review = async (body: Record<string, unknown>) => {
    const spec = body.spec as Record<string, unknown>;
    asked.push(spec);
    const answer = allow(spec);
    if (answer === 'fail') return { status: 503, body: undefined };
    return { status: 201, body: { status: { allowed: answer, ...(answer ? {} : { reason: 'no RBAC' }) } } };
  };
  return { review, asked };
}

describe('reviewSpec(user, info)', () => {
  it('names the resource, subresource, namespace and object', () => {
    const info = parseRequestInfo('PUT', '/apis/apps.example.com/v1alpha1/namespaces/ns1/postgreses/db/status');
    assert.deepEqual(reviewSpec(alice, info), {
      user: 'alice', uid: 'a-1', groups: ['team-a', 'system:authenticated'], extra: { scopes: ['x'] },
      resourceAttributes: { verb: 'update', group: 'apps.example.com', version: 'v1alpha1', resource: 'postgreses', namespace: 'ns1', subresource: 'status', name: 'db' },
    });
  });

  it('names a watch with a metadata.name field selector by that name', () => {
    const info = parseRequestInfo('GET', '/apis/apps.example.com/v1alpha1/postgreses?watch=true&fieldSelector=metadata.name%3Ddb');
    assert.deepEqual((reviewSpec(alice, info).resourceAttributes as Record<string, string>), { verb: 'watch', group: 'apps.example.com', version: 'v1alpha1', resource: 'postgreses', name: 'db' });
  });

  it('uses nonResourceAttributes for other paths', () => {
    const spec = reviewSpec({ username: 'bob', groups: [] }, parseRequestInfo('GET', '/openapi/v3'));
    assert.deepEqual(spec, { user: 'bob', groups: [], nonResourceAttributes: { path: '/openapi/v3', verb: 'get' } });
  });
});

describe('subjectAccessReviewAuthorizer(options)', () => {
  const list = parseRequestInfo('GET', '/apis/apps.example.com/v1alpha1/namespaces/ns1/postgreses');

  it('allows system:masters without asking (the aggregator checks availability as that group)', async () => {
    const { review, asked } = reviewer(() => false);
    assert.deepEqual(await subjectAccessReviewAuthorizer({ review })({ username: 'system:kube-aggregator', groups: ['system:masters'] }, list), { allowed: true });
    assert.equal(asked.length, 0);
  });

  it('caches allowed and denied answers with their own TTLs', async () => {
    let now = 0;
    const { review, asked } = reviewer((spec) => spec.user === 'alice');
    const authorize = subjectAccessReviewAuthorizer({ review, allowCacheTtlMs: 10_000, denyCacheTtlMs: 2_000, now: () => now });
    const bob = { username: 'bob', groups: ['system:authenticated'] };
    assert.equal((await authorize(alice, list)).allowed, true);
    assert.deepEqual(await authorize(bob, list), { allowed: false, reason: 'no RBAC' });
    now = 1_999;
    await authorize(alice, list);
    await authorize(bob, list);
    assert.equal(asked.length, 2);
    now = 2_000;
    await authorize(alice, list);
    await authorize(bob, list);
    assert.deepEqual(asked.map((s) => s.user), ['alice', 'bob', 'bob']);
  });

  it('throws, and caches nothing, when the review fails', async () => {
    const { review, asked } = reviewer(() => 'fail');
    const authorize = subjectAccessReviewAuthorizer({ review });
    await assert.rejects(async () => authorize(alice, list), /HTTP 503/);
    await assert.rejects(async () => authorize(alice, list), /HTTP 503/);
    assert.equal(asked.length, 2);
  });
});
