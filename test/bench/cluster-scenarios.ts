/**
 * The scenarios that need the real control plane (test/bench/cluster.ts):
 *
 * - front-proxy: GET and LIST of kindred's Widgets as kube-apiserver's aggregator sends
 *   them (front-proxy client certificate, X-Remote-User/X-Remote-Group), against the bare
 *   server answering with the same bytes over the same TLS.
 * - helmrelease: GET and LIST of a kind backed by the helmrelease plugin, served by kindred
 *   from its watch cache, against kube-apiserver serving the HelmRelease CRD itself.
 * - aggregated: GET and LIST of kindred's Widgets through kube-apiserver's aggregator,
 *   against kindred reached directly as the aggregator reaches it.
 */
import type { ServerProcess } from './servers.ts';
import { runLoad } from './load.ts';
import { COLLECTION, NAMESPACE, objectName, widget } from './requests.ts';
import { compareGets, compareLists, fetchOnce, type Side } from './compare.ts';
import { DATABASES, HELM_RELEASES, RELEASE_PREFIX, clusterUnavailable, startBenchCluster, type BenchCluster } from './cluster.ts';
import { eventually } from '../support/eventually.ts';
import type { BenchSettings, Row } from './report.ts';

export const CLUSTER_SCENARIOS = ['front-proxy', 'helmrelease', 'aggregated'] as const;
export type ClusterScenario = (typeof CLUSTER_SCENARIOS)[number];

const JSON_HEADERS = { accept: 'application/json', 'content-type': 'application/json' };

/** POSTs `count` bodies to `path` on `side`, 32 in flight over HTTP/2; every one must be created. */
async function createAll(side: Side, path: string, count: number, body: (i: number) => string): Promise<void> {
  const result = await runLoad(side.target, {
    protocol: 'h2',
    concurrency: 32,
    durationMs: 600_000,
    maxRequests: count,
    okStatus: 201,
    request: (i) => ({ method: 'POST', path, headers: { ...JSON_HEADERS, ...side.headers }, body: body(i) }),
  });
  if (result.errors > 0 || result.requests !== count) throw new Error(`creating ${count} objects at ${path}: ${result.requests} created, ${result.errors} failed`);
}

const itemCount = async (side: Side, path: string) => (JSON.parse((await fetchOnce(side, path)).toString('utf8')) as { items: unknown[] }).items.length;
const megabytes = (body: Buffer) => `${(body.length / 1e6).toFixed(1)} MB`;

/** The Widgets the front-proxy and aggregated scenarios read, created through the front proxy. */
export async function fillWidgets(settings: BenchSettings, cluster: BenchCluster): Promise<void> {
  await createAll(cluster.kindredViaFrontProxy, COLLECTION, settings.objects, (i) => widget(objectName(i)));
}

export async function frontProxyScenario(settings: BenchSettings, cluster: BenchCluster, bare: ServerProcess): Promise<Row[]> {
  const kindred = cluster.kindredViaFrontProxy;
  // The bare server gets the same request headers, and ignores them.
  const baseline: Side = { target: bare.target, cpuMs: () => bare.cpuMs(), ...(kindred.headers ? { headers: kindred.headers } : {}) };
  const one = `${COLLECTION}/${objectName(0)}`;
  await bare.route(`GET ${one}`, 200, 'application/json', await fetchOnce(kindred, one));
  const listed = await fetchOnce(kindred, COLLECTION);
  await bare.route(`GET ${COLLECTION}`, 200, 'application/json', listed);
  const same = { kindred: one, baseline: one };
  return [
    ...(await compareGets(settings, 'front-proxy GET one object', { kindred, baseline }, same, { rate: '≥ 0.6× req/s', cpu: '≤ 1.67×' })),
    ...(await compareLists(settings, `front-proxy LIST ${settings.objects} objects (${megabytes(listed)})`, { kindred, baseline }, { kindred: COLLECTION, baseline: COLLECTION }, '≤ 4× time')),
  ];
}

/** A Database of about the Widget's size: its spec becomes the HelmRelease's values. */
function database(i: number): string {
  const name = objectName(i);
  const items = Array.from({ length: 12 }, (_, n) => ({ name: `item-${n}`, value: `value-${n}-${name}` }));
  return JSON.stringify({ apiVersion: 'bench.example.com/v1', kind: 'Database', metadata: { name, namespace: NAMESPACE }, spec: { version: '16', items } });
}

export async function helmReleaseScenario(settings: BenchSettings, cluster: BenchCluster): Promise<Row[]> {
  const count = settings.kubeObjects;
  const kindred = cluster.kindredClientCert;
  await createAll(kindred, DATABASES, count, database);
  // kindred serves them from its watch cache: wait until it has seen every one.
  await eventually(`kindred's watch cache to hold ${count} Databases`, async () => (await itemCount(kindred, DATABASES)) === count, { timeoutMs: 120_000, intervalMs: 250 });
  const apiServerHas = await itemCount(cluster.apiServer, HELM_RELEASES);
  if (apiServerHas !== count) throw new Error(`kube-apiserver lists ${apiServerHas} HelmReleases, expected ${count}`);
  const listed = await fetchOnce(kindred, DATABASES);
  const sides = { kindred, baseline: cluster.apiServer };
  const one = { kindred: `${DATABASES}/${objectName(0)}`, baseline: `${HELM_RELEASES}/${RELEASE_PREFIX}${objectName(0)}` };
  const scenario = (what: string) => `HelmRelease kind ${what} (baseline: kube-apiserver, the CRD)`;
  return [
    ...(await compareGets(settings, scenario('GET one object'), sides, one, { rate: '≥ 1× req/s', cpu: '' })),
    ...(await compareLists(settings, scenario(`LIST ${count} objects (${megabytes(listed)})`), sides, { kindred: DATABASES, baseline: HELM_RELEASES }, '≤ 1× time')),
  ];
}

export async function aggregatedScenario(settings: BenchSettings, cluster: BenchCluster): Promise<Row[]> {
  const sides = { kindred: cluster.aggregator, baseline: cluster.kindredViaFrontProxy };
  const listed = await fetchOnce(cluster.aggregator, COLLECTION);
  const one = `${COLLECTION}/${objectName(0)}`;
  const scenario = (what: string) => `aggregated ${what} (baseline: kindred direct)`;
  return [
    ...(await compareGets(settings, scenario('GET one object'), sides, { kindred: one, baseline: one }, { rate: '≥ 0.77× req/s', cpu: '' })),
    ...(await compareLists(settings, scenario(`LIST ${settings.objects} objects (${megabytes(listed)})`), sides, { kindred: COLLECTION, baseline: COLLECTION }, '≤ 1.3× time')),
  ];
}

/** One row per selected scenario, saying why it did not run. */
export function skippedRows(scenarios: readonly ClusterScenario[], reason: string): Row[] {
  const names: Record<ClusterScenario, string> = {
    'front-proxy': 'front-proxy GET/LIST',
    helmrelease: 'HelmRelease kind GET/LIST (baseline: kube-apiserver, the CRD)',
    aggregated: 'aggregated GET/LIST (baseline: kindred direct)',
  };
  return scenarios.map((s) => ({ scenario: names[s], protocol: '', figure: reason, kindred: Number.NaN, bare: Number.NaN, ratio: Number.NaN, goal: '' }));
}

/**
 * The selected cluster scenarios' rows. One control plane serves them all (its start, about
 * 15 s on 2 cores, is most of a short run's time). Without the binaries each selected
 * scenario gets a row saying it was skipped; under KINDRED_REQUIRE_CLUSTER=1 they are built
 * or the run fails.
 */
export async function clusterRows(selected: readonly ClusterScenario[], settings: BenchSettings, bare: ServerProcess): Promise<Row[]> {
  if (selected.length === 0) return [];
  const unavailable = await clusterUnavailable();
  if (unavailable) return skippedRows(selected, unavailable);
  const cluster = await startBenchCluster();
  const rows: Row[] = [];
  try {
    if (selected.includes('front-proxy') || selected.includes('aggregated')) await fillWidgets(settings, cluster);
    if (selected.includes('front-proxy')) rows.push(...(await frontProxyScenario(settings, cluster, bare)));
    if (selected.includes('helmrelease')) rows.push(...(await helmReleaseScenario(settings, cluster)));
    if (selected.includes('aggregated')) rows.push(...(await aggregatedScenario(settings, cluster)));
  } finally {
    await cluster.stop();
  }
  return rows;
}
