/**
 * Hot reload of a path plugin with a module graph: an entry file importing a second module
 * of its folder, beside a package.json. The reloader watches for real here (chokidar), as
 * `kindred serve` does.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { FileConfigSource } from '../../../config/sources.ts';
import { createMetrics } from '../../../core/metrics.ts';
import { InFlightRequests } from '../../../core/in-flight.ts';
import { Reloader } from '../../../app/reload/reloader.ts';
import type { RegistrySnapshot } from '../../../core/snapshot.ts';
import { resolveBuiltinPlugin } from '../../../plugins/index.ts';
import { configYaml } from './fixtures.ts';

const log = pino({ level: process.env.KINDRED_TEST_LOG ?? 'silent' });
const memoryIndexUrl = pathToFileURL(join(import.meta.dirname, '../../../plugins/memory/index.ts')).href;

/** The entry: builds a memory store tagged with what ./tag.mjs exports, and a nonce minted each time it is evaluated. */
const ENTRY = `
import { memoryPlugin } from ${JSON.stringify(memoryIndexUrl)};
import { tag } from './tag.mjs';
const nonce = Math.random().toString(36).slice(2);
export default {
  contractVersion: 1,
  name: 'graph',
  optionsSchema: { type: 'object' },
  async create(kind, options, ctx) {
    const store = await memoryPlugin.create(kind, {}, ctx);
    Object.assign(store, { tag, nonce });
    return store;
  },
};
`;
const tagModule = (tag: string) => `// the part of the plugin that changes\nexport const tag = ${JSON.stringify(tag)};\n`;

/** Resolves once `condition()` holds, checking every 20 ms; fails after `ms`. */
async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('plugin hot reload', () => {
  let dir: string;
  let reloader: Reloader;
  /** The tag of every store the reloader swapped in, in order. */
  let served: string[];
  const current = (): { tag: string; nonce: string } =>
    reloader.generation!.snapshot.stores.get('reload.example.com/Alpha') as unknown as { tag: string; nonce: string };
  const replace = async (name: string, text: string) => {
    await writeFile(join(dir, `.${name}.tmp`), text);
    await rename(join(dir, `.${name}.tmp`), join(dir, name));
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kindred-plugin-reload-'));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'graph-plugin', type: 'module', version: '1.0.0' }));
    await writeFile(join(dir, 'index.mjs'), ENTRY);
    await writeFile(join(dir, 'tag.mjs'), tagModule('v1'));
    await writeFile(join(dir, 'kindred.yaml'), configYaml({ kind: 'Alpha', plugin: './index.mjs' }));
    served = [];
    reloader = new Reloader({ source: await FileConfigSource.open(join(dir, 'kindred.yaml')), builtin: resolveBuiltinPlugin, log, metrics: createMetrics() });
    assert.equal((await reloader.reload()).result, 'success');
    reloader.attach({
      inFlight: new InFlightRequests(),
      swap: (snapshot: RegistrySnapshot) => served.push((snapshot.stores.get('reload.example.com/Alpha') as unknown as { tag: string }).tag),
    });
    await reloader.watch();
    assert.equal(current().tag, 'v1');
  });
  afterEach(async () => {
    await reloader?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('re-imports the plugin when a module it imports changes, not only its entry file', async () => {
    await replace('tag.mjs', tagModule('v2'));
    await until(() => current().tag === 'v2', 'the changed module to be served');
    assert.deepEqual(served, ['v2']);
  });

  it('re-imports the plugin when its package.json changes', async () => {
    const before = current().nonce;
    await replace('package.json', JSON.stringify({ name: 'graph-plugin', type: 'module', version: '1.0.1' }));
    await until(() => current().nonce !== before, 'the plugin to be imported again');
  });

  it('never adopts a module file written in two halves with a pause between, and adopts it once whole', async () => {
    const whole = tagModule('v3');
    const cut = whole.indexOf('= ') + 2; // `export const tag = ` : not JavaScript on its own
    await writeFile(join(dir, 'tag.mjs'), whole.slice(0, cut));
    // The pause: long enough for kindred to read the half and reject it.
    await until(() => reloader.lastFailure !== undefined, 'the half-written module to be rejected');
    assert.match(JSON.stringify(reloader.lastFailure?.errors), /failed to load/);
    assert.equal(current().tag, 'v1', 'the last good version keeps serving');
    await appendFile(join(dir, 'tag.mjs'), whole.slice(cut));
    await until(() => current().tag === 'v3', 'the whole module to be served');
    assert.deepEqual(served, ['v3'], 'nothing but whole versions was ever served');
    assert.equal(reloader.lastFailure, undefined);
  });
});
