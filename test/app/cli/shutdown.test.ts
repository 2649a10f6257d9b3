/**
 * SIGTERM as kube-apiserver handles it: /readyz fails at once, new connections are refused
 * after --shutdown-delay-duration, writes already in flight finish (none is reset), watches
 * end cleanly, and the process exits 0.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { connect as http2Connect, type ClientHttp2Session } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startKindredProcess, type KindredProcess } from '../../support/kindred-process.ts';
import { httpRequest, type Credentials } from '../../support/http.ts';
import { configYaml } from '../reload/fixtures.ts';

const things = '/apis/reload.example.com/v1/namespaces/default/things';
const thing = (name: string) => JSON.stringify({ apiVersion: 'reload.example.com/v1', kind: 'Thing', metadata: { name }, spec: { size: 1 } });

/** The outcome of one request: its status, or the error code that ended it. */
type Outcome = { status: number } | { error: string };

/** A write whose headers are sent now and whose body is sent by `finish()`. */
interface SlowWrite {
  /** The server has the request: it answered `Expect: 100-continue`. */
  accepted: Promise<void>;
  finish(): void;
  outcome: Promise<Outcome>;
}

function slowWriteHttp1(k: KindredProcess, name: string): SlowWrite {
  const body = thing(name);
  const { ca, cert, key } = k.credentials;
  const req = request(new URL(things, k.url), {
    method: 'POST',
    ca,
    cert,
    key,
    agent: false,
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), expect: '100-continue' },
  });
  const accepted = new Promise<void>((resolve) => req.once('continue', resolve));
  const outcome = new Promise<Outcome>((resolve) => {
    req.once('response', (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0 }));
      res.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    });
    req.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
  req.flushHeaders();
  return { accepted, outcome, finish: () => req.end(body) };
}

function slowWriteHttp2(session: ClientHttp2Session, name: string): SlowWrite {
  const body = thing(name);
  const stream = session.request(
    { ':method': 'POST', ':path': things, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), expect: '100-continue' },
    { endStream: false },
  );
  const accepted = new Promise<void>((resolve) => stream.once('continue', resolve));
  const outcome = new Promise<Outcome>((resolve) => {
    let status = 0;
    stream.once('response', (headers) => (status = Number(headers[':status'])));
    stream.resume();
    stream.once('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    stream.once('close', () => resolve(stream.rstCode === 0 && status > 0 ? { status } : { error: `RST_STREAM ${stream.rstCode}` }));
  });
  return { accepted, outcome, finish: () => stream.end(body) };
}

/** How a watch ended: 'end' when the server closed it properly, else the error. */
function watchHttp1(k: KindredProcess): { started: Promise<void>; ended: Promise<string> } {
  const { ca, cert, key } = k.credentials;
  let started!: () => void;
  const startedP = new Promise<void>((resolve) => (started = resolve));
  const ended = new Promise<string>((resolve) => {
    const req = request(new URL(`${things}?watch=true&resourceVersion=1`, k.url), { ca, cert, key, agent: false }, (res) => {
      started();
      res.resume();
      res.once('end', () => resolve('end'));
      res.once('aborted', () => resolve('aborted'));
      res.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    req.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    req.end();
  });
  return { started: startedP, ended };
}

function watchHttp2(session: ClientHttp2Session): { started: Promise<void>; ended: Promise<string> } {
  const stream = session.request({ ':path': `${things}?watch=true&resourceVersion=1` });
  stream.resume();
  const started = new Promise<void>((resolve) => stream.once('response', () => resolve()));
  const ended = new Promise<string>((resolve) => {
    let clean = false;
    stream.once('end', () => (clean = true));
    stream.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    stream.once('close', () => resolve(clean && stream.rstCode === 0 ? 'end' : `RST_STREAM ${stream.rstCode}`));
  });
  return { started, ended };
}

/** Resolves once nothing listens on `port` any more. */
async function refused(port: number): Promise<void> {
  for (;;) {
    const code = await new Promise<string | undefined>((resolve) => {
      const socket = netConnect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(undefined)));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
    });
    if (code === 'ECONNREFUSED') return;
    await sleep(20);
  }
}

function session(k: KindredProcess): ClientHttp2Session {
  const { ca, cert, key } = k.credentials as Required<Credentials>;
  return http2Connect(k.url, { ca, cert, key });
}

describe('kindred serve on SIGTERM', () => {
  let dir: string;
  let configPath: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kindred-shutdown-'));
    configPath = join(dir, 'kindred.yaml');
    await writeFile(configPath, configYaml({ kind: 'Thing' }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finishes every write in flight over HTTP/1.1 and HTTP/2, ends watches cleanly, and exits 0', { timeout: 120_000 }, async () => {
    const k = await startKindredProcess(configPath);
    const sessions = [session(k), session(k)];
    try {
      const writes = Array.from({ length: 50 }, (_, i) =>
        i % 2 === 0 ? slowWriteHttp1(k, `h1-${i}`) : slowWriteHttp2(sessions[i % 4 === 1 ? 0 : 1]!, `h2-${i}`),
      );
      const watches = [watchHttp1(k), watchHttp2(sessions[0]!)];
      await Promise.all([...writes.map((w) => w.accepted), ...watches.map((w) => w.started)]);

      k.child.kill('SIGTERM');
      // With --shutdown-delay-duration 0, the listener closes at once.
      await refused(k.port);
      for (const write of writes) write.finish();

      const outcomes = await Promise.all(writes.map((w) => w.outcome));
      const failed = outcomes.filter((o) => !('status' in o) || o.status !== 201);
      assert.deepEqual(failed, [], `${failed.length} of 50 writes in flight failed`);
      assert.deepEqual(await Promise.all(watches.map((w) => w.ended)), ['end', 'end']);
      assert.equal(await k.exited, 0, k.output());
    } finally {
      for (const s of sessions) s.destroy();
      await k.stop();
    }
  });

  it('fails /readyz at once and keeps serving during --shutdown-delay-duration', { timeout: 120_000 }, async () => {
    const k = await startKindredProcess(configPath, ['--shutdown-delay-duration', '3s']);
    try {
      const anonymous = { credentials: { ca: k.credentials.ca } };
      assert.equal((await httpRequest(k.url, 'GET', '/readyz', anonymous)).status, 200);
      k.child.kill('SIGTERM');
      let readyz = await httpRequest(k.url, 'GET', '/readyz?verbose', anonymous);
      while (readyz.status === 200) readyz = await httpRequest(k.url, 'GET', '/readyz?verbose', anonymous);
      assert.equal(readyz.status, 500);
      assert.match(readyz.text, /\[-\]shutdown failed: reason withheld/);
      const created = await httpRequest(k.url, 'POST', things, {
        credentials: k.credentials,
        headers: { 'content-type': 'application/json' },
        body: thing('during-delay'),
      });
      assert.equal(created.status, 201);
      assert.equal(await k.exited, 0, k.output());
    } finally {
      await k.stop();
    }
  });
});
