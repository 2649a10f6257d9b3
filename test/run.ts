/**
 * Runs the test files of one tier (unit, e2e, cluster) or all of them with node's
 * built-in test runner. Node 20's `--test` takes no globs, so the files are found here.
 *
 *   node --import tsx test/run.ts [unit|e2e|cluster]...
 *
 * Unit files run in a few processes side by side, each importing a share of the files:
 * starting a process with tsx costs more than most unit files' tests, and the files share
 * no ports, folders or global state. A file that starts kindred processes of its own runs
 * alone, beside them. KINDRED_TEST_CONCURRENCY sets how many processes;
 * KINDRED_TEST_ISOLATE=1 gives every unit file its own process again (to find a file that
 * leaks state into another). e2e and cluster files run one at a time, each in its own
 * process: they start real kubectl, etcd and kube-apiserver processes that a 2-core CI
 * machine cannot run side by side.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
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
const width = Number(process.env.KINDRED_TEST_CONCURRENCY) || Math.max(2, availableParallelism());
const isolate = process.env.KINDRED_TEST_ISOLATE === '1';

/**
 * Splits files into `count` groups of about equal size (bytes stand in for run time), each
 * written as one module that imports its files, for `node --test` to run as one.
 */
function groups(files: string[], count: number, dir: string): string[] {
  if (files.length === 0) return [];
  const shares = Array.from({ length: Math.min(count, files.length) }, () => ({ bytes: 0, files: [] as string[] }));
  for (const file of [...files].sort((a, b) => statSync(b).size - statSync(a).size)) {
    const least = shares.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    least.bytes += statSync(file).size;
    least.files.push(file);
  }
  return shares.map((share, i) => {
    // .mts: a module wherever it is, so its imports run before any test starts.
    const path = join(dir, `unit-${i + 1}-of-${shares.length}.test.mts`);
    writeFileSync(path, share.files.sort().map((f) => `import ${JSON.stringify(f)};\n`).join(''));
    return path;
  });
}

const groupDir = mkdtempSync(join(tmpdir(), 'kindred-unit-'));
const unitFiles = all.filter((f) => wanted.has('unit') && tierOf(f) === 'unit');
// Files that start kindred as a child process spend their time waiting for it, not computing:
// each runs in a process of its own, beside the groups, so none holds a group up.
const startsProcesses = (file: string): boolean => readFileSync(file, 'utf8').includes('support/kindred-process.ts');
const unitRun = isolate
  ? { files: unitFiles, concurrency: width }
  : {
      files: [...unitFiles.filter(startsProcesses), ...groups(unitFiles.filter((f) => !startsProcesses(f)), width, groupDir)],
      concurrency: width + unitFiles.filter(startsProcesses).length,
    };
const slowFiles = all.filter((f) => wanted.has(tierOf(f)) && tierOf(f) !== 'unit');
// --test-force-exit: a file whose tests are done but that leaks a handle (a socket, a timer)
// must not hold CI until its time limit; leaks are bugs to fix, not reasons to hang.
const runs = [unitRun, { files: slowFiles, concurrency: 1 }].filter((run) => run.files.length > 0);
if (runs.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
let status = 0;
try {
  for (const run of runs) {
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${run.concurrency}`, '--test-force-exit', ...run.files], {
      cwd: root,
      stdio: 'inherit',
    });
    status ||= result.status ?? 1;
  }
} finally {
  rmSync(groupDir, { recursive: true, force: true });
}
process.exit(status);
