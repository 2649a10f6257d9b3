/**
 * Runs the test files of one tier (unit, e2e, cluster) or all of them with node's
 * built-in test runner. Node 20's `--test` takes no globs, so the files are found here.
 *
 *   node --import tsx test/run.ts [unit|e2e|cluster]...
 *
 * Unit files run in parallel (each in its own process; they share no ports, folders or
 * state): most of their time is spent waiting, not computing. e2e and cluster files run one
 * at a time: they start real kubectl, etcd and kube-apiserver processes that a 2-core CI
 * machine cannot run side by side. KINDRED_TEST_CONCURRENCY overrides the unit width.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tiers = ['unit', 'e2e', 'cluster'] as const;
type Tier = (typeof tiers)[number];

function tierOf(file: string): Tier {
  const top = relative(join(root, 'test'), file).split(sep)[0];
  return top === 'e2e' ? 'e2e' : top === 'cluster' ? 'cluster' : 'unit';
}

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry === 'build') return [];
    if (statSync(path).isDirectory()) return testFiles(path);
    return entry.endsWith('.test.ts') ? [path] : [];
  });
}

const wanted = new Set<string>(process.argv.slice(2).length > 0 ? process.argv.slice(2) : tiers);
for (const tier of wanted) {
  if (!(tiers as readonly string[]).includes(tier)) {
    console.error(`unknown tier ${tier}; expected one of ${tiers.join(', ')}`);
    process.exit(2);
  }
}
const all = testFiles(join(root, 'test')).sort();
const unitWidth = Number(process.env.KINDRED_TEST_CONCURRENCY) || Math.max(4, availableParallelism());
// --test-force-exit: a file whose tests are done but that leaks a handle (a socket, a timer)
// must not hold CI until its time limit; leaks are bugs to fix, not reasons to hang.
const runs = [
  { files: all.filter((f) => wanted.has('unit') && tierOf(f) === 'unit'), concurrency: unitWidth },
  { files: all.filter((f) => wanted.has(tierOf(f)) && tierOf(f) !== 'unit'), concurrency: 1 },
].filter((run) => run.files.length > 0);
if (runs.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
let status = 0;
for (const run of runs) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${run.concurrency}`, '--test-force-exit', ...run.files], {
    cwd: root,
    stdio: 'inherit',
  });
  status ||= result.status ?? 1;
}
process.exit(status);
