/**
 * The little of kube-apiserver that authentication and authorization need: POST a review
 * and get its answer, list a collection, watch it as JSON lines. Credentials come from a
 * kubeconfig file (`--authentication-kubeconfig`, `--authorization-kubeconfig`,
 * `--kubeconfig`) or, without one, from the pod's service account (in-cluster config).
 *
 * Core's own client, not plugins/kube's: core must not depend on a plugin folder, and this
 * one needs only JSON in, JSON out.
 */
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import { KubeConfig } from '@kubernetes/client-node';

export interface ApiResponse {
  status: number;
  /** The parsed JSON body; undefined when empty or not JSON. */
  body: unknown;
}

/** One line of a watch stream. */
export interface ApiWatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: Record<string, unknown>;
}

export class KubeApi {
  readonly server: string;
  readonly #config: KubeConfig;

  /** `kubeconfigPath` undefined: the in-cluster service account config. */
  constructor(kubeconfigPath: string | undefined) {
    this.#config = new KubeConfig();
    if (kubeconfigPath) this.#config.loadFromFile(kubeconfigPath);
    else this.#config.loadFromCluster();
    const cluster = this.#config.getCurrentCluster();
    if (!cluster) throw new Error(`kubeconfig ${kubeconfigPath ?? '(in-cluster)'} has no current cluster`);
    this.server = cluster.server.replace(/\/+$/, '');
  }

  /** One JSON request; resolves with any status code, rejects when the server cannot be reached. */
  async request(method: string, path: string, body?: unknown, timeoutMs = 10_000): Promise<ApiResponse> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await this.#open(method, path, payload, timeoutMs);
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.statusCode ?? 0, body: parsed };
  }

  /**
   * Watches `path` (a collection URL with its query) and yields its events until the server
   * ends the stream or `signal` aborts. Throws with the status when the server refuses.
   */
  async *watch(path: string, signal: AbortSignal): AsyncGenerator<ApiWatchEvent> {
    const res = await this.#open('GET', path, undefined, 0, signal);
    if (res.statusCode !== 200) {
      res.resume();
      throw new Error(`watch ${path}: HTTP ${res.statusCode ?? 0}`);
    }
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    // readline's iterator does not always end when its input is destroyed: close it ourselves.
    const stop = (): void => {
      lines.close();
      res.destroy();
    };
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const line of lines) {
        if (line.trim()) yield JSON.parse(line) as ApiWatchEvent;
      }
    } finally {
      signal.removeEventListener('abort', stop);
      stop();
    }
  }

  async #open(method: string, path: string, payload: string | undefined, timeoutMs: number, signal?: AbortSignal): Promise<IncomingMessage> {
    const url = new URL(this.server + path);
    const options: RequestOptions = { method, headers: { Accept: 'application/json' } };
    await this.#config.applyToHTTPSOptions(options);
    const headers = options.headers as Record<string, string>;
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(url, { ...options, ...(signal ? { signal } : {}) }, resolve);
      if (timeoutMs > 0) req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${url.pathname}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}
