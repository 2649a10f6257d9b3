/**
 * What every request leaves behind, as kube-apiserver leaves it: an `Audit-Id` response
 * header (the aggregator's own when it sent one), one log line (httplog: verb, URI, user,
 * status, latency, audit ID, user agent, source address), and the apiserver_* request
 * metrics with kube's label values (apiserver_current_inflight_requests is the max-in-flight
 * filter's) (k8s.io/apiserver endpoints/metrics: the verb is the
 * reported verb, LIST/WATCH/APPLY apart from GET/PATCH; scope is resource, namespace or
 * cluster; component is "apiserver").
 */
import { randomUUID } from 'node:crypto';
import type { Exchange } from './exchange.ts';
import type { Logger } from 'pino';
import type { ApiServerMetrics } from './metrics.ts';
import { performance } from 'node:perf_hooks';
import type { WatchObserver } from './watch-writer.ts';
import type { RequestInfo, ResourceRequestInfo } from './request-info.ts';
import type { UserInfo } from './types/storage.ts';
import type { RegistrySnapshot } from './snapshot.ts';
import type { ServedResource } from './served-resource.ts';
import { decide, type AuditLog, type AuditRecord } from './audit.ts';

/** What the request pipeline has found out about a request by the time it ends. */
export interface ObservedState {
  info?: RequestInfo;
  user?: UserInfo;
  /** Set by the pipeline for every request; read by audit logging. */
  auditId?: string;
  /** The snapshot the request was served from: whether its kind's store is sensitive. */
  snapshot?: RegistrySnapshot;
  /** The served resource the request is about, once the server has resolved it. */
  resource?: ServedResource;
  /** The request body, once a handler has read it (audit at Request level and above). */
  requestBody?: () => Promise<Buffer>;
}

export interface ObserveOptions {
  /** Audit events per request (core/audit.ts); none when undefined. */
  audit?: AuditLog;
  /** One log line per request, as kube-apiserver's httplog writes at -v=3 and up. */
  logRequests?: boolean;
}

type ResourceLabels = Record<'verb' | 'group' | 'version' | 'resource' | 'subresource' | 'scope' | 'component', string>;

const REPORTED_VERBS: Record<string, string> = {
  get: 'GET',
  list: 'LIST',
  watch: 'WATCH',
  create: 'POST',
  update: 'PUT',
  patch: 'PATCH',
  delete: 'DELETE',
  deletecollection: 'DELETECOLLECTION',
};

/** The labels kube's request metrics carry for a request. */
export function requestLabels(info: RequestInfo | undefined, method: string, contentType: string): ResourceLabels {
  if (!info?.isResourceRequest) {
    return { verb: method.toUpperCase(), group: '', version: '', resource: '', subresource: '', scope: '', component: 'apiserver' };
  }
  let verb = REPORTED_VERBS[info.verb] ?? method.toUpperCase();
  if (verb === 'PATCH' && contentType.startsWith('application/apply-patch')) verb = 'APPLY';
  const scope = info.name !== undefined && info.nameInPath ? 'resource' : info.namespace !== undefined ? 'namespace' : 'cluster';
  return {
    verb,
    group: info.group,
    version: info.version,
    resource: info.resource,
    subresource: info.subresource ?? '',
    scope,
    component: 'apiserver',
  };
}

interface Series {
  requests: { inc(): void };
  duration: { observe(value: number): void };
  /** Unset for watches: their response has no size. */
  sizes?: { observe(value: number): void };
}
/**
 * The series of each label combination, found by what its labels are made of: per served
 * resource (a snapshot's objects), then by a short key; paths that name no served resource
 * share one map. A key made of every label, per request, showed in GET profiles.
 */
type SeriesCache = WeakMap<object, Map<string, Series>>;
const NO_RESOURCE = {};

/** `patchType`: the content type of a PATCH (APPLY is a PATCH of its own type), '' otherwise. */
function seriesOf(metrics: ApiServerMetrics, byResource: SeriesCache, served: { resource: object; info: ResourceRequestInfo } | undefined, method: string, patchType: string, dryRun: string, code: number): Series {
  let cache = byResource.get(served?.resource ?? NO_RESOURCE);
  if (!cache) byResource.set(served?.resource ?? NO_RESOURCE, (cache = new Map()));
  const info = served?.info;
  // The scope is the path's shape.
  const key = info
    ? `${method}|${patchType}|${info.verb}|${info.subresource ?? ''}|${info.nameInPath ? 'r' : info.namespace !== undefined ? 'n' : 'c'}|${dryRun}|${code}`
    : `${method}|${dryRun}|${code}`;
  let series = cache.get(key);
  if (!series) {
    const labels = requestLabels(info, method, patchType);
    series = {
      requests: metrics.requests.series({ ...labels, dry_run: dryRun, code: String(code) }),
      duration: metrics.requestDuration.series({ ...labels, dry_run: dryRun }),
      ...(labels.verb === 'WATCH' ? {} : { sizes: metrics.responseSizes.series(labels) }),
    };
    cache.set(key, series);
  }
  return series;
}

/** The first step of every request: Audit-Id, the request log line and the request metrics. */
export function observeRequests(metrics: ApiServerMetrics, log: Logger, options: ObserveOptions = {}): (ctx: Exchange<ObservedState>, next: () => Promise<void>) => Promise<void> {
  const series: SeriesCache = new WeakMap();
  return async (ctx, next) => {
    const started = performance.now();
    // Only audit events carry the time a request arrived.
    const received = options.audit ? new Date() : undefined;
    const state = ctx.state;
    const incoming = ctx.req.headers['audit-id'];
    const auditId = typeof incoming === 'string' && incoming !== '' && incoming.length <= 128 ? incoming : randomUUID();
    state.auditId = auditId;
    ctx.res.setHeader('Audit-Id', auditId);
    try {
      await next();
    } finally {
      // A path naming no served resource is counted without one: anyone could mint labels otherwise.
      const info = state.info;
      const resource = info?.isResourceRequest ? (state.resource ?? state.snapshot?.lookup(info.group, info.version, info.resource)) : undefined;
      const served = resource && info?.isResourceRequest ? { resource, info } : undefined;
      const seconds = (performance.now() - started) / 1000;
      const dryRun = info && info.query.size > 0 ? info.query.getAll('dryRun').join(',') : '';
      const status = ctx.status;
      const patchType = ctx.method === 'PATCH' ? ctx.header('content-type').toLowerCase() : '';
      const counted = seriesOf(metrics, series, served, ctx.method, patchType, dryRun, status);
      counted.requests.inc();
      counted.duration.observe(seconds);
      const size = ctx.length;
      if (typeof size === 'number') counted.sizes?.observe(size);
      if (options.logRequests) {
        log.info(
          {
            verb: requestLabels(served?.info, ctx.method, patchType).verb,
            URI: ctx.url,
            user: state.user?.username,
            resp: status,
            latency: `${(seconds * 1000).toFixed(3)}ms`,
            auditID: auditId,
            userAgent: ctx.header('user-agent'),
            srcIP: `${ctx.req.socket.remoteAddress ?? ''}:${ctx.req.socket.remotePort ?? ''}`,
          },
          'HTTP',
        );
      }
      if (options.audit && info) await audit(options.audit, ctx, state, auditId, received!);
    }
  };
}

/** Writes a finished request's audit events (RequestReceived, then ResponseComplete). */
async function audit(log: AuditLog, ctx: Exchange<ObservedState>, state: ObservedState, auditId: string, received: Date): Promise<void> {
  const info = state.info!;
  const sensitive = info.isResourceRequest && state.snapshot?.lookup(info.group, info.version, info.resource)?.store.sensitive === true;
  const decision = decide(log.policy, state.user, info, sensitive);
  if (decision.level === 'None') return;
  const record: AuditRecord = {
    auditId,
    stage: 'RequestReceived',
    info,
    method: ctx.method,
    requestURI: ctx.url,
    user: state.user,
    sourceIP: ctx.req.socket.remoteAddress ?? '',
    userAgent: ctx.header('user-agent'),
    received,
  };
  if (decision.level !== 'Metadata' && state.requestBody && (ctx.header('content-type') || 'application/json').includes('json')) {
    record.requestObject = jsonOf(await state.requestBody().catch(() => undefined));
  }
  log.write(decision, record, received);
  const status = jsonOf(typeof ctx.body === 'string' || Buffer.isBuffer(ctx.body) ? ctx.body : undefined) as { kind?: string; status?: string; reason?: string; message?: string } | undefined;
  const failed = status?.kind === 'Status' ? { status: status.status, reason: status.reason, message: status.message } : undefined;
  log.write(decision, {
    ...record,
    stage: 'ResponseComplete',
    code: ctx.status,
    ...(failed ? { status: failed } : {}),
    ...(decision.level === 'RequestResponse' && status ? { responseObject: status } : {}),
  });
}

/** A JSON body as a value; undefined when absent, too large to audit or not JSON. */
function jsonOf(body: string | Buffer | undefined): unknown {
  if (body === undefined || body.length === 0 || body.length > 3 * 1024 * 1024) return undefined;
  try {
    return JSON.parse(body.toString());
  } catch {
    return undefined;
  }
}

/**
 * A watch counted in kube's watch metrics: its events, its open watch, and the request as
 * long-running while it is open. Hooks the writer calls, not a wrapping async generator:
 * that would add a trip through the event loop per chunk for every watcher.
 */
export function watchMetrics(
  metrics: ApiServerMetrics,
  kind: { group: string; version: string; kind: string },
  labels: ResourceLabels,
): WatchObserver {
  // Found once per watch: a plain addition per chunk after that (core/metric-series.ts).
  const events = metrics.watchEvents.series(kind);
  return {
    opened: () => {
      metrics.registeredWatchers.inc(kind);
      metrics.longRunning.inc(labels);
    },
    sent: (chunk) => events.inc(chunk.events),
    closed: () => {
      metrics.registeredWatchers.dec(kind);
      metrics.longRunning.dec(labels);
    },
  };
}
