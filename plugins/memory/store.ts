/**
 * The in-memory Storage: objects in a Map, one integer resourceVersion counter per store,
 * and a bounded event log that watches resume from. Nothing survives a restart.
 *
 * Contracts beyond core/types/storage.ts:
 * - resourceVersion is a decimal integer, bumped by every create, update and delete. It
 *   starts at 1, so an empty store lists as "1", never the "0" that means "from now".
 *   The store sets only `metadata.resourceVersion`; core fills every other field.
 * - Objects are copied (cloneJson) on the way in and then deep-frozen: get, list and
 *   writes hand out the stored object itself, shared and read-only, so no caller can change
 *   stored state through a reference it holds or was given, and reads copy nothing (a
 *   list of 10,000 objects used to clone every one, issue 15). A caller that wants to change
 *   an object copies it first, as core's write paths do.
 * - `list` and `watch` ignore label and field selectors: core evaluates them.
 * - dryRun writes run every check and return what a real write would, with the
 *   resourceVersion a client could rely on: none for create (nothing was stored, as
 *   kube-apiserver answers), the stored one for update and delete. No counter moves
 *   and no event is sent.
 * - `delete` returns the object with the deletion's resourceVersion, the same object
 *   the DELETED event carries, as kube-apiserver's watch does.
 * - `watch` checks its resourceVersion and registers the watcher when called, so it
 *   throws Expired, ResourceVersionTooLarge, BadRequest or ServiceUnavailable
 *   synchronously, and no change made after the call can be missed.
 */
import { StoreError } from '../../core/types/errors.ts';
import type { KindDefinition } from '../../core/types/kind.ts';
import type { KubeObject, ObjectList, WatchEvent } from '../../core/types/object.ts';
import type {
  Creater,
  DeleteContext,
  Deleter,
  Getter,
  ListQuery,
  Lister,
  PluginLogger,
  RequestContext,
  Storage,
  Updater,
  Watcher,
  WatchQuery,
  WriteContext,
} from '../../core/types/storage.ts';
import { checkDeletePreconditions, deepFreeze, notFound, STALE_OBJECT, objectIdentity, scopedNamespace } from '../../lib/store/object-rules.ts';
import { DEFAULT_MAX_QUEUED_EVENTS, DEFAULT_WATCH_WINDOW, WatchFanout } from '../../lib/watch/fanout.ts';
import { cloneJson } from '../../lib/json.ts';

export interface MemoryStoreOptions {
  /** How many past events a watch can resume from. Default 1000. */
  watchWindow?: number;
  /** How many undelivered events one watcher may hold before it is ended with Expired. Default 10000. */
  maxQueuedEvents?: number;
  /** Told when a slow watcher is dropped. */
  log?: PluginLogger;
}

export { DEFAULT_WATCH_WINDOW, DEFAULT_MAX_QUEUED_EVENTS };

export class MemoryStore implements Storage, Getter, Lister, Watcher, Creater, Updater, Deleter {
  readonly #kind: KindDefinition;
  /** The data, shared with the store this one took over from or hands over to. */
  readonly #data: MemoryData;
  #closed = false;

  /**
   * A store for `kind`; with `takeOver`, one that serves the objects, resourceVersions and
   * watch history of that store (of the same kind and scope) from now on, sharing them:
   * writes that requests still in flight make through the old store are not lost. Closing
   * the old store then ends only the watches opened on it (their clients resume on this one).
   */
  constructor(kind: KindDefinition, options: MemoryStoreOptions = {}, takeOver?: MemoryStore) {
    this.#kind = kind;
    if (takeOver) {
      const before = takeOver.#kind;
      if (before.group !== kind.group || before.names.plural !== kind.names.plural || before.scope !== kind.scope) {
        throw new Error(`a memory store of ${kind.names.plural}.${kind.group} (${kind.scope}) cannot take over ${before.names.plural}.${before.group} (${before.scope})`);
      }
      this.#data = takeOver.#data;
      this.#data.watches.resize(options.watchWindow ?? DEFAULT_WATCH_WINDOW);
      return;
    }
    // rv starts at 1, not 0: a watch from "0" means "from now", so an empty store that listed
    // as "0" would let a client that listed it miss the first writes.
    this.#data = {
      objects: new Map(),
      rv: 1,
      watches: new WatchFanout({
        initialRv: 1,
        ...(options.watchWindow === undefined ? {} : { window: options.watchWindow }),
        ...(options.maxQueuedEvents === undefined ? {} : { maxQueuedEvents: options.maxQueuedEvents }),
        ...(options.log ? { log: options.log } : {}),
      }),
    };
  }

  /** How many watches are open: for tests and metrics. */
  get openWatches(): number {
    return this.#data.watches.openWatches;
  }

  async get(namespace: string | undefined, name: string, _req: RequestContext): Promise<KubeObject> {
    this.#assertOpen();
    const stored = this.#data.objects.get(this.#key(namespace, name));
    if (!stored) throw notFound(name);
    return stored;
  }

  /** In insertion order (core sorts). Selectors in `query` are ignored: core applies them. */
  async list(namespace: string | undefined, _query: ListQuery, _req: RequestContext): Promise<ObjectList> {
    this.#assertOpen();
    const ns = scopedNamespace(this.#kind.scope, namespace);
    const items: KubeObject[] = [];
    for (const object of this.#data.objects.values()) {
      if (ns === undefined || object.metadata.namespace === ns) items.push(object);
    }
    return { items, resourceVersion: String(this.#data.rv) };
  }

  async create(object: KubeObject, req: WriteContext): Promise<KubeObject> {
    this.#assertOpen();
    const { namespace, name } = objectIdentity(this.#kind.scope, object);
    const key = this.#key(namespace, name);
    if (this.#data.objects.has(key)) throw new StoreError('AlreadyExists', `${name} already exists`);
    const created = cloneJson(object);
    if (req.dryRun) {
      delete created.metadata.resourceVersion;
      return deepFreeze(created);
    }
    created.metadata.resourceVersion = this.#nextRv();
    deepFreeze(created);
    this.#data.objects.set(key, created);
    this.#emit({ type: 'ADDED', object: created });
    return created;
  }

  /** Unconditional when `object.metadata.resourceVersion` is unset or empty. */
  async update(object: KubeObject, req: WriteContext): Promise<KubeObject> {
    this.#assertOpen();
    const { namespace, name } = objectIdentity(this.#kind.scope, object);
    const key = this.#key(namespace, name);
    const current = this.#data.objects.get(key);
    if (!current) throw notFound(name);
    const wanted = object.metadata.resourceVersion;
    if (wanted && wanted !== current.metadata.resourceVersion) throw new StoreError('Conflict', STALE_OBJECT);
    const updated = cloneJson(object);
    if (req.dryRun) {
      updated.metadata.resourceVersion = current.metadata.resourceVersion;
      return deepFreeze(updated);
    }
    updated.metadata.resourceVersion = this.#nextRv();
    deepFreeze(updated);
    this.#data.objects.set(key, updated);
    this.#emit({ type: 'MODIFIED', object: updated, previous: current });
    return updated;
  }

  async delete(namespace: string | undefined, name: string, req: DeleteContext): Promise<KubeObject> {
    this.#assertOpen();
    const key = this.#key(namespace, name);
    const current = this.#data.objects.get(key);
    if (!current) throw notFound(name);
    checkDeletePreconditions(current, req.preconditions);
    if (req.dryRun) return current;
    this.#data.objects.delete(key);
    const deleted = cloneJson(current);
    deleted.metadata.resourceVersion = this.#nextRv();
    deepFreeze(deleted);
    this.#emit({ type: 'DELETED', object: deleted, previous: current });
    return deleted;
  }

  /**
   * Changes after `query.resourceVersion`; "0" and "" mean "from now". Throws synchronously
   * (see the module comment). Selectors are ignored: core applies them.
   */
  watch(namespace: string | undefined, query: WatchQuery, req: RequestContext): AsyncIterable<WatchEvent> {
    this.#assertOpen();
    return this.#data.watches.open(scopedNamespace(this.#kind.scope, namespace), query.resourceVersion, this.#data.rv, req, this);
  }

  /** Ends every watch opened on this store; every later call fails with ServiceUnavailable. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#data.watches.closeAll(this);
  }

  #assertOpen(): void {
    if (this.#closed) {
      const resource = `${this.#kind.names.plural}.${this.#kind.group}`;
      throw new StoreError('ServiceUnavailable', `the memory store of ${resource} is closed`);
    }
  }

  #nextRv(): string {
    this.#data.rv++;
    return String(this.#data.rv);
  }

  #emit(event: WatchEvent): void {
    this.#data.watches.emit(this.#data.rv, event);
  }

  #key(namespace: string | undefined, name: string): string {
    // Injective whatever the two strings hold: a slash in either cannot make two objects one
    // (`x/y` + `z` and `x` + `y/z` were the same key while paths decoded %2F into a segment).
    return JSON.stringify([scopedNamespace(this.#kind.scope, namespace) ?? '', name]);
  }

}

/** What a memory store holds: shared by a store and the one that takes it over. */
interface MemoryData {
  /** Stored objects by key(namespace, name); deep-frozen, so they are handed out as they are. */
  objects: Map<string, KubeObject>;
  rv: number;
  /** The event log and every open watch, whichever store opened it. */
  watches: WatchFanout;
}


