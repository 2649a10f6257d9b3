/**
 * kindred's Prometheus metrics, served on `/metrics`. Each server has its own registry (not
 * prom-client's global one), so that several servers in one process (the tests) do not mix.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { SeriesCounter, SeriesHistogram } from './metric-series.ts';

/** How a reload ended: swapped in, rejected (old config kept), or nothing had changed. */
export type ReloadResult = 'success' | 'failure' | 'unchanged';

export interface KindredMetrics {
  readonly registry: Registry;
  /** `kindred_config_reloads_total{result}`: every reload attempt after the first load. */
  readonly configReloads: Counter<'result'>;
  /** `kindred_config_reload_duration_seconds{result}`: read → validate → build → swap. */
  readonly configReloadDuration: Histogram<'result'>;
  /** `kindred_config_last_reload_successful`: 1 when the last attempt succeeded (or changed nothing), 0 after a rejection. */
  readonly configLastReloadSuccessful: Gauge;
  /** `kindred_config_last_reload_success_timestamp_seconds`: when the active config was swapped in. */
  readonly configLastSuccessTimestamp: Gauge;
  /** `kindred_config_info{hash}`: 1 for the active config's hash. */
  readonly configInfo: Gauge<'hash'>;
  /** `kindred_served_kinds`: kinds in the active snapshot. */
  readonly servedKinds: Gauge;
  /** `apiserver_current_inflight_requests{request_kind}`: requests counted by the max-in-flight filter. */
  readonly currentInflightRequests: Gauge<'request_kind'>;
  /** Where the gauge above reads its values when scraped. */
  observeInFlight(source: () => { readOnly: number; mutating: number }): void;
  /** kube-apiserver's request metrics, with its names and labels (see core/request-metrics.ts). */
  readonly api: ApiServerMetrics;
  /** The text exposition format, for `/metrics`. */
  render(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(): KindredMetrics {
  const registry = new Registry();
  const registers = [registry];
  let inFlight: () => { readOnly: number; mutating: number } = () => ({ readOnly: 0, mutating: 0 });
  const metrics: KindredMetrics = {
    registry,
    configReloads: new Counter({
      name: 'kindred_config_reloads_total',
      help: 'Config reload attempts, by result (success, failure, unchanged).',
      labelNames: ['result'],
      registers,
    }),
    configReloadDuration: new Histogram({
      name: 'kindred_config_reload_duration_seconds',
      help: 'Time from reading the config to swapping in the new registry snapshot, by result.',
      labelNames: ['result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    configLastReloadSuccessful: new Gauge({
      name: 'kindred_config_last_reload_successful',
      help: 'Whether the last config reload attempt succeeded (1) or was rejected (0).',
      registers,
    }),
    configLastSuccessTimestamp: new Gauge({
      name: 'kindred_config_last_reload_success_timestamp_seconds',
      help: 'Unix time at which the active config was swapped in.',
      registers,
    }),
    configInfo: new Gauge({
      name: 'kindred_config_info',
      help: 'The active config, by its sha256 hash (value 1).',
      labelNames: ['hash'],
      registers,
    }),
    servedKinds: new Gauge({ name: 'kindred_served_kinds', help: 'Kinds in the active registry snapshot.', registers }),
    currentInflightRequests: new Gauge({
      name: 'apiserver_current_inflight_requests',
      help: 'Requests in flight, counted against --max-requests-inflight (readOnly) and --max-mutating-requests-inflight (mutating).',
      labelNames: ['request_kind'],
      registers,
      collect() {
        const now = inFlight();
        this.set({ request_kind: 'readOnly' }, now.readOnly);
        this.set({ request_kind: 'mutating' }, now.mutating);
      },
    }),
    observeInFlight(source) {
      inFlight = source;
    },
    api: apiServerMetrics(registers),
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
  // process_* and nodejs_*, as every Node exporter has them; gathered at scrape time.
  collectDefaultMetrics({ register: registry });
  // Present from the start, so a dashboard sees 0 rather than no series.
  for (const result of ['success', 'failure', 'unchanged'] as const) metrics.configReloads.inc({ result }, 0);
  return metrics;
}

const RESOURCE_LABELS = ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;
const KIND_LABELS = ['group', 'version', 'kind'] as const;

/**
 * The request metrics of k8s.io/apiserver `pkg/endpoints/metrics/metrics.go`, so dashboards
 * and alerts written for API servers work unchanged: same names, labels and buckets.
 */
export interface ApiServerMetrics {
  /** Per request: series made once per label combination (core/metric-series.ts). */
  readonly requests: SeriesCounter;
  readonly requestDuration: SeriesHistogram;
  readonly responseSizes: SeriesHistogram;
  readonly longRunning: Gauge<(typeof RESOURCE_LABELS)[number]>;
  /** Per chunk of watch events per watcher: the hottest counter of all. */
  readonly watchEvents: SeriesCounter;
  readonly registeredWatchers: Gauge<(typeof KIND_LABELS)[number]>;
}

function apiServerMetrics(registers: Registry[]): ApiServerMetrics {
  return {
    requests: new SeriesCounter({
      name: 'apiserver_request_total',
      help: 'Requests answered, by verb, dry run, group, version, resource, subresource, scope, component and HTTP status code.',
      registers,
    }),
    requestDuration: new SeriesHistogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Time from receiving a request to finishing its response, in seconds.',
      buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
      registers,
    }),
    responseSizes: new SeriesHistogram({
      name: 'apiserver_response_sizes',
      help: 'Size of response bodies in bytes.',
      buckets: [1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000],
      registers,
    }),
    longRunning: new Gauge({
      name: 'apiserver_longrunning_requests',
      help: 'Long-running requests (watches) open now.',
      labelNames: [...RESOURCE_LABELS],
      registers,
    }),
    watchEvents: new SeriesCounter({ name: 'apiserver_watch_events_total', help: 'Watch events sent to clients.', registers }),
    registeredWatchers: new Gauge({
      name: 'apiserver_registered_watchers',
      help: 'Watches open now, by kind.',
      labelNames: [...KIND_LABELS],
      registers,
    }),
  };
}
