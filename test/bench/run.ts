/**
 * The benchmark harness: runs every scenario and prints one Markdown table, each figure
 * beside the same figure of a baseline measured in the same run (a bare node TLS server in
 * its own process serving the same bytes, or the least the operation must do).
 *
 *   node --import tsx test/bench/run.ts [--short] [--only NAME,...]     (npm run bench)
 *
 * `--short` (or KINDRED_BENCH_SHORT=1) runs every scenario on tiny inputs in seconds: CI
 * runs it so the harness cannot rot, and asserts nothing about time. Scenarios: create, get,
 * list, watch, start, reload; and, on a real control plane (test/bench/cluster.ts; skipped
 * with a row saying so when its binaries are missing), front-proxy, helmrelease, aggregated.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startServer } from './servers.ts';
import { createScenario, getScenario, listScenario } from './requests.ts';
import { watchScenario } from './watch.ts';
import { measureReloads } from './reload.ts';
import { measureStarts } from './start.ts';
import { markdownTable, median, settingsFor, type BenchSettings, type Row } from './report.ts';
import { CLUSTER_SCENARIOS, clusterRows } from './cluster-scenarios.ts';

const SCENARIOS = ['create', 'get', 'list', 'watch', 'start', 'reload', ...CLUSTER_SCENARIOS] as const;

const { values } = parseArgs({ options: { short: { type: 'boolean' }, only: { type: 'string' } } });
const settings = settingsFor(values.short === true || process.env.KINDRED_BENCH_SHORT === '1');
const only = new Set<string>(values.only ? values.only.split(',') : SCENARIOS);
const unknown = [...only].filter((name) => !(SCENARIOS as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; expected some of ${SCENARIOS.join(', ')}`);
  process.exit(2);
}

async function startRows(settings: BenchSettings): Promise<Row[]> {
  const { kindredMs, bareMs } = await measureStarts(settings.starts);
  const k = median(kindredMs);
  const b = median(bareMs);
  return [{ scenario: 'start to ready (kindred serve, example config)', protocol: '', figure: 'median ms', kindred: k, bare: b, ratio: k / b, goal: '≤ 1 s' }];
}

async function reloadRows(settings: BenchSettings): Promise<Row[]> {
  const figures = await measureReloads(settings.reloads);
  const baseline = median(figures.baselineMs);
  const scenario = `reload (${figures.baseKinds} kinds + 1, debounce ${figures.debounceMs} ms)`;
  const row = (figure: string, value: number): Row => ({ scenario, protocol: '', figure, kindred: value, bare: baseline, ratio: value / baseline, ratioOf: 'parse', goal: '' });
  return [
    { ...row('median ms', median(figures.reloadMs)), goal: '≤ 300 ms' },
    row('max ms', Math.max(...figures.reloadMs)),
  ];
}

const started = Date.now();
// Other work on the machine moves req/s and latencies: the header says how busy it was.
const loadAtStart = loadavg()[0]!;
const servers = { kindred: await startServer('kindred'), bare: await startServer('bare') };
const rows: Row[] = [];
try {
  // create fills the store that get and list read, so it runs whenever they do (it is quick).
  if (['create', 'get', 'list'].some((name) => only.has(name))) {
    const created = await createScenario(settings, servers.kindred, servers.bare);
    if (only.has('create')) rows.push(...created);
  }
  if (only.has('get')) rows.push(...(await getScenario(settings, servers.kindred, servers.bare)));
  if (only.has('list')) rows.push(...(await listScenario(settings, servers.kindred, servers.bare)));
  if (only.has('watch')) rows.push(...(await watchScenario(settings, servers.kindred, servers.bare)));
  rows.push(...(await clusterRows(CLUSTER_SCENARIOS.filter((name) => only.has(name)), settings, servers.bare)));
} finally {
  await servers.kindred.stop();
  await servers.bare.stop();
}
if (only.has('start')) rows.push(...(await startRows(settings)));
if (only.has('reload')) rows.push(...(await reloadRows(settings)));

const machine = `${cpus().length} cores, load average ${loadAtStart.toFixed(1)} at start, ${loadavg()[0]!.toFixed(1)} at end`;
console.log(`kindred benchmarks (${settings.short ? 'short' : 'full'}), node ${process.version}, ${machine}, ${Math.round((Date.now() - started) / 1000)} s; ratio = kindred ÷ baseline\n`);
console.log(markdownTable(rows, 'baseline'));
