/**
 * Benchmark: what the http plugin adds on top of the service it fronts. json-server holds
 * N records; the baseline is one plain GET of the collection (fetch + JSON.parse), measured in
 * the same run; the figures are the store's list (GET, mapping, diffing, minting versions),
 * get and create+update+delete, each as a median and as a ratio to that baseline's median.
 *
 *   node --import tsx test/bench/http-store.ts [--records N] [--rounds R]
 */
import { parseArgs } from 'node:util';
import { defaultObject, deletion, request, revised, write } from '../../lib/testing/index.ts';
import { startJsonServer } from '../support/json-server.ts';
import { httpStore, zoneKind } from '../plugins/http/fixtures.ts';

const { values } = parseArgs({ options: { records: { type: 'string' }, rounds: { type: 'string' } } });
const records = Number(values.records ?? 1000);
const rounds = Number(values.rounds ?? 30);

const kind = zoneKind('Namespaced');
const zones = Array.from({ length: records }, (_, i) => ({ id: `z${String(i).padStart(5, '0')}`, namespace: `ns${i % 10}`, region: 'eu-1', size: i, metadata: { labels: { tier: 'gold' } } }));
const service = await startJsonServer({ zones });
const store = await httpStore(kind, { url: `${service.origin}/zones` });

async function median(what: () => Promise<unknown>): Promise<number> {
  await what(); // warm-up: connections, JIT, the store's first sight of every record
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await what();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? NaN;
}

try {
  const baseline = await median(async () => JSON.parse(await (await fetch(`${service.origin}/zones`)).text()));
  const list = await median(() => store.list(undefined, {}, request()));
  const get = await median(() => store.get('ns1', 'z00001', request()));
  let n = 0;
  const writes = await median(async () => {
    const created = await store.create(defaultObject(kind, `w${n++}`, 'ns0'), write());
    await store.update(revised(created, '2'), write());
    await store.delete('ns0', created.metadata.name ?? '', deletion());
  });
  const row = (name: string, ms: number) => console.log(`${name.padEnd(34)} ${ms.toFixed(2).padStart(8)} ms  ${(ms / baseline).toFixed(2).padStart(6)}x`);
  console.log(`${records} records, ${rounds} rounds, median`);
  row('baseline: GET the collection', baseline);
  row('store.list (all namespaces)', list);
  row('store.get', get);
  row('create + update + delete', writes);
} finally {
  await store.close();
  await service.dispose();
}
