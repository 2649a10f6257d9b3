/**
 * The embedded store survives `kill -9`: a small version of test/bench/crash.ts (3 rounds of
 * 200 concurrent writes through HTTPS against a real kindred process, killed at a random
 * moment, restarted and compared). Every acknowledged write is found with its content, and
 * nothing unacknowledged is half there.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCrashRounds } from '../bench/crash-rounds.ts';

describe('embedded store under kill -9', () => {
  it('keeps every acknowledged write, whole, across 3 crashes', { timeout: 300_000 }, async () => {
    const counts = await runCrashRounds({ rounds: 3, writes: 200, concurrency: 16, killWithinMs: 2500 });
    assert.ok(counts.acknowledged > 0, `no write was acknowledged before the kills: ${JSON.stringify(counts)}`);
    assert.equal(counts.lost, 0, JSON.stringify(counts));
    assert.equal(counts.torn, 0, JSON.stringify(counts));
    assert.equal(counts.unknownObjects, 0, JSON.stringify(counts));
    assert.equal(counts.resourceVersionWentBack, 0, JSON.stringify(counts));
    assert.ok(counts.lastAcknowledgedPresent > 0);
  });
});
