/**
 * Runs a real kindred server in-process for a test, on a free loopback port, in standalone
 * mode with its own kubeconfig, and runs real kubectl binaries against it.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { pino, type Logger } from 'pino';
import { startKindred, type RunningKindred, type StartOptions } from '../../app/startup.ts';
import { mustKubectl } from './tools.ts';
import type { EtcdSettings } from '../../core/types/storage.ts';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlStream {
  /** Resolves with all output so far once `pattern` matches it; rejects after `ms` or if kubectl exits first. */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  output(): string;
  stop(): void;
}

export interface TestKindred {
  running: RunningKindred;
  url: string;
  kubeconfigPath: string;
  dir: string;
  /** Runs `kubectl.<version> --kubeconfig <ours> <args>` with its own discovery cache; never throws on a non-zero exit. */
  kubectl(version: string, args: string[], options?: { input?: string; env?: Record<string, string> }): Promise<KubectlResult>;
  /** Starts a long-running kubectl (e.g. `get -w`) whose output a test waits on. */
  kubectlStream(version: string, args: string[]): KubectlStream;
  /** The `--config` path: the config file, or the config directory. */
  configPath: string;
  /**
   * Replaces the config atomically (write aside, rename), as a careful editor or kubelet does;
   * with `layout: 'configmap-mount'` by kubelet's `..data` symlink swap. The running kindred
   * notices through its watch; the promise does not wait for the reload.
   */
  writeConfig(configYaml: string): Promise<void>;
  /** Writes a manifest into the test folder and returns its path. */
  file(name: string, content: string): Promise<string>;
  stop(): Promise<void>;
}

export interface TestKindredOptions {
  /**
   * `file` (default): one config file. `directory`: a config directory holding `kindred.yaml`.
   * `configmap-mount`: a directory laid out as kubelet mounts a ConfigMap (`kindred.yaml ->
   * ..data/kindred.yaml`, `..data -> ..<version>`).
   */
  layout?: 'file' | 'directory' | 'configmap-mount';
  /** Config watch debounce (default: kindred's). */
  debounceMs?: number;
  /** `--kubeconfig`: the cluster Kubernetes-backed plugins store objects in. */
  clusterKubeconfig?: string;
  /** `--etcd-servers` and friends: the etcd `etcd` kinds live in. */
  etcd?: EtcdSettings;
  /** kindred's logger (default: pino at KINDRED_TEST_LOG, else silent); tests that inspect logs pass their own. */
  log?: Logger;
  /** `--data-dir` (default: a folder inside the test's own temp folder, removed by stop()). */
  dataDir?: string;
  /** More startKindred options (limits, timeouts). */
  start?: Partial<Omit<StartOptions, 'configPath' | 'port' | 'host' | 'log' | 'kubeconfigPath'>>;
}

export async function startTestKindred(configYaml: string, options: TestKindredOptions = {}): Promise<TestKindred> {
  const dir = await mkdtemp(join(tmpdir(), 'kindred-test-'));
  const layout = options.layout ?? 'file';
  const configPath = layout === 'file' ? join(dir, 'kindred.config.yaml') : join(dir, 'config');
  let version = 0;
  const writeConfig = async (yaml: string): Promise<void> => {
    version++;
    if (layout === 'configmap-mount') {
      // kubelet's AtomicWriter: a new timestamped folder, a new `..data_tmp` symlink renamed over `..data`.
      const folder = `..${version}_${Date.now()}`;
      await mkdir(join(configPath, folder), { recursive: true });
      await writeFile(join(configPath, folder, 'kindred.yaml'), yaml);
      await symlink(folder, join(configPath, '..data_tmp'));
      await rename(join(configPath, '..data_tmp'), join(configPath, '..data'));
      if (version === 1) await symlink('..data/kindred.yaml', join(configPath, 'kindred.yaml'));
      return;
    }
    const target = layout === 'file' ? configPath : join(configPath, 'kindred.yaml');
    // Hidden, so a directory watch does not take the half-written file for a config document.
    const aside = join(dirname(target), `.${basename(target)}.${version}.tmp`);
    await writeFile(aside, yaml);
    await rename(aside, target);
  };
  if (layout !== 'file') await mkdir(configPath);
  await writeConfig(configYaml);
  const kubeconfigPath = join(dir, 'kubeconfig');
  const log = options.log ?? pino({ level: process.env.KINDRED_TEST_LOG ?? 'silent' });
  const running = await startKindred({
    configPath,
    port: 0,
    host: '127.0.0.1',
    log,
    kubeconfigPath,
    dataDir: options.dataDir ?? join(dir, 'data'),
    ...(options.debounceMs === undefined ? {} : { configDebounceMs: options.debounceMs }),
    ...(options.clusterKubeconfig === undefined ? {} : { kubeconfig: options.clusterKubeconfig }),
    ...(options.etcd === undefined ? {} : { etcd: options.etcd }),
    ...options.start,
  });
  const kubectl = (version: string, args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
    new Promise<KubectlResult>((resolve) => {
      const child = execFile(
        mustKubectl(version),
        ['--kubeconfig', kubeconfigPath, ...args],
        { env: { ...process.env, KUBECACHEDIR: join(dir, `cache-${version}`), HOME: dir, ...options.env }, timeout: 60_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      if (options.input !== undefined) child.stdin?.end(options.input);
    });
  const kubectlStream = (version: string, args: string[]): KubectlStream => {
    const child = spawn(mustKubectl(version), ['--kubeconfig', kubeconfigPath, ...args], {
      env: { ...process.env, KUBECACHEDIR: join(dir, `cache-${version}`), HOME: dir },
    });
    let out = '';
    let exited = false;
    const listeners = new Set<() => void>();
    const changed = () => listeners.forEach((l) => l());
    child.stdout.on('data', (d: Buffer) => ((out += d.toString()), changed()));
    child.stderr.on('data', (d: Buffer) => ((out += d.toString()), changed()));
    child.on('exit', () => ((exited = true), changed()));
    return {
      output: () => out,
      stop: () => void child.kill('SIGTERM'),
      waitFor: (pattern, ms = 20_000) =>
        new Promise<string>((resolve, reject) => {
          const check = () => {
            if (pattern.test(out)) return done(() => resolve(out));
            if (exited) return done(() => reject(new Error(`kubectl exited before ${pattern}; output:\n${out}`)));
          };
          const timer = setTimeout(() => done(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${out}`))), ms);
          const done = (settle: () => void) => {
            clearTimeout(timer);
            listeners.delete(check);
            settle();
          };
          listeners.add(check);
          check();
        }),
    };
  };
  return {
    running,
    kubectlStream,
    url: running.url,
    kubeconfigPath,
    dir,
    configPath,
    writeConfig,
    kubectl,
    file: async (name, content) => {
      const path = join(dir, name);
      await writeFile(path, content);
      return path;
    },
    stop: async () => {
      await running.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
