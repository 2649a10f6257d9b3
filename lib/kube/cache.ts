/**
 * The list-and-watch loop (client-go's reflector + informer cache, reduced), the one kindred
 * has: an informer-style cache of one Kubernetes collection, one LIST, then one WATCH kept
 * open for as long as anybody uses the cache, whatever the number of readers. Kube-backed
 * plugins (through shared.ts), kindred's namespace admission, its authentication ConfigMap
 * follower and its ConfigMap config source all read Kubernetes through it.
 *
 * Contracts:
 * - Objects and events are kube-apiserver's, resourceVersions untouched.
 * - Events reach listeners in resourceVersion order, exactly once. When the upstream watch
 *   ends it is resumed from the last resourceVersion seen; when that is too old (410), the
 *   cache lists again and emits the difference (ADDED, MODIFIED, then DELETED at the list's
 *   resourceVersion), so no change, deletes included, is lost across restarts.
 * - While kube-apiserver cannot be reached, `available` is false; the cache retries with
 *   backoff and recovers by itself.
 */
import type { KubeObject } from '../../core/types/object.ts';
import type { PluginLogger } from '../../core/types/storage.ts';
import { EventLog, type LoggedEvent } from '../watch/event-log.ts';
import type { KubeTransport, Query } from './client.ts';
import { UnreachableError } from './unreachable.ts';
import { sleep } from '../sleep.ts';

/**
 * One change to a backing object, as the shared event log (lib/watch) holds it. `rv` is
 * the etcd revision kube-apiserver put in the object's resourceVersion; a JavaScript number
 * holds it exactly (etcd would need millennia of writes to pass 2^53).
 */
export type CacheEvent = LoggedEvent;

/** A bookmark: the cache has seen everything up to `rv`. */
export interface CacheBookmark {
  bookmark: true;
  rv: number;
}

/** What a listener hears: a change, or a bookmark. */
export type CacheNotice = CacheEvent | CacheBookmark;

export interface CacheOptions {
  /** e.g. `/apis/helm.toolkit.fluxcd.io/v2/helmreleases` or `/api/v1/namespaces/x/secrets`. */
  path: string;
  /** Applied upstream, so the cache only holds what some kind may project. */
  labelSelector?: string;
  /** Applied upstream, e.g. `metadata.name=x` to follow one object. */
  fieldSelector?: string;
  /** How many changes a client watch can resume across. */
  windowSize: number;
  log: PluginLogger;
}

const MAX_BACKOFF_MS = 5_000;

export class ListWatchCache {
  readonly #client: KubeTransport;
  readonly #options: CacheOptions;
  readonly #objects = new Map<string, KubeObject>();
  #log: EventLog;
  readonly #listeners = new Set<(notice: CacheNotice) => void>();
  /** Called after every change of state or resourceVersion: what waitFor() polls on. */
  readonly #progress = new Set<() => void>();
  readonly #stop = new AbortController();
  #rv = 0;
  #synced = false;
  #available = false;
  #lastError = '';

  constructor(client: KubeTransport, options: CacheOptions) {
    this.#client = client;
    this.#options = options;
    this.#log = new EventLog(options.windowSize, 0);
    void this.#run();
  }

  /** True once listed and while kube-apiserver answers. */
  get available(): boolean {
    return this.#synced && this.#available;
  }

  get lastError(): string {
    return this.#lastError;
  }

  /** The newest resourceVersion the cache has seen. */
  get resourceVersion(): number {
    return this.#rv;
  }

  /** The cached objects; shared, never mutate them. */
  objects(): IterableIterator<KubeObject> {
    return this.#objects.values();
  }

  get(namespace: string | undefined, name: string): KubeObject | undefined {
    return this.#objects.get(objectKey(namespace, name));
  }

  /**
   * Registers `listener` for every change after `from` and returns the held changes after
   * it, in order; nothing can happen between the two. Throws StoreError('Expired') when
   * `from` is older than the window.
   */
  subscribe(from: number, listener: (notice: CacheNotice) => void): { backlog: CacheEvent[]; unsubscribe: () => void } {
    const backlog = this.#log.since(from);
    this.#listeners.add(listener);
    return { backlog, unsubscribe: () => this.#listeners.delete(listener) };
  }

  /**
   * Calls `listener` after every change of state, objects or resourceVersion (a relist, an
   * event, a bookmark, the API going away or coming back) until the returned function is called.
   */
  observe(listener: () => void): () => void {
    this.#progress.add(listener);
    return () => this.#progress.delete(listener);
  }

  /** Resolves true as soon as `condition()` holds (checked after every change), false after `ms`. */
  waitFor(condition: () => boolean, ms: number, signal?: AbortSignal): Promise<boolean> {
    if (condition()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (result: boolean) => {
        clearTimeout(timer);
        this.#progress.delete(check);
        signal?.removeEventListener('abort', aborted);
        resolve(result);
      };
      const check = () => condition() && finish(true);
      const aborted = () => finish(false);
      const timer = setTimeout(() => finish(false), ms);
      this.#progress.add(check);
      signal?.addEventListener('abort', aborted, { once: true });
    });
  }

  /** Resolves true once the cache has seen `rv` (a write's answer), false after `ms`. */
  waitForRv(rv: number, ms: number): Promise<boolean> {
    return this.waitFor(() => this.#rv >= rv, ms);
  }

  /** Ends the upstream watch; listeners are the users' to end. */
  stop(): void {
    this.#stop.abort();
    this.#changed();
  }

  get stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  async #run(): Promise<void> {
    let mustList = true;
    let backoff = 200;
    while (!this.#stop.signal.aborted) {
      try {
        if (mustList) await this.#list();
        mustList = false;
        const outcome = await this.#watchOnce();
        if (outcome === 'expired') mustList = true;
        backoff = 200;
      } catch (error) {
        if (this.#stop.signal.aborted) break;
        this.#lastError = error instanceof Error ? error.message : String(error);
        if (this.#available || !this.#synced) this.#options.log.warn({ path: this.#options.path, error: this.#lastError }, 'backing API unavailable; retrying');
        this.#available = false;
        this.#changed();
        await sleep(backoff, this.#stop.signal);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  #query(): Query {
    return { labelSelector: this.#options.labelSelector, fieldSelector: this.#options.fieldSelector };
  }

  async #list(): Promise<void> {
    const res = await this.#client.request('GET', this.#options.path, { query: this.#query(), signal: this.#stop.signal });
    if (res.status !== 200) throw new Error(`list ${this.#options.path}: HTTP ${res.status}`);
    const body = res.body as { items?: KubeObject[]; metadata?: { resourceVersion?: string } };
    const listRv = parseRv(body.metadata?.resourceVersion) ?? 0;
    const fresh = new Map<string, KubeObject>();
    for (const item of body.items ?? []) fresh.set(keyOf(item), withTypeMeta(item, this.#options.path));
    if (!this.#synced) {
      for (const [key, object] of fresh) this.#objects.set(key, object);
      this.#log = new EventLog(this.#options.windowSize, listRv);
    } else {
      this.#emitDifference(fresh, listRv);
    }
    this.#rv = listRv > this.#rv ? listRv : this.#rv;
    this.#synced = true;
    this.#available = true;
    this.#options.log.debug({ path: this.#options.path, objects: fresh.size, resourceVersion: String(listRv) }, 'backing cache listed');
    this.#changed();
  }

  /** After a relist: what changed while the cache could not watch, as ordered events. */
  #emitDifference(fresh: Map<string, KubeObject>, listRv: number): void {
    const changes: CacheEvent[] = [];
    for (const [key, object] of fresh) {
      const previous = this.#objects.get(key);
      if (!previous) changes.push(change(rvOf(object), { type: 'ADDED', object }));
      else if (previous.metadata.resourceVersion !== object.metadata.resourceVersion) changes.push(change(rvOf(object), { type: 'MODIFIED', object, previous }));
    }
    changes.sort((a, b) => a.rv - b.rv);
    for (const [key, previous] of this.#objects) {
      if (fresh.has(key)) continue;
      // When it went is unknown; the list's resourceVersion is the first one at which it is surely gone.
      const object = structuredClone(previous);
      object.metadata.resourceVersion = String(listRv);
      changes.push(change(listRv, { type: 'DELETED', object, previous }));
    }
    for (const change of changes) this.#apply(change);
  }

  async #watchOnce(): Promise<'expired' | 'closed'> {
    const query = { ...this.#query(), resourceVersion: String(this.#rv), allowWatchBookmarks: 'true', timeoutSeconds: '300' };
    const opened = await this.#client.watch(this.#options.path, query, this.#stop.signal);
    if ('error' in opened) {
      if (opened.error.status === 410) return 'expired';
      throw new UnreachableError(`watch ${this.#options.path}: HTTP ${opened.error.status}`);
    }
    if (!this.#available) this.#options.log.info({ path: this.#options.path }, 'backing API available again');
    this.#available = true;
    this.#changed();
    for await (const raw of opened.events) {
      const object = raw.object as unknown as KubeObject;
      if (raw.type === 'ERROR') {
        const code = (raw.object as { code?: number }).code;
        if (code === 410) return 'expired';
        throw new UnreachableError(`watch ${this.#options.path}: ${String((raw.object as { message?: string }).message)}`);
      }
      const rv = rvOf(object);
      if (raw.type === 'BOOKMARK') {
        if (rv > this.#rv) this.#rv = rv;
        for (const listener of this.#listeners) listener({ bookmark: true, rv: this.#rv });
        this.#changed();
        continue;
      }
      if (raw.type !== 'ADDED' && raw.type !== 'MODIFIED' && raw.type !== 'DELETED') continue;
      // Already seen: a resumed watch never repeats, but a relist may have raced ahead of it.
      if (rv <= this.#rv) continue;
      const typed = withTypeMeta(object, this.#options.path);
      const previous = this.#objects.get(keyOf(typed));
      this.#apply(change(rv, { type: raw.type, object: typed, ...(previous ? { previous } : {}) }));
    }
    return 'closed';
  }

  #apply(entry: CacheEvent): void {
    const key = keyOf(entry.event.object);
    if (entry.event.type === 'DELETED') this.#objects.delete(key);
    else this.#objects.set(key, entry.event.object);
    if (entry.rv > this.#rv) this.#rv = entry.rv;
    this.#log.append(entry);
    for (const listener of this.#listeners) listener(entry);
    this.#changed();
  }

  #changed(): void {
    for (const check of this.#progress) check();
  }
}

function change(rv: number, event: CacheEvent['event']): CacheEvent {
  return { rv, namespace: event.object.metadata.namespace, event };
}

/** The resourceVersion of a Kubernetes object as a number; 0 when absent or not a number. */
export function rvOf(object: KubeObject): number {
  return parseRv(object.metadata.resourceVersion) ?? 0;
}

/** A kube-apiserver resourceVersion (an etcd revision) as a number; undefined when it is none. */
export function parseRv(rv: string | undefined): number | undefined {
  return rv !== undefined && /^[0-9]{1,15}$/.test(rv) ? Number(rv) : undefined;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

function keyOf(object: KubeObject): string {
  return objectKey(object.metadata.namespace, object.metadata.name ?? '');
}

/** List items come without apiVersion and kind; fill them in from the path so every object looks alike. */
function withTypeMeta(object: KubeObject, path: string): KubeObject {
  if (object.apiVersion && object.kind) return object;
  const match = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))\//.exec(path);
  const apiVersion = match?.[1] ?? match?.[2] ?? '';
  return { ...object, apiVersion: object.apiVersion ?? apiVersion, kind: object.kind ?? '' };
}
