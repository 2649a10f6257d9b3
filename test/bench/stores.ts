/**
 * Benchmark: what a kind costs on each storage plugin, at the store (no HTTP): create rate
 * (N creates, C at a time), GET rate, and LIST of 10k objects. `memory` is the baseline
 * measured in the same run; every other plugin is printed as absolute figures and as a
 * ratio against it. The etcd plugin runs on a real etcd (test/cluster/build.sh's binary,
 * started with --unsafe-no-fsync as the cluster tests do, so this measures kindred and the
 * gRPC path, not the disk).
 *
 *   node --import tsx test/bench/stores.ts [--objects 10000] [--concurrency 32]
 */
import { parseArgs } from 'node:util';
import type { KindDefinition } from '../../core/types/kind.ts';
import type { KubeObject } from '../../core/types/object.ts';
import type { Creater, Getter, Lister, PluginContext, Storage, StoragePlugin } from '../../core/types/storage.ts';
import { memoryPlugin } from '../../plugins/memory/index.ts';
import { etcdPlugin } from '../../plugins/etcd/index.ts';
import { startEtcd } from '../cluster/etcd-server.ts';
import { request, write } from '../../lib/testing/index.ts';

const { values } = parseArgs({ options: { objects: { type: 'string' }, concurrency: { type: 'string' } } });
const objects = Number(values.objects ?? 10_000);
const concurrency = Number(values.concurrency ?? 32);

const kind: KindDefinition = {
  group: 'bench.kindred.dev',
  names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList', shortNames: [], categories: [] },
  scope: 'Namespaced',
  versions: [{ name: 'v1', served: true, storage: true, additionalPrinterColumns: [], subresources: {} }],
  backend: { plugin: 'memory', options: {} },
};
const log = { info() {}, warn() {}, error() {}, debug() {} };

function widget(i: number): KubeObject {
  const name = `w-${String(i).padStart(6, '0')}`;
  return {
    apiVersion: 'bench.kindred.dev/v1',
    kind: 'Widget',
    metadata: { name, namespace: `ns-${i % 10}`, uid: `uid-${i}`, creationTimestamp: '2026-01-01T00:00:00Z', generation: 1, labels: { app: 'bench' } },
    spec: { size: i % 7, color: 'blue', tags: ['a', 'b', 'c'] },
  };
}

/** Runs `task(0..count-1)` with `concurrency` in flight; returns the seconds it took. */
async function timed(count: number, task: (i: number) => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

interface Figures {
  createsPerSecond: number;
  getsPerSecond: number;
  listMs: number;
}

async function measure(plugin: StoragePlugin, ctx: PluginContext): Promise<Figures> {
  const store = (await plugin.create(kind, {}, ctx)) as Storage & Creater & Getter & Lister;
  try {
    const createSeconds = await timed(objects, (i) => store.create(widget(i), write()));
    const gets = Math.min(objects, 5_000);
    const getSeconds = await timed(gets, (i) => store.get(`ns-${i % 10}`, widget(i).metadata.name!, request()));
    const lists: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = process.hrtime.bigint();
      const list = await store.list(undefined, {}, request());
      lists.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (list.items.length !== objects) throw new Error(`listed ${list.items.length} of ${objects}`);
    }
    lists.sort((a, b) => a - b);
    return { createsPerSecond: objects / createSeconds, getsPerSecond: gets / getSeconds, listMs: lists[2]! };
  } finally {
    await store.close();
  }
}

const etcd = await startEtcd();
try {
  const baseline = await measure(memoryPlugin, { configDir: '/', log });
  const etcdFigures = await measure(etcdPlugin as StoragePlugin, { configDir: '/', log, etcd: { servers: [etcd.url], prefix: '/bench' } });
  const row = (name: string, f: Figures) =>
    `${name.padEnd(8)} create ${f.createsPerSecond.toFixed(0).padStart(7)}/s (x${(f.createsPerSecond / baseline.createsPerSecond).toFixed(3)})` +
    `   get ${f.getsPerSecond.toFixed(0).padStart(7)}/s (x${(f.getsPerSecond / baseline.getsPerSecond).toFixed(3)})` +
    `   list ${objects} ${f.listMs.toFixed(1).padStart(7)} ms (x${(f.listMs / baseline.listMs).toFixed(2)})`;
  process.stdout.write(`${objects} objects, ${concurrency} requests in flight; ratios against memory in this run\n`);
  process.stdout.write(`${row('memory', baseline)}\n${row('etcd', etcdFigures)}\n`);
} finally {
  await etcd.remove();
}
