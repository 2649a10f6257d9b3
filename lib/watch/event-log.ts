/**
 * The memory store's bounded history of changes: a ring of the last `capacity` events,
 * each tagged with the resourceVersion its write minted. A watch resumes by replaying the
 * events after its resourceVersion, as kube-apiserver's watch cache does
 * (k8s.io/apiserver `pkg/storage/cacher/watch_cache.go`).
 */
import { StoreError } from '../../core/types/errors.ts';
import type { WatchEvent } from '../../core/types/object.ts';

/** One past change. `object` and `previous` are the store's own copies: never mutate them. */
export interface LoggedEvent {
  /** The resourceVersion minted by the write, as a number. */
  rv: number;
  /** The namespace of the object, for filtering; undefined for cluster-scoped kinds. */
  namespace: string | undefined;
  event: WatchEvent;
}

export class EventLog {
  readonly #capacity: number;
  readonly #ring: (LoggedEvent | undefined)[];
  /** Index in #ring of the oldest retained event. */
  #start = 0;
  #count = 0;
  /**
   * Every event after this resourceVersion is still retained. It starts at the store's
   * initial resourceVersion and moves up each time the ring overwrites its oldest event.
   */
  #horizon: number;

  constructor(capacity: number, initialRv = 0) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`event log capacity must be a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
    this.#ring = new Array<LoggedEvent | undefined>(capacity);
    this.#horizon = initialRv;
  }

  /** The oldest resourceVersion a watch can start from. */
  get horizon(): number {
    return this.#horizon;
  }

  /** Records an event; its `rv` must be greater than every recorded one. */
  append(entry: LoggedEvent): void {
    if (this.#count < this.#capacity) {
      this.#ring[(this.#start + this.#count) % this.#capacity] = entry;
      this.#count++;
      return;
    }
    const dropped = this.#ring[this.#start];
    if (dropped) this.#horizon = dropped.rv;
    this.#ring[this.#start] = entry;
    this.#start = (this.#start + 1) % this.#capacity;
  }

  /**
   * The retained events with a resourceVersion greater than `rv`, oldest first.
   * Throws StoreError('Expired') when events after `rv` have already been overwritten:
   * 410, not 400, because clients answer it by listing again.
   */
  since(rv: number): LoggedEvent[] {
    if (rv < this.#horizon) {
      // Worded as watch_cache.go words it, so client-go logs look familiar.
      throw new StoreError('Expired', `too old resource version: ${rv} (${this.#horizon})`);
    }
    // Walk back from the newest: the cost is the number of events returned.
    const found: LoggedEvent[] = [];
    for (let i = this.#count - 1; i >= 0; i--) {
      const entry = this.#ring[(this.#start + i) % this.#capacity];
      if (!entry || entry.rv <= rv) break;
      found.push(entry);
    }
    return found.reverse();
  }
}
