/**
 * A small load generator for the benchmarks, over HTTP/1.1 and HTTP/2 with a client
 * certificate. Both sides of every ratio are driven by the same client, so its own cost
 * cancels out of the ratio as far as it can on a shared machine.
 *
 * HTTP/1.1 is a hand-rolled keep-alive loop over `tls.connect` (a prebuilt request, a
 * response parser that counts bytes): node's `https` client costs several times more per
 * request than a bare server does, and would measure itself. HTTP/2 uses `node:http2`, one
 * session with every stream multiplexed on it, as client-go does.
 */
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { connect as h2Connect, type ClientHttp2Session } from 'node:http2';
import { performance } from 'node:perf_hooks';

export type Protocol = 'h1' | 'h2';

export interface Target {
  url: string;
  ca: string;
  cert: string;
  key: string;
}

export interface RequestSpec {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface Response {
  status: number;
  body: Buffer;
}

/** One connection that sends one request at a time (HTTP/1.1) or many streams at once (HTTP/2). */
export interface Connection {
  /** `keepBody` false counts the body's bytes but does not keep them. */
  send(request: RequestSpec, keepBody?: boolean): Promise<Response>;
  close(): void;
}

export async function openConnection(target: Target, protocol: Protocol): Promise<Connection> {
  return protocol === 'h1' ? H1Connection.open(target) : H2Connection.open(target);
}

/** The figures of one load run. */
export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface LoadOptions {
  protocol: Protocol;
  /** Requests in flight: HTTP/1.1 opens this many connections, HTTP/2 this many streams on one session. */
  concurrency: number;
  durationMs: number;
  /** Stops after this many requests even before `durationMs` (e.g. creating exactly N objects). */
  maxRequests?: number;
  /** Builds each request; `i` counts requests across all workers (for unique names). */
  request: (i: number) => RequestSpec;
  /** Statuses counted as success (default 200). */
  okStatus?: number;
}

/** Sends requests as fast as `concurrency` allows for `durationMs`; latency is per request. */
export async function runLoad(target: Target, options: LoadOptions): Promise<LoadResult> {
  const ok = options.okStatus ?? 200;
  const connections: Connection[] = [];
  const count = options.protocol === 'h1' ? options.concurrency : 1;
  for (let i = 0; i < count; i++) connections.push(await openConnection(target, options.protocol));
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const max = options.maxRequests ?? Infinity;
  const started = performance.now();
  const end = started + options.durationMs;
  const worker = async (connection: Connection) => {
    while (performance.now() < end && sent < max) {
      const t0 = performance.now();
      try {
        const response = await connection.send(options.request(sent++), false);
        if (response.status === ok) latencies.push(performance.now() - t0);
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(connections[i % connections.length]!)));
  } finally {
    for (const c of connections) c.close();
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    seconds,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

/** The `q` quantile of sorted `values` (nearest rank); NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function authority(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port) };
}

interface Pending {
  resolve: (r: Response) => void;
  reject: (e: Error) => void;
  keepBody: boolean;
}

/**
 * HTTP/1.1 keep-alive over TLS. The parser handles what the two servers send: a
 * Content-Length body or a chunked one, one response at a time.
 */
class H1Connection implements Connection {
  readonly #socket: TLSSocket;
  readonly #host: string;
  #pending: Pending | undefined;
  // Parser state for the response being read.
  #head = Buffer.alloc(0);
  #status = 0;
  #mode: 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' = 'head';
  #remaining = 0;
  #line = '';
  #body: Buffer[] = [];

  private constructor(socket: TLSSocket, host: string) {
    this.#socket = socket;
    this.#host = host;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    const fail = (error: Error) => {
      const pending = this.#pending;
      this.#pending = undefined;
      pending?.reject(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static open(target: Target): Promise<H1Connection> {
    const { host, port } = authority(target.url);
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ host, port, ca: target.ca, cert: target.cert, key: target.key, ALPNProtocols: ['http/1.1'], servername: host === '127.0.0.1' ? undefined : host }, () => {
        socket.off('error', reject);
        socket.setNoDelay(true);
        resolve(new H1Connection(socket, `${host}:${port}`));
      });
      socket.once('error', reject);
    });
  }

  send(request: RequestSpec, keepBody = true): Promise<Response> {
    if (this.#pending) return Promise.reject(new Error('HTTP/1.1 connection busy'));
    const body = request.body === undefined ? undefined : Buffer.from(request.body);
    let head = `${request.method} ${request.path} HTTP/1.1\r\nhost: ${this.#host}\r\n`;
    for (const [name, value] of Object.entries(request.headers ?? {})) head += `${name}: ${value}\r\n`;
    if (body) head += `content-length: ${body.length}\r\n`;
    head += '\r\n';
    return new Promise((resolve, reject) => {
      this.#pending = { resolve, reject, keepBody };
      this.#socket.write(body ? Buffer.concat([Buffer.from(head), body]) : head);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      switch (this.#mode) {
        case 'head': {
          const joined = this.#head.length > 0 ? Buffer.concat([this.#head, chunk.subarray(at)]) : chunk.subarray(at);
          const end = joined.indexOf('\r\n\r\n');
          if (end < 0) {
            this.#head = Buffer.from(joined);
            return;
          }
          const consumed = end + 4 - this.#head.length;
          this.#startBody(joined.subarray(0, end).toString('latin1'));
          this.#head = Buffer.alloc(0);
          at += consumed;
          if ((this.#mode as string) === 'length' && this.#remaining === 0) this.#finish();
          break;
        }
        case 'length': {
          const take = Math.min(this.#remaining, chunk.length - at);
          this.#keep(chunk.subarray(at, at + take));
          at += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#finish();
          break;
        }
        case 'chunk-size':
        case 'chunk-end':
        case 'trailer': {
          const nl = chunk.indexOf(10, at);
          if (nl < 0) {
            this.#line += chunk.toString('latin1', at);
            return;
          }
          const line = (this.#line + chunk.toString('latin1', at, nl)).trim();
          this.#line = '';
          at = nl + 1;
          if (this.#mode === 'chunk-end') this.#mode = 'chunk-size';
          else if (this.#mode === 'trailer') {
            if (line === '') this.#finish();
          } else {
            this.#remaining = parseInt(line, 16);
            this.#mode = this.#remaining === 0 ? 'trailer' : 'chunk-data';
          }
          break;
        }
        case 'chunk-data': {
          const take = Math.min(this.#remaining, chunk.length - at);
          this.#keep(chunk.subarray(at, at + take));
          at += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#mode = 'chunk-end';
          break;
        }
      }
    }
  }

  #startBody(head: string): void {
    const lines = head.split('\r\n');
    this.#status = Number(lines[0]!.split(' ')[1]);
    let length = 0;
    let chunked = false;
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') length = Number(value);
      else if (name === 'transfer-encoding' && value.toLowerCase().includes('chunked')) chunked = true;
    }
    this.#mode = chunked ? 'chunk-size' : 'length';
    this.#remaining = length;
    this.#body = [];
  }

  #keep(part: Buffer): void {
    if (this.#pending?.keepBody) this.#body.push(Buffer.from(part));
  }

  #finish(): void {
    const pending = this.#pending;
    this.#pending = undefined;
    this.#mode = 'head';
    const body = Buffer.concat(this.#body);
    this.#body = [];
    pending?.resolve({ status: this.#status, body });
  }
}

/**
 * client-go's HTTP/2 flow-control windows (golang.org/x/net/http2 Transport: 4 MiB per
 * stream, 1 GiB per connection). Node's default, 64 KiB, would make a 10 MB LIST wait for
 * ~160 window updates, which no Kubernetes client does.
 */
const STREAM_WINDOW = 4 << 20;
const CONNECTION_WINDOW = 1 << 30;

class H2Connection implements Connection {
  readonly #session: ClientHttp2Session;

  private constructor(session: ClientHttp2Session) {
    this.#session = session;
  }

  static open(target: Target): Promise<H2Connection> {
    return new Promise((resolve, reject) => {
      const session = h2Connect(target.url, { ca: target.ca, cert: target.cert, key: target.key, settings: { initialWindowSize: STREAM_WINDOW } }, () => {
        session.setLocalWindowSize(CONNECTION_WINDOW);
        session.off('error', reject);
        session.on('error', () => {});
        resolve(new H2Connection(session));
      });
      session.once('error', reject);
    });
  }

  /** The session itself, for streams the caller reads by hand (watches). */
  static async session(target: Target): Promise<ClientHttp2Session> {
    return (await H2Connection.open(target)).#session;
  }

  send(request: RequestSpec, keepBody = true): Promise<Response> {
    return new Promise((resolve, reject) => {
      const stream = this.#session.request({ ':method': request.method, ':path': request.path, ...request.headers });
      let status = 0;
      const parts: Buffer[] = [];
      stream.on('response', (headers) => (status = Number(headers[':status'])));
      stream.on('data', (chunk: Buffer) => {
        if (keepBody) parts.push(chunk);
      });
      stream.on('end', () => resolve({ status, body: Buffer.concat(parts) }));
      stream.on('error', reject);
      stream.end(request.body);
    });
  }

  close(): void {
    this.#session.destroy();
  }
}

export const openH2Session = (target: Target): Promise<ClientHttp2Session> => H2Connection.session(target);
