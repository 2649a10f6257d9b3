/**
 * A fault-injecting HTTP proxy of our own, put between the http plugin and json-server:
 * latency, error statuses, dropped connections, garbage bodies and ETag mismatches, each for
 * the next N matching requests. It can also demand credentials and honour If-Match (which
 * json-server ignores), serves a server-sent-events stream at /events with one event per
 * write that passed through it, and records every request it saw.
 */
import { createServer as createHttpServer, request as upstreamRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions } from 'node:https';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
}

export type Fault =
  | { kind: 'latency'; ms: number }
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'drop' }
  /** Passes the request on, then drops the connection instead of answering: the change happened, the client cannot know. */
  | { kind: 'dropAnswer' }
  | { kind: 'garbage' }
  | { kind: 'etagMismatch' }
  | { kind: 'hold'; until: Promise<void> }
  /** Passes the request on at once, but holds the answer: a stale answer arriving late. */
  | { kind: 'holdAnswer'; until: Promise<void> };

interface Armed {
  fault: Fault;
  remaining: number;
  method: string | undefined;
  path: RegExp | undefined;
}

export interface FaultProxy {
  origin: string;
  seen: SeenRequest[];
  /** The most requests it has held open at once. */
  maxInFlight: number;
  inFlight: number;
  /** Open /events streams. */
  eventStreams: number;
  /** Requests or answers held by a `hold` or `holdAnswer` fault right now. */
  holding: number;
  /** Applies `fault` to the next `count` requests (Infinity: until `clear`) matching method and path. */
  inject(fault: Fault, options?: { count?: number; method?: string; path?: RegExp }): void;
  clear(): void;
  /** Requests without this Authorization (or header) value are answered 401. */
  requireHeader(name: string | undefined, value?: string): void;
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: string, tls?: ServerOptions): Promise<FaultProxy> {
  const armed: Armed[] = [];
  const streams = new Set<ServerResponse>();
  let required: { name: string; value: string } | undefined;
  const proxy: FaultProxy = {
    origin: '',
    seen: [],
    maxInFlight: 0,
    inFlight: 0,
    holding: 0,
    eventStreams: 0,
    inject(fault, options = {}) {
      armed.push({ fault, remaining: options.count ?? 1, method: options.method, path: options.path });
    },
    clear() {
      armed.length = 0;
    },
    requireHeader(name, value = '') {
      required = name === undefined ? undefined : { name: name.toLowerCase(), value };
    },
    close: async () => {
      for (const stream of streams) stream.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const take = (req: IncomingMessage): Fault | undefined => {
    const index = armed.findIndex((a) => (!a.method || a.method === req.method) && (!a.path || a.path.test(req.url ?? '')));
    const found = armed[index];
    if (!found) return undefined;
    found.remaining--;
    if (found.remaining <= 0) armed.splice(index, 1);
    return found.fault;
  };

  const held = async (until: Promise<void>) => {
    proxy.holding++;
    await until;
    proxy.holding--;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    proxy.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    proxy.inFlight++;
    proxy.maxInFlight = Math.max(proxy.maxInFlight, proxy.inFlight);
    res.on('close', () => proxy.inFlight--);
    const body = await readBody(req);
    if (required && req.headers[required.name] !== required.value) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: `unauthorized: ${String(req.headers[required.name] ?? '')}` }));
      return;
    }
    if (req.url === '/events') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      res.write(': connected\n\n');
      streams.add(res);
      proxy.eventStreams++;
      res.on('close', () => {
        streams.delete(res);
        proxy.eventStreams--;
      });
      return;
    }
    const fault = take(req);
    if (fault?.kind === 'latency') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === 'hold') await held(fault.until);
    if (fault?.kind === 'drop') return void req.socket.destroy();
    if (fault?.kind === 'status') return void res.writeHead(fault.status, { 'Content-Type': 'application/json', ...fault.headers }).end(fault.body ?? '{}');
    if (fault?.kind === 'garbage') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"id": "half a rec');
    const ifMatch = req.headers['if-match'];
    if (typeof ifMatch === 'string' && (req.method === 'PUT' || req.method === 'DELETE' || req.method === 'PATCH')) {
      const current = await forward(upstream, { method: 'GET', url: req.url ?? '', headers: {} }, undefined);
      if (fault?.kind === 'etagMismatch' || current.headers.etag !== ifMatch) {
        return void res.writeHead(412, { 'Content-Type': 'application/json' }).end('{"message":"precondition failed"}');
      }
    }
    const answer = await forward(upstream, req, body);
    if (fault?.kind === 'dropAnswer') return void req.socket.destroy();
    if (fault?.kind === 'holdAnswer') await held(fault.until);
    res.writeHead(answer.status, answer.headers).end(answer.body);
    if (req.method !== 'GET') for (const stream of streams) stream.write(`event: changed\ndata: ${req.method} ${req.url}\n\n`);
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
  };
  const server: Server = tls ? createHttpsServer(tls, listener) : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  proxy.origin = `${tls ? 'https' : 'http'}://127.0.0.1:${address.port}`;
  return proxy;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function forward(upstream: string, req: { method?: string | undefined; url?: string | undefined; headers: IncomingMessage['headers'] }, body: Buffer | undefined) {
  return new Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }>((resolve, reject) => {
    const headers = { ...req.headers };
    // Host is kept: json-server builds its Link headers from it, and they must point back here.
    delete headers.authorization;
    delete headers['if-match'];
    const out = upstreamRequest(new URL(req.url ?? '/', upstream), { method: req.method ?? 'GET', headers }, async (res) => {
      resolve({ status: res.statusCode ?? 502, headers: res.headers, body: await readBody(res) });
    });
    out.on('error', reject);
    out.end(body);
  });
}
