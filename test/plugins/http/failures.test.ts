/**
 * How an http kind fails: json-server behind our fault-injecting proxy. Slow or down means
 * ServiceUnavailable with a Retry-After within the timeout; only idempotent requests are
 * retried; a circuit breaker stops calling a failing service and lets one probe through later;
 * a cap on requests in flight; the service's errors as Kubernetes reasons.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { isStoreError, type StoreError } from '../../../core/types/errors.ts';
import type { HttpOptions, HttpStore } from '../../../plugins/http/index.ts';
import { defaultObject, deletion, rejectsWith, request, revised, write } from '../../../lib/testing/index.ts';
import { eventually } from '../../support/eventually.ts';
import { startJsonServer, type JsonServer } from '../../support/json-server.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import { RequestGuard } from '../../../plugins/http/guard.ts';
import type { ServiceResponse } from '../../../plugins/http/client.ts';
import { httpStore, zoneKind } from './fixtures.ts';

const kind = zoneKind('Namespaced');
const zone = (name: string) => defaultObject(kind, name, 'ops');

let service: JsonServer;
let proxy: FaultProxy;
let store: HttpStore | undefined;
let collection = 0;

before(async () => {
  const db: Record<string, unknown[]> = {};
  for (let i = 0; i < 40; i++) db[`c${i}`] = [];
  service = await startJsonServer(db);
  proxy = await startFaultProxy(service.origin);
});
after(async () => {
  await proxy?.close();
  await service?.dispose();
});
afterEach(async () => {
  proxy.clear();
  proxy.requireHeader(undefined);
  await store?.close();
  store = undefined;
});

async function open(options: Partial<HttpOptions> = {}): Promise<{ store: HttpStore; path: RegExp; name: string }> {
  const name = `c${collection++}`;
  store = await httpStore(kind, { url: `${proxy.origin}/${name}`, timeoutSeconds: 2, retries: 2, ...options });
  return { store, name, path: new RegExp(`^/${name}(/|\\?|$)`) };
}

const requests = (path: RegExp, method?: string) => proxy.seen.filter((r) => path.test(r.url) && (!method || r.method === method)).length;

async function failure(action: () => Promise<unknown>): Promise<StoreError> {
  try {
    await action();
  } catch (error) {
    assert.ok(isStoreError(error), `expected a StoreError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a failure');
}

describe('a slow or unreachable service', () => {
  it('answers ServiceUnavailable with a Retry-After when the service does not answer within the timeout', async () => {
    const { store, path } = await open({ timeoutSeconds: 0.3, retries: 0 });
    proxy.inject({ kind: 'latency', ms: 3000 }, { path });
    const error = await failure(() => store.get('ops', 'a', request()));
    assert.equal(error.reason, 'ServiceUnavailable');
    assert.ok((error.retryAfterSeconds ?? 0) >= 1);
  });

  it('answers ServiceUnavailable when nothing listens at the url', async () => {
    store = await httpStore(kind, { url: 'http://127.0.0.1:1/zones', timeoutSeconds: 1, retries: 0 });
    const error = await failure(() => store!.list(undefined, {}, request()));
    assert.equal(error.reason, 'ServiceUnavailable');
  });
});

describe('retries', () => {
  it('retries a GET after a 503 and after a dropped connection', async () => {
    const { store, path } = await open();
    await store.create(zone('a'), write());
    proxy.inject({ kind: 'status', status: 503 }, { method: 'GET', path });
    proxy.inject({ kind: 'drop' }, { method: 'GET', path });
    const before = requests(path, 'GET');
    const got = await store.get('ops', 'a', request());
    assert.equal(got.metadata.name, 'a');
    assert.equal(requests(path, 'GET') - before, 3);
  });

  it('never retries a POST: a 503 to a create is the answer', async () => {
    const { store, path } = await open();
    proxy.inject({ kind: 'status', status: 503, headers: { 'Retry-After': '7' } }, { method: 'POST', path });
    const error = await failure(() => store.create(zone('a'), write()));
    assert.equal(error.reason, 'ServiceUnavailable');
    assert.equal(error.retryAfterSeconds, 7);
    assert.equal(requests(path, 'POST'), 1);
  });

  it('takes a 404 to a retried DELETE as the lost first attempt having deleted it', async () => {
    const { store, path, name } = await open();
    await store.create(zone('a'), write());
    proxy.inject({ kind: 'dropAnswer' }, { method: 'DELETE', path });
    const deleted = await store.delete('ops', 'a', deletion());
    assert.equal(deleted.metadata.name, 'a');
    assert.equal(requests(path, 'DELETE'), 2);
    assert.equal((await service.request('GET', `/${name}/a`)).status, 404);
  });
});

describe('the circuit breaker', () => {
  it('stops calling a failing service, answers 503 at once, and closes again after a successful probe', async () => {
    const { store, path } = await open({ retries: 0, circuitBreaker: { failureThreshold: 2, openSeconds: 0.3 } });
    proxy.inject({ kind: 'status', status: 502 }, { path, count: Infinity });
    await rejectsWith(() => store.get('ops', 'a', request()), 'ServiceUnavailable');
    await rejectsWith(() => store.get('ops', 'a', request()), 'ServiceUnavailable');
    const seen = requests(path);
    const error = await failure(() => store.get('ops', 'a', request()));
    assert.equal(error.reason, 'ServiceUnavailable');
    assert.match(error.message, /failed 2 times in a row/);
    assert.equal(requests(path), seen, 'an open breaker does not call the service');
    proxy.clear();
    await eventually('the breaker to let a probe through and close', async () => {
      await store.list(undefined, {}, request());
      return true;
    });
    assert.ok(requests(path) > seen);
  });
});

describe('the concurrency limit', () => {
  it('holds at most maxConcurrentRequests requests to the service in flight', async () => {
    const { store, path } = await open({ maxConcurrentRequests: 2 });
    await store.create(zone('a'), write());
    let release!: () => void;
    const until = new Promise<void>((resolve) => (release = resolve));
    proxy.inject({ kind: 'hold', until }, { method: 'GET', path, count: 6 });
    proxy.maxInFlight = 0;
    const gets = Array.from({ length: 6 }, () => store.get('ops', 'a', request()));
    await eventually('two requests to be held', () => proxy.inFlight >= 2);
    release();
    await Promise.all(gets);
    assert.equal(proxy.maxInFlight, 2);
  });

  it('answers 503 to a request that waited its whole timeout for a slot', async () => {
    const guard = new RequestGuard({ timeoutMs: 200, retries: 0, maxConcurrent: 1, failureThreshold: 5, openMs: 1000 });
    const never = () => new Promise<ServiceResponse>(() => undefined);
    void guard.run('GET a', true, undefined, never);
    const error = await failure(() => guard.run('GET b', true, undefined, never));
    assert.equal(error.reason, 'ServiceUnavailable');
    assert.match(error.message, /GET b: 1 requests to the service are already in flight/);
  });
});

describe("the service's errors", () => {
  it('maps 422 and 400 to Invalid with the service message, 409 on create to AlreadyExists, 412 to Conflict', async () => {
    const { store, path } = await open();
    proxy.inject({ kind: 'status', status: 422, body: '{"message":"region eu-9 is not offered"}' }, { method: 'POST', path });
    const invalid = await failure(() => store.create(zone('a'), write()));
    assert.equal(invalid.reason, 'Invalid');
    assert.match(invalid.message, /region eu-9 is not offered/);
    proxy.inject({ kind: 'status', status: 400, body: '{"error":"size must be even"}' }, { method: 'POST', path });
    assert.match((await failure(() => store.create(zone('a'), write()))).message, /size must be even/);
    proxy.inject({ kind: 'status', status: 409 }, { method: 'POST', path });
    await rejectsWith(() => store.create(zone('a'), write()), 'AlreadyExists');
    const created = await store.create(zone('a'), write());
    proxy.inject({ kind: 'status', status: 412 }, { method: 'PUT', path });
    await rejectsWith(() => store.update(revised(created, '2'), write()), 'Conflict');
  });

  it('maps a 500 to InternalError without showing its body, and a garbage body to InternalError', async () => {
    const { store, path } = await open();
    proxy.inject({ kind: 'status', status: 500, body: 'Error: boom\n    at secret/internal/path.js:1:1' }, { method: 'GET', path });
    const internal = await failure(() => store.get('ops', 'a', request()));
    assert.equal(internal.reason, 'InternalError');
    assert.doesNotMatch(internal.message, /internal\/path/);
    proxy.inject({ kind: 'garbage' }, { method: 'GET', path, count: 2 });
    assert.match((await failure(() => store.get('ops', 'a', request()))).message, /not JSON/);
    assert.match((await failure(() => store.list(undefined, {}, request()))).message, /not JSON/);
  });
});

describe('If-Match', () => {
  it('sends the ETag of the record read in If-Match, and a 412 from the service is a Conflict', async () => {
    const { store, path } = await open({ concurrency: 'ifMatch' });
    const created = await store.create(zone('a'), write());
    const updated = await store.update(revised(created, '2'), write());
    const put = proxy.seen.filter((r) => path.test(r.url) && r.method === 'PUT').at(-1);
    assert.match(String(put?.headers['if-match']), /^W\/"/);
    proxy.inject({ kind: 'etagMismatch' }, { method: 'PUT', path });
    await rejectsWith(() => store.update(revised(updated, '3'), write()), 'Conflict');
    // Not retried: a retried conditional write would conflict with itself.
    assert.equal(requests(path, 'PUT'), 2);
  });

  it('sends no If-Match with readCompareWrite', async () => {
    const { store, path } = await open();
    const created = await store.create(zone('a'), write());
    await store.update(revised(created, '2'), write());
    const put = proxy.seen.filter((r) => path.test(r.url) && r.method === 'PUT').at(-1);
    assert.equal(put?.headers['if-match'], undefined);
  });
});
