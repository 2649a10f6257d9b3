/**
 * A storage plugin that throws from a timer or leaves a rejection unhandled does not take
 * kindred down: its kinds answer 503, every other kind keeps serving. An error that is no
 * plugin's still ends the process, as Node's default does. `validate` runs plugin factories.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startKindredProcess, type KindredProcess } from '../support/kindred-process.ts';
import { httpRequest, type HttpResponse } from '../support/http.ts';
import { kindYaml } from './reload/fixtures.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const memoryUrl = pathToFileURL(join(root, 'plugins/memory/index.ts')).href;
const path = (kind: string) => `/apis/reload.example.com/v1/namespaces/default/${kind.toLowerCase()}s`;

/** A plugin module wrapping the memory store; `body` is the code of its `hooks` object. */
function pluginModule(hooks: string, topLevel = ''): string {
  return `
import { memoryPlugin } from ${JSON.stringify(memoryUrl)};
${topLevel}
const hooks = ${hooks};
export default {
  contractVersion: 1,
  name: 'faulty',
  optionsSchema: { type: 'object' },
  async create(kind, options, ctx) {
    if (hooks.create) hooks.create();
    const store = await memoryPlugin.create(kind, {}, ctx);
    return {
      get: (...a) => { hooks.get?.(); return store.get(...a); },
      list: (...a) => { hooks.list?.(); return store.list(...a); },
      create: (...a) => store.create(...a),
      update: (...a) => store.update(...a),
      delete: (...a) => store.delete(...a),
      watch: (...a) => store.watch(...a),
      close: () => store.close(),
    };
  },
};
`;
}

const PLUGINS = {
  'timer.mjs': pluginModule(`{ get() { setTimeout(() => { throw new Error('bug in a plugin timer'); }); } }`),
  'rejects.mjs': pluginModule(`{ list() { void Promise.reject(new Error('bug: a rejection nobody handles')); } }`),
  'after-import.mjs': pluginModule('{}', `setTimeout(() => { throw new Error('thrown from a timer set at import'); });`),
  'foreign.mjs': pluginModule(
    `{ get() { setTimeout(() => { const e = new Error('not a plugin error'); e.stack = 'Error: not a plugin error\\n    at elsewhere (/nowhere/else.js:1:1)'; throw e; }); } }`,
  ),
  'factory-throws.mjs': pluginModule(`{ create() { throw new Error('cannot reach the backend'); } }`),
};

/** Polls until the answer satisfies `done` (the fault is handled asynchronously: a reload). */
async function until(ask: () => Promise<HttpResponse>, done: (r: HttpResponse) => boolean): Promise<HttpResponse> {
  for (;;) {
    const r = await ask();
    if (done(r)) return r;
    await sleep(50);
  }
}

describe('plugin faults', () => {
  let dir: string;
  const config = async (name: string, kinds: Array<[string, string]>) => {
    const file = join(dir, name);
    await writeFile(file, `resources:${kinds.map(([kind, plugin]) => kindYaml({ kind, plugin })).join('')}`);
    return file;
  };
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kindred-faults-'));
    for (const [name, text] of Object.entries(PLUGINS)) await writeFile(join(dir, name), text);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('kindred serve', () => {
    let k: KindredProcess;
    const call = (method: string, url: string, body?: unknown) =>
      httpRequest(k.url, method, url, {
        credentials: k.credentials,
        ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
    before(async () => {
      const file = await config('serve.yaml', [
        ['Good', 'memory'],
        ['Timer', join(dir, 'timer.mjs')],
        ['Reject', join(dir, 'rejects.mjs')],
        ['Imported', join(dir, 'after-import.mjs')],
      ]);
      k = await startKindredProcess(file);
    });
    after(async () => {
      await k?.stop();
    });

    it('serves the kinds of a plugin that threw from a timer as 503, and every other kind as before', { timeout: 60_000 }, async () => {
      assert.equal((await call('GET', `${path('Timer')}/x`)).status, 404); // ...and the plugin's timer throws
      const unavailable = await until(() => call('GET', path('Timer')), (r) => r.status === 503);
      assert.equal(unavailable.json().reason, 'ServiceUnavailable');
      assert.match(unavailable.json().message, /bug in a plugin timer/);
      const good = await call('POST', path('Good'), { apiVersion: 'reload.example.com/v1', kind: 'Good', metadata: { name: 'fine' } });
      assert.equal(good.status, 201);
      assert.equal(k.child.exitCode, null);
      assert.match(k.output(), /storage plugin .*timer\.mjs#0 raised an uncaught exception/);
    });

    it('does the same for an unhandled rejection', { timeout: 60_000 }, async () => {
      assert.equal((await call('GET', path('Reject'))).status, 200);
      const unavailable = await until(() => call('GET', path('Reject')), (r) => r.status === 503);
      assert.match(unavailable.json().message, /a rejection nobody handles/);
      assert.equal((await call('GET', path('Good'))).status, 200);
      assert.equal(k.child.exitCode, null);
    });

    it('does the same for a timer the plugin set when it was imported', { timeout: 60_000 }, async () => {
      const unavailable = await until(() => call('GET', path('Imported')), (r) => r.status === 503);
      assert.match(unavailable.json().message, /thrown from a timer set at import/);
      assert.equal((await call('GET', path('Good'))).status, 200);
    });
  });

  it('still exits 1 on an uncaught exception that is no plugin’s', { timeout: 60_000 }, async () => {
    const k = await startKindredProcess(await config('foreign.yaml', [['Foreign', join(dir, 'foreign.mjs')]]));
    try {
      await httpRequest(k.url, 'GET', `${path('Foreign')}/x`, { credentials: k.credentials }).catch(() => undefined);
      assert.equal(await k.exited, 1);
      assert.match(k.output(), /not a plugin error/);
    } finally {
      await k.stop();
    }
  });

  it('kindred validate fails for a plugin whose factory throws', async () => {
    const file = await config('factory.yaml', [['Good', 'memory'], ['Broken', join(dir, 'factory-throws.mjs')]]);
    const tsx = import.meta.resolve('tsx');
    const script = `import('${join(root, 'app/cli/main.ts')}').then((m) => m.main(process.argv.slice(1))).then((code) => process.exit(code))`;
    const r = spawnSync(process.execPath, ['--import', tsx, '-e', script, '--', 'validate', '--config', file], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /resources\[1\]\.backend\.plugin: storage plugin ".*factory-throws\.mjs" failed to create a store: cannot reach the backend/);
  });
});
