/**
 * The http plugin's options beyond the url, against json-server (directly or behind our
 * proxy) and, for a paged `{data: {results}}` API json-server does not speak, a small
 * service written here: field pointers, per-verb paths and `{namespace}` urls, list location
 * and pagination, credentials, TLS, one poller per kind, resourceVersions across a restart.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { isStoreError } from '../../../core/types/errors.ts';
import { createCertificateAuthority, issueCertificate } from '../../../core/tls/certificates.ts';
import type { HttpOptions, HttpStore } from '../../../plugins/http/index.ts';
import { defaultObject, openWatch, rejectsWith, request, revised, summary, take, write } from '../../../lib/testing/index.ts';
import { eventually } from '../../support/eventually.ts';
import { startJsonServer, type JsonServer } from '../../support/json-server.ts';
import { startFaultProxy, type FaultProxy } from './fault-proxy.ts';
import { httpStore, pluginContext, recordingLog, zoneKind } from './fixtures.ts';

const kind = zoneKind('Namespaced');
let service: JsonServer;
let proxy: FaultProxy;
let dir: string;
const stores: HttpStore[] = [];

before(async () => {
  const db: Record<string, unknown[]> = { namespaces: [], zones: [] };
  for (let i = 0; i < 20; i++) db[`c${i}`] = [];
  db.mapped = [{ id: 'eu', attributes: { region: 'eu-1' }, placement: { namespace: 'ops' }, meta: { labels: { tier: 'gold' } }, state: { ready: true }, rev: 1, owner: 'billing' }];
  db.paged = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, namespace: 'ops' }));
  service = await startJsonServer(db);
  proxy = await startFaultProxy(service.origin);
  dir = await mkdtemp(join(tmpdir(), 'kindred-http-options-'));
});
after(async () => {
  await proxy?.close();
  await service?.dispose();
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  proxy.clear();
  proxy.requireHeader(undefined);
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

async function open(options: HttpOptions, ctx = pluginContext(recordingLog(), dir)): Promise<HttpStore> {
  const store = await httpStore(kind, { timeoutSeconds: 2, ...options }, ctx);
  stores.push(store);
  return store;
}

let collection = 0;
const fresh = () => `c${collection++}`;

describe('fields by JSON pointer', () => {
  it('reads name, namespace, spec, metadata, status and version where the pointers say, and keeps unmapped fields on update', async () => {
    const fields = { spec: '/attributes', namespace: '/placement/namespace', metadata: '/meta', status: '/state', version: '/rev' };
    const store = await open({ url: `${service.origin}/mapped`, fields });
    const eu = await store.get('ops', 'eu', request());
    assert.deepEqual(eu.spec, { region: 'eu-1' });
    assert.deepEqual(eu.status, { ready: true });
    assert.deepEqual(eu.metadata.labels, { tier: 'gold' });
    assert.equal(eu.metadata.namespace, 'ops');
    await rejectsWith(() => store.get('dev', 'eu', request()), 'NotFound');

    const changed = revised(eu, '2');
    changed.spec = { region: 'eu-2' };
    await store.update(changed, write());
    const record = (await service.request('GET', '/mapped/eu')).body as Record<string, unknown>;
    assert.deepEqual(record.attributes, { region: 'eu-2' });
    assert.equal(record.owner, 'billing', 'a field kindred does not map is kept');
    assert.equal(record.rev, 1, 'the version field is sent back as read');
    assert.deepEqual((record.meta as { annotations: unknown }).annotations, changed.metadata.annotations);

    // The version field decides what is a change: an edit that does not bump it is not seen.
    const before = await store.get('ops', 'eu', request());
    await service.request('PATCH', '/mapped/eu', { owner: 'ops-team' });
    assert.equal((await store.get('ops', 'eu', request())).metadata.resourceVersion, before.metadata.resourceVersion);
    await service.request('PATCH', '/mapped/eu', { rev: 2 });
    assert.notEqual((await store.get('ops', 'eu', request())).metadata.resourceVersion, before.metadata.resourceVersion);
  });

  it('refuses a spec field that the record uses for something else', async () => {
    const store = await open({ url: `${service.origin}/${fresh()}` });
    const bad = defaultObject(kind, 'a', 'ops');
    bad.spec = { id: 'other' };
    await assert.rejects(store.create(bad, write()), (e: unknown) => isStoreError(e) && e.reason === 'Invalid' && e.causes[0]?.field === 'spec.id');
  });
});

describe('paths', () => {
  it('serves a kind from a url with {namespace} and per-verb paths (json-server nested routes)', async () => {
    const store = await open({ url: `${service.origin}/namespaces/{namespace}/zones`, paths: { get: '/zones/{name}', update: '/zones/{name}', delete: '/zones/{name}' } });
    const created = await store.create(defaultObject(kind, 'a', 'ops'), write());
    assert.equal(created.metadata.namespace, 'ops');
    assert.deepEqual((await service.request('GET', '/namespaces/ops/zones')).body, [
      { ...(await service.request('GET', '/zones/a')).body as object, namespaceId: 'ops' },
    ]);
    assert.deepEqual((await store.list('ops', {}, request())).items.map((o) => o.metadata.name), ['a']);
    assert.deepEqual((await store.list('dev', {}, request())).items, []);
    // Across namespaces: the ones kindred has seen or been asked about (or the `namespaces` option).
    assert.deepEqual((await store.list(undefined, {}, request())).items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`), ['ops/a']);
  });

  it('polls a namespace of a {namespace} url once a client asked about it, even while it is empty', { timeout: 30_000 }, async () => {
    const store = await open({ url: `${service.origin}/namespaces/{namespace}/zones`, paths: { get: '/zones/{name}' }, pollIntervalSeconds: 0.05 });
    const listed = await store.list('dev', {}, request());
    assert.deepEqual(listed.items, []);
    const watch = openWatch(store, 'dev', listed.resourceVersion);
    await service.request('POST', '/namespaces/dev/zones', { id: 'b' });
    assert.deepEqual(summary(await take(watch, 1)), ['ADDED b']);
    await watch.return?.();
  });

  it('encodes names into paths, so a name cannot change the path', async () => {
    const store = await open({ url: `${proxy.origin}/${fresh()}` });
    await rejectsWith(() => store.get('ops', '../zones', request()), 'NotFound');
    assert.match(proxy.seen.at(-1)?.url ?? '', /\/c\d+\/..%2Fzones$/);
  });
});

describe('lists', () => {
  it('follows the Link header (json-server _page/_limit)', async () => {
    const store = await open({ url: `${proxy.origin}/paged`, pagination: { type: 'link', pageParam: '_page', limitParam: '_limit', limit: 2 } });
    const before = proxy.seen.length;
    assert.deepEqual((await store.list('ops', {}, request())).items.map((o) => o.metadata.name), ['a', 'b', 'c', 'd', 'e']);
    assert.equal(proxy.seen.length - before, 3);
  });

  it('pages by number until a short page', async () => {
    const store = await open({ url: `${proxy.origin}/paged`, pagination: { type: 'page', limit: 2 } });
    const before = proxy.seen.length;
    assert.equal((await store.list(undefined, {}, request())).items.length, 5);
    assert.deepEqual(proxy.seen.slice(before).map((r) => new URL(r.url, 'http://x').searchParams.get('_page')), ['1', '2', '3']);
  });

  it('finds records at the items pointer and follows a cursor', async () => {
    const records = ['a', 'b', 'c'].map((id) => ({ id, namespace: 'ops' }));
    const api = createServer((req, res) => {
      const after = new URL(req.url ?? '/', 'http://x').searchParams.get('after');
      const at = after ? records.findIndex((r) => r.id === after) + 1 : 0;
      const page = records.slice(at, at + 2);
      const next = at + 2 < records.length ? page.at(-1)?.id : null;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ data: { results: page }, next }));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = api.address() as { port: number };
      const store = await open({ url: `http://127.0.0.1:${port}/v2/zones`, items: '/data/results', pagination: { type: 'cursor', cursorParam: 'after', nextCursor: '/next' } });
      assert.deepEqual((await store.list(undefined, {}, request())).items.map((o) => o.metadata.name), ['a', 'b', 'c']);
    } finally {
      api.closeAllConnections();
      await new Promise((resolve) => api.close(resolve));
    }
  });
});

describe('credentials', () => {
  it('sends a bearer token from a file and reads the file again when it changes', async () => {
    const tokenFile = join(dir, 'token');
    await writeFile(tokenFile, 'token-one-1111\n');
    proxy.requireHeader('authorization', 'Bearer token-one-1111');
    const store = await open({ url: `${proxy.origin}/${fresh()}`, auth: { bearerToken: { file: 'token' } } });
    await store.list(undefined, {}, request());
    await writeFile(tokenFile, 'token-two-22222\n');
    proxy.requireHeader('authorization', 'Bearer token-two-22222');
    await store.list(undefined, {}, request());
  });

  it('sends basic auth, secret headers and plain headers', async () => {
    await writeFile(join(dir, 'password'), 'pa55word');
    await writeFile(join(dir, 'api-key'), 'key-12345');
    const store = await open({
      url: `${proxy.origin}/${fresh()}`,
      auth: { basic: { username: 'kindred', password: { file: 'password' } }, secretHeaders: { 'X-Api-Key': { file: 'api-key' } }, headers: { 'X-Tenant': 'platform' } },
    });
    await store.list(undefined, {}, request());
    const seen = proxy.seen.at(-1)?.headers ?? {};
    assert.equal(seen.authorization, `Basic ${Buffer.from('kindred:pa55word').toString('base64')}`);
    assert.equal(seen['x-api-key'], 'key-12345');
    assert.equal(seen['x-tenant'], 'platform');
  });

  it('never shows a credential in an error or a log line, even when the service quotes it back', async () => {
    await writeFile(join(dir, 'leaky'), 'leaky-token-9999');
    const log = recordingLog();
    const store = await open({ url: `${proxy.origin}/${fresh()}`, auth: { bearerToken: { file: 'leaky' } }, pollIntervalSeconds: 0.05 }, pluginContext(log, dir));
    proxy.inject({ kind: 'status', status: 422, body: JSON.stringify({ message: 'bad request from Bearer leaky-token-9999' }) }, { method: 'POST' });
    await assert.rejects(store.create(defaultObject(kind, 'a', 'ops'), write()), (e: unknown) => {
      assert.ok(isStoreError(e));
      assert.doesNotMatch(`${e.message} ${JSON.stringify(e.causes)}`, /leaky-token/);
      assert.match(e.message, /\[redacted\]/);
      return true;
    });
    proxy.requireHeader('authorization', 'Bearer another');
    const watch = openWatch(store, undefined, '0');
    await eventually('a failed poll to be logged', () => log.lines.some((l) => l.includes('polling the service failed')));
    await watch.return?.();
    assert.ok(log.lines.every((line) => !line.includes('leaky-token')), log.lines.join('\n'));
  });

  it('talks TLS with a CA and a client certificate (mTLS)', async () => {
    const ca = await createCertificateAuthority('test service CA');
    const server = await issueCertificate(ca, { commonName: 'service', ipAddresses: ['127.0.0.1'], usage: 'server' });
    const client = await issueCertificate(ca, { commonName: 'kindred', usage: 'client' });
    await writeFile(join(dir, 'ca.pem'), ca.certPem);
    await writeFile(join(dir, 'client.pem'), client.certPem);
    await writeFile(join(dir, 'client-key.pem'), client.keyPem);
    const tlsProxy = await startFaultProxy(service.origin, { cert: server.certPem, key: server.keyPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true });
    try {
      const store = await open({ url: `${tlsProxy.origin}/${fresh()}`, tls: { caFile: 'ca.pem', certFile: 'client.pem', keyFile: 'client-key.pem' } });
      await store.create(defaultObject(kind, 'a', 'ops'), write());
      assert.equal((await store.list(undefined, {}, request())).items.length, 1);
      const noCert = await open({ url: `${tlsProxy.origin}/${fresh()}`, tls: { caFile: 'ca.pem' }, retries: 0 });
      await rejectsWith(() => noCert.list(undefined, {}, request()), 'ServiceUnavailable');
    } finally {
      await tlsProxy.close();
    }
  });
});

// A watch that misses an event would wait forever: fail instead.
describe('watch', { timeout: 30_000 }, () => {
  it('polls the service once per interval for a kind, however many watches are open', async () => {
    const store = await open({ url: `${proxy.origin}/${fresh()}`, pollIntervalSeconds: 0.02 });
    let release!: () => void;
    proxy.inject({ kind: 'hold', until: new Promise<void>((resolve) => (release = resolve)) }, { method: 'GET', count: Infinity });
    proxy.maxInFlight = 0;
    const abort = new AbortController();
    const watches = Array.from({ length: 20 }, () => openWatch(store, undefined, '0', abort.signal));
    await eventually('the poller to list', () => proxy.inFlight === 1);
    release();
    proxy.clear();
    abort.abort();
    await Promise.all(watches.map((w) => w.return?.()));
    assert.equal(proxy.maxInFlight, 1);
  });

  it('lists at once when the change stream (server-sent events) says something changed', async () => {
    const name = fresh();
    const store = await open({ url: `${proxy.origin}/${name}`, pollIntervalSeconds: 3600, changeEvents: '/events' });
    const listed = await store.list(undefined, {}, request());
    const lists = () => proxy.seen.filter((r) => r.method === 'GET' && new RegExp(`^/${name}(\\?|$)`).test(r.url)).length;
    const before = lists();
    const watch = openWatch(store, undefined, listed.resourceVersion);
    // Opening the stream rings once (for what changed while it was closed): that list is done first.
    // In flight: the stream itself, and no list.
    await eventually('the change stream to open and its first list to be done', () => proxy.eventStreams === 1 && lists() > before && proxy.inFlight === 1);
    // Written straight to the service (through the proxy, not kindred); the next poll is an hour away.
    await fetch(`${proxy.origin}/${name}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: 'direct', namespace: 'ops' }) });
    assert.deepEqual(summary(await take(watch, 1)), ['ADDED direct']);
    await watch.return?.();
  });

  it('does not let a poll answered before a write but read after it undo the write', async () => {
    const name = fresh();
    const store = await open({ url: `${proxy.origin}/${name}`, pollIntervalSeconds: 0.02 });
    const created = await store.create(defaultObject(kind, 'a', 'ops'), write());
    const listed = await store.list(undefined, {}, request());
    let release!: () => void;
    proxy.inject({ kind: 'holdAnswer', until: new Promise<void>((resolve) => (release = resolve)) }, { method: 'GET', path: new RegExp(`^/${name}(\\?|$)`) });
    const watch = openWatch(store, undefined, listed.resourceVersion);
    // The poller's list has been answered (with revision 1) and is held on its way back.
    await eventually('a poll to be held', () => proxy.holding === 1);
    await store.update(revised(created, '2'), write());
    release();
    await store.create(defaultObject(kind, 'marker', 'ops'), write());
    const events = await take(watch, 2);
    assert.deepEqual(summary(events), ['MODIFIED a', 'ADDED marker']);
    assert.equal(events[0]?.object.metadata.annotations?.['conformance.kindred.dev/revision'], '2');
    await watch.return?.();
  });

  it('sees a record added directly in the service, and after a restart a watch from an old resourceVersion is Expired', async () => {
    const name = fresh();
    const first = await open({ url: `${service.origin}/${name}`, pollIntervalSeconds: 0.05 });
    const listed = await first.list(undefined, {}, request());
    const watch = openWatch(first, undefined, listed.resourceVersion);
    await service.request('POST', `/${name}`, { id: 'direct', namespace: 'ops' });
    assert.deepEqual(summary(await take(watch, 1)), ['ADDED direct']);
    await watch.return?.();
    await first.close();
    // A new process: its resourceVersions start from the clock, past every one the old one handed out.
    const seenUntil = Number(listed.resourceVersion) + 1;
    await eventually('the clock to pass the old versions', () => Date.now() * 100 > seenUntil);
    const second = await open({ url: `${service.origin}/${name}` });
    await rejectsWith(() => second.watch(undefined, { resourceVersion: listed.resourceVersion }, request()), 'Expired');
    assert.ok(Number((await second.list(undefined, {}, request())).resourceVersion) > Number(listed.resourceVersion));
  });
});
