/**
 * The watch half of the store conformance suite (see conformance.ts): ordering, resuming
 * from a list's resourceVersion, namespaces, the resourceVersions a watch refuses (410
 * Expired for history it no longer holds, ResourceVersionTooLarge for one it has not
 * reached), and the three ways a watch ends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Harness } from './harness.ts';
import { assertNewer, deletion, ended, openWatch, rejectsWith, request, revised, revisionOf, summary, take, write } from './helpers.ts';

export function watchConformance(h: () => Harness): void {
  describe('watch', () => {
    it('delivers ADDED, MODIFIED and DELETED after the given resourceVersion, in order, with the stored objects', async (t) => {
      const { store, supports, make, ns } = h();
      if (!supports(t, 'create', 'update', 'delete', 'list', 'watch')) return;
      const start = await store.list(undefined, {}, request());
      const watch = openWatch(store, undefined, start.resourceVersion);
      const created = await make('a');
      const updated = await store.update(revised(created, '2'), write());
      const deleted = await store.delete(ns(), 'a', deletion());

      const events = await take(watch, 3);
      assert.deepEqual(summary(events), ['ADDED a', 'MODIFIED a', 'DELETED a']);
      const [added, modified, removed] = events;
      assert.deepEqual(added?.object, created);
      assert.deepEqual(modified?.object, updated);
      // Not deepEqual: Kubernetes-backed stores send the deletion's resourceVersion only in the event.
      assert.equal(removed?.object.metadata.uid, deleted.metadata.uid);
      assert.equal(revisionOf(removed?.object), '2');
      assertNewer(modified?.object.metadata.resourceVersion, added?.object.metadata.resourceVersion);
      // `previous` is optional, but when a store sends it, it must be the state before the change.
      if (modified?.previous) assert.deepEqual(modified.previous, created);
      if (removed?.previous) assert.equal(revisionOf(removed.previous), '2');
      await watch.return?.();
    });

    it('from a list resourceVersion delivers every change made after the list, even before the watch opened', async (t) => {
      const { store, supports, make, ns } = h();
      if (!supports(t, 'create', 'update', 'delete', 'list', 'watch')) return;
      await make('x');
      const listed = await store.list(undefined, {}, request());
      const a = await make('a');
      await store.update(revised(a, '2'), write());
      await make('b');
      await store.delete(ns(), 'x', deletion());

      const watch = openWatch(store, undefined, listed.resourceVersion);
      assert.deepEqual(summary(await take(watch, 4)), ['ADDED a', 'MODIFIED a', 'ADDED b', 'DELETED x']);
      await watch.return?.();
    });

    it('fails with Expired (410) when asked to resume from history it no longer holds', async (t) => {
      const { store, supports, make, historyLimit } = h();
      if (!supports(t, 'create', 'list', 'watch')) return;
      if (historyLimit === undefined) return void t.skip('the fixture gives no historyLimit');
      const start = await store.list(undefined, {}, request());
      for (let i = 0; i <= historyLimit; i++) await make(`o${i}`);
      // Thrown when watch is called or on the first next(): the contract allows either.
      await rejectsWith(async () => openWatch(store, undefined, start.resourceVersion).next(), 'Expired');
    });

    it('fails with ResourceVersionTooLarge for a resourceVersion the store has not reached', async (t) => {
      const { store, supports, make } = h();
      if (!supports(t, 'create', 'list', 'watch')) return;
      await make('a');
      const current = (await store.list(undefined, {}, request())).resourceVersion;
      const ahead = /^[0-9]+$/.test(current) ? String(BigInt(current) + 1_000_000n) : current;
      await rejectsWith(async () => openWatch(store, undefined, ahead).next(), 'ResourceVersionTooLarge');
    });

    it('delivers only the events of the namespace watched', async (t) => {
      const { store, supports, make, kind } = h();
      if (!supports(t, 'create', 'list', 'watch')) return;
      if (kind.scope === 'Cluster') return void t.skip('the kind is cluster-scoped');
      const start = await store.list(undefined, {}, request());
      const watch = openWatch(store, 'beta', start.resourceVersion);
      await make('a', 'alpha');
      await make('b', 'beta');
      await make('c', 'alpha');
      await make('d', 'beta');
      assert.deepEqual(summary(await take(watch, 2)), ['ADDED b', 'ADDED d']);
      await watch.return?.();
    });

    it('gives each consumer its own copy of an event or a frozen one, so changing one changes neither the store nor other watches', async (t) => {
      const { store, supports, make, ns } = h();
      if (!supports(t, 'create', 'get', 'list', 'watch')) return;
      const start = await store.list(undefined, {}, request());
      const first = openWatch(store, undefined, start.resourceVersion);
      const second = openWatch(store, undefined, start.resourceVersion);
      await make('a');
      const [mine] = await take(first, 1);
      assert.ok(mine);
      try {
        mine.object.metadata.annotations = { mutated: 'event' };
      } catch (error) {
        // A frozen event refuses the change; a copy takes it harmlessly.
        assert.ok(error instanceof TypeError, `changing an event threw ${String(error)}`);
      }
      const [theirs] = await take(second, 1);
      assert.equal(revisionOf(theirs?.object), '1');
      assert.equal(revisionOf(await store.get(ns(), 'a', request())), '1');
      await first.return?.();
      await second.return?.();
    });

    it('ends when the consumer breaks out of for-await, and releases the watcher', async (t) => {
      const { store, supports, make, openWatches } = h();
      if (!supports(t, 'create', 'list', 'watch')) return;
      const start = await store.list(undefined, {}, request());
      await make('a');
      const seen: string[] = [];
      for await (const event of store.watch(undefined, { resourceVersion: start.resourceVersion }, request())) {
        if (event.type === 'BOOKMARK') continue;
        seen.push(event.object.metadata.name ?? '');
        break;
      }
      assert.deepEqual(seen, ['a']);
      if (openWatches) assert.equal(openWatches(), 0);
      // Writes after the consumer left must not fail or block on the abandoned watch.
      await make('b');
    });

    it('ends when the request signal aborts', async (t) => {
      const { store, supports, openWatches } = h();
      if (!supports(t, 'list', 'watch')) return;
      const start = await store.list(undefined, {}, request());
      const abort = new AbortController();
      const watch = openWatch(store, undefined, start.resourceVersion, abort.signal);
      const waiting = ended(watch);
      abort.abort();
      await waiting;
      if (openWatches) assert.equal(openWatches(), 0);
    });

    it('ends open watches when the store closes', async (t) => {
      const { store, supports, openWatches } = h();
      if (!supports(t, 'list', 'watch')) return;
      const start = await store.list(undefined, {}, request());
      const watch = openWatch(store, undefined, start.resourceVersion);
      const waiting = ended(watch);
      await store.close();
      await waiting;
      if (openWatches) assert.equal(openWatches(), 0);
    });
  });
}
