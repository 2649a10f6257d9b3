import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KindDefinition, Scope } from '../../../core/types/kind.ts';
import { verbsOf, type PluginContext, type PluginLogger, type StoragePlugin } from '../../../core/types/storage.ts';
import memoryPluginDefault, { memoryPlugin, MemoryStore, type MemoryStoreOptions } from '../../../plugins/memory/index.ts';
import {
  storeConformance,
  defaultObject,
  deletion,
  ended,
  openWatch,
  rejectsWith,
  request,
  revised,
  revisionOf,
  summary,
  take,
  write,
} from '../../../lib/testing/index.ts';

function widgetKind(scope: Scope = 'Namespaced'): KindDefinition {
  return {
    group: 'test.kindred.dev',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList', shortNames: [], categories: [] },
    scope,
    versions: [{ name: 'v1', served: true, storage: true, additionalPrinterColumns: [], subresources: {} }],
    backend: { plugin: 'memory', options: {} },
  };
}

function recordingLog(): PluginLogger & { warnings: string[] } {
  const warnings: string[] = [];
  const ignore = (): void => {};
  return { warnings, info: ignore, debug: ignore, error: ignore, warn: (_fields, message) => warnings.push(message) };
}

const pluginContext = (): PluginContext => ({ configDir: '/nonexistent', log: recordingLog() });

storeConformance('memory', async (scope) => {
  const kind = widgetKind(scope);
  const store = await memoryPlugin.create(kind, { watchWindow: 20 }, pluginContext());
  assert.ok(store instanceof MemoryStore);
  return { store, kind, openWatches: () => store.openWatches, historyLimit: 20 };
});

const kind = widgetKind();
const widget = (name: string, namespace = 'alpha') => defaultObject(kind, name, namespace);
const newStore = (options: MemoryStoreOptions = {}) => new MemoryStore(kind, options);

describe('memoryPlugin', () => {
  it('is named memory, is the default export, and allows only watchWindow in its options', () => {
    assert.equal(memoryPlugin.name, 'memory');
    assert.equal(memoryPluginDefault, memoryPlugin);
    assert.deepEqual(Object.keys(memoryPlugin.optionsSchema.properties as object), ['watchWindow']);
    assert.equal(memoryPlugin.optionsSchema.additionalProperties, false);
  });

  it('refuses to create a store whose watchWindow is not a positive integer', async () => {
    await assert.rejects(memoryPlugin.create(kind, { watchWindow: 0 }, pluginContext()), RangeError);
    // As if the loader had not checked the options: the type says a number.
    const untyped: StoragePlugin = memoryPlugin;
    await assert.rejects(untyped.create(kind, { watchWindow: 'many' }, pluginContext()), RangeError);
  });

  it('advertises every verb', async () => {
    const store = await memoryPlugin.create(kind, {}, pluginContext());
    assert.deepEqual([...verbsOf(store)].sort(), ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
  });
});

describe('MemoryStore resourceVersion', () => {
  it('counts up by one on every create, update and delete, and a delete returns its own version', async () => {
    const store = newStore();
    const created = await store.create(widget('a'), write());
    const updated = await store.update(revised(created, '2'), write());
    const deleted = await store.delete('alpha', 'a', deletion());
    assert.deepEqual(
      [created, updated, deleted].map((o) => o.metadata.resourceVersion),
      ['2', '3', '4'],
    );
    assert.equal((await store.list(undefined, {}, request())).resourceVersion, '4');
  });

  it('is not moved by dry runs, which answer with the version a client could rely on', async () => {
    const store = newStore();
    const created = await store.create(widget('a'), write());
    const wouldCreate = await store.create(widget('b'), write(true));
    const wouldUpdate = await store.update(revised(created, '2'), write(true));
    const wouldDelete = await store.delete('alpha', 'a', deletion({}, true));
    assert.equal(wouldCreate.metadata.resourceVersion, undefined);
    assert.equal(wouldUpdate.metadata.resourceVersion, '2');
    assert.equal(wouldDelete.metadata.resourceVersion, '2');
    assert.equal((await store.list(undefined, {}, request())).resourceVersion, '2');
  });

  it('makes an update without a resourceVersion unconditional', async () => {
    const store = newStore();
    const created = await store.create(widget('a'), write());
    await store.update(revised(created, '2'), write());
    const blind = revised(created, '3');
    delete blind.metadata.resourceVersion;
    assert.equal((await store.update(blind, write())).metadata.resourceVersion, '4');
  });
});

describe('MemoryStore watch', () => {
  it('sends MODIFIED and DELETED with the object as it was before the change', async () => {
    const store = newStore();
    const watch = openWatch(store, undefined, '0');
    const created = await store.create(widget('a'), write());
    const updated = await store.update(revised(created, '2'), write());
    await store.delete('alpha', 'a', deletion());
    const [, modified, removed] = await take(watch, 3);
    assert.deepEqual(modified?.previous, created);
    assert.deepEqual(removed?.previous, updated);
    assert.equal(removed?.object.metadata.resourceVersion, '4');
    await watch.return?.();
  });

  it('treats resourceVersion "0" as now, sending only later changes', async () => {
    const store = newStore();
    await store.create(widget('old'), write());
    const watch = openWatch(store, undefined, '0');
    await store.create(widget('new'), write());
    assert.deepEqual(summary(await take(watch, 1)), ['ADDED new']);
    await watch.return?.();
  });

  it('fails with Expired once the window has moved past the resourceVersion, and resumes from its edge', async () => {
    const store = newStore({ watchWindow: 3 });
    for (const name of ['a', 'b', 'c', 'd', 'e']) await store.create(widget(name), write());
    assert.throws(
      () => store.watch(undefined, { resourceVersion: '2' }, request()),
      { name: 'StoreError', reason: 'Expired', message: 'too old resource version: 2 (3)' },
    );
    const watch = openWatch(store, undefined, '3');
    assert.deepEqual(summary(await take(watch, 3)), ['ADDED c', 'ADDED d', 'ADDED e']);
    await watch.return?.();
  });

  it('fails with ResourceVersionTooLarge for a version the store has not reached', async () => {
    const store = newStore();
    await store.create(widget('a'), write());
    assert.throws(
      () => store.watch(undefined, { resourceVersion: '3' }, request()),
      { reason: 'ResourceVersionTooLarge', message: 'Too large resource version' },
    );
  });

  it('fails with BadRequest for a resourceVersion that is not a number', async () => {
    await rejectsWith(() => openWatch(newStore(), undefined, 'abc').next(), 'BadRequest');
  });

  it('delivers every event in order to a consumer that reads slower than the writes', async () => {
    const store = newStore();
    const watch = openWatch(store, undefined, '0');
    let current = await store.create(widget('a'), write());
    for (let revision = 2; revision <= 500; revision++) {
      current = await store.update(revised(current, String(revision)), write());
    }
    const events = await take(watch, 500);
    assert.deepEqual(
      events.map((e) => revisionOf(e.object)),
      Array.from({ length: 500 }, (_, i) => String(i + 1)),
    );
    await watch.return?.();
  });

  it('ends a watcher that falls more than maxQueuedEvents behind with Expired, releases it and logs why', async () => {
    const log = recordingLog();
    const store = newStore({ maxQueuedEvents: 5, log });
    const slow = openWatch(store, undefined, '0');
    const keepingUp = openWatch(store, undefined, '0');
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      await store.create(widget(name), write());
      await take(keepingUp, 1);
    }
    assert.equal(store.openWatches, 2);
    await store.create(widget('f'), write());
    await rejectsWith(() => slow.next(), 'Expired');
    await ended(slow);
    assert.equal(store.openWatches, 1);
    assert.equal(log.warnings.length, 1);
    assert.deepEqual(summary(await take(keepingUp, 1)), ['ADDED f']);
    await keepingUp.return?.();
  });

  it('ends at once a watch whose signal has already aborted', async () => {
    const store = newStore();
    const abort = new AbortController();
    abort.abort();
    await ended(openWatch(store, undefined, '0', abort.signal));
    assert.equal(store.openWatches, 0);
  });
});

describe('MemoryStore close', () => {
  it('rejects every call afterwards with ServiceUnavailable', async () => {
    const store = newStore();
    const created = await store.create(widget('a'), write());
    await store.close();
    await rejectsWith(() => store.get('alpha', 'a', request()), 'ServiceUnavailable');
    await rejectsWith(() => store.list(undefined, {}, request()), 'ServiceUnavailable');
    await rejectsWith(() => store.create(widget('b'), write()), 'ServiceUnavailable');
    await rejectsWith(() => store.update(created, write()), 'ServiceUnavailable');
    await rejectsWith(() => store.delete('alpha', 'a', deletion()), 'ServiceUnavailable');
    await rejectsWith(() => store.watch(undefined, { resourceVersion: '0' }, request()), 'ServiceUnavailable');
  });
});
