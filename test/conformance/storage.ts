/**
 * The store conformance suite: what every Storage must do, whatever its backend. Each
 * plugin's test file calls it once:
 *
 *   storeConformance('memory', async () => ({ store: await memoryPlugin.create(kind, {}, ctx), kind }));
 *
 * Every test gets a fresh store from `makeStore` and closes it afterwards. A test that needs a
 * verb the store does not serve (`verbsOf`) is skipped, so a read-only store runs the rest.
 * Selectors are not tested: core evaluates them whatever the store does.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, type TestContext } from 'node:test';
import type { KindDefinition } from '../../core/types/kind.ts';
import type { KubeObject } from '../../core/types/object.ts';
import { verbsOf, type Storage, type Verb } from '../../core/types/storage.ts';
import {
  type FullStorage,
  assertNewer,
  defaultObject,
  deletion,
  namespaceFor,
  openWatch,
  rejectsWith,
  request,
  revised,
  revisionOf,
  summary,
  take,
  write,
} from './helpers.ts';
import { watchConformance } from './storage-watch.ts';

export interface ConformanceFixture {
  store: Storage;
  kind: KindDefinition;
  /**
   * A new object the backend accepts, with the metadata core would have completed.
   * Default: apiVersion and kind of the storage version, name, namespace, uid,
   * creationTimestamp, generation, a revision annotation and an empty spec.
   */
  newObject?: (name: string, namespace: string | undefined) => KubeObject;
  /** The store's open watch count, when it can tell: lets the suite check that ending a watch releases it. */
  openWatches?: () => number;
}

/** What one test works with: the fixture plus helpers bound to it. */
export interface Harness {
  /** Typed as having every capability: a test calls `supports` first for what it needs. */
  store: FullStorage;
  kind: KindDefinition;
  openWatches: (() => number) | undefined;
  /** A new object named `name` in `namespace` (default the suite's first namespace). */
  sample(name: string, namespace?: string): KubeObject;
  /** Creates a sample for real and returns what the store returned. */
  make(name: string, namespace?: string): Promise<KubeObject>;
  /** The namespace argument for `get`/`list`/`delete` on objects made in `namespace`. */
  ns(namespace?: string): string | undefined;
  /** Skips the test (and returns false) unless the store supports every verb. */
  supports(t: TestContext, ...verbs: Verb[]): boolean;
}

export function storeConformance(name: string, makeStore: () => Promise<ConformanceFixture>): void {
  describe(`${name} store conformance`, () => {
    let harness: Harness | undefined;
    const h = (): Harness => {
      assert.ok(harness, 'beforeEach did not make a store');
      return harness;
    };

    beforeEach(async () => {
      harness = toHarness(await makeStore());
    });
    afterEach(async () => {
      await harness?.store.close();
      harness = undefined;
    });

    describe('create', () => {
      it('returns the object with a resourceVersion, and get then returns the same object', async (t) => {
        const { store, supports, sample, ns } = h();
        if (!supports(t, 'create', 'get')) return;
        const created = await store.create(sample('a'), write());
        assert.ok(created.metadata.resourceVersion, 'created object has a resourceVersion');
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

      it('returns copies, so no caller can change the stored object through a reference', async (t) => {
        const { store, supports, sample, ns } = h();
        if (!supports(t, 'create', 'get', 'list')) return;
        const input = sample('a');
        const created = await store.create(input, write());
        input.metadata.annotations = { mutated: 'input' };
        created.metadata.annotations = { mutated: 'result' };
        (await store.get(ns(), 'a', request())).metadata.annotations = { mutated: 'get' };
        const listed = (await store.list(ns(), {}, request())).items[0];
        if (listed) listed.metadata.annotations = { mutated: 'list' };
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
      it('returns every object sorted by namespace then name, with a resourceVersion', async (t) => {
        const { store, supports, make, kind } = h();
        if (!supports(t, 'create', 'list')) return;
        await make('b', 'beta');
        await make('c', 'alpha');
        const last = await make('a', 'alpha');
        const list = await store.list(undefined, {}, request());
        const expected = kind.scope === 'Namespaced' ? ['alpha/a', 'alpha/c', 'beta/b'] : ['/a', '/b', '/c'];
        assert.deepEqual(
          list.items.map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`),
          expected,
        );
        assert.ok(list.resourceVersion, 'the list has a resourceVersion');
        if (list.resourceVersion !== last.metadata.resourceVersion) {
          assertNewer(list.resourceVersion, last.metadata.resourceVersion);
        }
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
        const wouldUpdate = await store.update(revised(existing, '2'), write(true));
        assert.equal(revisionOf(wouldUpdate), '2');
        const wouldDelete = await store.delete(ns(), 'a', deletion({}, true));
        assert.equal(wouldDelete.metadata.name, 'a');
        await rejectsWith(() => store.create(sample('a'), write(true)), 'AlreadyExists');

        // Items only: a Kubernetes-backed store's list resourceVersion moves with unrelated writes.
        assert.deepEqual((await store.list(undefined, {}, request())).items, before.items);
        // The first event after the dry runs must be this real write: the dry runs emitted nothing.
        await make('marker');
        assert.deepEqual(summary(await take(watch, 1)), ['ADDED marker']);
        await watch.return?.();
      });
    });

    watchConformance(h);
  });
}

function toHarness(fixture: ConformanceFixture): Harness {
  const { store, kind } = fixture;
  const newObject = fixture.newObject ?? ((name, namespace) => defaultObject(kind, name, namespace));
  const sample = (name: string, namespace?: string): KubeObject => newObject(name, namespaceFor(kind, namespace));
  const verbs = verbsOf(store);
  return {
    store: store as FullStorage,
    kind,
    openWatches: fixture.openWatches,
    sample,
    make: (name, namespace) => (store as FullStorage).create(sample(name, namespace), write()),
    ns: (namespace) => namespaceFor(kind, namespace),
    supports(t, ...wanted) {
      const missing = wanted.filter((verb) => !verbs.has(verb));
      if (missing.length > 0) t.skip(`the store does not support ${missing.join(', ')}`);
      return missing.length === 0;
    },
  };
}
