/** The protection flags, parsed as k8s.io/apiserver parses them (integers, Go durations). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseServeFlags, UsageError } from '../../../app/cli/flags.ts';

describe('parseServeFlags', () => {
  it("defaults to kube-apiserver's values", () => {
    const flags = parseServeFlags([]);
    assert.deepEqual(
      [flags.maxRequestsInflight, flags.maxMutatingRequestsInflight, flags.requestTimeoutMs, flags.shutdownDelayMs, flags.http2MaxStreamsPerConnection],
      [400, 200, 60_000, 0, 0],
    );
  });

  it('reads Go durations', () => {
    const table: Array<[string, number]> = [
      ['0', 0],
      ['0s', 0],
      ['30s', 30_000],
      ['1m30s', 90_000],
      ['1h', 3_600_000],
      ['500ms', 500],
      ['1.5s', 1500],
    ];
    for (const [text, ms] of table) assert.equal(parseServeFlags(['--shutdown-delay-duration', text]).shutdownDelayMs, ms, text);
  });

  it('refuses what is not a duration or a count, naming the flag', () => {
    assert.throws(() => parseServeFlags(['--request-timeout', '30']), (e: Error) => e instanceof UsageError && /--request-timeout: not a duration/.test(e.message));
    assert.throws(() => parseServeFlags(['--shutdown-delay-duration=-1s']), UsageError);
    assert.throws(() => parseServeFlags(['--max-requests-inflight=-1']), /--max-requests-inflight: expected an integer ≥ 0/);
    assert.throws(() => parseServeFlags(['--max-mutating-requests-inflight', 'many']), UsageError);
    assert.throws(() => parseServeFlags(['--http2-max-streams-per-connection', '1.5']), UsageError);
  });

  it('takes 0 as unlimited in-flight requests', () => {
    const flags = parseServeFlags(['--max-requests-inflight', '0', '--max-mutating-requests-inflight', '0']);
    assert.deepEqual([flags.maxRequestsInflight, flags.maxMutatingRequestsInflight], [0, 0]);
  });
});
