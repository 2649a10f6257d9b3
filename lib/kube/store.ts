/**
 * A Storage that projects a kind onto a Kubernetes resource through a `Projection`:
 * reads are served from the shared ListWatchCache, writes go straight to kube-apiserver.
 *
 * Contracts beyond core/types/storage.ts:
 * - resourceVersion, uid and creationTimestamp are the backing object's.
 * - Writes carry the resourceVersion precondition; 409 comes back as Conflict (or
 *   AlreadyExists) and is never retried. dryRun becomes `dryRun=All` on the backing request.
 * - Read-your-writes: a write returns once the cache has seen it (bounded by
 *   `writeVisibleWithinMs`), so a get or watch right after it finds it.
 * - While the backing API is unreachable every call fails with ServiceUnavailable and
 *   a retry-after; open watches stay open and resume when the cache recovers.
 */
import { StoreError, isStoreError } from '../../core/types/errors.ts';
import type { KindDefinition } from '../../core/types/kind.ts';
import type { KubeObject, ObjectList, WatchEvent } from '../../core/types/object.ts';
import {
  type DeleteContext,
  type ListQuery,
  type PluginLogger,
  type RequestContext,
  type Storage,
  type WatchQuery,
  type WriteContext,
} from '../../core/types/storage.ts';
import { parseRv, rvOf, type ListWatchCache, type CacheNotice } from './cache.ts';
import type { KubeClient } from './client.ts';
import { errorFromFailure, errorFromResponse, unavailable } from './errors.ts';
import { acquireCache, collectionPath, type BackingResource } from './shared.ts';
import { IDENTITY_SELECTOR, storageApiVersion } from './mapping.ts';
import { WatchStream } from '../watch/watch-stream.ts';
import { cloneJson } from '../json.ts';
import { deepFreeze } from '../store/object-rules.ts';

/** How a kind maps onto its backing resource: the part each plugin writes. */
export interface Projection {
  resource: BackingResource;
  /** The backing object's name for a kind object's name. */
  backingName(name: string): string;
  /** Throws StoreError('Invalid') for an object that cannot be stored (e.g. a name too long). */
  check?(object: KubeObject): void;
  /** The backing object to write; `current` is the one being replaced, on update. */
  toBacking(object: KubeObject, current: KubeObject | undefined): KubeObject;
  /** The kind object for a backing object, or undefined when it is not one of the kind's. */
  fromBacking(backing: KubeObject): KubeObject | undefined;
  /** Keep kube-apiserver's messages out of errors (they may quote secret values back). */
  redactErrors?: boolean;
}

export interface ProjectedStoreOptions {
  kubeconfigPath: string | undefined;
  log: PluginLogger;
  /** How long a call waits for the cache to (re)sync before answering ServiceUnavailable. */
  syncWaitMs?: number;
  /** How long a write waits for the cache to see it. */
  writeVisibleWithinMs?: number;
  maxQueuedEvents?: number;
}

export class ProjectedStore implements Storage {
  readonly #kind: KindDefinition;
  readonly #projection: Projection;
  /**
   * Each backing object's projection (null: not one of this kind's), made once: the cache
   * replaces its objects on every event and never changes one, so a projection holds until
   * its backing object goes. Reads then copy nothing, and the frozen projection lets core
   * encode it once too (issue 15: projecting on every read was three quarters of a LIST).
   */
  readonly #projected = new WeakMap<KubeObject, KubeObject | null>();
  readonly #options: ProjectedStoreOptions;
  readonly #cache: ListWatchCache;
  readonly #client: KubeClient;
  readonly #release: () => void;
  readonly #watches = new Set<WatchStream>();
  #closed = false;

  health(): { ok: boolean; message?: string } {
    return this.#cache.available ? { ok: true } : { ok: false, message: this.#cache.lastError || 'not listed yet' };
  }

  /** A projection that redacts errors holds secrets: core keeps them out of logs and audit. */
  get sensitive(): boolean {
    return this.#projection.redactErrors === true;
  }

  constructor(kind: KindDefinition, projection: Projection, options: ProjectedStoreOptions) {
    if (kind.scope !== 'Namespaced') throw new Error(`kind ${kind.names.kind}: ${projection.resource.plural} are namespaced, so the kind must be too`);
    this.#kind = kind;
    this.#projection = projection;
    this.#options = options;
    const shared = acquireCache({ kubeconfigPath: options.kubeconfigPath, resource: projection.resource, labelSelector: IDENTITY_SELECTOR, log: options.log });
    this.#cache = shared.cache;
    this.#client = shared.client;
    this.#release = shared.release;
  }

  /** Open client watches of this store: for tests and metrics. */
  get openWatches(): number {
    return this.#watches.size;
  }

  async get(namespace: string | undefined, name: string, req: RequestContext): Promise<KubeObject> {
    await this.#ready('get', req.signal);
    const found = this.#project(this.#cache.get(namespace, this.#projection.backingName(name)));
    if (!found) throw new StoreError('NotFound', `${this.#kind.names.plural}.${this.#kind.group} "${name}" not found`);
    return found;
  }

  async list(namespace: string | undefined, _query: ListQuery, req: RequestContext): Promise<ObjectList> {
    await this.#ready('list', req.signal);
    const items: KubeObject[] = [];
    for (const backing of this.#cache.objects()) {
      if (namespace !== undefined && backing.metadata.namespace !== namespace) continue;
      const object = this.#project(backing);
      if (object) items.push(object);
    }
    return { items, resourceVersion: String(this.#cache.resourceVersion) };
  }

  async create(object: KubeObject, req: WriteContext): Promise<KubeObject> {
    this.#assertOpen();
    this.#projection.check?.(object);
    const body = this.#projection.toBacking(object, undefined);
    delete body.metadata.resourceVersion;
    const path = collectionPath(this.#projection.resource, object.metadata.namespace);
    const created = await this.#send('POST', path, body, req, `create ${object.metadata.name ?? ''}`);
    return await this.#visible(created, req);
  }

  async update(object: KubeObject, req: WriteContext): Promise<KubeObject> {
    this.#assertOpen();
    await this.#ready('update', req.signal);
    const name = object.metadata.name ?? '';
    const current = this.#cache.get(object.metadata.namespace, this.#projection.backingName(name));
    // Not in the cache means not the kind's: a backing object without the identity labels must not be taken over.
    if (!current || !this.#project(current)) throw new StoreError('NotFound', `${this.#kind.names.plural}.${this.#kind.group} "${name}" not found`);
    this.#projection.check?.(object);
    const body = this.#projection.toBacking(object, current);
    // Custom resources refuse an update without a resourceVersion: unconditional means "the one we know".
    body.metadata.resourceVersion = object.metadata.resourceVersion || current?.metadata.resourceVersion;
    const updated = await this.#send('PUT', this.#path(object.metadata.namespace, name), body, req, `update ${name}`);
    return await this.#visible(updated, req);
  }

  async delete(namespace: string | undefined, name: string, req: DeleteContext): Promise<KubeObject> {
    this.#assertOpen();
    await this.#ready('delete', req.signal);
    const current = this.#cache.get(namespace, this.#projection.backingName(name));
    const last = this.#project(current);
    if (!current || !last) throw new StoreError('NotFound', `${this.#kind.names.plural}.${this.#kind.group} "${name}" not found`);
    const { uid, resourceVersion } = req.preconditions;
    const options = {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      // kube-apiserver reads a DELETE's options from its body when there is one, ignoring the query.
      ...(req.dryRun ? { dryRun: ['All'] } : {}),
      ...(uid !== undefined || resourceVersion !== undefined ? { preconditions: { ...(uid !== undefined ? { uid } : {}), ...(resourceVersion !== undefined ? { resourceVersion } : {}) } } : {}),
    };
    const answer = await this.#send('DELETE', this.#path(namespace, name), options, req, `delete ${name}`);
    // kube-apiserver answers a delete with the object or with a bare Status, depending on the resource.
    const deleted = answer.kind === this.#projection.resource.kind ? answer : current;
    if (!req.dryRun) {
      // Finalizers make a delete an update (deletionTimestamp set): wait for that version; else for the object to go.
      const graceful = deleted.metadata.deletionTimestamp !== undefined && rvOf(deleted) > rvOf(current);
      const gone = () => {
        const now = this.#cache.get(namespace, this.#projection.backingName(name));
        return !now || now.metadata.uid !== current.metadata.uid || (graceful && rvOf(now) >= rvOf(deleted));
      };
      if (!(await this.#cache.waitFor(gone, this.#writeWaitMs()))) this.#warnInvisible('delete', name);
    }
    return this.#project(deleted) ?? last;
  }

  watch(namespace: string | undefined, query: WatchQuery, req: RequestContext): AsyncIterable<WatchEvent> {
    this.#assertOpen();
    const fromNow = query.resourceVersion === '' || query.resourceVersion === '0';
    const from = fromNow ? undefined : parseRv(query.resourceVersion);
    if (!fromNow && from === undefined) throw new StoreError('BadRequest', `invalid resource version: ${query.resourceVersion}`);
    let unsubscribe: (() => void) | undefined;
    // The store filters by namespace itself (bookmarks belong to every namespace).
    const watch = new WatchStream({
      namespace: undefined,
      maxQueued: this.#options.maxQueuedEvents ?? 10_000,
      signal: req.signal,
      onEnd: (ended) => {
        this.#watches.delete(ended);
        unsubscribe?.();
      },
    });
    if (watch.ended) return watch;
    this.#watches.add(watch);
    const start = () => {
      const subscription = this.#cache.subscribe(from ?? this.#cache.resourceVersion, (notice) => this.#deliver(watch, namespace, notice));
      unsubscribe = subscription.unsubscribe;
      if (watch.ended) unsubscribe();
      for (const change of subscription.backlog) this.#deliver(watch, namespace, change);
    };
    // Synchronous when the cache can answer now, so no change after this call is missed.
    if (this.#cache.available && (from === undefined || from <= this.#cache.resourceVersion)) {
      start();
      return watch;
    }
    void (async () => {
      try {
        await this.#ready('watch', req.signal);
        // A version from another cache of the same etcd may be a little ahead of ours: wait, as kube-apiserver does.
        if (from !== undefined && !(await this.#cache.waitForRv(from, 3_000))) {
          throw new StoreError('ResourceVersionTooLarge', 'Too large resource version', { retryAfterSeconds: 1 });
        }
        if (!watch.ended) start();
      } catch (error) {
        watch.end(isStoreError(error) ? error : new StoreError('ServiceUnavailable', String(error), { retryAfterSeconds: 1 }));
      }
    })();
    return watch;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const watch of this.#watches) watch.end();
    this.#release();
  }

  /** Turns a change of a backing object into the kind's event, if it is one of the kind's. */
  #deliver(watch: WatchStream, namespace: string | undefined, notice: CacheNotice): void {
    const push = (event: WatchEvent): void => watch.push({ rv: notice.rv, namespace: undefined, event });
    if ('bookmark' in notice) {
      push({ type: 'BOOKMARK', object: { apiVersion: storageApiVersion(this.#kind), kind: this.#kind.names.kind, metadata: { resourceVersion: String(notice.rv) } } });
      return;
    }
    const { type, object, previous } = notice.event;
    if (namespace !== undefined && object.metadata.namespace !== namespace) return;
    const now = type === 'DELETED' ? undefined : this.#project(object);
    const before = this.#project(previous);
    if (type === 'DELETED') {
      const gone = this.#project(object);
      if (gone) push({ type: 'DELETED', object: gone, ...(before ? { previous: before } : {}) });
    } else if (now && before && type === 'MODIFIED') {
      push({ type: 'MODIFIED', object: now, previous: before });
    } else if (now) {
      push({ type: 'ADDED', object: now });
    } else if (before) {
      // It lost the identity labels: for this kind it is gone (a copy: projections are shared).
      const gone = cloneJson(before);
      gone.metadata.resourceVersion = String(notice.rv);
      push({ type: 'DELETED', object: deepFreeze(gone) });
    }
  }

  /** The kind object `backing` projects onto (frozen, shared), or undefined. */
  #project(backing: KubeObject | undefined): KubeObject | undefined {
    if (!backing) return undefined;
    let projected = this.#projected.get(backing);
    if (projected === undefined) {
      projected = this.#projection.fromBacking(cloneJson(backing)) ?? null;
      if (projected) deepFreeze(projected);
      this.#projected.set(backing, projected);
    }
    return projected ?? undefined;
  }

  #path(namespace: string | undefined, name: string): string {
    return `${collectionPath(this.#projection.resource, namespace)}/${encodeURIComponent(this.#projection.backingName(name))}`;
  }

  async #send(method: string, path: string, body: unknown, req: WriteContext, action: string): Promise<KubeObject> {
    const context = { action: `${action} (${this.#projection.resource.plural})`, redact: this.#projection.redactErrors ?? false };
    let res;
    try {
      res = await this.#client.request(method, path, { body, query: req.dryRun ? { dryRun: 'All' } : {}, signal: req.signal });
    } catch (error) {
      throw errorFromFailure(error, context);
    }
    if (res.status < 200 || res.status > 299) throw errorFromResponse(res, context);
    this.#options.log.debug({ user: req.user.username, action, dryRun: req.dryRun, status: res.status }, 'backing write');
    return res.body as KubeObject;
  }

  /** Read-your-writes: waits until the cache has the written version, then answers with it. */
  async #visible(written: KubeObject, req: WriteContext): Promise<KubeObject> {
    if (!req.dryRun && !(await this.#cache.waitForRv(rvOf(written), this.#writeWaitMs()))) this.#warnInvisible('write', written.metadata.name ?? '');
    const object = this.#project(written);
    if (!object) throw new StoreError('InternalError', `the written ${this.#projection.resource.kind} does not project back onto ${this.#kind.names.kind}`);
    if (!req.dryRun || object.metadata.resourceVersion) return object;
    // A dry run has no resourceVersion to show (a copy: projections are shared).
    const answer = cloneJson(object);
    delete answer.metadata.resourceVersion;
    return answer;
  }

  #writeWaitMs(): number {
    return this.#options.writeVisibleWithinMs ?? 10_000;
  }

  #warnInvisible(what: string, name: string): void {
    this.#options.log.warn({ name, what }, 'the backing cache did not see the write in time; a read right after it may miss it');
  }

  async #ready(verb: string, signal: AbortSignal): Promise<void> {
    this.#assertOpen();
    if (this.#cache.available) return;
    await this.#cache.waitFor(() => this.#cache.available || this.#closed, this.#options.syncWaitMs ?? 5_000, signal);
    this.#assertOpen();
    if (!this.#cache.available) throw unavailable(`${verb} ${this.#kind.names.plural}.${this.#kind.group}`, this.#cache.lastError);
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreError('ServiceUnavailable', `the store of ${this.#kind.names.plural}.${this.#kind.group} is closed`, { retryAfterSeconds: 1 });
  }
}
