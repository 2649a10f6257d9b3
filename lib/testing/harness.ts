/** What the author's factory returns, and what each conformance test works with. */
import type { TestContext } from 'node:test';
import type { KindDefinition } from '../../core/types/kind.ts';
import type { KubeObject } from '../../core/types/object.ts';
import { verbsOf, type Storage, type Verb } from '../../core/types/storage.ts';
import { defaultObject, namespaceFor, write, type FullStorage } from './helpers.ts';

export interface ConformanceFixture {
  store: Storage;
  /** The kind the store was created for; its scope decides which scope the suite checks. */
  kind: KindDefinition;
  /**
   * A new object the backend accepts, with the metadata core would have completed.
   * Default: apiVersion and kind of the storage version, name, namespace, uid,
   * creationTimestamp, generation, a revision annotation and an empty spec.
   */
  newObject?: (name: string, namespace: string | undefined) => KubeObject;
  /** The store's open watch count, when it can tell: lets the suite check that ending a watch releases it. */
  openWatches?: () => number;
  /**
   * How many past events the store keeps for watches to resume from, when that is bounded
   * and small: the suite writes more and expects a watch from before them to fail with
   * Expired (410). Leave undefined to skip that test.
   */
  historyLimit?: number;
}

/** What one test works with: the fixture plus helpers bound to it. */
export interface Harness {
  /** Typed as having every capability: a test calls `supports` first for what it needs. */
  store: FullStorage;
  kind: KindDefinition;
  openWatches: (() => number) | undefined;
  historyLimit: number | undefined;
  /** A new object named `name` in `namespace` (default the suite's first namespace). */
  sample(name: string, namespace?: string): KubeObject;
  /** Creates a sample for real and returns what the store returned. */
  make(name: string, namespace?: string): Promise<KubeObject>;
  /** The namespace argument for `get`/`list`/`delete` on objects made in `namespace`. */
  ns(namespace?: string): string | undefined;
  /** Skips the test (and returns false) unless the store serves every verb (`verbsOf`). */
  supports(t: TestContext, ...verbs: Verb[]): boolean;
}

export function toHarness(fixture: ConformanceFixture): Harness {
  const { store, kind } = fixture;
  const newObject = fixture.newObject ?? ((name, namespace) => defaultObject(kind, name, namespace));
  const sample = (name: string, namespace?: string): KubeObject => newObject(name, namespaceFor(kind, namespace));
  const verbs = verbsOf(store);
  return {
    store: store as FullStorage,
    kind,
    openWatches: fixture.openWatches,
    historyLimit: fixture.historyLimit,
    sample,
    make: (name, namespace) => (store as FullStorage).create(sample(name, namespace), write()),
    ns: (namespace) => namespaceFor(kind, namespace),
    supports(t, ...wanted) {
      const missing = wanted.filter((verb) => !verbs.has(verb));
      if (missing.length > 0) t.skip(`the store does not serve ${missing.join(', ')}`);
      return missing.length === 0;
    },
  };
}
