/**
 * One request and the answer being built for it: what the pipeline's steps read and set,
 * and `sendAnswer`, the one place that writes a finished answer to Node's response.
 *
 * kindred's request path has no web framework under it. Koa did this job before; measured on
 * the GET benchmark (issue 15), its per-request context objects and finish listeners cost
 * about 6 µs of CPU and a quarter of a bare server's throughput, more than the rest of a
 * cached GET. What it did for kindred is small and lives here: default status, body and
 * Content-Length, HEAD and bodiless statuses, and streaming a body at the client's pace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Readable } from 'node:stream';

export type NodeRequest = IncomingMessage | Http2ServerRequest;
export type NodeResponse = ServerResponse | Http2ServerResponse;

/** A body: text or bytes (sent with their length), or a stream (sent as it is read). */
export type Body = string | Buffer | Readable;

export class Exchange<State extends object = Record<string, unknown>> {
  readonly req: NodeRequest;
  readonly res: NodeResponse;
  /** What the steps have found out about the request (the user, its RequestInfo...). */
  readonly state: State;
  /** The answer's status; 404 until a step answers. */
  status = 404;
  body: Body | undefined;
  /** A stream body's length, when known up front (sent as Content-Length). */
  streamLength: number | undefined;
  /** False once a step writes the response itself (a watch): sendAnswer then writes nothing. */
  respond = true;

  constructor(req: NodeRequest, res: NodeResponse, state: State) {
    this.req = req;
    this.res = res;
    this.state = state;
  }

  get method(): string {
    return this.req.method ?? 'GET';
  }

  /** The request target as sent: path and query. */
  get url(): string {
    return this.req.url ?? '/';
  }

  /** A request header's value ('' when absent); `name` in lower case. */
  header(name: string): string {
    const value = this.req.headers[name];
    return (Array.isArray(value) ? value.join(', ') : value) ?? '';
  }

  /** Sets a response header now (it goes out with the answer). */
  set(name: string, value: string | readonly string[]): void {
    this.res.setHeader(name, value);
  }

  /** Sets the status and a JSON body. */
  json(status: number, body: Body): void {
    this.status = status;
    this.res.setHeader('content-type', 'application/json');
    this.body = body;
  }

  /** The answer body's size in bytes, when known before it is sent. */
  get length(): number | undefined {
    const body = this.body;
    if (body === undefined) return undefined;
    if (typeof body === 'string') return Buffer.byteLength(body);
    if (Buffer.isBuffer(body)) return body.length;
    return this.streamLength;
  }
}

/** Statuses that never carry a body (RFC 9110). */
const BODILESS = new Set([204, 205, 304]);

/** Writes the exchange's answer to its response, unless a step has written it already. */
export function sendAnswer(exchange: Exchange<object>): void {
  const { res, body } = exchange;
  if (!exchange.respond || res.headersSent || res.writableEnded) return;
  res.statusCode = exchange.status;
  if (body === undefined || BODILESS.has(exchange.status)) {
    if (body === undefined && !BODILESS.has(exchange.status)) res.setHeader('content-length', 0);
    res.end();
    return;
  }
  const length = exchange.length;
  if (length !== undefined) res.setHeader('content-length', length);
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    if (exchange.method === 'HEAD') res.end();
    else res.end(body);
    return;
  }
  if (exchange.method === 'HEAD') {
    body.destroy();
    res.end();
    return;
  }
  // At the client's pace; a client that goes away ends the stream.
  body.pipe(res as NodeJS.WritableStream);
  res.once('close', () => body.destroy());
}
