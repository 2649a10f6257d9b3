/**
 * One client watch on a Kubernetes-backed kind: an async iterator over a private queue,
 * fed synchronously by the shared BackingCache through `push`. A consumer slower than
 * the changes still sees every event in order; one that falls more than `maxQueued`
 * events behind is ended with StoreError('Expired') so its client lists again.
 */
import { StoreError } from '../../core/types/errors.ts';
import type { WatchEvent } from '../../core/types/object.ts';

interface Waiting {
  resolve: (result: IteratorResult<WatchEvent, undefined>) => void;
  reject: (error: unknown) => void;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export class ClientWatch implements AsyncIterableIterator<WatchEvent, undefined> {
  readonly #maxQueued: number;
  readonly #signal: AbortSignal;
  readonly #onEnd: (watch: ClientWatch) => void;
  #queue: WatchEvent[] = [];
  #waiting: Waiting | undefined;
  #ended = false;
  #error: unknown;
  readonly #onAbort = (): void => this.end();

  constructor(options: { maxQueued: number; signal: AbortSignal; onEnd: (watch: ClientWatch) => void }) {
    this.#maxQueued = options.maxQueued;
    this.#signal = options.signal;
    this.#onEnd = options.onEnd;
    if (this.#signal.aborted) queueMicrotask(() => this.end());
    else this.#signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Offers an event (already a private copy); ignored once ended. */
  push(event: WatchEvent): void {
    if (this.#ended) return;
    if (this.#waiting) {
      const waiting = this.#waiting;
      this.#waiting = undefined;
      waiting.resolve({ done: false, value: event });
      return;
    }
    this.#queue.push(event);
    if (this.#queue.length > this.#maxQueued) {
      this.end(new StoreError('Expired', `watch fell more than ${this.#maxQueued} events behind; list again`));
    }
  }

  /** Ends the watch; a blocked next() resolves done, or rejects with `error`. Idempotent. */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#queue = [];
    this.#signal.removeEventListener('abort', this.#onAbort);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting) {
      if (error) waiting.reject(error);
      else waiting.resolve(DONE);
    } else {
      this.#error = error;
    }
    this.#onEnd(this);
  }

  next(): Promise<IteratorResult<WatchEvent, undefined>> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve({ done: false, value: queued });
    if (this.#ended) {
      const error = this.#error;
      this.#error = undefined;
      return error ? Promise.reject(error) : Promise.resolve(DONE);
    }
    if (this.#waiting) return Promise.reject(new Error('ClientWatch.next() called while a previous call is still pending'));
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  return(): Promise<IteratorResult<WatchEvent, undefined>> {
    this.end();
    this.#error = undefined;
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
