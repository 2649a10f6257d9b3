/**
 * kindred as the benchmarks run it: standalone (client certificates), memory store, in its
 * own process so the load generator's CPU and memory are not counted as kindred's.
 *
 *   child → {type: 'ready', url, ca, cert, key, startedMs}
 *
 * `startedMs` is how long startKindred took, inside the process (the parent also times
 * spawn → ready, which includes loading node and the modules).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { startKindred } from '../../app/startup.ts';
import { credentialsFromKubeconfig } from '../support/http.ts';

/** The benchmark kind: namespaced, with a printer column, a status subresource and a free-form spec. */
const BENCH_GROUP = 'bench.example.com';
const BENCH_CONFIG = `resources:
  - group: ${BENCH_GROUP}
    names: {kind: Widget, plural: widgets, singular: widget}
    scope: Namespaced
    versions:
      - name: v1
        served: true
        storage: true
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
              status: {type: object, x-kubernetes-preserve-unknown-fields: true}
        additionalPrinterColumns:
          - {name: Size, type: integer, jsonPath: .spec.size}
        subresources: {status: {}}
    backend: {plugin: memory}
`;

const started = performance.now();
const dir = await mkdtemp(join(tmpdir(), 'kindred-bench-'));
const configPath = join(dir, 'kindred.yaml');
await writeFile(configPath, BENCH_CONFIG);
const kindred = await startKindred({
  configPath,
  port: 0,
  host: '127.0.0.1',
  log: pino({ level: process.env.KINDRED_BENCH_LOG ?? 'silent' }),
  kubeconfigPath: join(dir, 'kubeconfig'),
  watchConfig: false,
});
const creds = credentialsFromKubeconfig(join(dir, 'kubeconfig'));
process.send!({ type: 'ready', url: kindred.url, ca: creds.ca, cert: creds.cert, key: creds.key, startedMs: performance.now() - started });
process.on('disconnect', () => {
  void kindred.stop().finally(() => process.exit(0));
});
