/**
 * The HTTP server: one TLS port speaking HTTP/2 and HTTP/1.1, each request an Exchange
 * (exchange.ts: no web framework, see there why). The request
 * pipeline, one job per step:
 *
 *   observe (Audit-Id, log line, metrics; request-metrics.ts) → serve: errors → request info
 *     → timeout (not watches) → authenticate → max in flight → authorize → route
 *
 * Every request reads the registry snapshot once, at its start, and keeps it to the end.
 * Connections (timeouts, graceful close) are connections.ts's; shutdown is `shutdown()`.
 */
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { ClientGone, IncomingRequest, type ServerSide } from './incoming-request.ts';
import type { ServedResource } from './served-resource.ts';
import { Exchange, sendAnswer, type NodeRequest, type NodeResponse } from './exchange.ts';
import type { Logger } from 'pino';
import { parseRequestInfo, type NonResourceRequestInfo, type RequestInfo } from './request-info.ts';
import type { RegistrySnapshot } from './snapshot.ts';
import type { UserInfo } from './types/storage.ts';
import { StatusError, toStatusError, unauthorized } from './status.ts';
import { HEALTH_PATHS, METRICS_PATH, metricsReply, routeNonResource, type RouteReply } from './non-resource-routes.ts';
import { InFlightRequests } from './in-flight.ts';
import type { KindredMetrics } from './metrics.ts';
import { observeRequests, requestLabels, watchMetrics, type ObservedState } from './request-metrics.ts';
import type { AuditLog } from './audit.ts';
import { handleResourceRequest, resolveResource } from './handlers/index.ts';
import { refOf, type Reply } from './handlers/request.ts';
import { isPromise, type Authenticator, type Authorizer, type MaybePromise } from './auth/types.ts';
import type { NamespaceAdmission } from './admission/namespace-lifecycle.ts';
import { MaxInFlightLimit, type MaxInFlightOptions } from './max-in-flight.ts';
import { ConnectionTracker, DEFAULT_CONNECTION_TIMEOUTS, type ConnectionTimeouts } from './connections.ts';
import { writeWatch, type WatchObserver } from './watch-writer.ts';
import type { WatchBacklogLimits } from './handlers/watch-backlog.ts';
import { encodeJson } from '../lib/json.ts';

export interface ServerOptions {
  tls: { certPem: string; keyPem: string; clientCaPems: string[] };
  authenticate: Authenticator;
  authorize: Authorizer;
  /** Paths served without authentication or authorization (k8s.io/apiserver's always-allow paths). */
  alwaysAllowPaths?: readonly string[];
  log: Logger;
  now?: () => Date;
  /** One info line per request (httplog; kube writes them from -v=3). */
  logRequests?: boolean;
  /** `--audit-log-path`: an audit event per request stage (core/audit.ts). */
  audit?: AuditLog;
  /** Served on `/metrics` and fed by every request when set. */
  metrics?: Pick<KindredMetrics, 'render' | 'api'>;
  /** Refuses creates in missing or terminating namespaces (aggregated mode). */
  namespaceAdmission?: NamespaceAdmission;
  /**
   * Requests other than watches that run longer end with 504 (kube-apiserver's
   * `--request-timeout`, default 60 s). Watches are long-running and exempt.
   */
  requestTimeoutMs?: number;
  /** `--max-requests-inflight` / `--max-mutating-requests-inflight` (default 400 / 200). */
  maxInFlight?: MaxInFlightOptions;
  /**
   * `--http2-max-streams-per-connection`: advertised in SETTINGS; 0 or unset means 100,
   * k8s.io/apiserver's default (it matches what Go clients assume before SETTINGS arrive).
   */
  http2MaxStreamsPerConnection?: number;
  /** Header and idle timeouts (connections.ts; defaults are kube's). */
  connectionTimeouts?: Partial<ConnectionTimeouts>;
  /** How far a watch's client may fall behind before it is closed (handlers/watch-backlog.ts). */
  watchBacklog?: WatchBacklogLimits;
}

/** kube's `MaxHeaderBytes: 1 << 20`, for HTTP/1 headers and the HTTP/2 header list alike. */
const MAX_HEADER_BYTES = 1 << 20;

/** How a graceful shutdown proceeds (`shutdown()`). */
export interface ShutdownOptions {
  /** `--shutdown-delay-duration`: keep serving this long after /readyz starts failing (default 0). */
  delayMs: number;
  /** How long in-flight requests may take to finish before their connections are cut (default 60 s). */
  graceMs: number;
}

interface State {
  info: RequestInfo;
  snapshot: RegistrySnapshot;
  user?: UserInfo;
  /** The served resource the request is about, once resolved (error messages name it). */
  resource?: ServedResource;
}

/** A request as the pipeline sees it: what it has found out so far, which observe reads at the end. */
type ServedExchange = Exchange<Partial<State> & ObservedState>;

export class KindredServer {
  #snapshot: RegistrySnapshot;
  readonly #options: ServerOptions;
  readonly #observe: (exchange: ServedExchange, next: () => Promise<void>) => Promise<void>;
  readonly #http: Http2SecureServer;
  readonly #connections: ConnectionTracker;
  readonly #maxInFlight: MaxInFlightLimit;
  /** Open watches, to end them cleanly at shutdown. */
  readonly #watches = new Set<AbortController>();
  #shuttingDown = false;
  #readiness: () => { ready: boolean; checks: string[] } = () => ({ ready: true, checks: ['[+]ping ok'] });
  readonly #serverSide: ServerSide;
  /** Requests (not watches) still running, by the snapshot they started on: a reload closes removed stores once drained. */
  readonly inFlight = new InFlightRequests();

  constructor(snapshot: RegistrySnapshot, options: ServerOptions) {
    this.#snapshot = snapshot;
    this.#options = options;
    this.#serverSide = {
      log: options.log,
      now: options.now ?? (() => new Date()),
      namespaceAdmission: options.namespaceAdmission,
      watchBacklog: options.watchBacklog,
    };
    this.#maxInFlight = new MaxInFlightLimit(options.maxInFlight);
    this.#observe = options.metrics
      ? observeRequests(options.metrics.api, options.log, { ...(options.audit ? { audit: options.audit } : {}), logRequests: options.logRequests === true })
      : this.#logRequests;
    this.#http = createSecureServer(
      {
        allowHTTP1: true,
        cert: options.tls.certPem,
        key: options.tls.keyPem,
        // Also the acceptable-CA list of the handshake: Go clients (the aggregator) send their
        // certificate only if its issuer is listed (crypto/tls getClientCertificate).
        ca: options.tls.clientCaPems,
        requestCert: true,
        // Client certificates are optional (tokens, front-proxy): they are checked per request.
        rejectUnauthorized: false,
        ...connectionLimits(options),
      },
      this.#handle as never,
    );
    // Above Go's 90 s idle timeout, so clients close idle connections first.
    (this.#http as unknown as { keepAliveTimeout: number }).keepAliveTimeout = 120_000;
    // Node's HTTP/1 parser reads its limit (default 16 KiB) from this property of the server.
    (this.#http as unknown as { maxHeaderSize: number }).maxHeaderSize = MAX_HEADER_BYTES;
    this.#connections = new ConnectionTracker(this.#http, { ...DEFAULT_CONNECTION_TIMEOUTS, ...options.connectionTimeouts });
    // A connection's client certificate is checked once (core/auth/x509.ts), so it must not
    // change: refuse TLS 1.2 renegotiation, as Go's crypto/tls server always does.
    this.#http.on('secureConnection', (socket: TLSSocket) => socket.disableRenegotiation());
  }

  /** Requests counted by the max-in-flight filter now: `apiserver_current_inflight_requests`. */
  get inFlightByKind(): Readonly<{ readOnly: number; mutating: number }> {
    return this.#maxInFlight.running;
  }

  get snapshot(): RegistrySnapshot {
    return this.#snapshot;
  }

  /** Serves `next` from now on; requests in flight finish on the snapshot they started with. */
  swap(next: RegistrySnapshot): void {
    this.#snapshot = next;
  }

  /**
   * Serves new TLS material to new connections (a rotated serving certificate, changed client
   * CAs); open connections keep theirs, as Go's dynamic certificates do.
   */
  setTls(tls: ServerOptions['tls']): void {
    this.#http.setSecureContext({ cert: tls.certPem, key: tls.keyPem, ca: tls.clientCaPems });
  }

  setReadiness(check: () => { ready: boolean; checks: string[] }): void {
    this.#readiness = check;
  }

  /** The readiness checks, with kube's `shutdown` check failing once shutdown began. */
  #ready(): { ready: boolean; checks: string[] } {
    const { ready, checks } = this.#readiness();
    if (!this.#shuttingDown) return { ready, checks: [...checks, '[+]shutdown ok'] };
    return { ready: false, checks: [...checks, '[-]shutdown failed: reason withheld'] };
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(port, host, () => {
        this.#http.off('error', reject);
        resolve();
      });
    });
    return this.#http.address() as AddressInfo;
  }

  /** Stops at once: every connection is cut, whatever it was doing. */
  async close(): Promise<void> {
    this.#shuttingDown = true;
    await new Promise<void>((resolve) => {
      this.#http.close(() => resolve());
      // Open watches and idle keep-alive connections would hold close() forever. An HTTP/2
      // server has no closeAllConnections, and the aggregator keeps its sessions open for good.
      this.#connections.destroyAll();
    });
  }

  /**
   * Stops as kube-apiserver does on SIGTERM: /readyz fails at once; after `delayMs` (during
   * which everything is still served, so load balancers can notice) no new connection is
   * accepted, open watches end cleanly (their clients re-watch elsewhere), and the requests
   * in flight finish; connections still busy after `graceMs` are cut.
   */
  async shutdown(options: ShutdownOptions): Promise<void> {
    this.#shuttingDown = true;
    if (options.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    const closed = new Promise<void>((resolve) => this.#http.close(() => resolve()));
    for (const watch of this.#watches) watch.abort();
    await this.#connections.drain(options.graceMs);
    await closed;
  }

  /** Node's request handler: observe → serve, then the answer goes out. */
  readonly #handle = (req: NodeRequest, res: NodeResponse): void => {
    const exchange: ServedExchange = new Exchange(req, res, {});
    this.#observe(exchange, () => this.#serve(exchange)).then(
      () => sendAnswer(exchange),
      (error: unknown) => {
        // Serve answers every error; one that escapes observe (e.g. the audit log failing) is a bug.
        const status = toStatusError(error, undefined, (bug) => this.#options.log.error({ err: bug, url: exchange.url }, 'request failed outside the pipeline: a bug'));
        if (!exchange.respond || res.headersSent) return void res.destroy();
        exchange.json(status.status.code, JSON.stringify(status.status));
        sendAnswer(exchange);
      },
    )
      // Writing the answer itself failed (a response node refuses): that connection ends,
      // never the process (an unhandled rejection would be fatal).
      .catch((error: unknown) => {
        this.#options.log.error({ err: error, url: exchange.url }, 'writing the answer failed');
        res.destroy();
      });
  };

  readonly #logRequests = async (ctx: ServedExchange, next: () => Promise<void>): Promise<void> => {
    // Off (the default level) costs nothing per request: no clock read, no log record built.
    if (!this.#options.log.isLevelEnabled('debug')) return next();
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const state = ctx.state;
      this.#options.log.debug({ method: ctx.method, url: ctx.url, status: ctx.status, ms, user: state.user?.username }, 'request');
    }
  };

  /**
   * Every request after `observe`, one step after the other: request info → timeout (not
   * watches) → authenticate → max in flight → authorize → route; a thrown error becomes the
   * Status answer. Plain calls rather than a middleware chain: each hop of one costs a promise
   * and closures per request, which showed in GET profiles (issue 15).
   */
  readonly #serve = async (ctx: ServedExchange): Promise<void> => {
    const state = ctx.state as State;
    let leave: (() => void) | undefined;
    try {
      state.info = parseRequestInfo(ctx.method, ctx.url);
      state.snapshot = this.#snapshot;
      if (state.info.verb === 'watch') return await this.#admitAndRoute(ctx, state);
      leave = this.inFlight.enter(state.snapshot);
      await this.#withinTimeout(this.#admitAndRoute(ctx, state));
    } catch (error) {
      this.#answerError(ctx, error);
    } finally {
      leave?.();
    }
  };

  #answerError(ctx: ServedExchange, error: unknown): void {
    const { resource, info } = ctx.state;
    // Once the path has named a served resource, error messages name it.
    const ref = resource && info?.isResourceRequest ? refOf({ resource, info }) : undefined;
    const status = toStatusError(error, ref, (bug) => this.#options.log.error({ err: bug, url: ctx.url }, 'unconverted error: a bug')).status;
    // The unread rest of a refused body would be parsed as the next request: close an HTTP/1 connection.
    if (status.code === 413 && ctx.req.httpVersionMajor === 1) ctx.set('Connection', 'close');
    if ((status.code === 503 || status.code === 429) && status.details?.retryAfterSeconds) ctx.set('Retry-After', String(status.details.retryAfterSeconds));
    ctx.json(status.code, JSON.stringify(status));
  }

  /** Ends a slow request with 504 (kube-apiserver's `--request-timeout`); watches never come here. */
  #withinTimeout(work: Promise<void>): Promise<void> {
    const limit = this.#options.requestTimeoutMs ?? 60_000;
    if (limit <= 0) return work;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new StatusError(504, 'Timeout', 'request did not complete within the allotted timeout', { retryAfterSeconds: 1 })), limit);
      work.then(
        () => (clearTimeout(timer), resolve()),
        (error: unknown) => (clearTimeout(timer), reject(error)),
      );
    });
  }

  #isPublic(path: string): boolean {
    return HEALTH_PATHS.has(path) || (this.#options.alwaysAllowPaths ?? []).includes(path);
  }

  /** Authenticate → max in flight (429) → authorize → route. */
  async #admitAndRoute(ctx: ServedExchange, state: State): Promise<void> {
    const info = state.info;
    const isPublic = this.#isPublic(info.path);
    if (!isPublic) {
      // Awaited only when the authenticator has to wait (see MaybePromise).
      const found = this.#userOf(ctx);
      const user = isPromise(found) ? await found : found;
      if (!user) throw unauthorized();
      state.user = user;
    } else if (HEALTH_PATHS.has(info.path) && info.query.has('verbose')) {
      // Public, but only an authenticated caller sees the details of `/readyz?verbose`.
      const user = await Promise.resolve()
        .then(() => this.#userOf(ctx))
        .catch(() => undefined);
      if (user) state.user = user;
    }
    const release = this.#maxInFlight.admit(info, state.user, HEALTH_PATHS.has(info.path));
    try {
      if (!isPublic) {
        const pending = this.#options.authorize(state.user!, info);
        const decision = isPromise(pending) ? await pending : pending;
        if (!decision.allowed) throw forbidden(state.user!, info, decision.reason);
      }
      await this.#route(ctx, state);
    } finally {
      release?.();
    }
  }

  #userOf(ctx: ServedExchange): MaybePromise<UserInfo | undefined> {
    const req = ctx.req as unknown as { socket: TLSSocket; stream?: { session?: { socket: TLSSocket } }; headersDistinct?: Record<string, string[]> };
    return this.#options.authenticate({
      // An HTTP/2 request's own `socket` is a new proxy per stream; the session's is one per connection.
      socket: req.stream?.session?.socket ?? req.socket,
      headers: ctx.req.headers,
      // HTTP/2 requests (the aggregator's) have no headersDistinct: fall back to rawHeaders,
      // which keeps every repeated header (X-Remote-Group) as its own entry.
      headerValues: (name) => req.headersDistinct?.[name.toLowerCase()] ?? rawHeaderValues(ctx.req.rawHeaders, name),
    });
  }

  /** A path outside the resource grammar: discovery, OpenAPI, health, /version, /metrics. */
  async #answerNonResource(ctx: ServedExchange, state: State, info: NonResourceRequestInfo): Promise<void> {
    const metrics = this.#options.metrics;
    const reply: RouteReply = info.path === METRICS_PATH && metrics ? await metricsReply(info, metrics) : routeNonResource({
      info,
      snapshot: state.snapshot,
      accept: ctx.header('accept') || undefined,
      ifNoneMatch: ctx.header('if-none-match') || undefined,
      readiness: () => this.#ready(),
      authenticated: state.user !== undefined,
    });
    ctx.status = reply.status;
    for (const [name, value] of Object.entries(reply.headers)) ctx.set(name, value);
    if (reply.body !== undefined) ctx.body = typeof reply.body === 'string' ? reply.body : Buffer.from(reply.body);
  }

  /**
   * A resource request: the verb's handler, then its reply. A reply with a body is set without
   * another async hop (#answer); only a watch is awaited (#stream).
   */
  async #route(ctx: ServedExchange, state: State): Promise<void> {
    const info = state.info;
    if (!info.isResourceRequest) return this.#answerNonResource(ctx, state, info);
    const resource = resolveResource(state.snapshot, info);
    state.resource = resource;
    const request = new IncomingRequest(ctx.req, ctx.res, { info, resource, snapshot: state.snapshot, user: state.user! }, this.#serverSide);
    ctx.state.requestBody = request.body;
    const reply = await handleResourceRequest(request);
    if (request.warnings.length > 0) ctx.set('Warning', request.warnings.map((w) => `299 - ${JSON.stringify(w)}`));
    if (!('stream' in reply)) return this.#answer(ctx, reply);
    let observer: WatchObserver | undefined;
    if (this.#options.metrics) {
      const labels = requestLabels(info, ctx.method, request.contentType);
      const kind = { group: resource.group, version: resource.version.name, kind: resource.kind.names.kind };
      observer = watchMetrics(this.#options.metrics.api, kind, labels);
    }
    await this.#stream(ctx, reply, request.clientGone, observer);
  }

  /** A reply with a body: set on the exchange, which sends it once the pipeline is done. */
  #answer(ctx: ServedExchange, reply: Exclude<Reply, { stream: unknown }>): void {
    if ('body' in reply) {
      ctx.json(reply.status, encodeJson(reply.body));
      return;
    }
    if (Buffer.isBuffer(reply.json)) {
      ctx.json(reply.status, reply.json);
      return;
    }
    // Pieces (a list's objects) go out in batches, as the socket drains: a large list is
    // never copied into one buffer, and its length is still known up front.
    let length = 0;
    for (const piece of reply.json) length += piece.length;
    ctx.json(reply.status, Readable.from(batches(reply.json), { objectMode: false }));
    ctx.streamLength = length;
  }

  /** A watch: written by hand, at the pace its client reads (watch-writer.ts). */
  async #stream(ctx: ServedExchange, reply: Extract<Reply, { stream: unknown }>, clientGone: ClientGone, observer?: WatchObserver): Promise<void> {
    ctx.respond = false;
    ctx.status = reply.status;
    const controller = clientGone.controller();
    this.#watches.add(controller);
    try {
      const outcome = await writeWatch(ctx.res, reply, controller, observer);
      if (outcome === 'stalled') this.#options.log.warn({ url: ctx.url, reason: String(reply.stalled?.reason) }, 'closed a watch whose client fell behind');
    } finally {
      this.#watches.delete(controller);
    }
  }
}

/** TLS and HTTP/2 options that bound what one connection may hold: kube's values. */
function connectionLimits(options: ServerOptions): Record<string, unknown> {
  const streams = options.http2MaxStreamsPerConnection || 100;
  return {
    // Go bounds the handshake by ReadHeaderTimeout too (net/http's tlsHandshakeTimeout).
    handshakeTimeout: options.connectionTimeouts?.headerTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUTS.headerTimeoutMs,
    settings: { maxConcurrentStreams: streams, maxHeaderListSize: MAX_HEADER_BYTES },
  };
}

/** Consecutive pieces joined into writes of about 64 KiB. */
function* batches(pieces: readonly Buffer[]): Generator<Buffer> {
  const target = 64 * 1024;
  let batch: Buffer[] = [];
  let size = 0;
  for (const piece of pieces) {
    batch.push(piece);
    size += piece.length;
    if (size >= target) {
      yield batch.length === 1 ? piece : Buffer.concat(batch, size);
      batch = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(batch, size);
}

/** Every value of header `name` in Node's flat [name, value, name, value...] list. */
function rawHeaderValues(raw: readonly string[], name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (raw[i]!.toLowerCase() === wanted) values.push(raw[i + 1]!);
  return values;
}

function forbidden(user: UserInfo, info: RequestInfo, reason?: string): StatusError {
  const why = reason ? `: ${reason}` : '';
  if (!info.isResourceRequest) {
    return new StatusError(403, 'Forbidden', `forbidden: User "${user.username}" cannot ${info.verb} path "${info.path}"${why}`, {});
  }
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const scope = info.namespace ? `in the namespace "${info.namespace}"` : 'at the cluster scope';
  const what = info.name ? `${info.resource}.${info.group} "${info.name}"` : `${info.resource}.${info.group}`;
  return new StatusError(
    403,
    'Forbidden',
    `${what} is forbidden: User "${user.username}" cannot ${info.verb} resource "${resource}" in API group "${info.group}" ${scope}${why}`,
    { ...(info.name ? { name: info.name } : {}), group: info.group, kind: info.resource },
  );
}
