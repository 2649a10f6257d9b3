/**
 * The read and write half of the store conformance suite (see conformance.ts): create, get,
 * update, delete, list and dry-run, each with the errors the contract names.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Harness } from './harness.ts';
import type { KubeObject } from '../../core/types/object.ts';
import { assertNewer, deletion, openWatch, rejectsWith, request, revised, revisionOf, summary, take, write } from './helpers.ts';

export function crudConformance(h: () => Harness): void {
  describe('create', () => {
    it('returns the object with a resourceVersion, and get then returns the same object', async (t) => {
      const { store, supports, sample, ns } = h();
      if (!supports(t, 'create', 'get')) return;
      const created = await store.create(sample('a'), write());
      assert.match(created.metadata.resourceVersion ?? '', /^[0-9]+$/, 'a resourceVersion is a decimal integer string');
      assert.equal(created.metadata.name, 'a');
      assert.equal(revisionOf(created), '1');
      assert.deepEqual(await store.get(ns(), 'a', request()), created);
    });

    it('fails with AlreadyExists when the name is taken', async (t) => {
      const { store, supports, sample, make } = h();
      if (!supports(t, 'create')) return;
      await make('a');
      await rejectsWith(() => store.create(sample('a'), write()), 'AlreadyExists');
    });
  });

  describe('get', () => {
    it('fails with NotFound when the object does not exist', async (t) => {
      const { store, supports, ns } = h();
      if (!supports(t, 'get')) return;
      await rejectsWith(() => store.get(ns(), 'missing', request()), 'NotFound');
    });

    it('returns copies or frozen objects, so no caller can change the stored object through a reference', async (t) => {
      const { store, supports, sample, ns } = h();
      if (!supports(t, 'create', 'get', 'list')) return;
      const input = sample('a');
      const created = await store.create(input, write());
      // A frozen object refuses the change (TypeError in strict code); a copy takes it harmlessly.
      const tryToChange = (object: KubeObject | undefined, mark: string) => {
        try {
          if (object) object.metadata.annotations = { mutated: mark };
        } catch (error) {
          assert.ok(error instanceof TypeError, `changing a returned object threw ${String(error)}`);
        }
      };
      input.metadata.annotations = { mutated: 'input' };
      tryToChange(created, 'result');
      tryToChange(await store.get(ns(), 'a', request()), 'get');
      tryToChange((await store.list(ns(), {}, request())).items[0], 'list');
      assert.equal(revisionOf(await store.get(ns(), 'a', request())), '1');
    });
  });

  describe('update', () => {
    it('stores the object and returns a newer resourceVersion when the resourceVersion is current', async (t) => {
      const { store, supports, make, ns } = h();
      if (!supports(t, 'create', 'update', 'get')) return;
      const created = await make('a');
      const updated = await store.update(revised(created, '2'), write());
      assertNewer(updated.metadata.resourceVersion, created.metadata.resourceVersion);
      assert.equal(revisionOf(updated), '2');
      assert.deepEqual(await store.get(ns(), 'a', request()), updated);
    });

    it('fails with Conflict and changes nothing when the resourceVersion is stale', async (t) => {
      const { store, supports, make, ns } = h();
      if (!supports(t, 'create', 'update', 'get')) return;
      const created = await make('a');
      const current = await store.update(revised(created, '2'), write());
      await rejectsWith(() => store.update(revised(created, '3'), write()), 'Conflict');
      assert.deepEqual(await store.get(ns(), 'a', request()), current);
    });

    it('fails with NotFound when the object does not exist', async (t) => {
      const { store, supports, sample } = h();
      if (!supports(t, 'update')) return;
      await rejectsWith(() => store.update(sample('missing'), write()), 'NotFound');
    });
  });

  describe('delete', () => {
    it('returns the last state of the object, after which get fails with NotFound', async (t) => {
      const { store, supports, make, ns } = h();
      if (!supports(t, 'create', 'update', 'delete', 'get')) return;
      const last = await store.update(revised(await make('a'), '2'), write());
      const deleted = await store.delete(ns(), 'a', deletion());
      assert.equal(deleted.metadata.name, 'a');
      assert.equal(deleted.metadata.uid, last.metadata.uid);
      assert.equal(revisionOf(deleted), '2');
      await rejectsWith(() => store.get(ns(), 'a', request()), 'NotFound');
    });

    it('fails with NotFound when the object does not exist', async (t) => {
      const { store, supports, ns } = h();
      if (!supports(t, 'delete')) return;
      await rejectsWith(() => store.delete(ns(), 'missing', deletion()), 'NotFound');
    });

    it('fails with Conflict and keeps the object when the uid precondition does not match', async (t) => {
      const { store, supports, make, ns } = h();
      if (!supports(t, 'create', 'delete', 'get')) return;
      const created = await make('a');
      await rejectsWith(() => store.delete(ns(), 'a', deletion({ uid: 'not-the-uid' })), 'Conflict');
      assert.deepEqual(await store.get(ns(), 'a', request()), created);
    });

    it('fails with Conflict and keeps the object when the resourceVersion precondition does not match', async (t) => {
      const { store, supports, make, ns } = h();
      if (!supports(t, 'create', 'update', 'delete', 'get')) return;
      const created = await make('a');
      const current = await store.update(revised(created, '2'), write());
      const stale = { resourceVersion: created.metadata.resourceVersion ?? '' };
      await rejectsWith(() => store.delete(ns(), 'a', deletion(stale)), 'Conflict');
      assert.deepEqual(await store.get(ns(), 'a', request()), current);
    });

    it('deletes when both preconditions match', async (t) => {
      const { store, supports, make, ns } = h();
      if (!supports(t, 'create', 'delete', 'get')) return;
      const created = await make('a');
      const { uid, resourceVersion } = created.metadata;
      await store.delete(ns(), 'a', deletion({ uid: uid ?? '', resourceVersion: resourceVersion ?? '' }));
      await rejectsWith(() => store.get(ns(), 'a', request()), 'NotFound');
    });
  });

  describe('list', () => {
    it('returns every object (in any order: core sorts), with a resourceVersion', async (t) => {
      const { store, supports, make, kind } = h();
      if (!supports(t, 'create', 'list')) return;
      await make('b', 'beta');
      await make('c', 'alpha');
      const last = await make('a', 'alpha');
      const list = await store.list(undefined, {}, request());
      const expected = kind.scope === 'Namespaced' ? ['alpha/a', 'alpha/c', 'beta/b'] : ['/a', '/b', '/c'];
      assert.deepEqual(
        list.items.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`).sort(),
        expected,
      );
      assert.ok(list.resourceVersion, 'the list has a resourceVersion');
      if (list.resourceVersion !== last.metadata.resourceVersion) {
        assertNewer(list.resourceVersion, last.metadata.resourceVersion);
      }
    });

    it('lists an empty store with a resourceVersion other than "0", which means "from now" to a watch', async (t) => {
      const { store, supports } = h();
      if (!supports(t, 'list')) return;
      const list = await store.list(undefined, {}, request());
      assert.deepEqual(list.items, []);
      assert.match(list.resourceVersion, /^[0-9]+$/);
      assert.notEqual(list.resourceVersion, '0');
    });

    it('returns only the objects of the namespace asked for', async (t) => {
      const { store, supports, make, kind } = h();
      if (!supports(t, 'create', 'list')) return;
      if (kind.scope === 'Cluster') return void t.skip('the kind is cluster-scoped');
      await make('a', 'alpha');
      await make('b', 'beta');
      const list = await store.list('beta', {}, request());
      assert.deepEqual(summary(list.items.map((object) => ({ type: 'ADDED', object }))), ['ADDED b']);
    });
  });

  describe('dryRun', () => {
    it('on create, update and delete answers as if done but changes nothing and emits nothing', async (t) => {
      const { store, supports, sample, make, ns } = h();
      if (!supports(t, 'create', 'update', 'delete', 'get', 'list', 'watch')) return;
      const existing = await make('a');
      const before = await store.list(undefined, {}, request());
      const watch = openWatch(store, undefined, before.resourceVersion);

      const wouldCreate = await store.create(sample('b'), write(true));
      assert.equal(wouldCreate.metadata.name, 'b');
      // Nothing was stored, so there is no resourceVersion a client could rely on.
      assert.ok(!wouldCreate.metadata.resourceVersion, 'a dry-run create returns no resourceVersion');
      const wouldUpdate = await store.update(revised(existing, '2'), write(true));
      assert.equal(revisionOf(wouldUpdate), '2');
      assert.equal(wouldUpdate.metadata.resourceVersion, existing.metadata.resourceVersion, 'a dry-run update keeps the stored resourceVersion');
      const wouldDelete = await store.delete(ns(), 'a', deletion({}, true));
      assert.equal(wouldDelete.metadata.name, 'a');
      assert.equal(wouldDelete.metadata.resourceVersion, existing.metadata.resourceVersion, 'a dry-run delete keeps the stored resourceVersion');
      await rejectsWith(() => store.create(sample('a'), write(true)), 'AlreadyExists');

      // Items only: a Kubernetes-backed store's list resourceVersion moves with unrelated writes.
      assert.deepEqual((await store.list(undefined, {}, request())).items, before.items);
      // The first event after the dry runs must be this real write: the dry runs emitted nothing.
      await make('marker');
      assert.deepEqual(summary(await take(watch, 1)), ['ADDED marker']);
      await watch.return?.();
    });
  });

}
