/**
 * Watching a HelmRelease-backed kind: a client-node informer on kindred stays consistent
 * with the HelmReleases through bursts and a kube-apiserver restart, and many client
 * watches cost kube-apiserver one watch.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi, KubeConfig, makeInformer, type KubernetesObject } from '@kubernetes/client-node';
import { KubeClient } from '../../lib/kube/client.ts';
import { GROUP_LABEL, KIND_LABEL } from '../../lib/kube/mapping.ts';
import { HELM_RELEASES, must } from './fixtures/kube-backend.ts';
import { eventually } from '../support/eventually.ts';
import { startPlatform, type Platform } from './fixtures/platform.ts';
import { clusterTestOptions } from './require.ts';

const NS = 'team-w';
const hrPath = (name = '') => `${HELM_RELEASES}/namespaces/${NS}/helmreleases${name ? `/${name}` : ''}`;
const identity = { [GROUP_LABEL]: 'apps.example.com', [KIND_LABEL]: 'Postgres' };

function hr(name: string, replicas: number) {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: `postgres-${name}`, namespace: NS, labels: identity },
    spec: { interval: '1m', chart: { spec: { chart: 'postgres', sourceRef: { kind: 'HelmRepository', name: 'x' } } }, values: { replicas } },
  };
}

/** The number of WATCH requests on helmreleases kube-apiserver is serving now. */
async function upstreamWatches(admin: KubeClient): Promise<number> {
  const { text = '' } = await admin.request('GET', '/metrics');
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('apiserver_longrunning_requests{') && line.includes('resource="helmreleases"') && line.includes('verb="WATCH"')) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

describe('watching a HelmRelease-backed kind', clusterTestOptions(), () => {
  let p: Platform;
  before(async () => {
    p = await startPlatform([NS]);
  });
  after(async () => {
    await p?.stop();
  });

  it('keeps a client-node informer consistent through bursts and a kube-apiserver restart', async (t) => {
    const kc = new KubeConfig();
    kc.loadFromFile(p.kindred.kubeconfigPath);
    const api = kc.makeApiClient(CustomObjectsApi);
    const informer = makeInformer<KubernetesObject>(kc, `/apis/apps.example.com/v1alpha1/namespaces/${NS}/postgreses`, () =>
      api.listNamespacedCustomObject({ group: 'apps.example.com', version: 'v1alpha1', namespace: NS, plural: 'postgreses' }),
    );
    informer.on('error', () => setTimeout(() => void informer.start(), 500));
    await informer.start();
    t.after(() => informer.stop());
    const admin = p.backend.admin;
    const expectSame = async (what: string) => {
      await eventually(what, async () => {
        const want = ((await must(admin, 'GET', hrPath())).items as KubernetesObject[])
          .map((o) => `${o.metadata?.name?.replace(/^postgres-/, '')}@${o.metadata?.resourceVersion}`)
          .sort();
        const have = informer.list(NS).map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort();
        return JSON.stringify(want) === JSON.stringify(have);
      }, { timeoutMs: 30_000 });
    };

    await Promise.all(Array.from({ length: 20 }, (_, i) => must(admin, 'POST', hrPath(), hr(`p${i}`, 1))));
    for (let i = 0; i < 20; i += 2) {
      const current = await must(admin, 'GET', hrPath(`postgres-p${i}`));
      await must(admin, 'PUT', hrPath(`postgres-p${i}`), { ...current, spec: hr(`p${i}`, 2).spec });
    }
    await Promise.all(Array.from({ length: 5 }, (_, i) => must(admin, 'DELETE', hrPath(`postgres-p${i}`))));
    await expectSame('the informer to match after a burst');

    await p.backend.cp.restartApiServer();
    // Right after the restart, while kindred's cache is reconnecting: deletes must not be lost.
    await Promise.all(Array.from({ length: 5 }, (_, i) => must(admin, 'DELETE', hrPath(`postgres-p${i + 5}`))));
    await Promise.all(Array.from({ length: 3 }, (_, i) => must(admin, 'POST', hrPath(), hr(`q${i}`, 3))));
    await expectSame('the informer to match after a kube-apiserver restart');
    assert.equal(informer.list(NS).length, 13);
  });

  it('serves 200 concurrent client watches from one upstream watch', async () => {
    const admin = p.backend.admin;
    // kindred watches once for every HelmRelease-backed kind (Postgres, Redis, Bucket).
    await eventually('kindred to hold its one upstream watch', async () => (await upstreamWatches(admin)) === 1);
    const viaKindred = new KubeClient(p.kindred.kubeconfigPath);
    const abort = new AbortController();
    const kinds = ['postgreses', 'redises', 'buckets'];
    const listed = await must(viaKindred, 'GET', `/apis/apps.example.com/v1alpha1/namespaces/${NS}/postgreses`);
    const from = (listed.metadata as { resourceVersion: string }).resourceVersion;
    const watches = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const opened = await viaKindred.watch(`/apis/apps.example.com/v1alpha1/namespaces/${NS}/${kinds[i % 3]}`, { resourceVersion: from }, abort.signal);
        assert.ok('events' in opened, `watch ${i} was refused`);
        return opened.events[Symbol.asyncIterator]();
      }),
    );
    try {
      await must(admin, 'POST', hrPath(), hr('watched', 1));
      // Every Postgres watch sees the new object: they are really open.
      const postgresWatches = watches.filter((_, i) => i % 3 === 0);
      const firsts = await Promise.all(postgresWatches.map((w) => w.next()));
      for (const first of firsts) assert.equal((first.value as { object: KubernetesObject }).object.metadata?.name, 'watched');
      assert.equal(await upstreamWatches(admin), 1);
    } finally {
      abort.abort();
    }
  });
});
