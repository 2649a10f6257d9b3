/**
 * One HTTP exchange with the service, over node:http(s) with a keep-alive agent (node's
 * fetch cannot take a CA or a client certificate without importing undici). Resolves with
 * any status code; rejects only with `ServiceUnreachable` (refused, reset, TLS, no answer in
 * time, a body cut short), whose message names the method and path, never a header.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface ServiceResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON; undefined when empty; `NOT_JSON` when it did not parse. */
  body: unknown;
}

export const NOT_JSON = Symbol('not JSON');

export class ServiceUnreachable extends Error {
  readonly timedOut: boolean;
  constructor(message: string, timedOut: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServiceUnreachable';
    this.timedOut = timedOut;
  }
}

export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
}

export interface SendOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs: number;
}

/** Largest answer read: a list of a few hundred thousand small records. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export class ServiceClient {
  readonly #http = new HttpAgent({ keepAlive: true, maxSockets: 64 });
  readonly #https: HttpsAgent;

  constructor(tls: TlsFiles = {}) {
    this.#https = new HttpsAgent({ keepAlive: true, maxSockets: 64, ...tls });
  }

  send(method: string, url: URL, options: SendOptions): Promise<ServiceResponse> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    const what = `${method} ${url.pathname}`;
    return new Promise<ServiceResponse>((resolve, reject) => {
      let timedOut = false;
      const fail = (error: unknown) => {
        clearTimeout(timer);
        const reason = timedOut ? `no answer within ${options.timeoutMs} ms` : options.signal?.aborted ? 'canceled' : messageOf(error);
        reject(new ServiceUnreachable(`${what}: ${reason}`, timedOut, { cause: error }));
      };
      const req = send(url, { method, headers, agent: secure ? this.#https : this.#http, ...(options.signal ? { signal: options.signal } : {}) }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_BODY_BYTES) req.destroy(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
          else chunks.push(chunk);
        });
        res.on('error', fail);
        res.on('close', () => {
          if (!res.complete) fail(new Error('the answer was cut short'));
        });
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parseJson(text) });
        });
      });
      // One deadline for the whole exchange, body included: a service that trickles bytes is slow too.
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy(new Error('timeout'));
      }, options.timeoutMs);
      req.on('error', (error) => {
        clearTimeout(timer);
        fail(error);
      });
      req.end(payload);
    });
  }

  /**
   * Opens a long-lived GET (a server-sent-events stream) and hands each line to `onLine`
   * until the stream ends or `signal` aborts. `onOpen` is called once the service said 200.
   * Resolves with the status; a non-200 answer's body is discarded.
   */
  stream(url: URL, headers: Record<string, string>, signal: AbortSignal, onLine: (line: string) => void, onOpen: () => void): Promise<number> {
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    return new Promise<number>((resolve, reject) => {
      const req = send(url, { method: 'GET', headers: { Accept: 'text/event-stream', ...headers }, agent: secure ? this.#https : this.#http, signal }, (res) => {
        const status = res.statusCode ?? 0;
        if (status !== 200) {
          res.resume();
          return resolve(status);
        }
        onOpen();
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            onLine(buffer.slice(0, nl).replace(/\r$/, ''));
            buffer = buffer.slice(nl + 1);
          }
        });
        res.on('close', () => resolve(status));
      });
      req.on('error', (error) => (signal.aborted ? resolve(0) : reject(new ServiceUnreachable(`GET ${url.pathname}: ${messageOf(error)}`, false, { cause: error }))));
      req.end();
    });
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
