/**
 * The baseline of every benchmark ratio: a bare node TLS server, in its own process, that
 * answers with bytes it was given and does nothing else. Its TLS setup is kindred's: the
 * same kind of certificates (core/tls/standalone.ts), HTTP/2 with HTTP/1.1 allowed (so an
 * HTTP/1.1 client gets node:https's own code path), a client certificate requested and
 * checked by nobody during the handshake.
 *
 * Run by test/bench/servers.ts with an IPC channel:
 *   parent → {type: 'route', key: 'GET /path?query', status, contentType, body}
 *   child  → {type: 'ready', url, ca, cert, key} once listening
 * A GET whose query has `watch=` stays open; a POST to `/broadcast` writes its body, as one
 * watch event line, to every open watch (the least a watch fan-out must do).
 */
import { createSecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import { createStandaloneCertificates } from '../../core/tls/standalone.ts';

interface Route {
  status: number;
  contentType: string;
  body: Buffer;
}

const routes = new Map<string, Route>();
const watchers = new Set<ServerResponse>();
const certs = await createStandaloneCertificates();

process.on('message', (message: { type: string; key: string; status: number; contentType: string; body: Uint8Array }) => {
  if (message.type === 'route') {
    routes.set(message.key, { status: message.status, contentType: message.contentType, body: Buffer.from(message.body) });
    process.send!({ type: 'routed', key: message.key });
  }
});

const server = createSecureServer(
  {
    allowHTTP1: true,
    cert: certs.serving.certPem,
    key: certs.serving.keyPem,
    ca: [certs.ca.certPem],
    requestCert: true,
    rejectUnauthorized: false,
  },
  (req, res) => {
    const response = res as unknown as ServerResponse;
    const url = req.url ?? '/';
    if (req.method === 'GET' && url.includes('watch=')) {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
      (response as { flushHeaders?: () => void }).flushHeaders?.();
      watchers.add(response);
      response.on('close', () => watchers.delete(response));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && url === '/broadcast') {
        const line = `{"type":"ADDED","object":${Buffer.concat(chunks).toString('utf8')}}\n`;
        for (const watcher of watchers) watcher.write(line);
        response.writeHead(201, { 'content-type': 'application/json' });
        response.end('{}');
        return;
      }
      const route = routes.get(`${req.method} ${url}`) ?? routes.get(`${req.method} ${url.split('?')[0]}`);
      if (!route) {
        response.writeHead(404, { 'content-type': 'text/plain' });
        response.end('no route');
        return;
      }
      response.writeHead(route.status, { 'content-type': route.contentType, 'content-length': route.body.length });
      response.end(route.body);
    });
  },
);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send!({ type: 'ready', url: `https://127.0.0.1:${port}`, ca: certs.ca.certPem, cert: certs.admin.certPem, key: certs.admin.keyPem });
});
process.on('disconnect', () => process.exit(0));
