import { after, before, describe } from 'node:test';
import secretPlugin from '../../plugins/secret/index.ts';
import { ProjectedStore } from '../../lib/kube/store.ts';
import { storeConformance } from '../../lib/testing/index.ts';
import { startKubeBackend, type KubeBackend } from './fixtures/kube-backend.ts';
import { pluginContext, testKind } from './fixtures/kinds.ts';
import { clusterTestOptions } from './require.ts';

describe('secret plugin against kube-apiserver', clusterTestOptions(), () => {
  let backend: KubeBackend | undefined;
  before(async () => {
    backend = await startKubeBackend(['alpha', 'beta']);
  });
  after(async () => {
    await backend?.stop();
  });

  // Objects outlive a store in kube-apiserver: each store gets its own kind (identity labels) and prefix.
  let count = 0;
  storeConformance('secret', async () => {
    count++;
    const kind = testKind(`t${count}.secrets.kindred.dev`, 'secret');
    const options = { prefix: `w${count}-` };
    const store = await secretPlugin.create(kind, options, pluginContext(backend!.cp.adminKubeconfigPath));
    if (!(store instanceof ProjectedStore)) throw new Error('expected a ProjectedStore');
    return { store, kind, openWatches: () => store.openWatches };
  }, { scopes: ['Namespaced'] });
});
