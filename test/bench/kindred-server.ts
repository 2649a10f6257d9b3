/**
 * kindred as the benchmarks run it, in its own process so the load generator's CPU and
 * memory are not counted as kindred's: standalone (client certificates), memory store; or,
 * given a JSON argument (KindredServerOptions), aggregated mode against a real
 * kube-apiserver (delegated authentication: front-proxy headers or client certificates)
 * with extra kinds, e.g. one backed by the helmrelease plugin.
 *
 *   child → {type: 'ready', url, ca, cert, key, startedMs}
 *
 * `startedMs` is how long startKindred took, inside the process (the parent also times
 * spawn → ready, which includes loading node and the modules). In aggregated mode ca, cert
 * and key are empty: the parent made them and picks the identity per scenario.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { startKindred } from '../../app/startup.ts';
import { credentialsFromKubeconfig } from '../support/http.ts';
import { benchKind } from './kinds.ts';

/** The benchmark kind, with a printer column (Table answers have work to do). */
const BENCH_CONFIG = `resources:\n${benchKind({
  group: 'bench.example.com',
  kind: 'Widget',
  plural: 'widgets',
  backend: '{plugin: memory}',
  printerColumns: ['{name: Size, type: integer, jsonPath: .spec.size}'],
})}`;

export interface KindredServerOptions {
  /** YAML list items appended to the config's `resources` (indented as BENCH_CONFIG's). */
  extraResources?: string;
  /** Aggregated mode: serving certificate files and the cluster to delegate to. */
  aggregated?: { tlsCertFile: string; tlsPrivateKeyFile: string; kubeconfig: string };
}

const started = performance.now();
const options = JSON.parse(process.argv[2] ?? '{}') as KindredServerOptions;
const dir = await mkdtemp(join(tmpdir(), 'kindred-bench-'));
const configPath = join(dir, 'kindred.yaml');
await writeFile(configPath, BENCH_CONFIG + (options.extraResources ?? ''));
const kindred = await startKindred({
  configPath,
  port: 0,
  host: '127.0.0.1',
  log: pino({ level: process.env.KINDRED_BENCH_LOG ?? 'silent' }),
  watchConfig: false,
  ...(options.aggregated ? { ...options.aggregated, dataDir: join(dir, 'data') } : { kubeconfigPath: join(dir, 'kubeconfig') }),
});
const creds = options.aggregated ? { ca: '', cert: '', key: '' } : credentialsFromKubeconfig(join(dir, 'kubeconfig'));
process.send!({ type: 'ready', url: kindred.url, ca: creds.ca, cert: creds.cert, key: creds.key, startedMs: performance.now() - started });
process.on('disconnect', () => {
  void kindred
    .stop()
    .then(() => rm(dir, { recursive: true, force: true }))
    .finally(() => process.exit(0));
});
