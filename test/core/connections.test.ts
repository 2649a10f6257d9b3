/**
 * What one connection may hold, with kube-apiserver's values: 100 HTTP/2 streams, a 1 MiB
 * header list, a header timeout for HTTP/1 and an idle timeout for HTTP/2 (shortened here).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as http2Connect, type ClientHttp2Session, type Settings } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { credentialsFromKubeconfig, httpRequest, type Credentials } from '../support/http.ts';
import { kindYaml } from '../app/reload/fixtures.ts';

const config = `resources:${kindYaml({ kind: 'Thing' })}`;
const things = '/apis/reload.example.com/v1/namespaces/default/things';
const IDLE_MS = 300;

function h2(k: TestKindred, creds: Credentials): ClientHttp2Session {
  return http2Connect(k.url, { ca: creds.ca, cert: creds.cert, key: creds.key });
}

function remoteSettings(session: ClientHttp2Session): Promise<Settings> {
  return new Promise((resolve) => session.once('remoteSettings', resolve));
}

describe('connection limits', () => {
  let k: TestKindred;
  let creds: Credentials;

  before(async () => {
    k = await startTestKindred(config, { start: { connectionTimeouts: { headerTimeoutMs: IDLE_MS, http2IdleTimeoutMs: IDLE_MS } } });
    creds = credentialsFromKubeconfig(k.kubeconfigPath);
  });
  after(async () => {
    await k?.stop();
  });

  it('advertises 100 concurrent streams and a 1 MiB header list in its HTTP/2 SETTINGS', async () => {
    const session = h2(k, creds);
    try {
      const settings = await remoteSettings(session);
      assert.equal(settings.maxConcurrentStreams, 100);
      assert.equal(settings.maxHeaderListSize, 1024 * 1024);
    } finally {
      session.destroy();
    }
  });

  it('accepts HTTP/1 headers up to 1 MiB, as kube (Node alone stops at 16 KiB), and answers 431 beyond', async () => {
    const withHeader = (bytes: number) => httpRequest(k.url, 'GET', '/version', { credentials: creds, headers: { 'x-padding': 'a'.repeat(bytes) } });
    assert.equal((await withHeader(512 * 1024)).status, 200);
    assert.equal((await withHeader(1024 * 1024 + 1)).status, 431);
  });

  it('closes an HTTP/2 connection without streams with GOAWAY once it has been idle', { timeout: 20_000 }, async () => {
    const session = h2(k, creds);
    const goaway = new Promise<number>((resolve) => session.once('goaway', (code) => resolve(code)));
    const closed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    assert.equal(await goaway, 0, 'NO_ERROR: a graceful close');
    await closed;
  });

  it('keeps an HTTP/2 connection with an open watch past the idle timeout', { timeout: 20_000 }, async () => {
    const session = h2(k, creds);
    try {
      const stream = session.request({ ':path': `${things}?watch=true&resourceVersion=1`, ':method': 'GET' });
      let received = '';
      stream.on('data', (chunk: Buffer) => (received += chunk.toString()));
      await new Promise((resolve) => stream.once('response', resolve));
      await sleep(IDLE_MS * 3);
      const created = await httpRequest(k.url, 'POST', things, {
        credentials: creds,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'reload.example.com/v1', kind: 'Thing', metadata: { name: 'seen' } }),
      });
      assert.equal(created.status, 201);
      await new Promise<void>((resolve) => {
        const check = () => received.includes('"seen"') && resolve();
        stream.on('data', check);
        check();
      });
      assert.equal(session.closed, false);
    } finally {
      session.destroy();
    }
  });

  it('closes an HTTP/1 connection whose first request headers do not arrive in time', { timeout: 20_000 }, async () => {
    const socket = tlsConnect({ host: '127.0.0.1', port: k.running.port, ca: creds.ca, ALPNProtocols: ['http/1.1'] });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    socket.write('GET /readyz HTTP/1.1\r\nHost: kindred\r\n'); // never finished
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    await new Promise((resolve) => socket.once('close', resolve));
    assert.equal(answer, '', 'closed without an answer');
  });

  it('does not cut an HTTP/1 request that takes longer than the header timeout', { timeout: 20_000 }, async () => {
    const socket = tlsConnect({ host: '127.0.0.1', port: k.running.port, ca: creds.ca, cert: creds.cert, key: creds.key, ALPNProtocols: ['http/1.1'] });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    socket.write(`GET ${things}?watch=true&resourceVersion=1&timeoutSeconds=1 HTTP/1.1\r\nHost: kindred\r\n\r\n`);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    // The watch ends by itself after 1 s (> 3 header timeouts), with the chunked terminator.
    await new Promise<void>((resolve) => {
      const check = () => answer.endsWith('0\r\n\r\n') && resolve();
      socket.on('data', check);
    });
    assert.match(answer, /^HTTP\/1\.1 200 /);
    socket.destroy();
  });
});

describe('--http2-max-streams-per-connection', () => {
  it('is what SETTINGS advertise', async () => {
    const k = await startTestKindred(config, { start: { http2MaxStreamsPerConnection: 7 } });
    const session = h2(k, credentialsFromKubeconfig(k.kubeconfigPath));
    try {
      assert.equal((await remoteSettings(session)).maxConcurrentStreams, 7);
    } finally {
      session.destroy();
      await k.stop();
    }
  });
});
