/**
 * Crash benchmark of the embedded store: `kill -9` of a real kindred process during
 * concurrent writes through HTTPS, then a restart and a comparison (test/bench/crash-rounds.ts).
 * Prints the counts of every round and the totals; the violation counts must be 0.
 *
 *   node --import tsx test/bench/crash.ts [--rounds 20] [--writes 2000] [--concurrency 64] [--kill-within-ms 10000]
 */
import { parseArgs } from 'node:util';
import { runCrashRounds } from './crash-rounds.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string' }, writes: { type: 'string' }, concurrency: { type: 'string' }, 'kill-within-ms': { type: 'string' } },
});
const options = {
  rounds: Number(values.rounds ?? 20),
  writes: Number(values.writes ?? 2000),
  concurrency: Number(values.concurrency ?? 64),
  killWithinMs: Number(values['kill-within-ms'] ?? 10000),
};
console.log(`crash: ${options.rounds} rounds of ${options.writes} writes, ${options.concurrency} concurrent, kill -9 within ${options.killWithinMs} ms`);
const started = Date.now();
const total = await runCrashRounds({
  ...options,
  progress: (round, c) =>
    console.log(
      `round ${String(round).padStart(2)}: acknowledged ${c.acknowledged}, refused ${c.refused}, unanswered ${c.unanswered}; ` +
        `after restart: last acknowledged present ${c.lastAcknowledgedPresent}, unanswered present ${c.unansweredPresent} / absent ${c.unansweredAbsent}; ` +
        `lost ${c.lost}, torn ${c.torn}, unknown ${c.unknownObjects}, rv went back ${c.resourceVersionWentBack}`,
    ),
});
console.log(`total (${Math.round((Date.now() - started) / 1000)} s): ${JSON.stringify(total)}`);
const violations = total.lost + total.torn + total.unknownObjects + total.resourceVersionWentBack;
console.log(violations === 0 ? 'OK: every acknowledged write survived, nothing half-present' : `FAILED: ${violations} violations`);
process.exit(violations === 0 ? 0 : 1);
