/**
 * Non-resource endpoints: health, metrics, version, discovery and OpenAPI. Every body here was
 * computed once per snapshot; a request only picks it and compares ETags.
 */
import type { NonResourceRequestInfo } from './request-info.ts';
import type { RegistrySnapshot } from './snapshot.ts';
import type { PreparedDocument } from './prepared-document.ts';
import { negotiateDiscovery, negotiatePlainJson, parseAccept } from './negotiation.ts';
import { notAcceptable, pathNotFound } from './status.ts';
import { versionInfo } from './version-info.ts';

export interface RouteReply {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

export interface RouteInput {
  info: NonResourceRequestInfo;
  snapshot: RegistrySnapshot;
  accept: string | undefined;
  ifNoneMatch: string | undefined;
  /** Lines for `/readyz?verbose`, from the server's health checks. */
  readiness: () => { ready: boolean; checks: string[] };
  /** Whether the caller authenticated: only then does verbose health say more than each check's name. */
  authenticated?: boolean;
}

export const HEALTH_PATHS = new Set(['/healthz', '/livez', '/readyz']);

/** Prometheus metrics. Unlike health, it needs authentication and authorization, as in kube-apiserver. */
export const METRICS_PATH = '/metrics';

/** Answers `GET /metrics` (async: prom-client collects on demand). */
export async function metricsReply(
  info: NonResourceRequestInfo,
  metrics: { render(): Promise<{ contentType: string; body: string }> },
): Promise<RouteReply> {
  if (info.verb !== 'get' && info.verb !== 'head') throw pathNotFound();
  const { contentType, body } = await metrics.render();
  return { status: 200, headers: { 'content-type': contentType }, body };
}

function json(doc: PreparedDocument, input: RouteInput, contentType = 'application/json', extra: Record<string, string> = {}): RouteReply {
  const headers = { 'content-type': contentType, etag: doc.etag, vary: 'Accept', ...extra };
  if (input.ifNoneMatch === doc.etag) return { status: 304, headers, body: undefined };
  return { status: 200, headers, body: doc.body };
}

function health(input: RouteInput): RouteReply {
  const text = { 'content-type': 'text/plain; charset=utf-8' };
  if (input.info.path !== '/readyz') return { status: 200, headers: text, body: 'ok' };
  const { ready, checks } = input.readiness();
  const verbose = input.info.query.has('verbose');
  const lines = input.authenticated ? checks : checks.map(withoutDetails);
  const body = verbose ? `${lines.join('\n')}\nreadyz check ${ready ? 'passed' : 'failed'}\n` : ready ? 'ok' : 'not ready';
  return { status: ready ? 200 : 500, headers: text, body };
}

/**
 * `[+]config ok: serving … from /etc/kindred/…` → `[+]config ok`. Anyone may read health, so a
 * check's details (config paths, hashes, errors) stay with authenticated callers; kube-apiserver
 * answers `[-]name failed: reason withheld` to everyone.
 */
function withoutDetails(line: string): string {
  const match = /^(\[[+-]\]\S+ (?:ok|failed))/.exec(line);
  if (!match) return '[?]check';
  return line.startsWith('[-]') ? `${match[1]}: reason withheld` : match[1]!;
}

function apis(input: RouteInput): RouteReply {
  const [, group, version] = input.info.parts;
  const discovery = input.snapshot.discovery;
  if (group === undefined) {
    const wanted = negotiateDiscovery(input.accept);
    if (wanted.kind === 'legacy') return json(discovery.groupList, input);
    return json(
      discovery.aggregated[wanted.version],
      input,
      `application/json;g=apidiscovery.k8s.io;v=${wanted.version};as=APIGroupDiscoveryList`,
      { 'cache-control': 'public' },
    );
  }
  negotiatePlainJson(input.accept);
  const doc = version === undefined ? discovery.groups.get(group) : discovery.resourceLists.get(`${group}/${version}`);
  if (!doc) throw pathNotFound();
  return json(doc, input);
}

const PROTOBUF_V2 = ['application/com.github.proto-openapi.spec.v2@v1.0+protobuf', 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf'];

function openapiV2(input: RouteInput): RouteReply {
  for (const clause of parseAccept(input.accept)) {
    const type = `${clause.type}/${clause.subtype}`;
    if (PROTOBUF_V2.includes(type)) {
      const { body, etag } = input.snapshot.openapi.v2Protobuf();
      // Always the dotted form: Go's mime parser (kubectl) rejects the '@' one (kube-openapi handler.go does the same).
      const headers = { 'content-type': PROTOBUF_V2[1]!, etag, vary: 'Accept' };
      return input.ifNoneMatch === etag ? { status: 304, headers, body: undefined } : { status: 200, headers, body };
    }
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return json(input.snapshot.openapi.v2(), input);
  }
  throw notAcceptable(['application/json', ...PROTOBUF_V2]);
}

function openapiV3(input: RouteInput): RouteReply {
  negotiatePlainJson(input.accept);
  const parts = input.info.parts;
  if (parts.length === 2) return json(input.snapshot.openapi.v3Root(), input);
  if (parts[2] !== 'apis' || parts.length !== 5) throw pathNotFound();
  const doc = input.snapshot.openapi.v3(`${parts[3]}/${parts[4]}`);
  if (!doc) throw pathNotFound();
  // A request naming the current hash may be cached for good: the hash changes with the content.
  // A stale hash gets the current body without those headers, never a redirect (an aggregator turns 3xx into 502).
  const immutable: Record<string, string> =
    input.info.query.get('hash') === doc.hash
      ? { 'cache-control': 'public, immutable', expires: new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString() }
      : {};
  return json(doc, input, 'application/json', immutable);
}

/** Answers a non-resource request, or throws a StatusError (404 for anything unknown). */
export function routeNonResource(input: RouteInput): RouteReply {
  const { info } = input;
  if (info.verb !== 'get' && info.verb !== 'head') throw pathNotFound();
  if (HEALTH_PATHS.has(info.path)) return health(input);
  const [first, second] = info.parts;
  if (info.path === '/version') {
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(versionInfo()) };
  }
  if (first === 'apis' && info.parts.length <= 3) return apis(input);
  if (first === 'openapi' && second === 'v2' && info.parts.length === 2) return openapiV2(input);
  if (first === 'openapi' && second === 'v3') return openapiV3(input);
  // `/api` is the core group, which kindred does not serve: clients treat the 404 as "no legacy group".
  throw pathNotFound();
}
