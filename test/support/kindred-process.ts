/**
 * Runs `kindred serve` as a child process, as a user does, for tests of what only a process
 * has: signals, exit codes, crashes. It serves on a free loopback port with its own kubeconfig.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentialsFromKubeconfig, type Credentials } from './http.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
// tsx by absolute URL: the command also runs from folders outside the repo.
const tsx = import.meta.resolve('tsx');
const cliScript = `import('${join(root, 'app/cli/main.ts')}').then((m) => m.main(process.argv.slice(1))).then((code) => process.exit(code))`;

export interface KindredProcess {
  child: ChildProcessWithoutNullStreams;
  url: string;
  port: number;
  credentials: Credentials;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or the signal that killed it). */
  exited: Promise<number | NodeJS.Signals | null>;
  stop(): Promise<void>;
}

export async function startKindredProcess(configPath: string, args: string[] = [], env: Record<string, string> = {}): Promise<KindredProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'kindred-process-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const child = spawn(
    process.execPath,
    ['--import', tsx, '-e', cliScript, '--', 'serve', '--config', configPath, '--secure-port', '0', '--write-kubeconfig', kubeconfig, ...args],
    { cwd: root, env: { ...process.env, KINDRED_LOG_LEVEL: 'warn', ...env } },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kindred did not start: ${out}`)), 60_000);
    const check = () => {
      const match = /kindred is serving at (https:\/\/\S+)/.exec(out);
      if (match && out.includes('api-resources')) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', check);
    void exited.then(() => reject(new Error(`kindred exited early: ${out}`)));
  });
  return {
    child,
    url,
    port: Number(new URL(url).port),
    credentials: credentialsFromKubeconfig(kubeconfig),
    output: () => out,
    exited,
    stop: async () => {
      child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
