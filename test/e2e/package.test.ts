/**
 * kindred as an outside plugin author gets it: pack the package, install the tarball into a
 * fresh project outside the repo, check the command and both entry points, scaffold a plugin
 * with `kindred new-plugin`, install it (TypeScript and @types/node come from the npm
 * registry), run its conformance-kit test, serve it through its config, and drive it with a
 * real kubectl: create, get, list -w, patch, delete.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mustKubectl, requireKubectl } from '../support/tools.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const KUBECTL = '1.33';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment of every command: without NODE_TEST_CONTEXT, so a nested `node --test` reports as a top-level run. */
function commandEnv(): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _nested, ...env } = process.env;
  return { ...env, npm_config_fund: 'false', npm_config_audit: 'false' };
}

function run(command: string, args: string[], cwd: string, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd, timeout: 300_000, maxBuffer: 64 * 1024 * 1024, env: commandEnv() },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }));
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function ok(command: string, args: string[], cwd: string, input?: string): Promise<string> {
  const r = await run(command, args, cwd, input);
  assert.equal(r.code, 0, `${command} ${args.join(' ')} failed in ${cwd}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** Output of a long-running process, with a wait for a pattern to appear in it. */
function follow(child: ChildProcess): { waitFor: (pattern: RegExp) => Promise<string>; output: () => string } {
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    listeners.forEach((l) => l());
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  child.on('exit', () => listeners.forEach((l) => l()));
  return {
    output: () => out,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(out)) {
            listeners.delete(check);
            resolve(out);
          } else if (child.exitCode !== null) {
            listeners.delete(check);
            reject(new Error(`exited before ${pattern}:\n${out}`));
          }
        };
        listeners.add(check);
        check();
      }),
  };
}

describe('the packed kindred, from an outside project', { ...requireKubectl(KUBECTL), timeout: 900_000 }, () => {
  let dir = '';
  let tarball = '';
  let project = '';
  let plugin = '';
  const children: ChildProcess[] = [];
  const kindred = () => join(project, 'node_modules', '.bin', 'kindred');

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kindred-package-'));
    // `npm pack` runs `prepare`, which builds dist/ from the sources.
    const packed = JSON.parse(await ok('npm', ['pack', '--json', '--pack-destination', dir], repo)) as { filename: string; files: { path: string }[] }[];
    tarball = join(dir, packed[0]!.filename);
    project = join(dir, 'project');
    plugin = join(dir, 'my-store');
    await ok('mkdir', [project], dir);
    await ok('npm', ['init', '-y'], project);
    await ok('npm', ['install', tarball], project);
  });
  after(async () => {
    for (const child of children) child.kill('SIGTERM');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('packs dist with types, bin, README and LICENSE, and no tests', async () => {
    const files = (await ok('tar', ['tzf', tarball], dir)).split('\n');
    for (const f of ['package/bin/kindred', 'package/README.md', 'package/LICENSE', 'package/dist/app/cli/main.js',
      'package/dist/lib/plugin.js', 'package/dist/lib/plugin.d.ts', 'package/dist/lib/testing/index.d.ts']) {
      assert.ok(files.includes(f), `${f} is missing from the tarball`);
    }
    assert.deepEqual(files.filter((f) => /(^|\/)test\/|\.test\.|\.ts$/.test(f) && !f.endsWith('.d.ts')), []);
    assert.match(await readFile(join(project, 'node_modules', 'kindred', 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
  });

  it('runs npx kindred --version', async () => {
    const version = JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')).version as string;
    assert.equal((await ok('npx', ['kindred', '--version'], project)).trim(), `kindred ${version}`);
  });

  it('imports kindred/plugin, kindred/plugin/testing and kindred/plugin/kube from plain JavaScript', async () => {
    const script = `import * as p from 'kindred/plugin'; import * as t from 'kindred/plugin/testing'; import * as k from 'kindred/plugin/kube';
      console.log(JSON.stringify({ contract: p.CONTRACT_VERSION, fanout: typeof p.WatchFanout, error: typeof p.StoreError, kit: typeof t.storeConformance,
        client: typeof k.KubeClient, cache: typeof k.ListWatchCache, projected: typeof k.ProjectedStore }));`;
    const out = JSON.parse(await ok('node', ['--input-type=module', '-e', script], project));
    assert.deepEqual(out, { contract: 1, fanout: 'function', error: 'function', kit: 'function', client: 'function', cache: 'function', projected: 'function' });
  });

  it('scaffolds a TypeScript plugin whose conformance-kit test passes', async () => {
    assert.match(await ok(kindred(), ['new-plugin', 'my-store', plugin], project), /created plugin my-store/);
    // As an author would before kindred is published: take kindred from the tarball.
    await ok('npm', ['install', '--save-dev', tarball], plugin);
    const test = await ok('npm', ['test'], plugin);
    assert.match(test, /my-store store conformance \(Namespaced\)/);
    assert.match(test, /my-store store conformance \(Cluster\)/);
    // Node 20 reports TAP (`# pass 40`) to a pipe, Node 24 the spec reporter (`ℹ pass 40`).
    assert.match(test, /^(#|ℹ) fail 0$/m);
    assert.match(test, /^(#|ℹ) pass [1-9]/m);
  });

  it('serves the plugin through its config to kubectl: create, get, list -w, patch, delete', async () => {
    const kubeconfig = join(plugin, '.kindred', 'kubeconfig');
    const server = spawn(kindred(), ['serve', '--config', 'kindred.yaml', '--secure-port', '0', '--write-kubeconfig', kubeconfig], { cwd: plugin, env: commandEnv() });
    children.push(server);
    await follow(server).waitFor(/kindred is serving at https:\/\/127\.0\.0\.1:\d+/);
    const kubectlEnv = { ...commandEnv(), HOME: dir, KUBECACHEDIR: join(dir, 'kube-cache') };
    const kubectl = (...args: string[]) => ok(mustKubectl(KUBECTL), ['--kubeconfig', kubeconfig, ...args], plugin);
    const note = (name: string, text: string) => JSON.stringify({ apiVersion: 'plugins.example.com/v1', kind: 'Note', metadata: { name }, spec: { text } });

    assert.match(await ok(mustKubectl(KUBECTL), ['--kubeconfig', kubeconfig, 'create', '-f', '-'], plugin, note('first', 'hello')), /note\.plugins\.example\.com\/first created/);
    assert.match(await kubectl('get', 'notes', 'first'), /^first\s+hello\s+\S+$/m);

    const watcher = spawn(mustKubectl(KUBECTL), ['--kubeconfig', kubeconfig, 'get', 'notes', '-w', '--output-watch-events'], { cwd: plugin, env: kubectlEnv });
    children.push(watcher);
    const watch = follow(watcher);
    await watch.waitFor(/ADDED\s+first\s+hello/);

    await kubectl('patch', 'note', 'first', '--type=merge', '-p', '{"spec":{"text":"patched"}}');
    await watch.waitFor(/MODIFIED\s+first\s+patched/);
    assert.equal(JSON.parse(await kubectl('get', 'note', 'first', '-o', 'json')).spec.text, 'patched');

    assert.match(await kubectl('delete', 'note', 'first'), /note\.plugins\.example\.com "first" deleted/);
    await watch.waitFor(/DELETED\s+first\s+patched/);
    assert.match(await kubectl('get', 'notes'), /^$/);
  });
});
