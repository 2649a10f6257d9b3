/**
 * The benchmark scenarios that need the real control plane (front-proxy, helmrelease,
 * aggregated), in short mode: they must set up and measure on a real kube-apiserver, so
 * the harness cannot rot. No figure is checked: timing belongs to the benchmark run.
 * Under KINDRED_REQUIRE_CLUSTER=1 a control plane that cannot start fails this test.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cells, runShortBench } from '../bench/short-run.ts';
import { clusterTestOptions } from './require.ts';

describe('test/bench/run.ts --short, control-plane scenarios', clusterTestOptions(), () => {
  it('measures front-proxy, HelmRelease-backed and aggregated GET and LIST over both protocols', async () => {
    const { code, stdout, stderr, rows } = await runShortBench(['--only', 'front-proxy,helmrelease,aggregated']);
    assert.equal(code, 0, stderr);
    const body = rows.slice(1).map(cells);
    for (const scenario of [/^front-proxy GET one object$/, /^front-proxy LIST \d+ objects/, /^HelmRelease kind GET one object/, /^HelmRelease kind LIST \d+ objects/, /^aggregated GET one object/, /^aggregated LIST \d+ objects/]) {
      for (const protocol of ['h1', 'h2']) {
        assert.ok(body.some(([s, p]) => scenario.test(s!) && p === protocol), `no ${scenario} row over ${protocol} in:\n${stdout}`);
      }
    }
    // Every request answered: a time or a rate, never a dash or a count of errors.
    for (const row of body.filter(([, , figure]) => figure === 'req/s' || figure === 'median ms')) assert.match(row[3]!, /^[0-9][0-9,.]*$/, row.join(' | '));
  });
});
