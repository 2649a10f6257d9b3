/**
 * Start to ready, as a user sees it: `kindred serve` (what bin/kindred runs: the built package, with
 * the README's example config and its default durable backend) from spawn to the line that
 * says where it serves, which it prints once listening. The baseline is the least a server
 * start must do: a node process that loads node:https and listens with a certificate.
 *
 * The package is built first, into a folder of its own (not dist/, which
 * tests running beside the benchmark may be reading), so the figure is never a stale build's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createStandaloneCertificates } from '../../core/tls/standalone.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE_CONFIG = join(ROOT, 'config/examples/apps.yaml');

/** Builds the package from the sources into `outDir` (inside the repository, so its imports resolve). */
function buildPackage(outDir: string): void {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', outDir, '--declaration', 'false'], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`building the package failed:\n${built.stdout}${built.stderr}`);
  // The build reads its version from ../package.json, as dist/ does from the package's.
  copyFileSync(join(ROOT, 'package.json'), join(outDir, 'package.json'));
}

/** Milliseconds from spawning `args` until its stdout shows `ready`; the process is then stopped. */
function timeToReady(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  return new Promise<number>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!ready.test(out)) return;
      resolve(performance.now() - started);
      child.kill('SIGKILL');
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited (${code}) before it was ready:\n${out}${err}`)));
  }).finally(() => new Promise<void>((done) => (child.exitCode !== null || child.signalCode !== null ? done() : void child.once('exit', () => done()))));
}

/** Start-to-ready times of `kindred serve` and of the bare baseline, `count` of each. */
export async function measureStarts(count: number): Promise<{ kindredMs: number[]; bareMs: number[] }> {
  // Inside the repository (its imports resolve from node_modules), under a name .gitignore keeps out.
  const build = join(ROOT, `.bench-dist-${process.pid}`);
  buildPackage(build);
  // What bin/kindred does, with the fresh build.
  const cli = `const { main } = await import(${JSON.stringify(pathToFileURL(join(build, 'app/cli/main.js')).href)}); process.exitCode = await main(process.argv.slice(1));`;
  const dir = await mkdtemp(join(tmpdir(), 'kindred-bench-start-'));
  const certs = await createStandaloneCertificates();
  const bare = `const s = (await import('node:https')).createServer({ cert: process.env.CERT, key: process.env.KEY }, (q, r) => r.end());
s.listen(0, '127.0.0.1', () => console.log('ready'));`;
  const bareEnv = { ...process.env, CERT: certs.serving.certPem, KEY: certs.serving.keyPem };
  const kindredMs: number[] = [];
  const bareMs: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const args = ['--input-type=module', '-e', cli, 'serve', '--config', EXAMPLE_CONFIG, '--secure-port', '0'];
      args.push('--data-dir', join(dir, `data-${i}`), '--write-kubeconfig', join(dir, `kubeconfig-${i}`));
      kindredMs.push(await timeToReady(args, /Point kubectl at it/));
      bareMs.push(await timeToReady(['--input-type=module', '-e', bare], /ready/, bareEnv));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(build, { recursive: true, force: true });
  }
  return { kindredMs, bareMs };
}
