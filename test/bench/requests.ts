/**
 * Request/response scenarios: create throughput, GET one object, LIST every object. Each
 * runs against kindred and then against the bare server answering with the very bytes
 * kindred sent, alternating rounds so that load from elsewhere on the machine falls on both.
 */
import { performance } from 'node:perf_hooks';
import type { ServerProcess } from './servers.ts';
import { openConnection, runLoad, type LoadResult, type Protocol, type RequestSpec } from './load.ts';
import { median, type BenchSettings, type Row } from './report.ts';

export const NAMESPACE = 'bench';
export const COLLECTION = `/apis/bench.example.com/v1/namespaces/${NAMESPACE}/widgets`;
const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' };

/** A Widget of about 700 bytes as stored: a 12-element list in `spec`, as the issue measured. */
export function widget(name: string): string {
  const items = Array.from({ length: 12 }, (_, i) => ({ name: `item-${i}`, value: `value-${i}-${name}` }));
  return JSON.stringify({
    apiVersion: 'bench.example.com/v1',
    kind: 'Widget',
    metadata: { name, namespace: NAMESPACE, labels: { app: 'bench', tier: name.length % 2 ? 'a' : 'b' } },
    spec: { size: name.length, version: '16', items },
  });
}

export const objectName = (i: number): string => `w-${String(i).padStart(5, '0')}`;

/** Median of the rounds' results by `perSecond` (the round a reader would call typical). */
function medianRun<T extends LoadResult>(results: T[]): T {
  const sorted = [...results].sort((a, b) => a.perSecond - b.perSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** A load run's figures plus the server's CPU time per request, in µs. */
export type Measured = LoadResult & { cpuUsPerRequest: number };

/** Whatever serves one side of a comparison: one process or several (kube-apiserver + etcd). */
export interface CpuMeter {
  /** CPU time (user + system) the serving processes have used so far, in ms. */
  cpuMs(): number;
}

export async function measured(server: CpuMeter, run: () => Promise<LoadResult>): Promise<Measured> {
  const cpu = server.cpuMs();
  const result = await run();
  return { ...result, cpuUsPerRequest: ((server.cpuMs() - cpu) * 1000) / Math.max(1, result.requests) };
}

/** `settings.rounds` rounds of kindred then baseline; the median round of each. */
export async function alternate<S extends CpuMeter>(settings: BenchSettings, kindred: S, bare: S, run: (server: S, round: number) => Promise<LoadResult>) {
  const k: Measured[] = [];
  const b: Measured[] = [];
  for (let round = 0; round < settings.rounds; round++) {
    k.push(await measured(kindred, () => run(kindred, round)));
    b.push(await measured(bare, () => run(bare, round)));
  }
  return { kindred: medianRun(k), bare: medianRun(b) };
}

export function throughputRows(scenario: string, protocol: Protocol, r: { kindred: Measured; bare: Measured }, goal: string, cpuGoal = goal ? '≤ 1.67×' : ''): Row[] {
  const { kindred: k, bare: b } = r;
  return [
    { scenario, protocol, figure: 'req/s', kindred: k.perSecond, bare: b.perSecond, ratio: k.perSecond / b.perSecond, goal, errors: k.errors },
    { scenario, protocol, figure: 'p99 ms', kindred: k.p99Ms, bare: b.p99Ms, ratio: k.p99Ms / b.p99Ms, goal: '' },
    // Unlike req/s, not skewed by load elsewhere on the machine: the server's own cost.
    { scenario, protocol, figure: 'server CPU µs/req', kindred: k.cpuUsPerRequest, bare: b.cpuUsPerRequest, ratio: k.cpuUsPerRequest / b.cpuUsPerRequest, goal: cpuGoal },
  ];
}

/**
 * Creates `settings.objects` Widgets, 64 in flight (half over each protocol), then the
 * same number of POSTs to the bare server answering with a create's response.
 */
export async function createScenario(settings: BenchSettings, kindred: ServerProcess, bare: ServerProcess): Promise<Row[]> {
  const probe = await openConnection(kindred.target, 'h2');
  const first = await probe.send({ method: 'POST', path: COLLECTION, headers: JSON_HEADERS, body: widget('probe') });
  if (first.status !== 201) throw new Error(`create answered ${first.status}: ${first.body.toString()}`);
  await probe.send({ method: 'DELETE', path: `${COLLECTION}/probe`, headers: JSON_HEADERS });
  probe.close();
  await bare.route(`POST ${COLLECTION}`, 201, 'application/json', first.body);
  const rows: Row[] = [];
  const half = Math.ceil(settings.objects / 2);
  let next = 0;
  for (const protocol of ['h2', 'h1'] as const) {
    const run = (server: ServerProcess) => {
      // Kindred creates distinct objects; the bare server only answers.
      const request = (): RequestSpec => ({ method: 'POST', path: COLLECTION, headers: JSON_HEADERS, body: widget(objectName(server === kindred ? next++ : 0)) });
      return runLoad(server.target, { protocol, concurrency: 64, durationMs: 600_000, maxRequests: protocol === 'h2' ? half : settings.objects - half, request, okStatus: 201 });
    };
    // One round only: every kindred round creates new objects, and the list must hold `objects`.
    const k = await measured(kindred, () => run(kindred));
    const b = await measured(bare, () => run(bare));
    rows.push(...throughputRows('create, 64 in flight', protocol, { kindred: k, bare: b }, ''));
  }
  return rows;
}

/** GET of one object, 50 in flight. */
export async function getScenario(settings: BenchSettings, kindred: ServerProcess, bare: ServerProcess): Promise<Row[]> {
  const path = `${COLLECTION}/${objectName(0)}`;
  const c = await openConnection(kindred.target, 'h2');
  const body = (await c.send({ method: 'GET', path, headers: { accept: 'application/json' } })).body;
  c.close();
  await bare.route(`GET ${path}`, 200, 'application/json', body);
  const rows: Row[] = [];
  for (const protocol of ['h1', 'h2'] as const) {
    const r = await alternate(settings, kindred, bare, (server) =>
      runLoad(server.target, { protocol, concurrency: 50, durationMs: settings.loadMs, request: () => ({ method: 'GET', path, headers: { accept: 'application/json' } }) }),
    );
    rows.push(...throughputRows('GET one object', protocol, r, '≥ 0.6× req/s'));
  }
  return rows;
}

/**
 * LIST of every object, one request at a time: median time, and the peak RSS growth of
 * the serving process during one list, against the body size.
 */
export async function listScenario(settings: BenchSettings, kindred: ServerProcess, bare: ServerProcess): Promise<Row[]> {
  const c = await openConnection(kindred.target, 'h2');
  const listed = await c.send({ method: 'GET', path: COLLECTION, headers: { accept: 'application/json' } });
  c.close();
  const count = (JSON.parse(listed.body.toString('utf8')) as { items: unknown[] }).items.length;
  if (count !== settings.objects) throw new Error(`list has ${count} objects, expected ${settings.objects}`);
  await bare.route(`GET ${COLLECTION}`, 200, 'application/json', listed.body);
  const scenario = `LIST ${count} objects (${(listed.body.length / 1e6).toFixed(1)} MB)`;
  const rows: Row[] = [];
  for (const protocol of ['h1', 'h2'] as const) {
    const times = { kindred: [] as number[], bare: [] as number[] };
    const growth = { kindred: 0, bare: 0 };
    for (let round = 0; round < settings.rounds; round++) {
      for (const server of [kindred, bare]) {
        const connection = await openConnection(server.target, protocol);
        for (let i = 0; i < settings.listRepeats; i++) {
          server.resetPeak();
          const before = server.rss();
          const t0 = performance.now();
          const response = await connection.send({ method: 'GET', path: COLLECTION, headers: { accept: 'application/json' } }, false);
          times[server.name].push(performance.now() - t0);
          growth[server.name] = Math.max(growth[server.name], server.peakRss() - before);
          if (response.status !== 200) throw new Error(`${server.name} list answered ${response.status}`);
        }
        connection.close();
      }
    }
    const k = median(times.kindred);
    const b = median(times.bare);
    rows.push({ scenario, protocol, figure: 'median ms', kindred: k, bare: b, ratio: k / b, goal: '≤ 4× time' });
    const mb = (n: number) => n / 1e6;
    rows.push({
      scenario,
      protocol,
      figure: 'peak RSS growth MB',
      kindred: mb(growth.kindred),
      bare: mb(growth.bare),
      ratio: growth.kindred / listed.body.length,
      ratioOf: 'body',
      goal: '≤ 2× body',
    });
  }
  return rows;
}
