import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditEvent, AuditPolicyError, decide, parseAuditPolicy } from '../../core/audit.ts';
import { parseRequestInfo } from '../../core/request-info.ts';

const policy = parseAuditPolicy(`
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    nonResourceURLs: [/healthz, /readyz, /livez]
  - level: RequestResponse
    resources: [{group: apps.example.com, resources: [postgreses]}]
  - level: Request
    userGroups: [team-a]
  - level: Metadata
`);
const user = { username: 'alice', groups: ['team-a'] };
const info = (method: string, path: string) => parseRequestInfo(method, path);

describe('audit policy', () => {
  it('takes the level of the first matching rule', () => {
    assert.equal(decide(policy, user, info('GET', '/readyz'), false).level, 'None');
    assert.equal(decide(policy, user, info('POST', '/apis/apps.example.com/v1/namespaces/a/postgreses'), false).level, 'RequestResponse');
    assert.equal(decide(policy, user, info('GET', '/apis/apps.example.com/v1/namespaces/a/buckets'), false).level, 'Request');
    assert.equal(decide(policy, { username: 'bob', groups: [] }, info('GET', '/apis/apps.example.com/v1/buckets'), false).level, 'Metadata');
    assert.deepEqual(decide(policy, user, info('GET', '/version'), false).omitStages, ['RequestReceived']);
  });

  it('never audits more than metadata of a sensitive kind, whatever the policy says', () => {
    assert.equal(decide(policy, user, info('POST', '/apis/apps.example.com/v1/namespaces/a/postgreses'), true).level, 'Metadata');
  });

  it('refuses what is not an audit Policy, naming the field', () => {
    assert.throws(() => parseAuditPolicy('apiVersion: v1\nkind: ConfigMap'), AuditPolicyError);
    assert.throws(() => parseAuditPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Loud}]'), /rules\[0\]\.level/);
  });

  it('writes audit.k8s.io/v1 Events with the object reference, and bodies only at their levels', () => {
    const record = {
      auditId: 'a-1',
      stage: 'ResponseComplete' as const,
      info: info('POST', '/apis/apps.example.com/v1/namespaces/a/postgreses'),
      method: 'POST',
      requestURI: '/apis/apps.example.com/v1/namespaces/a/postgreses',
      user,
      sourceIP: '127.0.0.1',
      userAgent: 'kubectl',
      received: new Date(0),
      code: 201,
      requestObject: { spec: { password: 'p' } },
      responseObject: { spec: { password: 'p' } },
    };
    const metadata = auditEvent({ level: 'Metadata', omitStages: [], omitManagedFields: false }, record, new Date(1000));
    assert.equal(metadata.kind, 'Event');
    assert.equal(metadata.apiVersion, 'audit.k8s.io/v1');
    assert.deepEqual(metadata.objectRef, { resource: 'postgreses', namespace: 'a', apiGroup: 'apps.example.com', apiVersion: 'v1' });
    assert.deepEqual(metadata.responseStatus, { metadata: {}, code: 201 });
    assert.equal(metadata.requestObject, undefined);
    assert.equal(metadata.stageTimestamp, '1970-01-01T00:00:01.000Z');
    const full = auditEvent({ level: 'RequestResponse', omitStages: [], omitManagedFields: false }, record, new Date(1000));
    assert.deepEqual(full.requestObject, record.requestObject);
    assert.deepEqual(full.responseObject, record.responseObject);
  });
});
