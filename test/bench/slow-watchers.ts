/**
 * Benchmark: kindred's memory (RSS) under watchers that never read. Runs kindred as a process
 * twice with the same writes (N objects of S bytes): once with no watcher (the baseline: what
 * storing the objects costs), once with W watchers that stop reading at once. Prints RSS
 * before and after each run, their ratio, and how many watches kindred closed as too slow.
 *
 *   node --import tsx test/bench/slow-watchers.ts [--watchers 20] [--writes 500] [--bytes 200000]
 */
import { Agent, request } from 'node:https';
import { readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startKindredProcess, type KindredProcess } from '../support/kindred-process.ts';
import { configYaml } from '../app/reload/fixtures.ts';

const { values } = parseArgs({ options: { watchers: { type: 'string' }, writes: { type: 'string' }, bytes: { type: 'string' } } });
const watchers = Number(values.watchers ?? 20);
const writes = Number(values.writes ?? 500);
const bytes = Number(values.bytes ?? 200_000);
const things = '/apis/reload.example.com/v1/namespaces/default/things';

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

function post(k: KindredProcess, agent: Agent, body: string): Promise<number> {
  const { ca, cert, key } = k.credentials;
  return new Promise((resolve, reject) => {
    const req = request(new URL(things, k.url), { method: 'POST', ca, cert, key, agent, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    req.end(body);
  });
}

/** A watch whose client reads nothing after sending the request. */
async function stalledWatch(k: KindredProcess): Promise<TLSSocket> {
  const { ca, cert, key } = k.credentials;
  const socket = tlsConnect({ host: '127.0.0.1', port: k.port, ca, cert, key, ALPNProtocols: ['http/1.1'] });
  await new Promise((resolve) => socket.once('secureConnect', resolve));
  socket.write(`GET ${things}?watch=true&resourceVersion=1 HTTP/1.1\r\nHost: kindred\r\n\r\n`);
  socket.pause();
  socket.on('error', () => {});
  return socket;
}

async function run(configPath: string, watcherCount: number): Promise<{ before: number; after: number; closed: number }> {
  const k = await startKindredProcess(configPath);
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  try {
    const before = await rssMiB(k.child.pid!);
    const sockets = await Promise.all(Array.from({ length: watcherCount }, () => stalledWatch(k)));
    for (let i = 0; i < writes; i++) {
      const body = JSON.stringify({ apiVersion: 'reload.example.com/v1', kind: 'Thing', metadata: { name: `t${i}` }, spec: { data: 'x'.repeat(bytes) } });
      const status = await post(k, agent, body);
      if (status !== 201) throw new Error(`write ${i}: ${status}`);
    }
    const after = await rssMiB(k.child.pid!);
    const closed = k.output().split('\n').filter((l) => l.includes('closed a watch whose client fell behind')).length;
    for (const s of sockets) s.destroy();
    return { before, after, closed };
  } finally {
    agent.destroy();
    await k.stop();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'kindred-bench-'));
try {
  const configPath = join(dir, 'kindred.yaml');
  await writeFile(configPath, configYaml({ kind: 'Thing', specProperties: '{data: {type: string}}' }));
  const baseline = await run(configPath, 0);
  const loaded = await run(configPath, watchers);
  const f = (n: number) => `${n.toFixed(0)} MiB`;
  console.log(`${writes} writes of ${bytes} bytes`);
  console.log(`  no watcher:             RSS ${f(baseline.before)} → ${f(baseline.after)}`);
  console.log(`  ${watchers} stalled watchers:    RSS ${f(loaded.before)} → ${f(loaded.after)}; watches closed as too slow: ${loaded.closed}/${watchers}`);
  console.log(`  RSS after, stalled / baseline: ${(loaded.after / baseline.after).toFixed(2)}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
