/**
 * Storage benchmark: the same operations against memory (the baseline), embedded and etcd
 * (a real etcd from test/cluster/build.sh, run with --unsafe-no-fsync as the cluster tests run
 * it, so its figures are kindred's and gRPC's, not the disk's). Store level (the plugin alone): create rate (sequential, each write durable
 * for embedded), GET, LIST of 10,000 objects. Through kindred over HTTPS: create rate,
 * sequential and 32 at a time. Prints figures and ratios against memory from the same run.
 *
 *   node --import tsx test/bench/storage.ts [--creates 2000] [--objects 10000]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { KindDefinition } from '../../core/types/kind.ts';
import type { Storage } from '../../core/types/storage.ts';
import { resolveBuiltinPlugin } from '../../plugins/index.ts';
import { defaultObject, request, write, type FullStorage } from '../../lib/testing/index.ts';
import { silent, widgetKind } from '../plugins/embedded/fixtures.ts';
import { startTestKindred } from '../support/kindred.ts';
import { startEtcd } from '../cluster/etcd-server.ts';
import { credentialsFromKubeconfig, httpRequest } from '../support/http.ts';

const { values } = parseArgs({ options: { creates: { type: 'string' }, objects: { type: 'string' } } });
const creates = Number(values.creates ?? 2000);
const objects = Number(values.objects ?? 10_000);
const plugins = ['memory', 'embedded', 'etcd'] as const;
const etcd = await startEtcd();
const etcdSettings = (prefix: string) => ({ servers: [etcd.url], prefix });

interface Figures {
  createsPerSecond: number;
  getMicroseconds: number;
  list10kMs: number;
  httpsSequentialPerSecond: number;
  httpsConcurrentPerSecond: number;
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

async function storeLevel(plugin: string, dir: string): Promise<Pick<Figures, 'createsPerSecond' | 'getMicroseconds' | 'list10kMs'>> {
  const kind: KindDefinition = { ...widgetKind(), backend: { plugin, options: {} } };
  const ctx = { configDir: dir, log: silent, dataDir: join(dir, plugin), etcd: etcdSettings('/bench-store') };
  const store = (await resolveBuiltinPlugin(plugin)!.create(kind, {}, ctx)) as Storage as FullStorage;
  const object = (i: number) => ({ ...defaultObject(kind, `w${i}`, `ns${i % 10}`), spec: { replicas: i, image: 'nginx:1.27', text: 'x'.repeat(300) } });
  let start = process.hrtime.bigint();
  for (let i = 0; i < creates; i++) await store.create(object(i), write());
  const createMs = ms(start);
  for (let i = creates; i < objects; i++) await store.create(object(i), write());
  start = process.hrtime.bigint();
  for (let i = 0; i < 10_000; i++) await store.get(`ns${i % 10}`, `w${i % objects}`, request());
  const getMs = ms(start);
  start = process.hrtime.bigint();
  const listed = await store.list(undefined, {}, request());
  const listMs = ms(start);
  if (listed.items.length !== objects) throw new Error(`listed ${listed.items.length} of ${objects}`);
  await store.close();
  return { createsPerSecond: (creates / createMs) * 1000, getMicroseconds: (getMs / 10_000) * 1000, list10kMs: listMs };
}

async function httpsLevel(plugin: string): Promise<Pick<Figures, 'httpsSequentialPerSecond' | 'httpsConcurrentPerSecond'>> {
  const kindred = await startTestKindred(`resources:
  - group: bench.kindred.dev
    names: {kind: Record, plural: records, singular: record}
    versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, properties: {spec: {type: object, x-kubernetes-preserve-unknown-fields: true}}}}}]
    backend: {plugin: ${plugin}}
`, { etcd: etcdSettings('/bench-https') });
  try {
    const credentials = credentialsFromKubeconfig(kindred.kubeconfigPath);
    let n = 0;
    const create = async () => {
      const body = JSON.stringify({ apiVersion: 'bench.kindred.dev/v1', kind: 'Record', metadata: { name: `r${++n}` }, spec: { a: n } });
      const response = await httpRequest(kindred.url, 'POST', '/apis/bench.kindred.dev/v1/namespaces/bench/records', { credentials, headers: { 'content-type': 'application/json' }, body });
      if (response.status !== 201) throw new Error(`create answered ${response.status}: ${response.text}`);
    };
    await create();
    let start = process.hrtime.bigint();
    for (let i = 0; i < 300; i++) await create();
    const sequential = (300 / ms(start)) * 1000;
    start = process.hrtime.bigint();
    await Promise.all(Array.from({ length: 32 }, async () => { for (let i = 0; i < 20; i++) await create(); }));
    const concurrent = (640 / ms(start)) * 1000;
    return { httpsSequentialPerSecond: sequential, httpsConcurrentPerSecond: concurrent };
  } finally {
    await kindred.stop();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'kindred-bench-storage-'));
const results = new Map<string, Figures>();
try {
  for (const plugin of plugins) results.set(plugin, { ...(await storeLevel(plugin, dir)), ...(await httpsLevel(plugin)) });
} finally {
  await rm(dir, { recursive: true, force: true });
  await etcd.remove();
}
const base = results.get('memory')!;
const row = (label: string, key: keyof Figures, unit: string, digits = 0) => {
  const cells = plugins.map((p) => {
    const value = results.get(p)![key];
    return `${p} ${value.toFixed(digits)} ${unit}${p === 'memory' ? '' : ` (x${(value / base[key]).toFixed(2)})`}`;
  });
  console.log(`${label.padEnd(34)} ${cells.join('   ')}`);
};
console.log(`storage benchmark: ${creates} creates, LIST of ${objects} objects; ratios against memory`);
row('store create (durable for embedded)', 'createsPerSecond', '/s');
row('store GET', 'getMicroseconds', 'us', 1);
row(`store LIST ${objects}`, 'list10kMs', 'ms');
row('HTTPS create, sequential', 'httpsSequentialPerSecond', '/s');
row('HTTPS create, 32 concurrent', 'httpsConcurrentPerSecond', '/s');
process.exit(0);
