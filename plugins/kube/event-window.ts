/**
 * The last N changes a backing cache has seen, each tagged with its resourceVersion as a
 * bigint, so a client watch can resume from any resourceVersion still inside the window
 * (as kube-apiserver's watch cache does, `pkg/storage/cacher/watch_cache.go`).
 *
 * resourceVersions are opaque to Kubernetes clients, but every kube-apiserver backed by
 * etcd mints them from etcd's revision: decimal integers that grow with every write.
 * Ordering them is what lets a watch resume at all, so the cache relies on it.
 */
import { StoreError } from '../../core/types/errors.ts';
import type { KubeObject } from '../../core/types/object.ts';

/** One change to a backing object. `object` and `previous` are shared: never mutate them. */
export interface CacheEvent {
  rv: bigint;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KubeObject;
  /** The object before the change, when the cache held it. */
  previous?: KubeObject;
}

export class EventWindow {
  readonly #capacity: number;
  #events: CacheEvent[] = [];
  /** Every change after this resourceVersion is still held. */
  #horizon: bigint;

  constructor(capacity: number, horizon: bigint) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`event window must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
    this.#horizon = horizon;
  }

  get horizon(): bigint {
    return this.#horizon;
  }

  /** Forgets everything: after a relist whose diff the window could not hold, or on a fresh start. */
  reset(horizon: bigint): void {
    this.#events = [];
    this.#horizon = horizon;
  }

  append(event: CacheEvent): void {
    this.#events.push(event);
    // Trim in batches: splicing on every append would make each write O(capacity).
    if (this.#events.length >= this.#capacity * 2) {
      const dropped = this.#events.splice(0, this.#events.length - this.#capacity);
      const last = dropped[dropped.length - 1];
      if (last) this.#horizon = last.rv;
    }
  }

  /** The held events after `rv`, oldest first; Expired (410: clients list again) when some were dropped. */
  since(rv: bigint): CacheEvent[] {
    if (rv < this.#horizon) throw new StoreError('Expired', `too old resource version: ${rv} (${this.#horizon})`);
    let low = 0;
    let high = this.#events.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.#events[mid] as CacheEvent).rv <= rv) low = mid + 1;
      else high = mid;
    }
    return this.#events.slice(low);
  }
}

/** The resourceVersion of a Kubernetes object as a bigint; 0n when absent or not a number. */
export function rvOf(object: KubeObject): bigint {
  return parseRv(object.metadata.resourceVersion) ?? 0n;
}

export function parseRv(rv: string | undefined): bigint | undefined {
  return rv !== undefined && /^[0-9]+$/.test(rv) ? BigInt(rv) : undefined;
}
