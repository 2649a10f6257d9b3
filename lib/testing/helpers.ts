/**
 * Small helpers for the store conformance suite: request contexts, sample objects,
 * error matchers and watch readers. Nothing here knows a particular store.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { isStoreError, type StoreErrorReason } from '../../core/types/errors.ts';
import { toStatusError } from '../../core/status.ts';
import type { KindDefinition } from '../../core/types/kind.ts';
import type { KubeObject, WatchEvent } from '../../core/types/object.ts';
import type { Creater, DeleteContext, Deleter, Getter, Lister, RequestContext, Storage, Updater, Watcher, WriteContext } from '../../core/types/storage.ts';

/** A store with every capability: what the suite calls once `supports` has said the verbs are there. */
export type FullStorage = Storage & Getter & Lister & Watcher & Creater & Updater & Deleter;

/** The annotation the suite changes to make an update visible in any backend. */
export const REVISION = 'conformance.kindred.dev/revision';

export function request(signal: AbortSignal = new AbortController().signal): RequestContext {
  return { user: { username: 'conformance', groups: ['system:authenticated'] }, signal };
}

export function write(dryRun = false): WriteContext {
  return { ...request(), dryRun };
}

export function deletion(preconditions: DeleteContext['preconditions'] = {}, dryRun = false): DeleteContext {
  return { ...write(dryRun), preconditions };
}

/** The namespace the suite uses: `namespace` for namespaced kinds, none for cluster-scoped ones. */
export function namespaceFor(kind: KindDefinition, namespace = 'alpha'): string | undefined {
  return kind.scope === 'Namespaced' ? namespace : undefined;
}

/** A new object with the metadata core would have completed before calling create. */
export function defaultObject(kind: KindDefinition, name: string, namespace: string | undefined): KubeObject {
  const version = kind.versions.find((v) => v.storage) ?? kind.versions[0];
  return {
    apiVersion: `${kind.group}/${version?.name ?? 'v1'}`,
    kind: kind.names.kind,
    metadata: {
      name,
      ...(namespace === undefined ? {} : { namespace }),
      uid: randomUUID(),
      creationTimestamp: new Date(0).toISOString(),
      generation: 1,
      annotations: { [REVISION]: '1' },
    },
    spec: {},
  };
}

/** A copy of `object` with the revision annotation set, as a client's edit would be. */
export function revised(object: KubeObject, revision: string): KubeObject {
  const copy = structuredClone(object);
  copy.metadata.annotations = { ...copy.metadata.annotations, [REVISION]: revision };
  return copy;
}

export function revisionOf(object: KubeObject | undefined): string | undefined {
  return object?.metadata.annotations?.[REVISION];
}

/** The HTTP code kube-apiserver answers each reason with. */
const STATUS_CODES: Record<StoreErrorReason, number> = {
  NotFound: 404, AlreadyExists: 409, Conflict: 409, Invalid: 422, BadRequest: 400, Expired: 410, Gone: 410,
  ResourceVersionTooLarge: 504, ServiceUnavailable: 503, Timeout: 504, Forbidden: 403, InternalError: 500,
};

/** Asserts that `action` rejects (or throws) a StoreError with `reason`, which core maps to the right Status code. */
export async function rejectsWith(action: () => unknown, reason: StoreErrorReason): Promise<void> {
  await assert.rejects(
    async () => {
      await action();
    },
    (error: unknown) => {
      assert.ok(isStoreError(error), `expected a StoreError, got ${String(error)}`);
      assert.equal(error.reason, reason);
      // What a client sees: the error as core turns it into a Status.
      const status = toStatusError(error, undefined, () => assert.fail('core treated the error as a bug'));
      assert.equal(status.code, STATUS_CODES[reason], `${reason} must reach the client as ${STATUS_CODES[reason]}`);
      return true;
    },
  );
}

/** Asserts that resourceVersion `later` is newer than `earlier`; opaque versions must at least differ. */
export function assertNewer(later: string | undefined, earlier: string | undefined): void {
  assert.ok(later, 'expected a resourceVersion');
  assert.ok(earlier, 'expected a resourceVersion to compare with');
  if (/^[0-9]+$/.test(later) && /^[0-9]+$/.test(earlier)) {
    assert.ok(BigInt(later) > BigInt(earlier), `resourceVersion ${later} is not newer than ${earlier}`);
  } else {
    assert.notEqual(later, earlier);
  }
}

/** Starts a watch and returns its iterator; a store may throw here or on the first next(). */
export function openWatch(
  store: FullStorage,
  namespace: string | undefined,
  resourceVersion: string,
  signal?: AbortSignal,
): AsyncIterator<WatchEvent> {
  return store.watch(namespace, { resourceVersion }, request(signal))[Symbol.asyncIterator]();
}

/** The next `count` non-BOOKMARK events; fails if the watch ends first. */
export async function take(watch: AsyncIterator<WatchEvent>, count: number): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  while (events.length < count) {
    const result = await watch.next();
    assert.equal(result.done, false, `the watch ended after ${events.length} of ${count} events`);
    if (result.value.type !== 'BOOKMARK') events.push(result.value);
  }
  return events;
}

/** Resolves once the watch has ended, skipping any BOOKMARKs; fails on any other event. */
export async function ended(watch: AsyncIterator<WatchEvent>): Promise<void> {
  for (;;) {
    const result = await watch.next();
    if (result.done) return;
    assert.equal(result.value.type, 'BOOKMARK', `expected the watch to end, got a ${result.value.type} event`);
  }
}

/** Type and name of each event: what most ordering assertions compare. */
export function summary(events: WatchEvent[]): string[] {
  return events.map((e) => `${e.type} ${e.object.metadata.name ?? ''}`);
}
