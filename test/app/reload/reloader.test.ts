/**
 * The reloader against a config file it is told to re-read (no file watching here: see
 * test/config/watch.test.ts and test/e2e/hot-reload.test.ts for the watch).
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { FileConfigSource } from '../../../config/sources.ts';
import { createMetrics, type KindredMetrics } from '../../../core/metrics.ts';
import { InFlightRequests } from '../../../core/in-flight.ts';
import { Reloader } from '../../../app/reload/reloader.ts';
import type { RegistrySnapshot } from '../../../core/snapshot.ts';
import type { FullStorage } from '../../../lib/testing/index.ts';
import { resolveBuiltinPlugin } from '../../../plugins/index.ts';
import { configYaml, pluginModule } from './fixtures.ts';

const log = pino({ level: process.env.KINDRED_TEST_LOG ?? 'silent' });
const memoryIndexUrl = pathToFileURL(join(import.meta.dirname, '../../../plugins/memory/index.ts')).href;
const ctx = { user: { username: 'test', groups: [] }, signal: new AbortController().signal, dryRun: false };

describe('Reloader', () => {
  let dir: string;
  let configPath: string;
  let metrics: KindredMetrics;
  let reloader: Reloader;
  let target: { snapshot?: RegistrySnapshot; swaps: number; swap(s: RegistrySnapshot): void; inFlight: InFlightRequests };

  const write = async (text: string, path = configPath) => {
    await writeFile(`${path}.tmp`, text);
    await rename(`${path}.tmp`, path);
  };
  const start = async (text: string) => {
    await write(text);
    reloader = new Reloader({ source: await FileConfigSource.open(configPath), builtin: resolveBuiltinPlugin, log, metrics, dataDir: join(dir, 'data') });
    const first = await reloader.reload();
    assert.equal(first.result, 'success', JSON.stringify(first));
    reloader.attach(target);
    target.snapshot = reloader.generation!.snapshot;
  };
  const store = (kind: string): FullStorage | undefined => reloader.generation?.snapshot.stores.get(`reload.example.com/${kind}`) as FullStorage | undefined;
  const counter = async (result: string) => {
    const values = (await metrics.configReloads.get()).values;
    return values.find((v) => v.labels.result === result)?.value ?? 0;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kindred-reloader-'));
    configPath = join(dir, 'kindred.yaml');
    metrics = createMetrics();
    target = {
      swaps: 0,
      inFlight: new InFlightRequests(),
      swap(s) {
        this.snapshot = s;
        this.swaps++;
      },
    };
  });
  afterEach(async () => {
    await reloader?.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('reload()', () => {
    it('swaps in a snapshot with an added kind and keeps the store of an unchanged one', async () => {
      await start(configYaml({ kind: 'Alpha' }));
      const alpha = store('Alpha');
      await write(configYaml({ kind: 'Alpha' }, { kind: 'Beta' }));
      const outcome = await reloader.reload();
      assert.equal(outcome.result, 'success');
      assert.equal(target.swaps, 1);
      assert.ok(target.snapshot?.lookup('reload.example.com', 'v1', 'betas'));
      assert.equal(store('Alpha'), alpha);
      assert.equal(await counter('success'), 1);
    });

    it('keeps the store (and its objects) when only printer columns change', async () => {
      await start(configYaml({ kind: 'Alpha' }));
      const alpha = store('Alpha')!;
      await alpha.create({ apiVersion: 'reload.example.com/v1', kind: 'Alpha', metadata: { name: 'a', namespace: 'default' } }, ctx);
      await write(configYaml({ kind: 'Alpha', columns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }] }));
      assert.equal((await reloader.reload()).result, 'success');
      assert.equal(store('Alpha'), alpha);
      assert.deepEqual(target.snapshot?.lookup('reload.example.com', 'v1', 'alphas')?.columns.map((c) => c.definition.name), ['Name', 'Size', 'Age']);
      assert.equal((await store('Alpha')!.get('default', 'a', ctx)).metadata.name, 'a');
    });

    it('gives a kind without a backend the default built-in plugin', async () => {
      await start(configYaml({ kind: 'Alpha' }).replace(/^    backend: .*$/m, ''));
      assert.ok(store('Alpha'));
      assert.equal(reloader.generation?.pluginVersions.get('reload.example.com/Alpha'), 'builtin:embedded');
    });

    it('serves the stored objects of an embedded kind again after it was removed and added back', async () => {
      await start(configYaml({ kind: 'Alpha', plugin: 'embedded' }, { kind: 'Beta', plugin: 'embedded' }));
      await store('Alpha')!.create({ apiVersion: 'reload.example.com/v1', kind: 'Alpha', metadata: { name: 'kept', namespace: 'default' } }, ctx);
      await write(configYaml({ kind: 'Beta', plugin: 'embedded' }));
      assert.equal((await reloader.reload()).result, 'success');
      assert.equal(store('Alpha'), undefined);
      await write(configYaml({ kind: 'Alpha', plugin: 'embedded' }, { kind: 'Beta', plugin: 'embedded' }));
      assert.equal((await reloader.reload()).result, 'success');
      assert.equal((await store('Alpha')!.get('default', 'kept', ctx)).metadata.name, 'kept');
    });

    it('refuses to change the scope of an embedded kind that has stored objects, also after it was removed, and keeps serving the old config', async () => {
      await start(configYaml({ kind: 'Alpha', plugin: 'embedded' }));
      await store('Alpha')!.create({ apiVersion: 'reload.example.com/v1', kind: 'Alpha', metadata: { name: 'a', namespace: 'default' } }, ctx);
      await write(configYaml({ kind: 'Alpha', plugin: 'embedded', scope: 'Cluster' }));
      let outcome = await reloader.reload();
      assert.equal(outcome.result, 'failure');
      assert.match(JSON.stringify(outcome), /cannot change its scope from Namespaced to Cluster/);
      // Also when the kind was removed in between: its objects are still on disk.
      await write(configYaml({ kind: 'Beta', plugin: 'embedded' }));
      assert.equal((await reloader.reload()).result, 'success');
      await write(configYaml({ kind: 'Alpha', plugin: 'embedded', scope: 'Cluster' }));
      outcome = await reloader.reload();
      assert.equal(outcome.result, 'failure');
      assert.match(JSON.stringify(outcome), /scope cannot change from Namespaced to Cluster while 1 objects are stored/);
      await write(configYaml({ kind: 'Alpha', plugin: 'embedded' }));
      assert.equal((await reloader.reload()).result, 'success');
      assert.equal(reloader.generation?.kinds[0]?.scope, 'Namespaced');
      assert.equal((await store('Alpha')!.get('default', 'a', ctx)).metadata.name, 'a');
    });

    it('answers "unchanged" without swapping when the config means the same', async () => {
      await start(configYaml({ kind: 'Alpha' }));
      await write(`# a comment\n${configYaml({ kind: 'Alpha' })}`);
      assert.equal((await reloader.reload()).result, 'unchanged');
      assert.equal(target.swaps, 0);
    });

    it('closes the store of a removed kind once the requests on older snapshots have drained', async () => {
      await start(configYaml({ kind: 'Alpha' }, { kind: 'Beta' }));
      const beta = store('Beta')!;
      let closed = false;
      const close = beta.close.bind(beta);
      beta.close = async () => {
        closed = true;
        await close();
      };
      const leave = target.inFlight.enter(target.snapshot!);
      await write(configYaml({ kind: 'Alpha' }));
      assert.equal((await reloader.reload()).result, 'success');
      assert.equal(target.snapshot?.lookup('reload.example.com', 'v1', 'betas'), undefined);
      await new Promise((r) => setImmediate(r));
      assert.equal(closed, false, 'closed while a request on the old snapshot was running');
      leave();
      await target.inFlight.drained(() => true, 1000);
      await new Promise((r) => setImmediate(r));
      assert.equal(closed, true);
    });

    it('ends watches on a removed kind and leaves those on an unchanged kind open', async () => {
      await start(configYaml({ kind: 'Alpha' }, { kind: 'Beta' }));
      const alphaWatch = store('Alpha')!.watch(undefined, { resourceVersion: '0' }, ctx)[Symbol.asyncIterator]();
      const betaWatch = store('Beta')!.watch(undefined, { resourceVersion: '0' }, ctx)[Symbol.asyncIterator]();
      await write(configYaml({ kind: 'Alpha' }));
      await reloader.reload();
      assert.deepEqual(await betaWatch.next(), { done: true, value: undefined });
      const next = alphaWatch.next();
      await store('Alpha')!.create({ apiVersion: 'reload.example.com/v1', kind: 'Alpha', metadata: { name: 'x', namespace: 'default' } }, ctx);
      assert.equal((await next).value?.type, 'ADDED');
      await alphaWatch.return?.();
    });

    it('rebuilds the store when a kind changes scope or backend options', async () => {
      await start(configYaml({ kind: 'Alpha' }, { kind: 'Beta' }));
      const [alpha, beta] = [store('Alpha'), store('Beta')];
      await write(configYaml({ kind: 'Alpha', scope: 'Cluster' }, { kind: 'Beta', options: { watchWindow: 5 } }));
      assert.equal((await reloader.reload()).result, 'success');
      assert.notEqual(store('Alpha'), alpha);
      assert.notEqual(store('Beta'), beta);
    });
  });

  describe('reload() of a bad config', () => {
    const bad: [string, () => string, RegExp][] = [
      ['bad YAML', () => 'resources: [\n  - {group: x\n', /YAML error at line/],
      ['a schema error', () => configYaml({ kind: 'Alpha' }).replace('scope: Namespaced', 'scope: Sideways'), /resources\[0\]\.scope/],
      ['an unknown plugin', () => configYaml({ kind: 'Alpha', plugin: 'no-such-plugin' }), /resources\[0\]\.backend\.plugin: unknown storage plugin "no-such-plugin"/],
      ['a duplicate plural', () => configYaml({ kind: 'Alpha' }, { kind: 'Beta', plural: 'alphas' }), /resources\[1\]\.names\.plural/],
    ];
    for (const [what, text, expected] of bad) {
      it(`keeps serving the previous kinds after ${what}, and says why`, async () => {
        await start(configYaml({ kind: 'Alpha' }));
        const before = reloader.generation;
        await write(text());
        const outcome = await reloader.reload();
        assert.equal(outcome.result, 'failure');
        assert.equal(reloader.generation, before);
        assert.equal(target.swaps, 0);
        assert.equal(await counter('failure'), 1);
        const lines = reloader.readiness();
        assert.equal(lines.ready, true);
        const joined = lines.checks.join('\n');
        assert.match(joined, new RegExp(`sha256:${before!.hash}`));
        assert.match(joined, /rejected, previous config kept/);
        const errors = outcome.result === 'failure' ? outcome.errors.map((e) => `${e.path}: ${e.message}`).join('\n') : '';
        assert.match(errors, expected);
        assert.ok(store('Alpha'));
      });
    }

    it('keeps the previous kinds when a plugin throws while creating a store', async () => {
      await start(configYaml({ kind: 'Alpha' }));
      await writeFile(join(dir, 'broken.mjs'), `export default { contractVersion: 1, name: 'broken', optionsSchema: {}, async create() { throw new Error('backend down'); } };`);
      await write(configYaml({ kind: 'Alpha' }, { kind: 'Beta', plugin: './broken.mjs' }));
      const outcome = await reloader.reload();
      assert.equal(outcome.result, 'failure');
      assert.match(JSON.stringify(outcome), /backend down/);
      assert.equal(target.snapshot?.lookup('reload.example.com', 'v1', 'betas'), undefined);
    });

    it('clears the last error after a good reload', async () => {
      await start(configYaml({ kind: 'Alpha' }));
      await write('resources: 3');
      await reloader.reload();
      await write(configYaml({ kind: 'Alpha' }, { kind: 'Beta' }));
      assert.equal((await reloader.reload()).result, 'success');
      assert.deepEqual(reloader.readiness().checks.slice(1), ['[+]config-reload ok']);
    });
  });

  describe('outside plugins', () => {
    it('loads a plugin from a path and rebuilds only its kinds when the module file changes', async () => {
      const plugin = join(dir, 'tagged.mjs');
      await writeFile(plugin, pluginModule('one', memoryIndexUrl));
      await start(configYaml({ kind: 'Alpha' }, { kind: 'Beta', plugin: './tagged.mjs', options: { note: 'hi' } }));
      const alpha = store('Alpha');
      assert.equal((store('Beta') as unknown as { tag: string }).tag, 'one');
      const changed = new Promise<void>((resolve) => {
        const original = reloader.trigger.bind(reloader);
        reloader.trigger = () => (resolve(), original());
      });
      await writeFile(plugin, pluginModule('two', memoryIndexUrl));
      await changed;
      // trigger() queued a reload; this one coalesces with it or follows it.
      await reloader.reload();
      assert.equal((store('Beta') as unknown as { tag: string }).tag, 'two');
      assert.equal(store('Alpha'), alpha);
    });

    it('checks an outside plugin\'s options against its schema', async () => {
      await writeFile(join(dir, 'tagged.mjs'), pluginModule('one', memoryIndexUrl));
      await start(configYaml({ kind: 'Alpha' }));
      await write(configYaml({ kind: 'Beta', plugin: './tagged.mjs', options: { colour: 'red' } }));
      const outcome = await reloader.reload();
      assert.equal(outcome.result, 'failure');
      assert.match(JSON.stringify(outcome), /resources\[0\]\.backend\.options/);
    });

    it('resolves an npm package name from the config folder, including an import-only package', async () => {
      for (const [name, pkg] of [
        ['kindred-plugin-cjs-style', { name: 'kindred-plugin-cjs-style', type: 'module', main: 'main.js' }],
        ['@acme/kindred-plugin', { name: '@acme/kindred-plugin', type: 'module', exports: { '.': { import: './main.js' } } }],
      ] as const) {
        const root = join(dir, 'node_modules', name);
        await mkdir(root, { recursive: true });
        await writeFile(join(root, 'package.json'), JSON.stringify(pkg));
        await writeFile(join(root, 'main.js'), pluginModule(name, memoryIndexUrl));
      }
      await start(configYaml({ kind: 'Alpha', plugin: 'kindred-plugin-cjs-style' }, { kind: 'Beta', plugin: '@acme/kindred-plugin' }));
      assert.equal((store('Alpha') as unknown as { tag: string }).tag, 'kindred-plugin-cjs-style');
      assert.equal((store('Beta') as unknown as { tag: string }).tag, '@acme/kindred-plugin');
    });

    it('names the module when it does not export a plugin', async () => {
      await writeFile(join(dir, 'nothing.mjs'), 'export const x = 1;');
      await start(configYaml({ kind: 'Alpha' }));
      await write(configYaml({ kind: 'Alpha', plugin: './nothing.mjs' }));
      const outcome = await reloader.reload();
      assert.match(JSON.stringify(outcome), /resources\[0\]\.backend\.plugin.*nothing\.mjs.*must export a storage plugin/);
    });
  });
});
