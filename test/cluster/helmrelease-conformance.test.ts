import { after, before, describe } from 'node:test';
import helmReleasePlugin from '../../plugins/helmrelease/index.ts';
import { ProjectedStore } from '../../lib/kube/store.ts';
import { storeConformance } from '../../lib/testing/index.ts';
import { startKubeBackend, type KubeBackend } from './fixtures/kube-backend.ts';
import { pluginContext, testKind } from './fixtures/kinds.ts';
import { clusterTestOptions } from './require.ts';

describe('helmrelease plugin against kube-apiserver', clusterTestOptions(), () => {
  let backend: KubeBackend | undefined;
  before(async () => {
    backend = await startKubeBackend(['alpha', 'beta']);
  });
  after(async () => {
    await backend?.stop();
  });

  // Objects outlive a store in kube-apiserver: each store gets its own kind (identity labels) and prefix.
  let count = 0;
  storeConformance('helmrelease', async () => {
    count++;
    const kind = testKind(`t${count}.conformance.kindred.dev`, 'helmrelease');
    const options = { prefix: `w${count}-`, chart: { name: 'widget', version: '1.0.0', sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'flux-system' } } };
    const store = await helmReleasePlugin.create(kind, options, pluginContext(backend!.cp.adminKubeconfigPath));
    if (!(store instanceof ProjectedStore)) throw new Error('expected a ProjectedStore');
    return { store, kind, openWatches: () => store.openWatches };
  }, { scopes: ['Namespaced'] });
});
