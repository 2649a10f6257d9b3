/**
 * A watch handed out before it has opened: for stores whose watch must wait before it can
 * register (the etcd plugin waits for its shared etcd watch to reach the requested
 * revision). The store starts opening when its `watch()` is called, as the contract asks,
 * not on the first `next()` as an async generator would; a failure to open (410, 503...)
 * arrives from the first `next()`; `return()` before the watch has opened still ends it
 * once it has, so nothing stays registered.
 */
const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export class PendingWatch<T> implements AsyncIterableIterator<T, undefined> {
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
}
