/**
 * The one Kubernetes client kindred has (plugins, authentication and authorization,
 * namespace admission, the ConfigMap config source): JSON requests and line-delimited
 * watch streams, authenticated from a kubeconfig by @kubernetes/client-node's KubeConfig.
 *
 * Why not client-node's generated APIs or its `Watch`: we need the raw status code and
 * Status body of every answer (409 vs 422 vs 410 decide what the client sees), the
 * resourceVersion of a list passed through untouched, and a watch whose end we control.
 */
import { StoreError } from '../../core/types/errors.ts';
import { Agent as HttpsAgent, request as httpsRequest, type RequestOptions } from 'node:https';
import { createSecureContext } from 'node:tls';
import { request as httpRequest } from 'node:http';
import { createInterface } from 'node:readline';
import { KubeConfig } from '@kubernetes/client-node';
// int64 values beyond 2^53 stay exact between kindred and kube-apiserver.
import { encodeJson, parseJson } from '../../lib/json.ts';

export interface KubeResponse {
  status: number;
  /** The parsed JSON body, or undefined when the body was empty or not JSON. */
  body: unknown;
  /** The body as text (e.g. /metrics). */
  text?: string;
  /** Seconds from a Retry-After header, when kube-apiserver sent one. */
  retryAfterSeconds?: number;
}

/** One line of a watch stream: `{type, object}` as kube-apiserver sends it. */
export interface RawWatchEvent {
  type: string;
  object: Record<string, unknown>;
}

export type Query = Record<string, string | undefined>;

import { UnreachableError } from './unreachable.ts';

export { UnreachableError };

/** What the list-and-watch cache needs of a client: lets tests stand in for kube-apiserver. */
export type KubeTransport = Pick<KubeClient, 'request' | 'watch'>;

export class KubeClient {
  readonly server: string;
  readonly #config: KubeConfig;
  /** The agent for the kubeconfig's current TLS material (see #agentFor). */
  #agent: { material: Record<string, unknown>; agent: HttpsAgent } | undefined;

  /**
   * `kubeconfigPath` undefined: the in-cluster service account config, or with `fallback:
   * 'default'` client-go's default chain ($KUBECONFIG, ~/.kube/config, then in-cluster).
   */
  constructor(kubeconfigPath: string | undefined, options: { fallback?: 'in-cluster' | 'default' } = {}) {
    this.#config = new KubeConfig();
    if (kubeconfigPath) this.#config.loadFromFile(kubeconfigPath);
    else if (options.fallback === 'default') this.#config.loadFromDefault();
    else {
      // Outside a pod client-node would make https://undefined:undefined and retry it forever.
      if (!process.env['KUBERNETES_SERVICE_HOST']) throw new Error('needs --kubeconfig or in-cluster config (not running in a pod: KUBERNETES_SERVICE_HOST is not set)');
      this.#config.loadFromCluster();
    }
    const cluster = this.#config.getCurrentCluster();
    if (!cluster) throw new Error(`kubeconfig ${kubeconfigPath ?? '(in-cluster)'} has no current cluster`);
    this.server = cluster.server.replace(/\/+$/, '');
  }

  /** Sends one request; resolves with any status code, rejects only with UnreachableError. */
  async request(method: string, path: string, options: { query?: Query; body?: unknown; signal?: AbortSignal; timeoutMs?: number } = {}): Promise<KubeResponse> {
    const payload = options.body === undefined ? undefined : encodeJson(options.body);
    const res = await this.#open(method, path, options.query, payload, options.signal, options.timeoutMs ?? 30_000);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of res.stream) chunks.push(chunk as Buffer);
    } catch (error) {
      throw new UnreachableError(`reading the answer to ${method} ${path}: ${messageOf(error)}`, { cause: error });
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text ? parseJson(text) : undefined;
    } catch {
      body = undefined;
    }
    return { status: res.status, body, text, ...(res.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: res.retryAfterSeconds }) };
  }

  /**
   * Opens a watch. Resolves once kube-apiserver answered: with the events as an async
   * iterable when it said 200, or with the error response otherwise. The stream ends
   * when the server closes it or `signal` aborts; a broken connection ends it too.
   */
  async watch(path: string, query: Query, signal: AbortSignal): Promise<{ events: AsyncIterable<RawWatchEvent> } | { error: KubeResponse }> {
    const res = await this.#open('GET', path, { ...query, watch: 'true' }, undefined, signal, 0);
    if (res.status !== 200) {
      res.stream.resume();
      return { error: { status: res.status, body: undefined } };
    }
    const lines = createInterface({ input: res.stream, crlfDelay: Infinity });
    // A stream aborted before anyone iterates it (the caller dropped the watch) must not
    // become an uncaught 'error'; an iterating reader still sees the failure.
    lines.on('error', () => {});
    res.stream.on('error', () => {});
    async function* events(): AsyncGenerator<RawWatchEvent> {
      try {
        for await (const line of lines) {
          if (!line.trim()) continue;
          yield parseJson(line) as RawWatchEvent;
        }
      } catch (error) {
        // A reset or an abort ends the stream; the caller decides whether to resume.
        if (!signal.aborted) throw new UnreachableError(`watch ${path} broke: ${messageOf(error)}`, { cause: error });
      } finally {
        res.stream.destroy();
      }
    }
    return { events: events() };
  }

  /**
   * One keep-alive agent, with one secure context, for as long as the kubeconfig's TLS
   * material stays the same. Handing node's https the CA, certificate and key per request
   * built a secure context (parsing them) for every new connection: a tenth of kindred's CPU
   * while it wrote to kube-apiserver (issue 15). Changed material (a rotated file, a refreshed
   * exec credential) gets a new agent. The options keep only what is not TLS (headers).
   */
  #agentFor(options: RequestOptions): HttpsAgent {
    const tls: Record<string, unknown> = {};
    for (const name of TLS_OPTIONS) {
      const value = (options as Record<string, unknown>)[name];
      if (value !== undefined) tls[name] = value;
      delete (options as Record<string, unknown>)[name];
    }
    // Compared by content: client-node hands fresh copies (decoded, or read from files) per request.
    if (!this.#agent || !sameMaterial(this.#agent.material, tls)) {
      this.#agent?.agent.destroy();
      const { rejectUnauthorized, servername, ...context } = tls as { rejectUnauthorized?: boolean; servername?: string } & Record<string, unknown>;
      const agent = new HttpsAgent({
        keepAlive: true,
        secureContext: createSecureContext(context as Parameters<typeof createSecureContext>[0]),
        ...(rejectUnauthorized === undefined ? {} : { rejectUnauthorized }),
        ...(servername === undefined ? {} : { servername }),
      });
      this.#agent = { material: tls, agent };
    }
    return this.#agent.agent;
  }

  async #open(method: string, path: string, query: Query | undefined, payload: string | undefined, signal: AbortSignal | undefined, timeoutMs: number) {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) url.searchParams.set(key, value);
    const options: RequestOptions = { method, headers: { Accept: 'application/json' } };
    await this.#config.applyToHTTPSOptions(options);
    const headers = options.headers as Record<string, string>;
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    if (url.protocol === 'https:') options.agent = this.#agentFor(options);
    return await new Promise<{ status: number; stream: NodeJS.ReadableStream & { destroy(): void; resume(): unknown }; retryAfterSeconds?: number }>(
      (resolve, reject) => {
        const req = send(url, { ...options, ...(signal ? { signal } : {}) }, (res) => {
          const retryAfter = Number(res.headers['retry-after']);
          resolve({ status: res.statusCode ?? 0, stream: res, ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}) });
        });
        let timedOut = false;
        if (timeoutMs > 0) {
          req.setTimeout(timeoutMs, () => {
            timedOut = true;
            req.destroy(new Error(`no answer within ${timeoutMs} ms`));
          });
        }
        req.on('error', (error) => {
          const what = `${method} ${url.pathname}`;
          // Said as what happened: the caller gave up (its client went away), the backing API
          // was too slow (504), or it could not be reached (503).
          if (signal?.aborted) reject(new StoreError('ServiceUnavailable', `${what}: canceled, the request's client went away`, { cause: error }));
          else if (timedOut) reject(new StoreError('Timeout', `${what}: no answer within ${timeoutMs} ms`, { retryAfterSeconds: 1, cause: error }));
          else reject(new UnreachableError(`${what}: ${messageOf(error)}`, { cause: error }));
        });
        req.end(payload);
      },
    );
  }
}

/** True when two sets of TLS options hold the same values (buffers byte for byte, lists item by item). */
function sameMaterial(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return TLS_OPTIONS.every((name) => sameValue(a[name], b[name]));
}

function sameValue(x: unknown, y: unknown): boolean {
  if (Buffer.isBuffer(x) && Buffer.isBuffer(y)) return x.equals(y);
  if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((item, i) => sameValue(item, y[i]));
  return x === y;
}

/** The TLS options client-node sets on a request: they make up its agent's secure context. */
const TLS_OPTIONS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
