/**
 * Two kindred processes on one real etcd, as two replicas of a Deployment: they serve one
 * truth, never lose an update to each other, and survive an etcd restart; while etcd is
 * down only its kinds fail (503), the rest keep answering.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig, makeInformer, CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import { httpWatch } from '../support/http.ts';
import { startEtcd, type EtcdServer } from './etcd-server.ts';
import { eventually } from '../support/eventually.ts';
import { startKindredProcess, type KindredProcess } from './fixtures/kindred-process.ts';
import { clusterTestOptions } from './require.ts';

const GROUP = 'replicas.kindred.dev';
const kindYaml = (kind: string, plural: string, plugin: string) => `
  - group: ${GROUP}
    names: {kind: ${kind}, plural: ${plural}, singular: ${kind.toLowerCase()}}
    scope: Namespaced
    versions:
      - name: v1
        served: true
        storage: true
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
    backend: {plugin: ${plugin}}`;
const CONFIG = `resources:${kindYaml('Widget', 'widgets', 'etcd')}${kindYaml('Note', 'notes', 'memory')}\n`;

const widgets = (ns: string, name = '') => `/apis/${GROUP}/v1/namespaces/${ns}/widgets${name ? `/${name}` : ''}`;
const widget = (ns: string, name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: `${GROUP}/v1`,
  kind: 'Widget',
  metadata: { name, namespace: ns },
  spec,
});

async function must(k: KindredProcess, method: string, path: string, body?: unknown): Promise<any> {
  const res = await k.request(method, path, body);
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: HTTP ${res.status} ${res.text}`);
  return res.json();
}

describe('etcd plugin: two kindred processes on one etcd', clusterTestOptions(), () => {
  let etcd: EtcdServer;
  let a: KindredProcess;
  let b: KindredProcess;
  before(async () => {
    etcd = await startEtcd();
    const args = ['--etcd-servers', etcd.url, '--etcd-prefix', '/replicas'];
    [a, b] = await Promise.all([startKindredProcess(CONFIG, args), startKindredProcess(CONFIG, args)]);
  });
  after(async () => {
    await Promise.allSettled([a?.stop(), b?.stop()]);
    await etcd?.remove();
  });

  it('reads and watches through one process what was written through the other', async () => {
    const listed = await must(b, 'GET', widgets('shared'));
    const watch = httpWatch(b.url, `${widgets('shared')}?watch=1&resourceVersion=${listed.metadata.resourceVersion}`, b.credentials);
    try {
      const created = await must(a, 'POST', widgets('shared'), widget('shared', 'w1', { size: 1 }));
      assert.deepEqual(await must(b, 'GET', widgets('shared', 'w1')), created);
      const updated = await must(a, 'PUT', widgets('shared', 'w1'), { ...created, spec: { size: 2 } });
      await must(b, 'DELETE', widgets('shared', 'w1'));
      const events = await watch.next(3);
      assert.deepEqual(
        events.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`).slice(0, 2),
        [`ADDED w1 ${created.metadata.resourceVersion}`, `MODIFIED w1 ${updated.metadata.resourceVersion}`],
      );
      assert.equal(events[2]?.type, 'DELETED');
      assert.equal(events[2]?.object.metadata.uid, created.metadata.uid);
    } finally {
      watch.close();
    }
  });

  it('gives exactly one winner per round to concurrent conflicting updates through both', async () => {
    const rounds = 25;
    await must(a, 'POST', widgets('contended'), widget('contended', 'c', { round: -1 }));
    const tally = { won: 0, conflicts: 0, other: [] as string[] };
    for (let round = 0; round < rounds; round++) {
      // Both read the same version, then both write it back changed: one must lose.
      const [fromA, fromB] = await Promise.all([must(a, 'GET', widgets('contended', 'c')), must(b, 'GET', widgets('contended', 'c'))]);
      assert.equal(fromA.metadata.resourceVersion, fromB.metadata.resourceVersion);
      const [resA, resB] = await Promise.all([
        a.request('PUT', widgets('contended', 'c'), { ...fromA, spec: { round, by: 'a' } }),
        b.request('PUT', widgets('contended', 'c'), { ...fromB, spec: { round, by: 'b' } }),
      ]);
      const statuses = [resA.status, resB.status].sort();
      if (statuses[0] === 200 && statuses[1] === 409) tally.won++;
      else tally.other.push(`round ${round}: ${statuses.join(',')}`);
      tally.conflicts += statuses.filter((s) => s === 409).length;
      const winner = resA.status === 200 ? 'a' : 'b';
      const stored = await must(b, 'GET', widgets('contended', 'c'));
      assert.deepEqual(stored.spec, { round, by: winner });
    }
    process.stdout.write(`# ${rounds} rounds of two concurrent updates: ${tally.won} with exactly one winner, ${tally.conflicts} conflicts\n`);
    assert.deepEqual(tally, { won: rounds, conflicts: rounds, other: [] });
  });

  it('answers 503 for etcd kinds only while etcd is down, and an informer and a watch miss nothing across the restart', async (t) => {
    const ns = 'restart';
    for (let i = 0; i < 5; i++) await must(a, 'POST', widgets(ns), widget(ns, `before-${i}`));
    const kc = new KubeConfig();
    kc.loadFromFile(b.kubeconfigPath);
    const api = kc.makeApiClient(CustomObjectsApi);
    const informer = makeInformer<KubernetesObject>(kc, widgets(ns), () =>
      api.listNamespacedCustomObject({ group: GROUP, version: 'v1', namespace: ns, plural: 'widgets' }),
    );
    const seen: string[] = [];
    for (const type of ['add', 'update', 'delete'] as const) informer.on(type, (o) => void seen.push(`${type} ${o.metadata?.name}`));
    informer.on('error', () => setTimeout(() => void informer.start(), 500));
    await informer.start();
    t.after(() => informer.stop());
    await eventually('the informer to list 5 widgets', () => informer.list(ns).length === 5);
    const listed = await must(b, 'GET', widgets(ns));
    const watch = httpWatch(b.url, `${widgets(ns)}?watch=1&resourceVersion=${listed.metadata.resourceVersion}`, b.credentials);
    t.after(() => watch.close());

    await etcd.stop({ kill: true });
    const down = Date.now();
    const refused = await b.request('GET', widgets(ns));
    const seconds = (Date.now() - down) / 1000;
    assert.equal(refused.status, 503, refused.text);
    assert.equal(refused.json().reason, 'ServiceUnavailable');
    assert.ok(refused.headers['retry-after'], 'a 503 carries Retry-After');
    assert.equal((await a.request('POST', widgets(ns), widget(ns, 'while-down'))).status, 503);
    // The memory kind does not depend on etcd.
    assert.equal((await b.request('POST', `/apis/${GROUP}/v1/namespaces/${ns}/notes`, { ...widget(ns, 'n1'), kind: 'Note' })).status, 201);
    assert.equal((await b.request('GET', `/apis/${GROUP}/v1/namespaces/${ns}/notes/n1`)).status, 200);
    process.stdout.write(`# etcd down: first answer from the etcd kind after ${seconds.toFixed(2)} s: HTTP ${refused.status}\n`);
    // Still ready (other kinds serve), and /readyz?verbose says which backend is down.
    const readyDown = await b.request('GET', '/readyz?verbose');
    assert.equal(readyDown.status, 200, readyDown.text);
    assert.match(readyDown.text, new RegExp(`backend:${GROUP}/Widget ok: backend unavailable`));

    await etcd.start();
    // Recovery is automatic: the first write that reaches etcd again succeeds.
    // 409: an earlier try was committed though its answer was lost (the deadline passed).
    await eventually('a write to succeed after etcd is back', async () => [201, 409].includes((await a.request('POST', widgets(ns), widget(ns, 'after-0'))).status));
    for (let i = 1; i < 5; i++) await must(a, 'POST', widgets(ns), widget(ns, `after-${i}`));
    for (const name of ['before-0', 'after-0']) {
      const current = await must(a, 'GET', widgets(ns, name));
      await must(a, 'PUT', widgets(ns, name), { ...current, spec: { changed: true } });
    }
    await must(a, 'DELETE', widgets(ns, 'before-1'));

    await eventually('/readyz?verbose to report the etcd backend ok again', async () => {
      await b.request('GET', widgets(ns));
      return /backend:replicas\.kindred\.dev\/Widget ok\n/.test((await b.request('GET', '/readyz?verbose')).text);
    });

    // The watch opened before the restart gets every change made after it, in order.
    const events = await watch.next(8, 30_000);
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.object.metadata.name}`),
      ['ADDED after-0', 'ADDED after-1', 'ADDED after-2', 'ADDED after-3', 'ADDED after-4', 'MODIFIED before-0', 'MODIFIED after-0', 'DELETED before-1'],
    );
    // And the informer ends up with exactly what is stored.
    const stored = async () => ((await must(a, 'GET', widgets(ns))).items as KubernetesObject[]).map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`);
    const cached = () => informer.list(ns).map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort();
    await eventually('the informer to match etcd', async () => JSON.stringify(cached()) === JSON.stringify((await stored()).sort()));
    for (const event of ['add after-4', 'update before-0', 'update after-0', 'delete before-1']) assert.ok(seen.includes(event), `the informer saw ${event}`);
  });
});
