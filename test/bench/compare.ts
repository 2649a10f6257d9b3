/**
 * One GET or LIST comparison between two servers reached in different ways: kindred through
 * the front proxy against the bare server, kindred's HelmRelease-backed kind against
 * kube-apiserver serving the CRD, the aggregator against kindred direct. Each side names
 * its URL and identity (a client certificate, plus the headers every request carries) and
 * the processes whose CPU time is its cost.
 */
import { performance } from 'node:perf_hooks';
import { openConnection, runLoad, type Target } from './load.ts';
import { alternate, measured, throughputRows, type CpuMeter } from './requests.ts';
import { median, type BenchSettings, type Row } from './report.ts';

export interface Side extends CpuMeter {
  target: Target;
  /** Sent with every request: e.g. the X-Remote-* headers of a front proxy. */
  headers?: Record<string, string>;
  /** One of the side's processes reported on its own too (kindred behind the aggregator): what kindred can change. */
  part?: { name: string; cpuMs(): number };
}

/** A row of `side.part`'s CPU per request (µs, or ms per list) beside the baseline's whole. */
function partRow(scenario: string, protocol: string, side: Side, figure: string, part: number, baseline: number): Row[] {
  if (!side.part) return [];
  return [{ scenario, protocol, figure: `${side.part.name}'s ${figure}`, kindred: part, bare: baseline, ratio: part / baseline, goal: '' }];
}

/** Both sides' paths to the same thing (they differ where the baseline serves another resource). */
export interface Paths {
  kindred: string;
  baseline: string;
}

const ACCEPT = { accept: 'application/json' };

/** One GET on `side`, which must answer 200; its body. */
export async function fetchOnce(side: Side, path: string): Promise<Buffer> {
  const connection = await openConnection(side.target, 'h2');
  try {
    const response = await connection.send({ method: 'GET', path, headers: { ...ACCEPT, ...side.headers } });
    if (response.status !== 200) throw new Error(`GET ${path} on ${side.target.url} answered ${response.status}: ${response.body.toString().slice(0, 300)}`);
    return response.body;
  } finally {
    connection.close();
  }
}

/** GET of one object, 50 in flight, over HTTP/1.1 and HTTP/2: req/s, p99, server CPU per request. */
export async function compareGets(settings: BenchSettings, scenario: string, sides: { kindred: Side; baseline: Side }, paths: Paths, goals: { rate: string; cpu: string }): Promise<Row[]> {
  const rows: Row[] = [];
  for (const protocol of ['h1', 'h2'] as const) {
    const r = await alternate(settings, sides.kindred, sides.baseline, async (side) => {
      const path = side === sides.kindred ? paths.kindred : paths.baseline;
      const partBefore = side.part?.cpuMs() ?? 0;
      const result = await runLoad(side.target, { protocol, concurrency: 50, durationMs: settings.loadMs, request: () => ({ method: 'GET', path, headers: { ...ACCEPT, ...side.headers } }) });
      // Carried through alternate()'s spread of the result into the median round's figures.
      return side.part ? { ...result, partUs: ((side.part.cpuMs() - partBefore) * 1000) / Math.max(1, result.requests) } : result;
    });
    rows.push(...throughputRows(scenario, protocol, { kindred: r.kindred, bare: r.bare }, goals.rate, goals.cpu));
    rows.push(...partRow(scenario, protocol, sides.kindred, 'server CPU µs/req', (r.kindred as { partUs?: number }).partUs ?? Number.NaN, r.bare.cpuUsPerRequest));
  }
  return rows;
}

/** LIST, one request at a time, `listRepeats` per round and side: median time and server CPU per list. */
export async function compareLists(settings: BenchSettings, scenario: string, sides: { kindred: Side; baseline: Side }, paths: Paths, goal: string): Promise<Row[]> {
  const rows: Row[] = [];
  for (const protocol of ['h1', 'h2'] as const) {
    const times = { kindred: [] as number[], baseline: [] as number[] };
    const cpu = { kindred: 0, baseline: 0 };
    let part = 0;
    for (let round = 0; round < settings.rounds; round++) {
      for (const which of ['kindred', 'baseline'] as const) {
        const side = sides[which];
        const connection = await openConnection(side.target, protocol);
        const partBefore = side.part?.cpuMs() ?? 0;
        try {
          const run = await measured(side, async () => {
            for (let i = 0; i < settings.listRepeats; i++) {
              const t0 = performance.now();
              const response = await connection.send({ method: 'GET', path: paths[which], headers: { ...ACCEPT, ...side.headers } }, false);
              if (response.status !== 200) throw new Error(`${which} LIST ${paths[which]} answered ${response.status}`);
              times[which].push(performance.now() - t0);
            }
            return { requests: settings.listRepeats, errors: 0, seconds: 0, perSecond: 0, p50Ms: 0, p99Ms: 0 };
          });
          cpu[which] += run.cpuUsPerRequest / 1000 / settings.rounds;
          if (side.part) part += (side.part.cpuMs() - partBefore) / settings.listRepeats / settings.rounds;
        } finally {
          connection.close();
        }
      }
    }
    const k = median(times.kindred);
    const b = median(times.baseline);
    rows.push({ scenario, protocol, figure: 'median ms', kindred: k, bare: b, ratio: k / b, goal });
    rows.push({ scenario, protocol, figure: 'server CPU ms/list', kindred: cpu.kindred, bare: cpu.baseline, ratio: cpu.kindred / cpu.baseline, goal: '' });
    rows.push(...partRow(scenario, protocol, sides.kindred, 'server CPU ms/list', part, cpu.baseline));
  }
  return rows;
}
