/**
 * The benchmark harness in short mode, so it cannot rot: it must finish and print a table
 * with a row for every scenario. No figure is checked: timing belongs to the benchmark run,
 * not to a test. The scenarios that need the control plane run in the cluster tier
 * (test/cluster/bench-short.test.ts); here only their skipped row, without the binaries.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cells, runShortBench } from './short-run.ts';

describe('test/bench/run.ts --short', () => {
  it('runs every standalone scenario and prints one Markdown table with a row for each', async () => {
    const { code, stdout, stderr, rows } = await runShortBench(['--only', 'create,get,list,watch,start,reload']);
    assert.equal(code, 0, stderr);
    assert.match(rows[0] ?? '', /^\| scenario \| protocol \| figure \| kindred \| baseline \| ratio \| goal \|$/);
    const scenarios = new Set(rows.slice(1).map((row) => cells(row)[0]!));
    for (const expected of [/^create, 64 in flight$/, /^GET one object$/, /^LIST \d+ objects/, /^watch fan-out/, /^start to ready/, /^reload/]) {
      assert.ok([...scenarios].some((s) => expected.test(s)), `no row for ${expected} in:\n${stdout}`);
    }
    for (const protocol of ['h1', 'h2']) {
      assert.ok(rows.some((row) => row.startsWith('| GET one object | ' + protocol + ' |')), `no GET row over ${protocol}`);
    }
    // A scenario that measured nothing (no event delivered, no request answered) shows a dash.
    for (const row of rows.slice(1)) assert.match(cells(row)[3]!, /^[0-9][0-9,.]*/, row);
  });

  it('gives a control-plane scenario a row saying it was skipped when the binaries are missing', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'kindred-bench-nocache-'));
    try {
      const { KINDRED_REQUIRE_CLUSTER: _required, ...env } = process.env;
      const { code, stderr, rows } = await runShortBench(['--only', 'helmrelease,aggregated'], { ...env, KINDRED_CACHE: cache });
      assert.equal(code, 0, stderr);
      assert.equal(rows.length, 3, rows.join('\n'));
      for (const row of rows.slice(1)) assert.match(cells(row)[2]!, /^skipped: no control-plane binaries in /, row);
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });

  it('refuses a scenario name it does not know', async () => {
    const { code, stderr } = await runShortBench(['--only', 'gett']);
    assert.equal(code, 2);
    assert.match(stderr, /unknown scenario gett/);
  });
});
