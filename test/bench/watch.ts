/**
 * Watch fan-out: many watchers on one collection, a steady stream of writes, and the time
 * from sending each write to each watcher reading its event. The baseline is the bare
 * server writing each POSTed object as one event line to every open stream (the least a
 * fan-out must do). Watchers share HTTP/2 sessions, 100 streams each, as informers in a
 * few processes would.
 */
import { performance } from 'node:perf_hooks';
import type { ClientHttp2Session } from 'node:http2';
import { openConnection, openH2Session, percentile } from './load.ts';
import type { ServerProcess } from './servers.ts';
import type { BenchSettings, Row } from './report.ts';

const STREAMS_PER_SESSION = 100;
const SENT = /"bench\/sent":"([0-9.]+)"/;

interface FanOut {
  latencies: number[];
  missing: number;
  rssMb: number;
  /** CPU time the server used from the first write until the last event arrived: what load elsewhere does not skew. */
  cpuMs: number;
}

async function openWatchers(server: ServerProcess, path: string, count: number, onEvent: (sent: number) => void): Promise<ClientHttp2Session[]> {
  const sessions: ClientHttp2Session[] = [];
  const started: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    if (i % STREAMS_PER_SESSION === 0) sessions.push(await openH2Session(server.target));
    const stream = sessions.at(-1)!.request({ ':method': 'GET', ':path': path, accept: 'application/json' });
    stream.setEncoding('utf8');
    let pending = '';
    stream.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const match = SENT.exec(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
        if (match) onEvent(Number(match[1]));
      }
    });
    stream.on('error', () => {});
    started.push(
      new Promise((resolve, reject) =>
        stream.once('response', (headers) => (headers[':status'] === 200 ? resolve() : reject(new Error(`${server.name} watch answered ${headers[':status']}`)))),
      ),
    );
  }
  await Promise.all(started);
  return sessions;
}

async function fanOut(settings: BenchSettings, server: ServerProcess, namespace: string): Promise<FanOut> {
  const collection = `/apis/bench.example.com/v1/namespaces/${namespace}/widgets`;
  const watchPath = `${collection}?watch=1`;
  const postPath = server.name === 'kindred' ? collection : '/broadcast';
  const latencies: number[] = [];
  let delivered = 0;
  let allDelivered = () => {};
  const writes = Math.max(1, Math.round((settings.watchMs / 1000) * settings.writesPerSecond));
  const expected = writes * settings.watchers;
  const done = new Promise<void>((resolve) => (allDelivered = resolve));
  const sessions = await openWatchers(server, watchPath, settings.watchers, (sent) => {
    latencies.push(performance.now() - sent);
    if (++delivered === expected) allDelivered();
  });
  let rss = server.rss();
  const writer = await openConnection(server.target, 'h2');
  const interval = 1000 / settings.writesPerSecond;
  const cpuBefore = server.cpuMs();
  const start = performance.now();
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < writes; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sent = performance.now();
    const body = JSON.stringify({
      apiVersion: 'bench.example.com/v1',
      kind: 'Widget',
      metadata: { name: `e-${i}`, namespace, annotations: { 'bench/sent': String(sent) } },
      spec: { size: i },
    });
    inFlight.push(writer.send({ method: 'POST', path: postPath, headers: { 'content-type': 'application/json' }, body }, false));
    rss = Math.max(rss, server.rss());
  }
  await Promise.all(inFlight);
  // Waiting for stragglers is bounded: a server that cannot keep up shows as missing events.
  const grace = settings.short ? 5000 : 30_000;
  await Promise.race([done, new Promise((r) => setTimeout(r, grace).unref())]);
  rss = Math.max(rss, server.rss());
  const cpuMs = server.cpuMs() - cpuBefore;
  writer.close();
  for (const s of sessions) s.destroy();
  latencies.sort((a, b) => a - b);
  return { latencies, missing: expected - delivered, rssMb: rss / 1e6, cpuMs };
}

export async function watchScenario(settings: BenchSettings, kindred: ServerProcess, bare: ServerProcess): Promise<Row[]> {
  const k = await fanOut(settings, kindred, 'watch-bench');
  const b = await fanOut(settings, bare, 'watch-bench');
  const scenario = `watch fan-out, ${settings.watchers} watchers, ${settings.writesPerSecond} writes/s`;
  const p = (f: FanOut, q: number) => percentile(f.latencies, q);
  const missing = k.missing > 0 ? ` (${k.missing} events not delivered)` : '';
  return [
    { scenario, protocol: 'h2', figure: `delivery p50 ms${missing}`, kindred: p(k, 0.5), bare: p(b, 0.5), ratio: p(k, 0.5) / p(b, 0.5), goal: '' },
    { scenario, protocol: 'h2', figure: 'delivery p99 ms', kindred: p(k, 0.99), bare: p(b, 0.99), ratio: p(k, 0.99) / p(b, 0.99), goal: '≤ 100 ms' },
    { scenario, protocol: 'h2', figure: 'RSS MB', kindred: k.rssMb, bare: b.rssMb, ratio: k.rssMb / b.rssMb, goal: '' },
    { scenario, protocol: 'h2', figure: 'server CPU ms, writes until delivered', kindred: k.cpuMs, bare: b.cpuMs, ratio: k.cpuMs / b.cpuMs, goal: '' },
  ];
}
