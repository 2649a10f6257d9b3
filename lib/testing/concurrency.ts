/**
 * Concurrent writers (see conformance.ts): the optimistic concurrency every Kubernetes
 * client relies on. N writers read the same object and each writes back a change with the
 * resourceVersion it read; exactly one wins each round, the rest get Conflict, and the
 * stored object is the winner's: no update is lost.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStoreError } from '../../core/types/errors.ts';
import type { Harness } from './harness.ts';
import { request, revised, revisionOf, write } from './helpers.ts';

const WRITERS = 8;
const ROUNDS = 5;
const WRITER_PREFIX = 'conformance.kindred.dev/writer-';

export function concurrencyConformance(h: () => Harness): void {
  describe('concurrent updates', () => {
    it(`lets exactly one of ${WRITERS} writers with the same resourceVersion win each round, and loses no update`, async (t) => {
      const { store, supports, make, ns } = h();
      if (!supports(t, 'create', 'get', 'update')) return;
      await make('contended');
      const winners: string[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const read = await store.get(ns(), 'contended', request());
        const outcomes = await Promise.allSettled(
          Array.from({ length: WRITERS }, (_, writer) => store.update(revised(read, `r${round}w${writer}`), write())),
        );
        const won = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
        const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
        assert.equal(won.length, 1, `round ${round}: ${won.length} writers won`);
        for (const error of lost) {
          assert.ok(isStoreError(error) && error.reason === 'Conflict', `round ${round}: a loser got ${String(error)}, not Conflict`);
        }
        const stored = await store.get(ns(), 'contended', request());
        assert.equal(revisionOf(stored), revisionOf(won[0]), `round ${round}: the stored object is not the winner's`);
        assert.equal(stored.metadata.resourceVersion, won[0]!.metadata.resourceVersion);
        winners.push(revisionOf(stored) ?? '');
      }
      assert.equal(new Set(winners).size, ROUNDS);
    });

    it('serializes writers that each re-read on Conflict, so every one of their changes lands', async (t) => {
      const { store, supports, make, ns } = h();
      if (!supports(t, 'create', 'get', 'update')) return;
      await make('counter');
      // Each writer adds its own annotation, re-reading and retrying on Conflict as core's
      // read-modify-write does: at the end every label is there.
      const writer = async (i: number): Promise<void> => {
        for (;;) {
          const read = await store.get(ns(), 'counter', request());
          const next = structuredClone(read);
          next.metadata.annotations = { ...next.metadata.annotations, [`${WRITER_PREFIX}${i}`]: 'done' };
          try {
            await store.update(next, write());
            return;
          } catch (error) {
            if (!(isStoreError(error) && error.reason === 'Conflict')) throw error;
          }
        }
      };
      await Promise.all(Array.from({ length: WRITERS }, (_, i) => writer(i)));
      const annotations = (await store.get(ns(), 'counter', request())).metadata.annotations ?? {};
      const written = Object.keys(annotations).filter((k) => k.startsWith(WRITER_PREFIX)).sort();
      assert.deepEqual(written, Array.from({ length: WRITERS }, (_, i) => `${WRITER_PREFIX}${i}`).sort());
    });
  });
}
