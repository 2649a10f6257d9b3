/**
 * The server's connections: their timeouts, and closing them without cutting a request off.
 *
 * Timeouts, with k8s.io/apiserver's values (`server/secure_serving.go`):
 * - 32 s to finish the TLS handshake and send the first request's headers on an HTTP/1
 *   connection (Go's `ReadHeaderTimeout`, which also bounds the handshake). Node's own
 *   `headersTimeout` is not applied to the HTTP/1 connections of an HTTP/2 server.
 * - 90 s an HTTP/2 connection may stay open without a stream (Go's `http2.Server.IdleTimeout`);
 *   it is then closed with GOAWAY. Pings do not count as use, as in Go.
 * - An idle HTTP/1 keep-alive connection is closed by Node's `keepAliveTimeout` (server.ts).
 *
 * Graceful close (`drain`), as Go's `http.Server.Shutdown`: every HTTP/2 connection gets
 * GOAWAY (its open streams finish, the client opens no new ones), idle HTTP/1 connections
 * are closed, and busy ones answer their request with `Connection: close` and then close.
 * Connections still open after the grace period are destroyed.
 */
import type { Http2SecureServer, Http2ServerRequest, Http2ServerResponse, ServerHttp2Session } from 'node:http2';
import type { TLSSocket } from 'node:tls';

export interface ConnectionTimeouts {
  /** Handshake and first request headers of an HTTP/1 connection (default 32 s). */
  headerTimeoutMs: number;
  /** An HTTP/2 connection without streams (default 90 s). */
  http2IdleTimeoutMs: number;
}

export const DEFAULT_CONNECTION_TIMEOUTS: ConnectionTimeouts = { headerTimeoutMs: 32_000, http2IdleTimeoutMs: 90_000 };

interface Http1Connection {
  /** Requests whose response has not closed yet (one, unless the client pipelines). */
  active: number;
  /** Until the first request arrives. */
  headerTimer: NodeJS.Timeout | undefined;
}

export class ConnectionTracker {
  readonly #timeouts: ConnectionTimeouts;
  /** Every TLS connection, HTTP/1 or HTTP/2, to destroy what is left at the end. */
  readonly #sockets = new Set<TLSSocket>();
  readonly #http1 = new Map<TLSSocket, Http1Connection>();
  readonly #sessions = new Set<ServerHttp2Session>();
  #draining = false;
  #allClosed: (() => void) | undefined;

  constructor(server: Http2SecureServer, timeouts: ConnectionTimeouts = DEFAULT_CONNECTION_TIMEOUTS) {
    this.#timeouts = timeouts;
    server.on('secureConnection', (socket: TLSSocket) => this.#onConnection(socket));
    server.on('session', (session: ServerHttp2Session) => this.#onSession(session));
    // Before the app's handler, so `Connection: close` is set before anything is written.
    server.prependListener('request', (req: Http2ServerRequest, res: Http2ServerResponse) => this.#onRequest(req, res));
  }

  /** Open TLS connections. */
  get size(): number {
    return this.#sockets.size;
  }

  /**
   * Closes every connection once its requests have finished: resolves when all are closed,
   * or destroys the rest after `graceMs`. Call after the server stopped accepting new ones.
   */
  async drain(graceMs: number): Promise<void> {
    this.#draining = true;
    for (const session of this.#sessions) session.close();
    for (const [socket, connection] of this.#http1) if (connection.active === 0) socket.destroy();
    if (this.#sockets.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (this.#allClosed = resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    }
    this.destroyAll();
  }

  /** Cuts every connection at once. */
  destroyAll(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  #onConnection(socket: TLSSocket): void {
    this.#sockets.add(socket);
    socket.once('close', () => {
      this.#sockets.delete(socket);
      const connection = this.#http1.get(socket);
      if (connection) clearTimeout(connection.headerTimer);
      this.#http1.delete(socket);
      if (this.#sockets.size === 0) this.#allClosed?.();
    });
    if (this.#draining) {
      socket.destroy();
      return;
    }
    if (socket.alpnProtocol === 'h2') return; // #onSession
    const headerTimer = setTimeout(() => socket.destroy(), this.#timeouts.headerTimeoutMs);
    headerTimer.unref();
    this.#http1.set(socket, { active: 0, headerTimer });
  }

  #onSession(session: ServerHttp2Session): void {
    this.#sessions.add(session);
    let streams = 0;
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      idle = setTimeout(() => session.close(), this.#timeouts.http2IdleTimeoutMs);
      idle.unref();
    };
    armIdle();
    session.on('stream', (stream) => {
      streams++;
      clearTimeout(idle);
      stream.once('close', () => {
        streams--;
        if (streams === 0 && !session.closed && !session.destroyed) armIdle();
      });
    });
    session.once('close', () => {
      clearTimeout(idle);
      this.#sessions.delete(session);
    });
  }

  #onRequest(req: Http2ServerRequest, res: Http2ServerResponse): void {
    if (req.httpVersionMajor !== 1) return; // HTTP/2 streams are tracked by their session
    const socket = req.socket as TLSSocket;
    const connection = this.#http1.get(socket);
    if (!connection) return;
    clearTimeout(connection.headerTimer);
    connection.headerTimer = undefined;
    connection.active++;
    if (this.#draining) res.setHeader('connection', 'close');
    res.once('close', () => {
      connection.active--;
      if (this.#draining && connection.active === 0) socket.end();
    });
  }
}
