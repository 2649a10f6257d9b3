/**
 * The two servers of every comparison, each in its own process: kindred
 * (test/bench/kindred-server.ts) and the bare baseline (test/bench/bare-server.ts). Memory
 * figures come from /proc: RSS now, and the peak since the last `resetPeak()`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { Target } from './load.ts';
import type { KindredServerOptions } from './kindred-server.ts';

export interface ServerProcess {
  readonly name: 'kindred' | 'bare';
  readonly target: Target;
  /** Spawn to ready, as the parent saw it. */
  readonly readyMs: number;
  readonly child: ChildProcess;
  /** Resident memory now, in bytes. */
  rss(): number;
  /** Starts a new peak-RSS window (Linux: clear_refs 5). */
  resetPeak(): void;
  /** Peak resident memory since resetPeak(), in bytes. */
  peakRss(): number;
  /** CPU time (user + system) the process has used so far, in ms: per-request cost that load elsewhere on the machine does not skew. */
  cpuMs(): number;
  /** Bare server only: answers `key` ('GET /path?query') with these bytes from now on. */
  route(key: string, status: number, contentType: string, body: Buffer): Promise<void>;
  stop(): Promise<void>;
}

/** USER_HZ: 100 on every Linux that kindred runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;

const entry = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** CPU time (user + system) process `pid` has used so far, in ms (Linux /proc). */
export function processCpuMs(pid: number): number {
  // Fields 14 and 15 of /proc/PID/stat (after the parenthesised command name): utime, stime in clock ticks.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/**
 * Starts one server process. `kindredOptions` (kindred only) goes to
 * test/bench/kindred-server.ts as its argument: the default is standalone mode.
 */
export async function startServer(name: 'kindred' | 'bare', kindredOptions?: KindredServerOptions): Promise<ServerProcess> {
  const started = performance.now();
  const args = name === 'kindred' && kindredOptions ? [JSON.stringify(kindredOptions)] : [];
  const child = fork(entry(name === 'kindred' ? './kindred-server.ts' : './bare-server.ts'), args, {
    // KINDRED_BENCH_NODE_ARGS adds node flags to kindred's process, e.g. a CPU or heap profile:
    // KINDRED_BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
    execArgv: ['--import', 'tsx', ...(name === 'kindred' ? (process.env.KINDRED_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean) : [])],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ url: string; ca: string; cert: string; key: string }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} server exited with ${code} before it was ready`)));
    child.on('message', (m: { type: string; url: string; ca: string; cert: string; key: string }) => {
      if (m.type === 'ready') resolve(m);
    });
  });
  const readyMs = performance.now() - started;
  const status = () => readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status())?.[1] ?? NaN) * 1024;
  return {
    name,
    target: { url: ready.url, ca: ready.ca, cert: ready.cert, key: ready.key },
    readyMs,
    child,
    rss: () => kb('VmRSS'),
    resetPeak: () => writeFileSync(`/proc/${child.pid}/clear_refs`, '5'),
    peakRss: () => kb('VmHWM'),
    cpuMs: () => processCpuMs(child.pid!),
    route: (key, status, contentType, body) =>
      new Promise((resolve) => {
        const onMessage = (m: { type: string; key: string }) => {
          if (m.type !== 'routed' || m.key !== key) return;
          child.off('message', onMessage);
          resolve();
        };
        child.on('message', onMessage);
        child.send({ type: 'route', key, status, contentType, body });
      }),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.disconnect();
      }),
  };
}
