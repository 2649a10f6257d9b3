/**
 * --max-requests-inflight and --max-mutating-requests-inflight: reads and writes over their
 * limit get 429 with Retry-After at once; watches and health probes are never counted.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MaxInFlightLimit } from '../../core/max-in-flight.ts';
import { parseRequestInfo } from '../../core/request-info.ts';
import { StatusError } from '../../core/status.ts';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { credentialsFromKubeconfig, httpRequest, httpWatch, type Credentials, type HttpResponse } from '../support/http.ts';
import { GATED_PLUGIN_PATH, gate } from '../support/gated-plugin.ts';
import { kindYaml } from '../app/reload/fixtures.ts';

const user = { username: 'alice', groups: ['system:authenticated'] };
const info = (method: string, url: string) => parseRequestInfo(method, url);
const things = '/apis/reload.example.com/v1/namespaces/default/things';

describe('MaxInFlightLimit', () => {
  it('refuses a read over the read limit with 429 TooManyRequests and retryAfterSeconds 1', () => {
    const limit = new MaxInFlightLimit({ readOnly: 1, mutating: 1 });
    const release = limit.admit(info('GET', things), user, false);
    assert.ok(release);
    assert.throws(
      () => limit.admit(info('GET', `${things}/a`), user, false),
      (error: StatusError) => error.code === 429 && error.status.reason === 'TooManyRequests' && error.status.details?.retryAfterSeconds === 1,
    );
    release();
    release(); // a second call gives nothing back twice
    assert.deepEqual(limit.running, { readOnly: 0, mutating: 0 });
    assert.ok(limit.admit(info('GET', things), user, false));
  });

  it('counts writes apart from reads', () => {
    const limit = new MaxInFlightLimit({ readOnly: 1, mutating: 1 });
    limit.admit(info('GET', things), user, false);
    assert.ok(limit.admit(info('POST', things), user, false));
    assert.throws(() => limit.admit(info('DELETE', `${things}/a`), user, false), /Too many requests, please try again later\./);
    assert.deepEqual(limit.running, { readOnly: 1, mutating: 1 });
  });

  it('never counts watches, health probes or system:masters', () => {
    const limit = new MaxInFlightLimit({ readOnly: 1, mutating: 1 });
    limit.admit(info('GET', things), user, false);
    limit.admit(info('POST', things), user, false);
    assert.equal(limit.admit(info('GET', `${things}?watch=true`), user, false), undefined);
    assert.equal(limit.admit(info('GET', '/readyz'), undefined, true), undefined);
    assert.equal(limit.admit(info('POST', things), { username: 'root', groups: ['system:masters'] }, false), undefined);
  });

  it('treats 0 as no limit', () => {
    const limit = new MaxInFlightLimit({ readOnly: 0, mutating: 0 });
    for (let i = 0; i < 1000; i++) limit.admit(info('GET', things), user, false);
    assert.equal(limit.running.readOnly, 1000);
  });
});

describe('kindred with --max-requests-inflight 2 --max-mutating-requests-inflight 1', () => {
  let k: TestKindred;
  let creds: Credentials;
  const call = (method: string, path: string, body?: unknown): Promise<HttpResponse> =>
    httpRequest(k.url, method, path, {
      credentials: creds,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
  const thing = (name: string) => ({ apiVersion: 'reload.example.com/v1', kind: 'Thing', metadata: { name }, spec: { size: 1 } });

  before(async () => {
    k = await startTestKindred(`resources:${kindYaml({ kind: 'Thing', plugin: GATED_PLUGIN_PATH })}`, {
      start: { maxInFlight: { readOnly: 2, mutating: 1 } },
    });
    // Not the kubeconfig's admin: system:masters is never limited.
    const alice = await k.running.issueClientCertificate!('alice', ['developers']);
    creds = { ca: credentialsFromKubeconfig(k.kubeconfigPath).ca, cert: alice.certPem, key: alice.keyPem };
  });
  after(async () => {
    gate.open();
    await k?.stop();
    gate.close();
  });

  it('answers 429 with Retry-After: 1 beyond the limits, serves watches and /readyz meanwhile, and recovers', async () => {
    gate.close();
    const reads = [call('GET', things), call('GET', things)];
    const write = call('POST', things, thing('first'));
    await gate.whenWaiting(3);

    const read = await call('GET', `${things}/x`);
    assert.equal(read.status, 429);
    assert.equal(read.headers['retry-after'], '1');
    assert.deepEqual(
      { kind: read.json().kind, reason: read.json().reason, message: read.json().message, retry: read.json().details.retryAfterSeconds },
      { kind: 'Status', reason: 'TooManyRequests', message: 'Too many requests, please try again later.', retry: 1 },
    );
    const second = await call('POST', things, thing('second'));
    assert.equal(second.status, 429);

    // Not counted: a watch (from a resourceVersion, so it lists nothing at the gate) and the probes.
    const watch = httpWatch(k.url, `${things}?watch=true&resourceVersion=1`, creds);
    assert.equal(await watch.status, 200);
    watch.close();
    assert.equal((await httpRequest(k.url, 'GET', '/readyz', { credentials: { ca: creds.ca } })).status, 200);
    const metrics = (await call('GET', '/metrics')).status;
    assert.equal(metrics, 429, 'a third read, even of /metrics, is over the limit');

    gate.open();
    assert.deepEqual((await Promise.all([...reads, write])).map((r) => r.status), [200, 200, 201]);
    assert.equal((await call('POST', things, thing('second'))).status, 201);
    const scraped = (await call('GET', '/metrics')).text;
    assert.match(scraped, /apiserver_current_inflight_requests\{request_kind="readOnly"\} 1/);
    assert.match(scraped, /apiserver_current_inflight_requests\{request_kind="mutating"\} 0/);
  });
});
