import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Etcd3 } from 'etcd3';
import etcdPlugin from '../../plugins/etcd/index.ts';
import { EtcdStore } from '../../plugins/etcd/store.ts';
import { rejectsWith, request, storeConformance, summary, take, write } from '../../lib/testing/index.ts';
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
  storeConformance('etcd', async (scope) => {
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
});

describe('etcd plugin watch history', clusterTestOptions(), () => {
  let etcd: EtcdServer | undefined;
  let client: Etcd3 | undefined;
  before(async () => {
    etcd = await startEtcd();
    client = new Etcd3({ hosts: etcd.url.replace('http://', '') });
  });
  after(async () => {
    client?.close();
    await etcd?.remove();
  });

  let count = 0;
  const makeStore = async (options: { watchWindow?: number } = {}) => {
    count++;
    const kind = testKind('history.kindred.dev', 'etcd');
    const store = await etcdPlugin.create(kind, options, {
      configDir: '/nonexistent',
      log: capturingLog(),
      etcd: { servers: [etcd!.url], prefix: `/history-${count}` },
    });
    const object = (name: string) => ({ apiVersion: 'history.kindred.dev/v1', kind: 'Widget', metadata: { name, namespace: 'alpha' }, spec: {} });
    return { store: store as EtcdStore, object };
  };

  it('answers 410 Expired to a watch from a revision etcd has compacted away', async () => {
    const { store, object } = await makeStore();
    try {
      const first = await store.create(object('a'), write());
      await store.create(object('b'), write());
      await store.create(object('c'), write());
      // Compacting at c's revision drops b's event, the first one after the watch's start.
      const head = await store.list(undefined, {}, request());
      await client!.kv.compact({ revision: head.resourceVersion, physical: true });
      const watch = store.watch(undefined, { resourceVersion: first.metadata.resourceVersion! }, request())[Symbol.asyncIterator]();
      await rejectsWith(() => watch.next(), 'Expired');
    } finally {
      await store.close();
    }
  });

  it('opens a watch from a revision that only other kinds reached, by asking etcd how far its watch has got', async () => {
    const quiet = await makeStore();
    const busy = await makeStore();
    try {
      const start = await quiet.store.list(undefined, {}, request());
      const first = quiet.store.watch(undefined, { resourceVersion: start.resourceVersion }, request())[Symbol.asyncIterator]();
      // Revisions move on with no event for the quiet kind: its etcd watch has nothing to say.
      for (const name of ['x', 'y', 'z']) await busy.store.create(busy.object(name), write());
      const later = await quiet.store.list(undefined, {}, request());
      assert.ok(Number(later.resourceVersion) > Number(start.resourceVersion));
      const second = quiet.store.watch(undefined, { resourceVersion: later.resourceVersion }, request())[Symbol.asyncIterator]();
      const pending = take(second, 1);
      await quiet.store.create(quiet.object('a'), write());
      assert.deepEqual(summary(await pending), ['ADDED a']);
      assert.deepEqual(summary(await take(first, 1)), ['ADDED a']);
      await first.return?.();
      await second.return?.();
      // A revision etcd has not reached is refused, not waited for forever.
      const future = quiet.store.watch(undefined, { resourceVersion: String(Number(later.resourceVersion) + 1000) }, request());
      await rejectsWith(() => future[Symbol.asyncIterator]().next(), 'ResourceVersionTooLarge');
    } finally {
      await quiet.store.close();
      await busy.store.close();
    }
  });

  it('refuses a first watch from etcd’s future without letting it start the shared watch there', async () => {
    const { store, object } = await makeStore();
    try {
      const start = await store.list(undefined, {}, request());
      const future = store.watch(undefined, { resourceVersion: String(Number(start.resourceVersion) + 1000) }, request());
      await rejectsWith(() => future[Symbol.asyncIterator]().next(), 'ResourceVersionTooLarge');
      const watch = store.watch(undefined, { resourceVersion: start.resourceVersion }, request())[Symbol.asyncIterator]();
      await store.create(object('a'), write());
      assert.deepEqual(summary(await take(watch, 1)), ['ADDED a']);
      await watch.return?.();
    } finally {
      await store.close();
    }
  });

  it('lists more than gRPC’s default 4 MiB answer', async () => {
    const { store, object } = await makeStore();
    try {
      const big = (name: string) => ({ ...object(name), spec: { text: 'x'.repeat(120_000) } });
      await Promise.all(Array.from({ length: 40 }, (_, i) => store.create(big(`big-${i}`), write())));
      assert.equal((await store.list(undefined, {}, request())).items.length, 40);
    } finally {
      await store.close();
    }
  });

  it('answers 410 Expired to a resume older than the fan-out window, and resumes within it', async () => {
    const { store, object } = await makeStore({ watchWindow: 2 });
    try {
      const start = await store.list(undefined, {}, request());
      // The shared etcd watch starts with this first client watch.
      const live = store.watch(undefined, { resourceVersion: start.resourceVersion }, request())[Symbol.asyncIterator]();
      const made = [];
      for (const name of ['a', 'b', 'c', 'd']) made.push(await store.create(object(name), write()));
      assert.deepEqual(summary(await take(live, 4)), ['ADDED a', 'ADDED b', 'ADDED c', 'ADDED d']);
      await live.return?.();
      const tooOld = store.watch(undefined, { resourceVersion: made[0]!.metadata.resourceVersion! }, request())[Symbol.asyncIterator]();
      await rejectsWith(() => tooOld.next(), 'Expired');
      const recent = store.watch(undefined, { resourceVersion: made[1]!.metadata.resourceVersion! }, request())[Symbol.asyncIterator]();
      assert.deepEqual(summary(await take(recent, 2)), ['ADDED c', 'ADDED d']);
      await recent.return?.();
    } finally {
      await store.close();
    }
  });
});

describe('etcd plugin over TLS with a client certificate', clusterTestOptions(), () => {
  let etcd: EtcdServer | undefined;
  before(async () => {
    etcd = await startEtcd({ tls: true });
  });
  after(async () => {
    await etcd?.remove();
  });

  let count = 0;
  storeConformance('etcd over TLS', async () => {
    count++;
    const kind = testKind('widgets.kindred.dev', 'etcd');
    const store = await etcdPlugin.create(kind, {}, {
      configDir: '/nonexistent',
      log: capturingLog(),
      etcd: { servers: [etcd!.url], prefix: `/tls-${count}`, ...etcd!.tls! },
    });
    return { store, kind, openWatches: () => (store as EtcdStore).openWatches };
  }, { scopes: ['Namespaced'] });

  it('answers 503 when etcd refuses kindred for want of a client certificate', async () => {
    const kind = testKind('widgets.kindred.dev', 'etcd');
    const store = await etcdPlugin.create(kind, {}, {
      configDir: '/nonexistent',
      log: capturingLog(),
      etcd: { servers: [etcd!.url], prefix: '/tls-none', caFile: etcd!.tls!.caFile },
    });
    try {
      await rejectsWith(() => store.list!(undefined, {}, request()), 'ServiceUnavailable');
    } finally {
      await store.close();
    }
  });
});
