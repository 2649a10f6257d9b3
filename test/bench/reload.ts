/**
 * Benchmark: time from writing the config file to discovery showing the new kind, over 20
 * reloads (each adds one kind). Prints median and max, as absolute times and as ratios
 * against a baseline measured in the same run: re-reading and parsing the same config file
 * (loadConfigFile), i.e. the least any reload must do.
 *
 *   node --import tsx test/bench/reload.ts [--debounce MS] [--reloads N]
 *
 * The watch debounce (default kindred's 100 ms) is a floor of the figure by design.
 * test/bench/run.ts runs it too, through `measureReloads`.
 */
import { Agent, request } from 'node:https';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfigFile } from '../../config/load.ts';
import { DEFAULT_DEBOUNCE_MS } from '../../config/watch.ts';
import { startKindred } from '../../app/startup.ts';
import { configYaml, type KindSpec } from '../app/reload/fixtures.ts';
import { credentialsFromKubeconfig } from '../support/http.ts';
import { median } from './report.ts';

export interface ReloadFigures {
  debounceMs: number;
  reloads: number;
  baseKinds: number;
  /** Per reload: write → discovery shows the new kind. */
  reloadMs: number[];
  /** Per reload: re-reading and parsing the file just written. */
  baselineMs: number[];
}

export async function measureReloads(reloads: number, debounceMs = DEFAULT_DEBOUNCE_MS): Promise<ReloadFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'kindred-bench-'));
  const configPath = join(dir, 'kindred.yaml');
  const kinds: KindSpec[] = Array.from({ length: 10 }, (_, i) => ({ kind: `Base${i}`, columns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }] }));
  const baseKinds = kinds.length;
  const write = async (text: string) => {
    await writeFile(`${configPath}.tmp`, text);
    await rename(`${configPath}.tmp`, configPath);
  };
  await write(configYaml(...kinds));
  const kindred = await startKindred({
    configPath,
    port: 0,
    host: '127.0.0.1',
    log: pino({ level: process.env.KINDRED_BENCH_LOG ?? 'silent' }),
    kubeconfigPath: join(dir, 'kubeconfig'),
    configDebounceMs: debounceMs,
  });
  const creds = credentialsFromKubeconfig(join(dir, 'kubeconfig'));
  const agent = new Agent({ keepAlive: true, ca: creds.ca, cert: creds.cert, key: creds.key });
  const discovery = () =>
    new Promise<string>((resolve, reject) => {
      const req = request(new URL('/apis/reload.example.com/v1', kindred.url), { agent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
      req.end();
    });

  const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;
  const reloadMs: number[] = [];
  const baselineMs: number[] = [];
  try {
    for (let i = 0; i < reloads; i++) {
      kinds.push({ kind: `Added${i}` });
      const text = configYaml(...kinds);
      const plural = `"added${i}s"`;
      const started = process.hrtime.bigint();
      await write(text);
      while (!(await discovery()).includes(plural)) {
        // Poll as fast as one connection allows: the figure is write → visible.
      }
      reloadMs.push(ms(started));
      if (process.env.BENCH_DEBUG) console.error(i, reloadMs.at(-1));
      // Baseline: re-read and parse the very file just written.
      const base = process.hrtime.bigint();
      const loaded = await loadConfigFile(configPath);
      baselineMs.push(ms(base));
      if (!loaded.ok) throw new Error('baseline read failed');
    }
  } finally {
    agent.destroy();
    await kindred.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return { debounceMs, reloads, baseKinds, reloadMs, baselineMs };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { debounce: { type: 'string' }, reloads: { type: 'string' } } });
  const figures = await measureReloads(Number(values.reloads ?? 20), Number(values.debounce ?? DEFAULT_DEBOUNCE_MS));
  const baseline = median(figures.baselineMs);
  const row = (label: string, value: number) => `${label.padEnd(44)} ${value.toFixed(1).padStart(8)} ms  ${(value / baseline).toFixed(1).padStart(7)}x baseline`;
  console.log(`config: ${figures.baseKinds} kinds + 1 added per reload, ${figures.reloads} reloads, debounce ${figures.debounceMs} ms`);
  console.log(row('baseline: re-read + parse config (median)', baseline));
  console.log(row('write → discovery shows new kind (median)', median(figures.reloadMs)));
  console.log(row('write → discovery shows new kind (max)', Math.max(...figures.reloadMs)));
  console.log(row('same minus debounce (median)', median(figures.reloadMs) - figures.debounceMs));
}
