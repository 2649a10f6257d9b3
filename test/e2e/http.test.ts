/**
 * An `http` kind end to end: kubectl 1.33 and a client-node informer against kindred, whose
 * Zone objects are the records of a real json-server, the simplest config (the url only).
 * Records added, changed or removed directly in json-server show up as watch events.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi, KubeConfig, makeInformer, type KubernetesObject } from '@kubernetes/client-node';
import { eventually } from '../support/eventually.ts';
import { credentialsFromKubeconfig, httpRequest } from '../support/http.ts';
import { startJsonServer, type JsonServer } from '../support/json-server.ts';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { requireKubectl } from '../support/tools.ts';

const VERSION = '1.33';

function config(origin: string): string {
  return `
resources:
  - group: infra.example.org
    names: {kind: Zone, plural: zones, singular: zone, shortNames: [zn]}
    scope: Namespaced
    versions:
      - name: v1
        served: true
        storage: true
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec:
                type: object
                properties:
                  region: {type: string}
                  size: {type: integer}
              status:
                type: object
                properties:
                  ready: {type: boolean}
        additionalPrinterColumns:
          - {name: Region, type: string, jsonPath: .spec.region}
          - {name: Size, type: integer, jsonPath: .spec.size, priority: 1}
    backend:
      plugin: http
      options:
        url: ${origin}/zones
        pollIntervalSeconds: 0.2
        timeoutSeconds: 2
  - group: infra.example.org
    names: {kind: Rack, plural: racks, singular: rack}
    scope: Namespaced
    versions:
      - {name: v1, served: true, storage: true}
    backend: {plugin: memory}
`;
}

const zone = (name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}) =>
  JSON.stringify({ apiVersion: 'infra.example.org/v1', kind: 'Zone', metadata: { name, labels }, spec });

describe('an http kind backed by json-server', requireKubectl(VERSION), () => {
  let service: JsonServer;
  let k: TestKindred;
  const kubectl = (args: string[], input?: string) => k.kubectl(VERSION, args, input === undefined ? {} : { input });
  const ok = async (...args: string[]) => {
    const r = await kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
    return r.stdout;
  };

  before(async () => {
    service = await startJsonServer({ zones: [{ id: 'legacy', namespace: 'default', region: 'us-1', status: { ready: true } }] });
    k = await startTestKindred(config(service.origin));
  });
  after(async () => {
    await k?.stop();
    await service?.dispose();
  });

  it('get shows a record json-server already held, with its printer columns', async () => {
    assert.match(await ok('get', 'zones'), /^legacy\s+us-1\s+\S+$/m);
    assert.equal(await ok('get', 'zone', 'legacy', '-o', 'jsonpath={.status.ready}'), 'true');
  });

  it('create stores a record in json-server: id, namespace, spec fields and metadata', async () => {
    const r = await kubectl(['create', '-f', '-'], zone('eu', { region: 'eu-1', size: 3 }, { tier: 'gold' }));
    assert.equal(r.code, 0, r.stderr);
    const [record] = (await service.db()).zones?.filter((z) => (z as { id: string }).id === 'eu') ?? [];
    assert.ok(record, 'json-server holds the record');
    const { id, namespace, region, size, metadata } = record as Record<string, unknown> & { metadata: { labels: unknown; uid: string } };
    assert.deepEqual({ id, namespace, region, size, labels: metadata.labels }, { id: 'eu', namespace: 'default', region: 'eu-1', size: 3, labels: { tier: 'gold' } });
    assert.match(metadata.uid, /^[0-9a-f-]{36}$/);
  });

  it('get -o wide adds the priority columns', async () => {
    const out = await ok('get', 'zone', 'eu', '-o', 'wide');
    assert.match(out, /^NAME\s+REGION\s+SIZE\s+AGE$/m);
    assert.match(out, /^eu\s+eu-1\s+3\s+\d+s$/m);
  });

  it('lists by label selector', async () => {
    assert.equal((await kubectl(['create', '-f', '-'], zone('ap', { region: 'ap-1', size: 1 }, { tier: 'silver' }))).code, 0);
    assert.equal(await ok('get', 'zones', '-l', 'tier=gold', '-o', 'name'), 'zone.infra.example.org/eu\n');
    assert.equal(await ok('get', 'zones', '-l', 'tier', '-o', 'name'), 'zone.infra.example.org/ap\nzone.infra.example.org/eu\n');
  });

  it('get -w sees records added, changed and removed directly in json-server', async () => {
    const watch = k.kubectlStream(VERSION, ['get', 'zones', '-w', '--output-watch-events']);
    try {
      await watch.waitFor(/ADDED\s+eu\s/);
      assert.equal((await service.request('POST', '/zones', { id: 'direct', namespace: 'default', region: 'sa-1' })).status, 201);
      await watch.waitFor(/ADDED\s+direct\s+sa-1/);
      assert.equal((await service.request('PATCH', '/zones/direct', { region: 'sa-2' })).status, 200);
      await watch.waitFor(/MODIFIED\s+direct\s+sa-2/);
      assert.equal((await service.request('DELETE', '/zones/direct')).status, 200);
      await watch.waitFor(/DELETED\s+direct/);
    } finally {
      watch.stop();
    }
  });

  it('patch changes the record', async () => {
    await ok('patch', 'zone', 'eu', '--type', 'merge', '-p', '{"spec":{"size":5},"metadata":{"labels":{"tier":"platinum"}}}');
    const record = (await service.request('GET', '/zones/eu')).body as { size: number; metadata: { labels: unknown } };
    assert.equal(record.size, 5);
    assert.deepEqual(record.metadata.labels, { tier: 'platinum' });
  });

  it('apply --server-side creates, then updates, and conflicts with another manager', async () => {
    const path = await k.file('apply.json', zone('sa', { region: 'sa-1', size: 1 }));
    assert.match(await ok('apply', '--server-side', '-f', path), /zone\.infra\.example\.org\/sa serverside-applied/);
    await k.file('apply.json', zone('sa', { region: 'sa-1', size: 2 }));
    await ok('apply', '--server-side', '-f', path);
    assert.equal(((await service.request('GET', '/zones/sa')).body as { size: number }).size, 2);
    await k.file('other.json', zone('sa', { region: 'sa-1', size: 9 }));
    const r = await kubectl(['apply', '--server-side', '--field-manager', 'other', '-f', `${k.dir}/other.json`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /conflict/i);
  });

  it('a stale replace is refused with a conflict, also after an edit made directly in json-server', async () => {
    const stale = await ok('get', 'zone', 'ap', '-o', 'json');
    assert.equal((await service.request('PATCH', '/zones/ap', { size: 7 })).status, 200);
    const path = await k.file('stale.json', stale);
    const r = await kubectl(['replace', '-f', path]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Conflict|has been modified/);
    assert.equal(((await service.request('GET', '/zones/ap')).body as { size: number }).size, 7);
  });

  it('delete removes the record', async () => {
    await ok('delete', 'zone', 'ap');
    assert.equal((await service.request('GET', '/zones/ap')).status, 404);
    const r = await kubectl(['get', 'zone', 'ap']);
    assert.match(r.stderr, /NotFound|not found/);
  });

  it('answers 503 with a Retry-After while json-server is down, leaves discovery and other kinds alone, and a client-node informer catches up once it is back', async (t) => {
    const kc = new KubeConfig();
    kc.loadFromFile(k.kubeconfigPath);
    const api = kc.makeApiClient(CustomObjectsApi);
    const list = () => api.listNamespacedCustomObject({ group: 'infra.example.org', version: 'v1', namespace: 'default', plural: 'zones' });
    const informer = makeInformer<KubernetesObject>(kc, '/apis/infra.example.org/v1/namespaces/default/zones', list);
    informer.on('error', () => setTimeout(() => void informer.start().catch(() => undefined), 200));
    await informer.start();
    t.after(() => informer.stop());
    const expectSame = async (what: string) => {
      await eventually(what, async () => {
        const records = (await service.request('GET', '/zones')).body as { id: string }[];
        const want = records.map((r) => r.id).sort();
        const have = informer.list('default').map((o) => o.metadata?.name ?? '').sort();
        return JSON.stringify(want) === JSON.stringify(have);
      }, { timeoutMs: 30_000 });
    };
    await expectSame('the informer to hold every record');

    await service.stop();
    const down = await kubectl(['get', 'zones']);
    assert.notEqual(down.code, 0);
    assert.match(down.stderr, /unavailable/i);
    const answer = await httpRequest(k.url, 'GET', '/apis/infra.example.org/v1/namespaces/default/zones', { credentials: credentialsFromKubeconfig(k.kubeconfigPath) });
    assert.equal(answer.status, 503);
    assert.match(String(answer.headers['retry-after']), /^[1-9][0-9]*$/);
    assert.equal(answer.json().reason, 'ServiceUnavailable');
    // Discovery and the other kinds do not depend on the service.
    assert.match(await ok('api-resources', '--api-group', 'infra.example.org'), /^zones\s/m);
    assert.equal((await kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'infra.example.org/v1', kind: 'Rack', metadata: { name: 'r1' } }))).code, 0);
    assert.match(await ok('get', 'racks'), /^r1\s/m);
    // Changed while kindred cannot see it: the db file is json-server's state when it comes back.
    const db = await service.db();
    db.zones = [...(db.zones ?? []).filter((z) => (z as { id: string }).id !== 'legacy'), { id: 'while-down', namespace: 'default', region: 'af-1' }];
    await writeFile(service.dbPath, JSON.stringify(db));
    await service.start();

    await expectSame('the informer to match json-server after its restart');
    assert.ok(informer.list('default').some((o) => o.metadata?.name === 'while-down'));
    assert.ok(!informer.list('default').some((o) => o.metadata?.name === 'legacy'));
    assert.match(await ok('get', 'zones'), /^while-down\s+af-1/m);
  });
});
