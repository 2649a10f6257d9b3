/**
 * Child processes of the test control plane: each one's stdout and stderr go to
 * a log file (appended across restarts) and to a small in-memory tail for error
 * messages. Every live child is killed when this Node process exits, so a
 * failed or interrupted test never leaks a kube-apiserver.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { constants } from 'node:os';

/** A running (or exited) child. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Settles, with how it ended, once the process has exited and its output is read (never rejects). */
  readonly exited: Promise<string>;
  isRunning(): boolean;
  /** The last lines the process wrote, for error messages. */
  tail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  logPath: string;
  /** Receives every output line, prefixed with the process name. */
  log?: ((line: string) => void) | undefined;
}

const tailLines = 40;
const live = new Set<ChildProcess>();
let cleanupInstalled = false;

/** Starts `binary` with `args`. Throws if it cannot be spawned at all. */
export async function startProcess(
  name: string,
  binary: string,
  args: string[],
  options: StartOptions,
): Promise<ManagedProcess> {
  installCleanup();
  const file = createWriteStream(options.logPath, { flags: 'a' });
  const lines: string[] = [];
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => {
      file.end();
      reject(error);
    });
  });
  live.add(child);

  let running = true;
  child.once('exit', () => {
    running = false;
    live.delete(child);
  });
  // 'close' comes after 'exit' once both pipes have drained, so tail() is complete.
  const exited = new Promise<string>((resolve) => {
    child.once('close', (code, signal) => {
      file.end();
      resolve(signal ? `killed by ${signal}` : `exited with code ${code}`);
    });
  });

  const addLine = (line: string) => {
    lines.push(line);
    if (lines.length > tailLines) lines.shift();
    options.log?.(`${name}: ${line}`);
  };
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      file.write(chunk);
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) addLine(line);
    });
    stream?.on('end', () => partial && addLine(partial));
  }

  return {
    name,
    pid: child.pid ?? -1,
    logPath: options.logPath,
    exited,
    isRunning: () => running,
    tail: () => lines.join('\n'),
    async stop(graceMs = 10_000) {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Kills every live child synchronously. 'exit' handlers cannot wait, so this is
 * SIGKILL; graceful shutdown is stop()'s job. Installed as an 'exit' handler;
 * exported for exit handlers that must run after it.
 */
export function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', killAll);
  // A signal's default action ends Node without running 'exit' handlers, so
  // handle it: kill the children, then, if nobody else listens, exit with the
  // shell's code for that signal (128 + n) so the 'exit' handlers still run.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killAll();
      process.removeListener(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.exit(128 + constants.signals[signal]);
    };
    process.on(signal, onSignal);
  }
}
