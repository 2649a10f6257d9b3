/**
 * The input-limit crash cases of issue 16 at full size, against a real `kindred serve` in a
 * child process (so its RSS is its own, and a crash shows as an exit). Prints, per case, the
 * status and reason, the time to answer, the server's RSS before and after, and whether the
 * server still answers; then what the int64-exact JSON path costs against JSON.parse and
 * JSON.stringify.
 *
 *   node --import tsx test/bench/reliability.ts
 *
 * Before the limits: the 40-copy patch grew the heap until `FATAL ERROR: Reached heap limit`
 * (57 s, every object lost); a 1 MiB string copied 4,500 times reached 4.3 GB RSS; an object
 * ~1,900 levels deep was stored and then answered 500 to every get, list, watch and delete;
 * deep YAML aborted the process on its second attempt.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentialsFromKubeconfig, httpRequest, type HttpResponse } from '../support/http.ts';
import { encodeJson, parseJson } from '../../lib/json.ts';
import { MAX_NESTING_DEPTH } from '../../core/nesting.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CONFIG = `
resources:
  - group: bench.example.com
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
`;
const widgets = '/apis/bench.example.com/v1/namespaces/default/widgets';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const dir = await mkdtemp(join(tmpdir(), 'kindred-bench-'));
const configPath = join(dir, 'kindred.yaml');
const kubeconfig = join(dir, 'kubeconfig');
await writeFile(configPath, CONFIG);
const port = await freePort();
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--input-type=module', '-e', `const { main } = await import(${JSON.stringify(join(root, 'app/cli/main.ts'))}); process.exitCode = await main(JSON.parse(process.env.KINDRED_ARGS));`],
  {
    cwd: root,
    env: { ...process.env, KINDRED_ARGS: JSON.stringify(['serve', '--config', configPath, '--secure-port', String(port), '--write-kubeconfig', kubeconfig]) },
    stdio: ['ignore', 'pipe', 'pipe'],
  },
);
let exited: string | undefined;
let stderr = '';
child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
child.on('exit', (code, signal) => (exited = `exited (code ${code}, signal ${signal})`));
const url = await new Promise<string>((resolve, reject) => {
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const match = /kindred is serving at (\S+)/.exec(out);
    if (match) resolve(match[1]!);
  });
  child.on('exit', () => reject(new Error(`kindred exited before serving:\n${stderr}`)));
});
const credentials = credentialsFromKubeconfig(kubeconfig);
const call = (method: string, path: string, body?: string, contentType = 'application/json'): Promise<HttpResponse> =>
  httpRequest(url, method, path, { credentials, ...(body === undefined ? {} : { body, headers: { 'content-type': contentType } }) });

async function rssMiB(): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

const rows: string[][] = [['case', 'status', 'reason', 'ms', 'RSS before', 'RSS after', 'still answers']];
async function measure(name: string, send: () => Promise<HttpResponse>): Promise<void> {
  const before = await rssMiB();
  const started = process.hrtime.bigint();
  let status = '-';
  let reason = '';
  try {
    const r = await send();
    status = String(r.status);
    reason = r.status >= 400 ? (JSON.parse(r.text) as { reason?: string }).reason ?? '' : '';
  } catch (error) {
    status = `error: ${(error as Error).message}`;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const alive = exited ? exited : (await call('GET', widgets).catch(() => undefined))?.status === 200 ? 'yes' : 'NO';
  const after = exited ? NaN : await rssMiB();
  rows.push([name, status, reason, ms.toFixed(0), `${before.toFixed(0)} MiB`, `${after.toFixed(0)} MiB`, alive]);
}

const deepText = (name: string, depth: number): string => {
  const levels = depth - 2;
  return `{"apiVersion":"bench.example.com/v1","kind":"Widget","metadata":{"name":"${name}"},"spec":{"x":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}}}`;
};
const widget = (name: string, spec: unknown) => JSON.stringify({ apiVersion: 'bench.example.com/v1', kind: 'Widget', metadata: { name }, spec });

try {
  await call('POST', widgets, widget('survivor', { note: 'must outlive every case' }));

  await call('POST', widgets, widget('doubling', { list: ['x'.repeat(100)] }));
  const doubling = JSON.stringify(Array.from({ length: 40 }, () => ({ op: 'copy', from: '/spec/list', path: '/spec/list/-' })));
  await measure(`40-copy doubling JSON patch (${doubling.length} B)`, () => call('PATCH', `${widgets}/doubling`, doubling, 'application/json-patch+json'));

  await call('POST', widgets, widget('mebibyte', { list: ['m'.repeat(1024 * 1024)] }));
  const copies = JSON.stringify(Array.from({ length: 4500 }, () => ({ op: 'copy', from: '/spec/list/0', path: '/spec/list/-' })));
  await measure('1 MiB string copied 4,500x', () => call('PATCH', `${widgets}/mebibyte`, copies, 'application/json-patch+json'));

  const half = 'h'.repeat(900 * 1024);
  await call('POST', widgets, widget('growing', { a: half }));
  await measure('merge patch growing an object to 1.8 MiB', () => call('PATCH', `${widgets}/growing`, JSON.stringify({ spec: { b: half } }), 'application/merge-patch+json'));

  await measure(`create ${MAX_NESTING_DEPTH} deep (the limit)`, () => call('POST', widgets, deepText('at-limit', MAX_NESTING_DEPTH)));
  for (const [verb, path] of [['get', `${widgets}/at-limit`], ['list', widgets], ['list -A', '/apis/bench.example.com/v1/widgets']] as const) {
    await measure(`${verb} of the ${MAX_NESTING_DEPTH}-deep object`, () => call('GET', path));
  }
  await measure(`delete of the ${MAX_NESTING_DEPTH}-deep object`, () => call('DELETE', `${widgets}/at-limit`));
  await measure('create 1,900 deep', () => call('POST', widgets, deepText('deep-1900', 1900)));
  await measure('managedFields.fieldsV1 1,900 deep', () =>
    call('POST', widgets, `{"apiVersion":"bench.example.com/v1","kind":"Widget","metadata":{"name":"mf","managedFields":[{"manager":"m","operation":"Update","fieldsType":"FieldsV1","fieldsV1":${'{"a":'.repeat(1900)}1${'}'.repeat(1900)}}]}}`),
  );
  await measure('create 10,001 deep', () => call('POST', widgets, deepText('deep-10001', 10_001)));
  for (let i = 1; i <= 3; i++) {
    await measure(`YAML flow 5,000 deep, attempt ${i}`, () => call('POST', widgets, '{a: '.repeat(5000) + '1' + '}'.repeat(5000), 'application/yaml'));
  }
  await measure('YAML self-referential anchor', () => call('POST', widgets, 'apiVersion: bench.example.com/v1\nkind: Widget\nmetadata: {name: s}\nspec: &a {x: [*a]}\n', 'application/yaml'));
  await measure('labels nested 100,000 deep', () =>
    call('POST', widgets, `{"apiVersion":"bench.example.com/v1","kind":"Widget","metadata":{"name":"l","labels":${'{"a":'.repeat(100_000)}"b"${'}'.repeat(100_000)}}}`),
  );
  const survivor = await call('GET', `${widgets}/survivor`);
  rows.push(['survivor object still stored', String(survivor.status), '', '', '', '', '']);
} finally {
  child.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
}

const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i]!)).join('  '));

// ---- what exact int64 costs the JSON path ----
const object = {
  apiVersion: 'bench.example.com/v1',
  kind: 'Widget',
  metadata: { name: 'a', namespace: 'default', uid: 'c49b22c1-a699-483d-ba26-3346837af655', resourceVersion: '12345', labels: { app: 'web' } },
  spec: { size: 3, ratio: 0.5, list: Array.from({ length: 40 }, (_, i) => `item-${i}`), nested: { a: { b: { c: true } } } },
};
const list = { items: Array.from({ length: 2000 }, (_, i) => ({ ...object, metadata: { ...object.metadata, name: `w${i}` } })) };
const inputs = {
  'object (0.7 KB)': JSON.stringify(object),
  'list of 2,000 (1.6 MB)': JSON.stringify(list),
  'list of 2,000, one int64': JSON.stringify(list).replace('"size":3', '"size":123456789012345678'),
};
function perOp(fn: () => unknown, budgetMs = 400): number {
  for (let i = 0; i < 5; i++) fn();
  let runs = 0;
  const started = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < budgetMs * 1e6) {
    fn();
    runs++;
    elapsed = Number(process.hrtime.bigint() - started);
  }
  return elapsed / runs / 1e3;
}
console.log('\nJSON path (µs per call, median of 5 rounds)');
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const [name, text] of Object.entries(inputs)) {
  const value = parseJson(text);
  const plain: unknown = JSON.parse(text);
  const round = (fn: () => unknown) => median(Array.from({ length: 5 }, () => perOp(fn, 150)));
  const [parse, exact, stringify, encode] = [round(() => JSON.parse(text)), round(() => parseJson(text)), round(() => JSON.stringify(plain)), round(() => encodeJson(value))];
  console.log(`${name.padEnd(28)} JSON.parse ${parse.toFixed(1).padStart(9)}  parseJson ${exact.toFixed(1).padStart(9)}  JSON.stringify ${stringify.toFixed(1).padStart(9)}  encodeJson ${encode.toFixed(1).padStart(9)}`);
}
