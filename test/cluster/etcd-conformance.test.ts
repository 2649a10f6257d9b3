import { after, before, describe } from 'node:test';
import etcdPlugin, { EtcdStore } from '../../plugins/etcd/index.ts';
import { storeConformance } from '../conformance/storage.ts';
import { capturingLog, testKind } from './fixtures/kinds.ts';
import { startEtcd, type EtcdServer } from './etcd-server.ts';
import { clusterTestOptions } from './require.ts';

describe('etcd plugin against a real etcd', clusterTestOptions(), () => {
  let etcd: EtcdServer | undefined;
  before(async () => {
    etcd = await startEtcd();
  });
  after(async () => {
    await etcd?.remove();
  });

  // Objects outlive a store in etcd: each store gets its own prefix.
  let count = 0;
  for (const scope of ['Namespaced', 'Cluster'] as const) {
    storeConformance(`etcd (${scope})`, async () => {
      count++;
      const kind = { ...testKind('widgets.kindred.dev', 'etcd'), scope };
      const store = await etcdPlugin.create(kind, {}, {
        configDir: '/nonexistent',
        log: capturingLog(),
        etcd: { servers: [etcd!.url], prefix: `/conformance-${count}` },
      });
      if (!(store instanceof EtcdStore)) throw new Error('expected an EtcdStore');
      return { store, kind, openWatches: () => store.openWatches };
    });
  }
});
