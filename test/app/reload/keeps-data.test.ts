/**
 * A reload never drops a kind's objects: a changed memory kind takes over its old store's
 * objects, resourceVersions and watch history; a change of plugin or scope for a kind that
 * holds objects is refused, and the old config keeps serving.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { FileConfigSource } from '../../../config/sources.ts';
import { createMetrics } from '../../../core/metrics.ts';
import { InFlightRequests } from '../../../core/in-flight.ts';
import { Reloader } from '../../../app/reload/reloader.ts';
import type { Storage } from '../../../core/types/storage.ts';
import type { KubeObject, WatchEvent } from '../../../core/types/object.ts';
import { resolveBuiltinPlugin } from '../../../plugins/index.ts';
import { MemoryStore } from '../../../plugins/memory/index.ts';
import { configYaml, pluginModule } from './fixtures.ts';

const log = pino({ level: process.env.KINDRED_TEST_LOG ?? 'silent' });
const memoryIndexUrl = pathToFileURL(join(import.meta.dirname, '../../../plugins/memory/index.ts')).href;
const ctx = { user: { username: 'test', groups: [] }, signal: new AbortController().signal, dryRun: false };
const thing = (name: string): KubeObject => ({
  apiVersion: 'reload.example.com/v1',
  kind: 'Alpha',
  metadata: { name, namespace: 'default', uid: name },
  spec: { size: 1 },
});

describe('reload keeps data', () => {
  let dir: string;
  let configPath: string;
  let reloader: Reloader;
  const inFlight = new InFlightRequests();
  const write = async (text: string) => {
    await writeFile(`${configPath}.tmp`, text);
    await rename(`${configPath}.tmp`, configPath);
  };
  const store = (): MemoryStore => reloader.generation!.snapshot.stores.get('reload.example.com/Alpha') as MemoryStore;
  const fill = async (count: number) => {
    for (let i = 0; i < count; i++) await store().create(thing(`t${i}`), ctx);
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kindred-keeps-'));
    configPath = join(dir, 'kindred.yaml');
    await writeFile(join(dir, 'tagged.mjs'), pluginModule('other', memoryIndexUrl));
  });
  afterEach(async () => {
    await reloader?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const start = async (text: string) => {
    await write(text);
    reloader = new Reloader({ source: await FileConfigSource.open(configPath), builtin: resolveBuiltinPlugin, log, metrics: createMetrics() });
    assert.equal((await reloader.reload()).result, 'success');
    reloader.attach({ swap: () => {}, inFlight });
  };

  it('carries 481 objects and the resourceVersion over when only the backend options change', async () => {
    await start(configYaml({ kind: 'Alpha', options: { watchWindow: 100 } }));
    await fill(481);
    const old = store();
    const before = await old.list(undefined, {}, ctx);
    await write(configYaml({ kind: 'Alpha', options: { watchWindow: 2000 } }));
    assert.equal((await reloader.reload()).result, 'success');
    assert.notEqual(store(), old, 'a new store, with the new options');
    const after = await store().list(undefined, {}, ctx);
    assert.equal(after.items.length, 481);
    assert.equal(after.resourceVersion, before.resourceVersion);
    assert.deepEqual(after.items, before.items);
    const next = await store().create(thing('new'), ctx);
    assert.equal(Number(next.metadata.resourceVersion), Number(before.resourceVersion) + 1);
  });

  it('keeps a write that a request in flight makes through the old store, and resumes a watch on the new one', async () => {
    await start(configYaml({ kind: 'Alpha' }));
    await fill(3);
    const old = store();
    const from = (await old.list(undefined, {}, ctx)).resourceVersion;
    const abort = new AbortController();
    const oldWatch = old.watch(undefined, { resourceVersion: from }, { ...ctx, signal: abort.signal })[Symbol.asyncIterator]();
    const leave = inFlight.enter(reloader.generation!.snapshot); // a request still running on the old snapshot
    await write(configYaml({ kind: 'Alpha', options: { watchWindow: 50 } }));
    assert.equal((await reloader.reload()).result, 'success');
    // A request that started on the old snapshot writes after the swap, through the old store.
    const late = await old.create(thing('late'), ctx);
    assert.equal((await store().get('default', 'late', ctx)).metadata.resourceVersion, late.metadata.resourceVersion);
    assert.equal(((await oldWatch.next()).value as WatchEvent).object.metadata.name, 'late');
    // The request ends, the old store retires: its watch ends, and its client resumes on the new store.
    leave();
    assert.equal((await oldWatch.next()).done, true);
    const resumed = store().watch(undefined, { resourceVersion: from }, ctx)[Symbol.asyncIterator]();
    assert.equal(((await resumed.next()).value as WatchEvent).object.metadata.name, 'late');
    await resumed.return?.();
    abort.abort();
  });

  it('refuses to change the plugin of a kind that holds objects, and keeps serving the old store', async () => {
    await start(configYaml({ kind: 'Alpha' }));
    await fill(2);
    const old = store();
    await write(configYaml({ kind: 'Alpha', plugin: './tagged.mjs' }));
    const outcome = await reloader.reload();
    assert.equal(outcome.result, 'failure');
    assert.equal(outcome.result === 'failure' && outcome.errors[0]!.path, 'resources[0].backend.plugin');
    assert.match(
      outcome.result === 'failure' ? outcome.errors[0]!.message : '',
      /cannot change its storage plugin from "memory" to "\.\/tagged\.mjs" for alphas\.reload\.example\.com: it holds 2 object\(s\)/,
    );
    assert.equal(store(), old);
    assert.equal((await old.list(undefined, {}, ctx)).items.length, 2);
  });

  it('refuses to change the scope of a kind that holds objects', async () => {
    await start(configYaml({ kind: 'Alpha' }));
    await fill(1);
    await write(configYaml({ kind: 'Alpha', scope: 'Cluster' }));
    const outcome = await reloader.reload();
    assert.equal(outcome.result === 'failure' && outcome.errors[0]!.path, 'resources[0].scope');
  });

  it('changes the plugin of a kind that holds no object', async () => {
    await start(configYaml({ kind: 'Alpha' }));
    const old = store();
    await write(configYaml({ kind: 'Alpha', plugin: './tagged.mjs' }));
    assert.equal((await reloader.reload()).result, 'success');
    assert.notEqual(store(), old);
    assert.equal((store() as Storage & { tag?: string }).tag, 'other');
  });
});
