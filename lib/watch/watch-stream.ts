/**
 * One open watch on the memory store: an async iterator over a private queue of events.
 *
 * The store pushes every change synchronously as it happens, so a consumer that reads
 * slower than changes are made still sees every event, in order. The queue is bounded:
 * a watcher that falls more than `maxQueued` events behind is ended with
 * StoreError('Expired'), so its client lists again instead of the server holding an
 * unbounded backlog (kube-apiserver's cacher likewise drops watchers that cannot keep up).
 *
 * A consumer may instead listen (listen.ts): every event is then handed over synchronously
 * as it is pushed, nothing queues here, and the consumer bounds what it keeps itself.
 */
import { StoreError } from '../../core/types/errors.ts';
import type { WatchEvent } from '../../core/types/object.ts';
import type { LoggedEvent } from './event-log.ts';
import { LISTEN, type Listenable, type WatchListener } from './listen.ts';

export interface WatchStreamOptions {
  /** Only events for objects in this namespace; all namespaces when undefined. */
  namespace: string | undefined;
  /** How many undelivered events the watcher may hold before it is ended with Expired. */
  maxQueued: number;
  /** Ending the watch when this aborts; an already-aborted signal ends it at once. */
  signal: AbortSignal;
  /** Called exactly once when the watch ends, for any reason; the store forgets the watcher here. */
  onEnd: (watcher: WatchStream, error: StoreError | undefined) => void;
}

interface Waiting {
  resolve: (result: IteratorResult<WatchEvent, undefined>) => void;
  reject: (error: unknown) => void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export class WatchStream implements AsyncIterableIterator<WatchEvent, undefined>, Listenable {
  readonly #options: WatchStreamOptions;
  /** Undelivered events from #head on; delivered slots are compacted away in batches. */
  #queue: WatchEvent[] = [];
  #head = 0;
  /** A consumer blocked in next() while the queue is empty. */
  #waiting: Waiting | undefined;
  /** Set once a consumer listens instead of iterating. */
  #listener: WatchListener | undefined;
  #ended = false;
  /** Delivered by the next call to next() after the watch ended with an error, then cleared. */
  #error: StoreError | undefined;
  readonly #onAbort = (): void => this.end();

  constructor(options: WatchStreamOptions) {
    this.#options = options;
    if (options.signal.aborted) {
      this.end();
    } else {
      options.signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Offers a change to this watch; ignored when it is for another namespace or the watch has ended. */
  push(entry: LoggedEvent): void {
    if (this.#ended) return;
    const { namespace } = this.#options;
    if (namespace !== undefined && entry.namespace !== namespace) return;
    if (this.#listener) {
      this.#listener.event(copyEvent(entry.event));
      return;
    }
    if (this.#waiting) {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting.resolve({ done: false, value: copyEvent(entry.event) });
      return;
    }
    this.#queue.push(entry.event);
    if (this.#queue.length - this.#head > this.#options.maxQueued) {
      this.end(
        new StoreError(
          'Expired',
          `watch fell more than ${this.#options.maxQueued} events behind at resource version ${entry.rv}; list again`,
        ),
      );
    }
  }

  /**
   * Ends the watch: queued events are dropped, a blocked next() resolves done (or rejects
   * with `error`), and every later next() resolves done. Safe to call more than once.
   */
  end(error?: StoreError): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#queue = [];
    this.#head = 0;
    this.#options.signal.removeEventListener('abort', this.#onAbort);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (this.#listener) {
      this.#listener.end(error);
    } else if (waiting) {
      if (error) waiting.reject(error);
      else waiting.resolve(DONE);
    } else {
      this.#error = error;
    }
    this.#options.onEnd(this, error);
  }

  /** Hands every event to `listener` as it is pushed, from the queued ones on, instead of iterating. */
  [LISTEN](listener: WatchListener): void {
    if (this.#listener || this.#waiting) throw new Error('WatchStream is already being read');
    this.#listener = listener;
    if (this.#ended) {
      const error = this.#error;
      this.#error = undefined;
      listener.end(error);
      return;
    }
    const queued = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    for (const event of queued) {
      if (this.#ended) return;
      listener.event(copyEvent(event));
    }
  }

  /** The next event, each a fresh copy the caller may mutate. */
  next(): Promise<IteratorResult<WatchEvent, undefined>> {
    if (this.#listener) return Promise.reject(new Error('WatchStream.next() called on a watch that has a listener'));
    if (this.#ended) {
      const error = this.#error;
      this.#error = undefined;
      return error ? Promise.reject(error) : Promise.resolve(DONE);
    }
    if (this.#head < this.#queue.length) {
      const event = this.#queue[this.#head] as WatchEvent;
      this.#head++;
      this.#compact();
      return Promise.resolve({ done: false, value: copyEvent(event) });
    }
    if (this.#waiting) {
      // for-await never overlaps calls; a hand-driven caller that does gets a clear error.
      return Promise.reject(new Error('WatchStream.next() called while a previous call is still pending'));
    }
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
    });
  }

  /** Called by for-await on `break`: ends the watch and releases it from the store. */
  return(): Promise<IteratorResult<WatchEvent, undefined>> {
    this.end();
    this.#error = undefined;
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Drops delivered slots once they are the larger half, so the queue does not grow forever. */
  #compact(): void {
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}

/**
 * Events in the log are shared by every watcher. Frozen objects (the memory store's) cannot
 * be changed by any consumer, so every watcher gets the same event, which core then encodes
 * once for all of them (issue 15); anything else is copied for each consumer.
 */
function copyEvent(event: WatchEvent): WatchEvent {
  if (Object.isFrozen(event.object) && (event.previous === undefined || Object.isFrozen(event.previous))) return event;
  return structuredClone(event);
}
