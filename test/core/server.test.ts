/**
 * The HTTP contract of a running kindred, request by request: what kube-apiserver answers for
 * a CRD, kindred must answer for a configured kind. (kubectl's view is in test/e2e.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { listSnapshots } from '../../core/handlers/list.ts';
import { credentialsFromKubeconfig, httpRequest, httpWatch, type Credentials } from '../support/http.ts';
import { E2E_CONFIG } from '../support/gadget-config.ts';

const base = '/apis/fleet.example.net/v1/namespaces/default/gadgets';
const config = E2E_CONFIG.replace('scope: Namespaced', 'scope: Namespaced\n    backend: {plugin: memory, options: {watchWindow: 3}}');

describe('kindred over HTTP', () => {
  let k: TestKindred;
  let creds: Credentials;
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    httpRequest(k.url, method, path, {
      credentials: creds,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const gadget = (name: string, spec: unknown = { size: 1 }, metadata: Record<string, unknown> = {}) => ({
    apiVersion: 'fleet.example.net/v1',
    kind: 'Gadget',
    metadata: { name, ...metadata },
    spec,
  });

  before(async () => {
    k = await startTestKindred(config);
    creds = credentialsFromKubeconfig(k.kubeconfigPath);
  });
  after(async () => {
    await k?.stop();
  });

  describe('authentication', () => {
    it('answers 401 Unauthorized to a request without a client certificate', async () => {
      const r = await httpRequest(k.url, 'GET', '/apis', { credentials: { ca: creds.ca } });
      assert.equal(r.status, 401);
      assert.equal(r.json().reason, 'Unauthorized');
    });
    it('serves /healthz, /livez and /readyz without one', async () => {
      for (const path of ['/healthz', '/livez', '/readyz']) {
        const r = await httpRequest(k.url, 'GET', path, { credentials: { ca: creds.ca } });
        assert.equal(r.status, 200, path);
        assert.equal(r.text, 'ok');
      }
    });
  });

  describe('discovery', () => {
    it('answers /version with a Kubernetes version', async () => {
      const v = (await call('GET', '/version')).json();
      assert.equal(v.major, '1');
      assert.match(v.gitVersion, /^v1\.\d+\.\d+/);
    });
    it('answers /api with a 404 Status: there is no core group', async () => {
      const r = await call('GET', '/api');
      assert.equal(r.status, 404);
      assert.equal(r.json().kind, 'Status');
    });
    it('lists both groups in /apis', async () => {
      const list = (await call('GET', '/apis')).json();
      assert.equal(list.kind, 'APIGroupList');
      assert.deepEqual(list.groups.map((g: { name: string }) => g.name), ['fleet.example.net', 'infra.example.org']);
    });
    it('answers aggregated discovery v2 with its Content-Type and an ETag that revalidates to 304', async () => {
      const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
      const r = await call('GET', '/apis', undefined, { accept });
      assert.equal(r.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
      const body = r.json();
      assert.equal(body.apiVersion, 'apidiscovery.k8s.io/v2');
      const gadgets = body.items[0].versions[0].resources[0];
      assert.equal(gadgets.resource, 'gadgets');
      assert.deepEqual(gadgets.subresources.map((s: { subresource: string }) => s.subresource), ['status']);
      const again = await call('GET', '/apis', undefined, { accept, 'if-none-match': String(r.headers.etag) });
      assert.equal(again.status, 304);
    });
    it('answers v2beta1 to clients that only know it (kubectl 1.27-1.29)', async () => {
      const r = await call('GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList' });
      assert.equal(r.json().apiVersion, 'apidiscovery.k8s.io/v2beta1');
    });
    it('lists a resource before its status subresource in the APIResourceList', async () => {
      const list = (await call('GET', '/apis/fleet.example.net/v1')).json();
      assert.deepEqual(list.resources.map((r: { name: string }) => r.name), ['gadgets', 'gadgets/status']);
      assert.deepEqual(list.resources[1].verbs, ['get', 'patch', 'update']);
      assert.equal(list.resources[0].singularName, 'gadget');
    });
    it('never redirects, even for a trailing slash', async () => {
      const r = await call('GET', '/apis/fleet.example.net/v1/');
      assert.ok(r.status < 300 || r.status >= 400, `got ${r.status}`);
    });
  });

  describe('writes', () => {
    it('creates with 201, and a second create of the name is 409 AlreadyExists', async () => {
      assert.equal((await call('POST', base, gadget('w-1'))).status, 201);
      const r = await call('POST', base, gadget('w-1'));
      assert.equal(r.status, 409);
      assert.equal(r.json().reason, 'AlreadyExists');
      assert.equal(r.json().message, 'gadgets.fleet.example.net "w-1" already exists');
    });
    it('answers a missing object with a 404 naming it', async () => {
      const r = await call('GET', `${base}/absent`);
      assert.equal(r.status, 404);
      assert.deepEqual(r.json().details, { name: 'absent', group: 'fleet.example.net', kind: 'gadgets' });
    });
    it('makes a name from generateName', async () => {
      const r = await call('POST', base, { ...gadget(''), metadata: { generateName: 'gen-' } });
      assert.equal(r.status, 201);
      assert.match(r.json().metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    });
    it('stores nothing on dryRun=All but answers as if it had', async () => {
      const r = await call('POST', `${base}?dryRun=All`, gadget('dry'));
      assert.equal(r.status, 201);
      assert.equal(r.json().metadata.name, 'dry');
      assert.equal((await call('GET', `${base}/dry`)).status, 404);
    });
    it('refuses a namespace in the body that differs from the path with a 400', async () => {
      const r = await call('POST', base, gadget('w-ns', { size: 1 }, { namespace: 'elsewhere' }));
      assert.equal(r.status, 400);
    });
    it('refuses an update with a stale resourceVersion with a 409 Conflict, and one without with 422 as for custom resources', async () => {
      const current = (await call('GET', `${base}/w-1`)).json();
      const stale = { ...current, metadata: { ...current.metadata, resourceVersion: '1' }, spec: { size: 2 } };
      await call('PUT', `${base}/w-1`, { ...current, spec: { size: 3 } });
      const r = await call('PUT', `${base}/w-1`, stale);
      assert.equal(r.status, 409);
      assert.equal(r.json().reason, 'Conflict');
      const { resourceVersion: _rv, ...metadata } = current.metadata;
      const unconditional = await call('PUT', `${base}/w-1`, { ...current, metadata, spec: { size: 4 } });
      assert.equal(unconditional.status, 422);
      assert.equal(unconditional.json().reason, 'Invalid');
      assert.equal(
        unconditional.json().message,
        'gadgets.fleet.example.net "w-1" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update',
      );
      assert.deepEqual(unconditional.json().details.causes, [
        { reason: 'FieldValueInvalid', message: 'Invalid value: 0x0: must be specified for an update', field: 'metadata.resourceVersion' },
      ]);
    });
    it('moves generation only when spec changes', async () => {
      const before = (await call('GET', `${base}/w-1`)).json();
      const labelled = await call('PATCH', `${base}/w-1`, '{"metadata":{"labels":{"a":"b"}}}', { 'content-type': 'application/merge-patch+json' });
      assert.equal(labelled.json().metadata.generation, before.metadata.generation);
      const resized = await call('PATCH', `${base}/w-1`, '{"spec":{"size":10}}', { 'content-type': 'application/merge-patch+json' });
      assert.equal(resized.json().metadata.generation, before.metadata.generation + 1);
    });
    it('ignores status on the main resource and changes only status through /status', async () => {
      const current = (await call('GET', `${base}/w-1`)).json();
      const main = await call('PUT', `${base}/w-1`, { ...current, status: { phase: 'Ignored' } });
      assert.equal(main.json().status, undefined);
      const generation = main.json().metadata.generation;
      const status = await call('PUT', `${base}/w-1/status`, { ...(main.json() as object), spec: { size: 99 }, status: { phase: 'Ready' } });
      assert.equal(status.status, 200);
      assert.equal(status.json().status.phase, 'Ready');
      assert.equal(status.json().spec.size, 10);
      assert.equal(status.json().metadata.generation, generation);
    });
    it('answers a strategic merge patch with 415', async () => {
      const r = await call('PATCH', `${base}/w-1`, '{}', { 'content-type': 'application/strategic-merge-patch+json' });
      assert.equal(r.status, 415);
      assert.equal(r.json().reason, 'UnsupportedMediaType');
    });
    it('answers an unknown body type with 415 and a body over 3 MiB with 413', async () => {
      assert.equal((await call('POST', base, 'x', { 'content-type': 'application/vnd.kubernetes.protobuf' })).status, 415);
      const big = JSON.stringify(gadget('big', { blob: 'x'.repeat(3 * 1024 * 1024) }));
      const r = await call('POST', base, big);
      assert.equal(r.status, 413);
      assert.equal(r.json().reason, 'RequestEntityTooLarge');
    });
    it('answers 406 to a client that accepts only protobuf', async () => {
      const r = await call('GET', `${base}/w-1`, undefined, { accept: 'application/vnd.kubernetes.protobuf' });
      assert.equal(r.status, 406);
    });
    it('refuses a delete whose preconditions do not match with a 409', async () => {
      const r = await call('DELETE', `${base}/w-1`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-the-uid' } });
      assert.equal(r.status, 409);
      assert.equal((await call('GET', `${base}/w-1`)).status, 200);
    });
    it('keeps an object with finalizers until the last one is removed', async () => {
      await call('POST', base, gadget('w-fin', { size: 1 }, { finalizers: ['example.com/hold'] }));
      const marked = await call('DELETE', `${base}/w-fin`);
      assert.equal(marked.status, 200);
      assert.ok(marked.json().metadata.deletionTimestamp);
      assert.equal((await call('GET', `${base}/w-fin`)).status, 200);
      await call('PATCH', `${base}/w-fin`, '{"metadata":{"finalizers":null}}', { 'content-type': 'application/merge-patch+json' });
      assert.equal((await call('GET', `${base}/w-fin`)).status, 404);
    });
    it('deletes an object in the write that removes its last finalizer: watchers see it marked, then DELETED', async () => {
      const created = (await call('POST', base, gadget('w-fin2', { size: 1 }, { finalizers: ['example.com/hold'] }))).json();
      const watch = httpWatch(k.url, `${base}?watch=true&resourceVersion=${created.metadata.resourceVersion}&fieldSelector=metadata.name%3Dw-fin2`, creds);
      assert.equal(await watch.status, 200);
      await call('DELETE', `${base}/w-fin2`);
      const released = await call('PATCH', `${base}/w-fin2`, '{"metadata":{"finalizers":null}}', { 'content-type': 'application/merge-patch+json' });
      assert.equal(released.status, 200);
      const events = await watch.next(2);
      watch.close();
      assert.deepEqual(events.map((e) => e.type), ['MODIFIED', 'DELETED']);
      assert.deepEqual(events[0]!.object.metadata.finalizers, ['example.com/hold'], 'the MODIFIED is the marking, finalizers still there');
      assert.ok(events[0]!.object.metadata.deletionTimestamp);
      assert.equal((await call('GET', `${base}/w-fin2`)).status, 404);
    });
    it('treats a key repeated in a YAML apply body as kube-apiserver does: 400 under Strict, a warning under Warn, the last value otherwise', async () => {
      const yaml = 'apiVersion: fleet.example.net/v1\nkind: Gadget\nmetadata:\n  name: w-dup\nspec:\n  size: 1\n  size: 2\n';
      const apply = (validation: string) =>
        call('PATCH', `${base}/w-dup?fieldManager=test&fieldValidation=${validation}`, yaml, { 'content-type': 'application/apply-patch+yaml' });
      const strict = await apply('Strict');
      assert.equal(strict.status, 400);
      assert.equal(
        strict.json().message,
        'error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 7: key "size" already set in map',
      );
      const warned = await apply('Warn');
      assert.equal(warned.status, 201);
      assert.match(String(warned.headers['warning']), /line 7: key \\"size\\" already set in map/);
      assert.equal(warned.json().spec.size, 2);
      const ignored = await apply('Ignore');
      assert.equal(ignored.status, 200);
      assert.equal(ignored.headers['warning'], undefined);
    });
  });

  describe('lists', () => {
    before(async () => {
      for (const n of ['l-a', 'l-b', 'l-c']) await call('POST', base, gadget(n, { size: 1 }, { labels: { set: 'l' } }));
    });
    it('pages with limit and continue, and reports how many remain', async () => {
      const first = (await call('GET', `${base}?labelSelector=set%3Dl&limit=2`)).json();
      assert.deepEqual(first.items.map((i: any) => i.metadata.name), ['l-a', 'l-b']);
      assert.equal(first.metadata.remainingItemCount, 1);
      const second = (await call('GET', `${base}?labelSelector=set%3Dl&limit=2&continue=${first.metadata.continue}`)).json();
      assert.deepEqual(second.items.map((i: any) => i.metadata.name), ['l-c']);
      assert.equal(second.metadata.continue, undefined);
    });
    it('pages over the list as it was at the first page: objects created meanwhile do not appear', async () => {
      const first = (await call('GET', `${base}?labelSelector=set%3Dl&limit=1`)).json();
      await call('POST', base, gadget('l-bb', { size: 1 }, { labels: { set: 'l' } }));
      const second = (await call('GET', `${base}?labelSelector=set%3Dl&limit=1&continue=${first.metadata.continue}`)).json();
      const third = (await call('GET', `${base}?labelSelector=set%3Dl&limit=1&continue=${second.metadata.continue}`)).json();
      assert.deepEqual([...first.items, ...second.items, ...third.items].map((i: any) => i.metadata.name), ['l-a', 'l-b', 'l-c']);
      assert.equal(third.metadata.resourceVersion, first.metadata.resourceVersion, 'one logical list');
      assert.equal(third.metadata.continue, undefined);
      await call('DELETE', `${base}/l-bb`);
    });
    it('answers a continue token whose snapshot is gone with 410 Expired and a token that goes on over the current state', async () => {
      const first = (await call('GET', `${base}?labelSelector=set%3Dl&limit=1`)).json();
      const payload = JSON.parse(Buffer.from(String(first.metadata.continue).split('.')[0]!, 'base64url').toString()) as { snap: string };
      listSnapshots.release(payload.snap);
      const gone = await call('GET', `${base}?labelSelector=set%3Dl&limit=1&continue=${first.metadata.continue}`);
      assert.equal(gone.status, 410);
      assert.equal(gone.json().reason, 'Expired');
      assert.match(gone.json().message, /^The provided continue parameter is too old to display a consistent list result\./);
      const rest = (await call('GET', `${base}?labelSelector=set%3Dl&continue=${gone.json().metadata.continue}`)).json();
      assert.deepEqual(rest.items.map((i: any) => i.metadata.name), ['l-b', 'l-c']);
    });
    it('lists at an exact resourceVersion only while the store is at it, and waits for one it has not reached', async () => {
      const now = (await call('GET', base)).json().metadata.resourceVersion as string;
      assert.equal((await call('GET', `${base}?resourceVersion=${now}&resourceVersionMatch=Exact`)).status, 200);
      await call('POST', base, gadget('l-moved', { size: 1 }));
      const old = await call('GET', `${base}?resourceVersion=${now}&resourceVersionMatch=Exact`);
      assert.equal(old.status, 410);
      assert.equal(old.json().message, 'The resourceVersion for the provided list is too old.');
      assert.equal((await call('GET', `${base}?resourceVersion=${now}&resourceVersionMatch=NotOlderThan`)).status, 200);
      const future = await call('GET', `${base}?resourceVersion=${BigInt(now) + 1000n}&resourceVersionMatch=NotOlderThan`);
      assert.equal(future.status, 504);
      assert.deepEqual(future.json().details.causes, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]);
      assert.equal(future.json().details.retryAfterSeconds, 1);
      await call('DELETE', `${base}/l-moved`);
    });
    it('answers a malformed label selector with a 400', async () => {
      assert.equal((await call('GET', `${base}?labelSelector=a%20in%20(`)).status, 400);
    });
    it('answers resourceVersionMatch without resourceVersion with a 422', async () => {
      const r = await call('GET', `${base}?resourceVersionMatch=NotOlderThan`);
      assert.equal(r.status, 422);
      assert.equal(r.json().details.kind, 'ListOptions');
    });
    it('answers a Table without objects for includeObject=None', async () => {
      const table = (await call('GET', `${base}?labelSelector=set%3Dl&includeObject=None`, undefined, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' })).json();
      assert.equal(table.kind, 'Table');
      assert.deepEqual(table.columnDefinitions.map((c: any) => c.name), ['Name', 'Size', 'Color', 'Phase', 'Age']);
      assert.deepEqual(table.rows[0].cells.slice(0, 2), ['l-a', 1]);
      assert.equal(table.rows[0].object, undefined);
    });
    it('answers a PartialObjectMetadataList to the metadata client', async () => {
      const list = (await call('GET', `${base}?labelSelector=set%3Dl`, undefined, { accept: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1' })).json();
      assert.equal(list.kind, 'PartialObjectMetadataList');
      assert.equal(list.items[0].kind, 'PartialObjectMetadata');
      assert.equal(list.items[0].spec, undefined);
    });
    it('deletes a collection by label selector and returns what it deleted', async () => {
      // Its own objects: the ones above stay for the other cases, whatever order they run in.
      for (const n of ['d-a', 'd-b']) await call('POST', base, gadget(n, { size: 1 }, { labels: { set: 'd' } }));
      const r = await call('DELETE', `${base}?labelSelector=set%3Dd`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json().items.map((i: any) => i.metadata.name), ['d-a', 'd-b']);
      assert.equal((await call('GET', `${base}?labelSelector=set%3Dd`)).json().items.length, 0);
      assert.equal((await call('GET', `${base}?labelSelector=set%3Dl`)).json().items.length, 3);
    });
  });

  describe('watch', () => {
    it('resumes after a resourceVersion with exactly the later changes', async () => {
      const created = (await call('POST', base, gadget('wt-1'))).json();
      const watch = httpWatch(k.url, `${base}?watch=true&resourceVersion=${created.metadata.resourceVersion}`, creds);
      try {
        await call('PATCH', `${base}/wt-1`, '{"spec":{"size":2}}', { 'content-type': 'application/merge-patch+json' });
        await call('DELETE', `${base}/wt-1`);
        const events = await watch.next(2);
        assert.deepEqual(events.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.kind}`), ['MODIFIED wt-1 Gadget', 'DELETED wt-1 Gadget']);
      } finally {
        watch.close();
      }
    });
    it('sends the current objects, then the initial-events-end bookmark, for sendInitialEvents=true', async () => {
      await call('POST', base, gadget('wt-2'));
      const watch = httpWatch(k.url, `${base}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`, creds);
      try {
        const { items } = (await call('GET', base)).json();
        const events = await watch.next(items.length + 1);
        assert.deepEqual(events.slice(0, -1).map((e) => `${e.type} ${e.object.metadata.name}`), items.map((i: any) => `ADDED ${i.metadata.name}`));
        assert.equal(events.at(-1)!.type, 'BOOKMARK');
        assert.equal(events.at(-1)!.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
      } finally {
        watch.close();
      }
    });
    it('sends an object that stops matching the selector as DELETED', async () => {
      await call('POST', base, gadget('wt-3', { size: 1 }, { labels: { watched: 'yes' } }));
      const watch = httpWatch(k.url, `${base}?watch=true&labelSelector=watched%3Dyes`, creds);
      try {
        await watch.next(1);
        await call('PATCH', `${base}/wt-3`, '{"metadata":{"labels":{"watched":"no"}}}', { 'content-type': 'application/merge-patch+json' });
        const events = await watch.next(2);
        assert.equal(events[1]!.type, 'DELETED');
      } finally {
        watch.close();
      }
    });
    it('answers a resourceVersion older than the watch window with a 410 Expired event', async () => {
      const first = (await call('POST', base, gadget('wt-old'))).json();
      for (let i = 0; i < 5; i++) await call('PATCH', `${base}/wt-old`, `{"spec":{"size":${i + 2}}}`, { 'content-type': 'application/merge-patch+json' });
      const watch = httpWatch(k.url, `${base}?watch=true&resourceVersion=${first.metadata.resourceVersion}`, creds);
      const [event] = await watch.next(1);
      assert.equal(event!.type, 'ERROR');
      assert.equal(event!.object.code, 410);
      assert.equal(event!.object.reason, 'Expired');
      watch.close();
    });
  });
});

describe('KindredServer.close()', () => {
  it('ends open HTTP/2 sessions instead of waiting for them, as the aggregator never closes its own', { timeout: 30_000 }, async () => {
    const { connect } = await import('node:http2');
    const k = await startTestKindred(E2E_CONFIG);
    const creds = credentialsFromKubeconfig(k.kubeconfigPath);
    const session = connect(k.url, { ca: creds.ca, cert: creds.cert, key: creds.key });
    session.on('error', () => {});
    const status = await new Promise<number>((resolve, reject) => {
      const req = session.request({ ':path': '/version' });
      req.on('response', (headers) => resolve(Number(headers[':status'])));
      req.on('error', reject);
      req.resume();
      req.end();
    });
    assert.equal(status, 200);
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    await k.stop();
    await closed;
  });
});
