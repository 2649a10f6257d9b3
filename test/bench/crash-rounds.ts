/**
 * The crash check of the embedded store: a real kindred process, concurrent creates and
 * merge patches through real HTTPS, `kill -9` at a random moment, a restart, and a list
 * compared with what the clients were told. Used by test/bench/crash.ts (20 rounds of 2,000
 * writes) and by a small CI test (test/plugins/embedded/crash.test.ts).
 *
 * Each object has at most one write in flight, so "its last acknowledged content" is exact:
 * after the restart an object holds the content of its last acknowledged write, or that of
 * the one write that was in flight when the process died (it may have committed unanswered).
 * Every object carries its token twice (`spec.token`, `spec.copy`): a torn write would differ.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliScript, tsx } from '../support/cli.ts';
import { credentialsFromKubeconfig, httpRequest, type Credentials } from '../support/http.ts';

export interface CrashOptions {
  rounds: number;
  /** Writes started per round (creates and updates), `concurrency` at a time. */
  writes: number;
  concurrency: number;
  /** The kill comes at a uniformly random moment in [0, killWithinMs) after the first write. */
  killWithinMs: number;
  /** Told after each round. */
  progress?: (round: number, counts: CrashCounts) => void;
}

export interface CrashCounts {
  /** Writes answered 2xx. */
  acknowledged: number;
  /** Writes that failed with an HTTP error status (nothing to find later). */
  refused: number;
  /** Writes whose connection died with the process: allowed either way. */
  unanswered: number;
  /** After the restart: objects holding their last acknowledged content. */
  lastAcknowledgedPresent: number;
  /** Unanswered writes found whole after the restart, and not found. */
  unansweredPresent: number;
  unansweredAbsent: number;
  /** Violations, each must be 0: an object not holding its last acknowledged content (nor the unanswered write's). */
  lost: number;
  torn: number;
  unknownObjects: number;
  resourceVersionWentBack: number;
  /** How long the round wrote before (or until) the kill. */
  writeMs: number;
}

interface Tracked {
  /** The content (token) the server acknowledged last; undefined while its create is unanswered. */
  acked: string | undefined;
  /** The token of the write in flight when the process died. */
  pending: string | undefined;
  busy: boolean;
}

const CONFIG = `resources:
  - group: crash.kindred.dev
    names: {kind: Record, plural: records, singular: record}
    scope: Namespaced
    versions:
      - name: v1
        served: true
        storage: true
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec: {type: object, properties: {token: {type: string}, copy: {type: string}, pad: {type: string}}}
    backend: {plugin: embedded}
`;
const PATH = '/apis/crash.kindred.dev/v1/namespaces/crash/records';

export function emptyCounts(): CrashCounts {
  return {
    acknowledged: 0,
    refused: 0,
    unanswered: 0,
    lastAcknowledgedPresent: 0,
    unansweredPresent: 0,
    unansweredAbsent: 0,
    lost: 0,
    torn: 0,
    unknownObjects: 0,
    resourceVersionWentBack: 0,
    writeMs: 0,
  };
}

export async function runCrashRounds(options: CrashOptions): Promise<CrashCounts> {
  const dir = await mkdtemp(join(tmpdir(), 'kindred-crash-'));
  const total = emptyCounts();
  const objects = new Map<string, Tracked>();
  let highestAckedRv = 0;
  let nextName = 0;
  let nextToken = 0;
  try {
    await writeFile(join(dir, 'kindred.yaml'), CONFIG);
    for (let round = 1; round <= options.rounds; round++) {
      const counts = emptyCounts();
      const server = await startServer(dir);
      let dead = false;
      const write = async (): Promise<void> => {
        const idle = [...objects].filter(([, o]) => !o.busy && o.acked !== undefined);
        const update = idle.length > 0 && Math.random() < 0.5;
        const name = update ? idle[Math.floor(Math.random() * idle.length)]![0] : `r${++nextName}`;
        const token = `t${++nextToken}`;
        const tracked = objects.get(name) ?? { acked: undefined, pending: undefined, busy: false };
        objects.set(name, tracked);
        tracked.busy = true;
        tracked.pending = token;
        const spec = { token, copy: token, pad: 'x'.repeat(200) };
        try {
          const response = update
            ? await httpRequest(server.url, 'PATCH', `${PATH}/${name}`, {
                credentials: server.credentials,
                headers: { 'content-type': 'application/merge-patch+json' },
                body: JSON.stringify({ spec }),
              })
            : await httpRequest(server.url, 'POST', PATH, {
                credentials: server.credentials,
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ apiVersion: 'crash.kindred.dev/v1', kind: 'Record', metadata: { name }, spec }),
              });
          tracked.pending = undefined;
          if (response.status >= 200 && response.status < 300) {
            counts.acknowledged++;
            tracked.acked = token;
            const acked = response.json() as { metadata: { resourceVersion: string } };
            highestAckedRv = Math.max(highestAckedRv, Number(acked.metadata.resourceVersion));
          } else {
            counts.refused++;
          }
        } catch {
          counts.unanswered++;
        } finally {
          tracked.busy = false;
        }
      };
      let started = 0;
      const worker = async (): Promise<void> => {
        while (!dead && started < options.writes) {
          started++;
          await write();
        }
      };
      const killAt = Math.random() * options.killWithinMs;
      const kill = new Promise<void>((resolve) =>
        setTimeout(() => {
          dead = true;
          server.child.kill('SIGKILL');
          resolve();
        }, killAt),
      );
      const writing = Date.now();
      await Promise.all([...Array.from({ length: options.concurrency }, worker), kill]);
      counts.writeMs = Date.now() - writing;
      await server.exited;

      // Restart and compare.
      const again = await startServer(dir);
      const listed = await httpRequest(again.url, 'GET', PATH, { credentials: again.credentials });
      const list = listed.json() as { metadata: { resourceVersion: string }; items: { metadata: { name: string }; spec: { token: string; copy: string } }[] };
      if (Number(list.metadata.resourceVersion) < highestAckedRv) counts.resourceVersionWentBack++;
      const stored = new Map(list.items.map((i) => [i.metadata.name, i]));
      for (const [name, object] of stored) {
        if (object.spec.token !== object.spec.copy) counts.torn++;
        if (!objects.has(name)) counts.unknownObjects++;
      }
      for (const [name, tracked] of objects) {
        const token = stored.get(name)?.spec.token;
        if (tracked.pending === undefined) {
          // Every write to it was answered: it holds the last acknowledged content (or is absent if none was).
          if (token !== tracked.acked) counts.lost++;
          else if (token !== undefined) counts.lastAcknowledgedPresent++;
        } else if (token === tracked.pending) {
          counts.unansweredPresent++;
        } else if (token === tracked.acked) {
          counts.unansweredAbsent++;
          if (token !== undefined) counts.lastAcknowledgedPresent++;
        } else {
          counts.lost++;
        }
        // What the server holds now is the truth the next round starts from.
        if (token === undefined) objects.delete(name);
        else Object.assign(tracked, { acked: token, pending: undefined, busy: false });
      }
      again.child.kill('SIGKILL');
      await again.exited;
      for (const key of Object.keys(total) as (keyof CrashCounts)[]) total[key] += counts[key];
      options.progress?.(round, counts);
    }
    return total;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Server {
  child: ChildProcess;
  url: string;
  credentials: Credentials;
  exited: Promise<void>;
}

/** `kindred serve` on a free port with the data directory of `dir`, once it says where it serves. */
async function startServer(dir: string): Promise<Server> {
  const kubeconfig = join(dir, 'kubeconfig');
  const child = spawn(
    process.execPath,
    ['--import', tsx, '-e', cliScript, '--', 'serve', '--config', join(dir, 'kindred.yaml'), '--secure-port', '0', '--write-kubeconfig', kubeconfig, '--data-dir', join(dir, 'data')],
    { env: { ...process.env, KINDRED_LOG_LEVEL: 'error' }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /kindred is serving at (https:\/\/\S+)/.exec(out);
      if (match && out.includes('api-resources')) resolve(match[1]!);
    });
    void exited.then(() => reject(new Error(`kindred exited before serving: ${out}`)));
  });
  return { child, url, credentials: credentialsFromKubeconfig(kubeconfig), exited };
}
