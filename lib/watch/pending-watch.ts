/**
 * A watch handed out before it has opened: for stores whose watch must wait before it can
 * register (the etcd plugin waits for its shared etcd watch to reach the requested
 * revision). The store starts opening when its `watch()` is called, as the contract asks,
 * not on the first `next()` as an async generator would; a failure to open (410, 503...)
 * arrives from the first `next()`; `return()` before the watch has opened still ends it
 * once it has, so nothing stays registered.
 *
 * It can be listened to (listen.ts) as the watch it opens can: the listener is handed on once
 * the watch has opened, so a store's fan-out reaches its watchers in one pass here too.
 */
import type { StoreError } from '../../core/types/errors.ts';
import type { WatchEvent } from '../../core/types/object.ts';
import { LISTEN, listenable, type Listenable, type WatchListener } from './listen.ts';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export class PendingWatch<T> implements AsyncIterableIterator<T, undefined>, Listenable {
  readonly #opening: Promise<AsyncIterator<T>>;
  #inner: AsyncIterator<T> | undefined;
  #returned = false;

  constructor(opening: Promise<AsyncIterable<T>>) {
    this.#opening = opening.then((iterable) => {
      const inner = iterable[Symbol.asyncIterator]();
      this.#inner = inner;
      if (this.#returned) void inner.return?.();
      return inner;
    });
    // Not unhandled while nobody has called next() yet: next() surfaces it.
    this.#opening.catch(() => {});
  }

  async next(): Promise<IteratorResult<T, undefined>> {
    const inner = await this.#opening;
    if (this.#returned) return DONE;
    return (await inner.next()) as IteratorResult<T, undefined>;
  }

  async return(): Promise<IteratorResult<T, undefined>> {
    this.#returned = true;
    await this.#inner?.return?.();
    return DONE;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Hands `listener` to the watch once it has opened (iterating it if it cannot be listened to). */
  [LISTEN](listener: WatchListener): void {
    this.#opening.then(
      (inner) => {
        if (this.#returned) return listener.end();
        const direct = listenable(inner);
        if (direct) direct[LISTEN](listener);
        else void forward(inner as AsyncIterator<unknown> as AsyncIterator<WatchEvent>, listener);
      },
      (error: unknown) => listener.end(error as StoreError),
    );
  }
}

/** Reads `inner` to its end into `listener`: for a watch that offers no listener of its own. */
async function forward(inner: AsyncIterator<WatchEvent>, listener: WatchListener): Promise<void> {
  try {
    for (let result = await inner.next(); !result.done; result = await inner.next()) listener.event(result.value);
    listener.end();
  } catch (error) {
    listener.end(error as StoreError);
  }
}
