/**
 * A watch client that stops reading is closed by the server once its backlog passes a bound
 * (bytes or events), instead of the server buffering every later event for it; a client that
 * keeps reading gets every event. (test/bench/slow-watchers.ts prints the memory figures.)
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import { pino } from 'pino';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { credentialsFromKubeconfig, httpRequest, httpWatch, type Credentials } from '../support/http.ts';
import { kindYaml } from '../app/reload/fixtures.ts';

const things = '/apis/reload.example.com/v1/namespaces/default/things';
const config = `resources:${kindYaml({ kind: 'Thing', specProperties: '{data: {type: string}}', options: { watchWindow: 5000 } })}`;

/** Collects kindred's log lines, so a test can wait for one. */
function capturingLogger() {
  const lines: Array<{ msg: string; [key: string]: unknown }> = [];
  const waiters = new Set<() => void>();
  const log = pino(
    { level: 'warn' },
    {
      write(line: string) {
        lines.push(JSON.parse(line));
        waiters.forEach((w) => w());
      },
    },
  );
  const waitFor = (msg: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const check = () => {
        const found = lines.find((l) => l.msg === msg);
        if (found) {
          waiters.delete(check);
          resolve(found);
        }
      };
      waiters.add(check);
      check();
    });
  return { log, lines, waitFor };
}

describe('watch back-pressure', () => {
  let k: TestKindred;
  let creds: Credentials;
  let logs: ReturnType<typeof capturingLogger>;
  let n = 0;
  const create = (bytes: number) =>
    httpRequest(k.url, 'POST', things, {
      credentials: creds,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'reload.example.com/v1', kind: 'Thing', metadata: { name: `t${n++}` }, spec: { data: 'x'.repeat(bytes) } }),
    });
  const h2 = (): ClientHttp2Session => http2Connect(k.url, { ca: creds.ca, cert: creds.cert, key: creds.key });

  before(async () => {
    logs = capturingLogger();
    k = await startTestKindred(config, { log: logs.log, start: { watchBacklog: { maxBytes: 2 * 1024 * 1024, maxEvents: 50 } } });
    creds = credentialsFromKubeconfig(k.kubeconfigPath);
  });
  after(async () => {
    await k?.stop();
  });

  it('resets the HTTP/2 stream of a watcher that stops reading, once it is more events behind than the bound', { timeout: 60_000 }, async () => {
    const session = h2();
    try {
      const list = await httpRequest(k.url, 'GET', things, { credentials: creds });
      const stream = session.request({ ':path': `${things}?watch=true&resourceVersion=${list.json().metadata.resourceVersion}` });
      await new Promise((resolve) => stream.once('response', resolve));
      stream.pause(); // never reads: flow control stops the server after one window
      const closed = new Promise<number>((resolve) => stream.once('close', () => resolve(stream.rstCode ?? -1)));
      stream.on('error', () => {});
      let rstCode: number | undefined;
      void closed.then((code) => (rstCode = code));
      // Small events: the bound on events is what trips.
      for (let i = 0; i < 2000 && rstCode === undefined; i++) assert.equal((await create(1000)).status, 201);
      assert.equal(await closed, 8, 'RST_STREAM(CANCEL) from the server');
      const line = await logs.waitFor('closed a watch whose client fell behind');
      assert.match(String(line.reason), /fell 51 events \(\d+ bytes\) behind/);
      assert.equal(session.closed, false, 'only the stream is closed, not the connection');
    } finally {
      session.destroy();
    }
  });

  it('closes the HTTP/1.1 connection of a watcher that stops reading, once it is more bytes behind than the bound', { timeout: 60_000 }, async () => {
    logs.lines.length = 0;
    const list = await httpRequest(k.url, 'GET', things, { credentials: creds });
    const socket = tlsConnect({ host: '127.0.0.1', port: k.running.port, ca: creds.ca, cert: creds.cert, key: creds.key, ALPNProtocols: ['http/1.1'] });
    await new Promise((resolve) => socket.once('secureConnect', resolve));
    socket.write(`GET ${things}?watch=true&resourceVersion=${list.json().metadata.resourceVersion} HTTP/1.1\r\nHost: kindred\r\n\r\n`);
    socket.pause(); // never reads
    let stalled = false;
    void logs.waitFor('closed a watch whose client fell behind').then(() => (stalled = true));
    // 200 KB objects: the socket buffers fill, then the 2 MiB bound on bytes trips.
    for (let i = 0; i < 500 && !stalled; i++) assert.equal((await create(200_000)).status, 201);
    const line = await logs.waitFor('closed a watch whose client fell behind');
    assert.match(String(line.reason), /events \((\d+) bytes\) behind/);
    assert.ok(Number(/\((\d+) bytes\)/.exec(String(line.reason))![1]) > 2 * 1024 * 1024);
    // Reading now, the client finds the stream cut short: no chunked terminator, then the end.
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.resume();
    await new Promise((resolve) => socket.once('close', resolve));
    assert.match(received, /^HTTP\/1\.1 200 /);
    assert.ok(!received.endsWith('0\r\n\r\n'), 'cut, not ended: the client knows it missed events');
  });

  it('delivers every event to a watcher that keeps reading', { timeout: 60_000 }, async () => {
    logs.lines.length = 0;
    const list = await httpRequest(k.url, 'GET', things, { credentials: creds });
    const watch = httpWatch(k.url, `${things}?watch=true&resourceVersion=${list.json().metadata.resourceVersion}`, creds);
    assert.equal(await watch.status, 200);
    for (let i = 0; i < 300; i++) assert.equal((await create(20_000)).status, 201);
    const events = await watch.next(300, 30_000);
    assert.equal(new Set(events.map((e) => e.object.metadata.name)).size, 300);
    watch.close();
    assert.equal(logs.lines.filter((l) => l.msg === 'closed a watch whose client fell behind').length, 0);
  });
});
