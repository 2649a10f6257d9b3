/**
 * The embedded Storage of one kind: reads from the kind's in-memory index, writes through
 * to the data directory's SQLite database (one fsync'd transaction per write) before it
 * answers, and watches from the kind's fan-out, which remembers the persisted events.
 *
 * Contracts beyond core/types/storage.ts:
 * - resourceVersions come from one counter per data directory, persisted with every write:
 *   they grow across kinds and across restarts.
 * - An acknowledged write is on disk (see database.ts for the fsync policy). A write the disk
 *   refuses (full, read-only, I/O error) fails with a 503 Status and changes nothing; reads
 *   keep working from memory.
 * - Objects are copied on the way in; stored objects are frozen and handed out as they are,
 *   as in the memory store (core encodes each once per resourceVersion, not once per read).
 * - `list` and `watch` ignore selectors: core evaluates them.
 * - dryRun writes check everything and store nothing, as in the memory store.
 * - Closing the store ends the watches opened through it; the kind's data and its other
 *   stores (a reload's successor) carry on.
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
  RequestContext,
  Storage,
  Updater,
  Watcher,
  WatchQuery,
  WriteContext,
} from '../../core/types/storage.ts';
import { byNamespaceThenName, checkDeletePreconditions, notFound, STALE_OBJECT, objectIdentity, scopedNamespace } from '../../lib/store/object-rules.ts';
import type { EmbeddedDatabase } from './database.ts';
import { objectKey, releaseKindState, type KindState } from './kind-state.ts';
import { cloneJson } from '../../lib/json.ts';

export class EmbeddedStore implements Storage, Getter, Lister, Watcher, Creater, Updater, Deleter {
  readonly #kind: KindDefinition;
  readonly #db: EmbeddedDatabase;
  readonly #state: KindState;
  /** Aborted on close: ends the watches opened through this store. */
  readonly #closing = new AbortController();
  #closed = false;

  constructor(kind: KindDefinition, db: EmbeddedDatabase, state: KindState) {
    this.#kind = kind;
    this.#db = db;
    this.#state = state;
  }

  get openWatches(): number {
    return this.#state.watches.openWatches;
  }

  async get(namespace: string | undefined, name: string, _req: RequestContext): Promise<KubeObject> {
    this.#assertOpen();
    const stored = this.#state.objects.get(objectKey(scopedNamespace(this.#kind.scope, namespace), name));
    if (!stored) throw notFound(name);
    return stored;
  }

  async list(namespace: string | undefined, _query: ListQuery, _req: RequestContext): Promise<ObjectList> {
    this.#assertOpen();
    const ns = scopedNamespace(this.#kind.scope, namespace);
    const items: KubeObject[] = [];
    for (const object of this.#state.objects.values()) {
      if (ns === undefined || object.metadata.namespace === ns) items.push(object);
    }
    items.sort(byNamespaceThenName);
    return { items, resourceVersion: String(this.#db.rv) };
  }

  async create(object: KubeObject, req: WriteContext): Promise<KubeObject> {
    this.#assertOpen();
    const { namespace, name } = objectIdentity(this.#kind.scope, object);
    if (this.#state.objects.has(objectKey(namespace, name))) throw new StoreError('AlreadyExists', `${name} already exists`);
    const created = this.#own(object);
    if (req.dryRun) {
      delete created.metadata.resourceVersion;
      return created;
    }
    return this.#state.commit({ type: 'ADDED', namespace: namespace ?? '', name }, created, undefined);
  }

  /** Unconditional when `object.metadata.resourceVersion` is unset or empty. */
  async update(object: KubeObject, req: WriteContext): Promise<KubeObject> {
    this.#assertOpen();
    const { namespace, name } = objectIdentity(this.#kind.scope, object);
    const current = this.#state.objects.get(objectKey(namespace, name));
    if (!current) throw notFound(name);
    const wanted = object.metadata.resourceVersion;
    if (wanted && wanted !== current.metadata.resourceVersion) throw new StoreError('Conflict', STALE_OBJECT);
    const updated = this.#own(object);
    if (req.dryRun) {
      updated.metadata.resourceVersion = current.metadata.resourceVersion;
      return updated;
    }
    return this.#state.commit({ type: 'MODIFIED', namespace: namespace ?? '', name }, updated, current);
  }

  async delete(namespace: string | undefined, name: string, req: DeleteContext): Promise<KubeObject> {
    this.#assertOpen();
    const ns = scopedNamespace(this.#kind.scope, namespace);
    const current = this.#state.objects.get(objectKey(ns, name));
    if (!current) throw notFound(name);
    checkDeletePreconditions(current, req.preconditions);
    if (req.dryRun) return current;
    return this.#state.commit({ type: 'DELETED', namespace: ns ?? '', name }, cloneJson(current), current);
  }

  watch(namespace: string | undefined, query: WatchQuery, req: RequestContext): AsyncIterable<WatchEvent> {
    this.#assertOpen();
    const signal = AbortSignal.any([req.signal, this.#closing.signal]);
    return this.#state.watches.open(scopedNamespace(this.#kind.scope, namespace), query.resourceVersion, this.#db.rv, { ...req, signal });
  }

  /** Ends this store's watches and lets go of the kind and the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    releaseKindState(this.#db, this.#state);
    this.#db.release();
  }

  #assertOpen(): void {
    if (this.#closed) {
      throw new StoreError('ServiceUnavailable', `the embedded store of ${this.#kind.names.plural}.${this.#kind.group} is closed`);
    }
  }

  /** A private copy of a caller's object: it may change its own afterwards. */
  #own(object: KubeObject): KubeObject {
    return cloneJson(object);
  }

}
