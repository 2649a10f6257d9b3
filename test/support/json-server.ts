/**
 * json-server 0.17 (typicode/json-server, from npm: a REST service kindred's team did not
 * write) run as a child process on a free loopback port, over a JSON file in a temp folder.
 * `stop` kills it (as an outage would) and `start` brings it back on the same port and file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const cli = join(dirname(require.resolve('json-server/package.json')), 'lib', 'cli', 'bin.js');

export interface JsonServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  port: number;
  dbPath: string;
  /** Sends one request straight to json-server (not through kindred); returns status and parsed body. */
  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  /** The db file's content: what json-server has stored. */
  db(): Promise<Record<string, unknown[]>>;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export async function startJsonServer(data: Record<string, unknown[]>): Promise<JsonServer> {
  const dir = await mkdtemp(join(tmpdir(), 'kindred-json-server-'));
  const dbPath = join(dir, 'db.json');
  await writeFile(dbPath, JSON.stringify(data));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const request = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(origin + path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  const start = async () => {
    const started = spawn(process.execPath, [cli, dbPath, '--port', String(port), '--host', '127.0.0.1', '--quiet'], { stdio: ['pipe', 'ignore', 'pipe'] });
    child = started;
    let stderr = '';
    started.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    // Ready once it answers; fail fast if it exits.
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (started.exitCode !== null) throw new Error(`json-server exited with ${started.exitCode}: ${stderr}`);
      try {
        const res = await fetch(`${origin}/db`);
        await res.text();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`json-server did not answer on ${origin}: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    origin,
    port,
    dbPath,
    request,
    db: async () => JSON.parse(await readFile(dbPath, 'utf8')) as Record<string, unknown[]>,
    start,
    stop,
    dispose: async () => {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
