import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { verbsOf, type PluginContext } from '../../../core/types/storage.ts';
import embeddedDefault, { embeddedPlugin, EmbeddedStore, WATCH_WINDOW } from '../../../plugins/embedded/index.ts';
import { exportData, importData } from '../../../plugins/embedded/backup.ts';
import { storeConformance } from '../../../lib/testing/index.ts';
import { silent, widgetKind } from './fixtures.ts';
import { defaultObject, deletion, openWatch, rejectsWith, request, revised, summary, take, write } from '../../../lib/testing/index.ts';

const root = await mkdtemp(join(tmpdir(), 'kindred-embedded-'));
after(() => rm(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = () => join(root, `data-${++dirs}`);
const context = (dataDir: string): PluginContext => ({ configDir: root, log: silent, dataDir });
const open = async (dataDir: string, kind = widgetKind()) => (await embeddedPlugin.create(kind, {}, context(dataDir))) as EmbeddedStore;

storeConformance('embedded', async (scope) => {
  const kind = widgetKind(scope);
  const store = (await embeddedPlugin.create(kind, { watchWindow: 20 }, context(freshDir()))) as EmbeddedStore;
  return { store, kind, openWatches: () => store.openWatches, historyLimit: 20 };
});

const kind = widgetKind();
const widget = (name: string, namespace = 'alpha') => defaultObject(kind, name, namespace);

describe('embeddedPlugin', () => {
  it('is named embedded, is the default export, takes only watchWindow and says it is process-local', async () => {
    assert.equal(embeddedPlugin.name, 'embedded');
    assert.equal(embeddedDefault, embeddedPlugin);
    assert.equal(embeddedPlugin.processLocal, true);
    assert.deepEqual(Object.keys(embeddedPlugin.optionsSchema.properties as object), ['watchWindow']);
    await assert.rejects(embeddedPlugin.create(kind, { watchWindow: 0 }, context(freshDir())), RangeError);
  });

  it('refuses to create a store without a data directory', async () => {
    await assert.rejects(embeddedPlugin.create(kind, {}, { configDir: root, log: silent }), /needs a data directory/);
  });

  it('advertises every verb', async () => {
    const store = await open(freshDir());
    assert.deepEqual([...verbsOf(store)].sort(), ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    await store.close();
  });
});

describe('embedded store across restarts', () => {
  it('serves every acknowledged write after a restart, with resourceVersions that keep growing', async () => {
    const dir = freshDir();
    const first = await open(dir);
    const a = await first.create(widget('a'), write());
    const b = await first.create(widget('b'), write());
    const a2 = await first.update(revised(a, '2'), write());
    await first.delete('alpha', 'b', deletion());
    const listed = await first.list(undefined, {}, request());
    await first.close();

    const second = await open(dir);
    assert.deepEqual(await second.get('alpha', 'a', request()), a2);
    await rejectsWith(() => second.get('alpha', 'b', request()), 'NotFound');
    const relisted = await second.list(undefined, {}, request());
    assert.equal(relisted.resourceVersion, listed.resourceVersion);
    const c = await second.create(widget('c'), write());
    assert.ok(Number(c.metadata.resourceVersion) > Number(listed.resourceVersion), 'a resourceVersion went back after a restart');
    assert.ok(Number(b.metadata.resourceVersion) < Number(c.metadata.resourceVersion));
    await second.close();
  });

  it('keeps int64 values beyond a double exact, and tells apart keys that differ only by where a slash is', async () => {
    const dir = freshDir();
    const first = await open(dir);
    const exact = 2n ** 62n + 1n;
    await first.create({ ...widget('big'), spec: { count: exact } }, write());
    await first.create(widget('b/c', 'a'), write());
    await first.create(widget('c', 'a/b'), write());
    await first.close();
    const second = await open(dir);
    assert.equal(((await second.get('alpha', 'big', request())).spec as { count: bigint }).count, exact);
    assert.equal((await second.get('a', 'b/c', request())).metadata.namespace, 'a');
    assert.equal((await second.get('a/b', 'c', request())).metadata.namespace, 'a/b');
    const exported = exportData(dir).kinds[0]!.items.find((i) => i.metadata.name === 'big');
    assert.equal((exported?.spec as { count: bigint }).count, exact);
    await second.close();
  });

  it('resumes a watch from a resourceVersion seen before the restart', async () => {
    const dir = freshDir();
    const first = await open(dir);
    const a = await first.create(widget('a'), write());
    await first.update(revised(a, '2'), write());
    await first.create(widget('b'), write());
    await first.close();

    const second = await open(dir);
    const watch = openWatch(second, undefined, a.metadata.resourceVersion!);
    await second.delete('alpha', 'a', deletion());
    assert.deepEqual(summary(await take(watch, 3)), ['MODIFIED a', 'ADDED b', 'DELETED a']);
    await watch.return?.();
    await second.close();
  });

  it('answers 410 Expired, also after a restart, for a resourceVersion older than the retained events', async () => {
    const dir = freshDir();
    const first = await open(dir);
    const oldest = await first.create(widget('w'), write());
    let current = oldest;
    // Enough writes to push the first out of the window and past the compaction margin.
    for (let i = 0; i < WATCH_WINDOW + 150; i++) current = await first.update(revised(current, String(i)), write());
    await rejectsWith(() => openWatch(first, undefined, oldest.metadata.resourceVersion!).next(), 'Expired');
    await first.close();

    const second = await open(dir);
    await rejectsWith(() => openWatch(second, undefined, oldest.metadata.resourceVersion!).next(), 'Expired');
    // The newest events are still there.
    const recent = String(Number(current.metadata.resourceVersion) - 1);
    const watch = openWatch(second, undefined, recent);
    assert.deepEqual(summary(await take(watch, 1)), ['MODIFIED w']);
    await watch.return?.();
    await second.close();
  });

  it('keeps the objects of a kind removed from the config, and serves them when it comes back', async () => {
    const dir = freshDir();
    const widgets = await open(dir);
    const gadgetKind = { ...widgetKind('Namespaced', 'gadgets.kindred.dev') };
    const gadgets = await open(dir, gadgetKind);
    const kept = await widgets.create(widget('kept'), write());
    await widgets.close(); // the kind is removed; the other kind keeps the database open
    await gadgets.create(defaultObject(gadgetKind, 'g', 'alpha'), write());
    const back = await open(dir);
    assert.deepEqual(await back.get('alpha', 'kept', request()), kept);
    await back.close();
    await gadgets.close();
  });
});

describe('embedded scope changes', () => {
  it('refuses a new scope while the kind has stored objects, and allows it once they are gone', async () => {
    const dir = freshDir();
    const store = await open(dir);
    await store.create(widget('a'), write());
    await assert.rejects(open(dir, widgetKind('Cluster')), /scope cannot change from Namespaced to Cluster while 1 objects are stored/);
    await store.delete('alpha', 'a', deletion());
    const cluster = await open(dir, widgetKind('Cluster'));
    await cluster.close();
    await store.close();
  });
});

describe('two embedded stores of one kind in one process (a reload)', () => {
  it('share one state: writes through either are seen by both, and closing the old one ends only its watches', async () => {
    const dir = freshDir();
    const old = await open(dir);
    const oldWatch = openWatch(old, undefined, '0');
    const successor = await open(dir);
    const newWatch = openWatch(successor, undefined, '0');
    const a = await old.create(widget('a'), write());
    assert.deepEqual(await successor.get('alpha', 'a', request()), a);
    await rejectsWith(() => successor.create(widget('a'), write()), 'AlreadyExists');
    assert.deepEqual(await oldWatch.next(), { done: false, value: { type: 'ADDED', object: a } });
    await old.close();
    assert.equal((await oldWatch.next()).done, true);
    await successor.create(widget('b'), write());
    assert.deepEqual(summary(await take(newWatch, 2)), ['ADDED a', 'ADDED b']);
    await newWatch.return?.();
    await successor.close();
  });
});

describe('embedded export and import', () => {
  it('exports every stored kind consistently and imports it into a new data directory with new resourceVersions', async () => {
    const dir = freshDir();
    const store = await open(dir);
    await store.create(widget('a'), write());
    await store.create(widget('b', 'beta'), write());
    const dump = exportData(dir); // while the store is open: a reader beside the writer
    await store.close();
    assert.deepEqual(
      dump.kinds.map((k) => [k.group, k.kind, k.scope, k.items.map((i) => i.metadata.name)]),
      [['test.kindred.dev', 'Widget', 'Namespaced', ['a', 'b']]],
    );

    const target = freshDir();
    const summaryByKind = importData(target, dump.kinds.flatMap((k) => k.items));
    assert.deepEqual([...summaryByKind], [['Widget.test.kindred.dev', 2]]);
    const restored = await open(target);
    const listed = await restored.list(undefined, {}, request());
    assert.deepEqual(listed.items.map((i) => [i.metadata.namespace, i.metadata.name, i.spec]), [['alpha', 'a', {}], ['beta', 'b', {}]]);
    await rejectsWith(() => openWatch(restored, undefined, '2').next(), 'Expired');
    await restored.close();
  });

  it('refuses to import into a data directory a store is using', async () => {
    const dir = freshDir();
    // In one process the database is shared, so a second process holds the directory.
    const holder = `import('${join(import.meta.dirname, '../../../plugins/embedded/database.ts')}').then((m) => { m.openDatabase(${JSON.stringify(dir)}); console.log('held'); setTimeout(() => {}, 5000); })`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', holder], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve()));
    try {
      assert.throws(() => importData(dir, [widget('x')]), /in use by another kindred process/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
