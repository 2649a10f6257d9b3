/**
 * A faster way to follow a watch than `for await`: a store's watch (an AsyncIterable) may
 * also offer to call a listener synchronously as each change is made. With a thousand
 * watchers a change then reaches every watcher's socket in one pass over them, instead of
 * through a promise and a trip through the microtask queue per watcher and per step
 * (issue 15). `WatchStream` (and so every store built on `WatchFanout`) offers it; core
 * uses it when offered and iterates otherwise, so a store need not.
 *
 * Once listening, the iterator is not read: its events go to the listener only. `return()`
 * on the iterable still ends the watch (and calls `end`).
 */
import type { StoreError } from '../../core/types/errors.ts';
import type { WatchEvent } from '../../core/types/object.ts';

/** Symbol.for, so a store built on another copy of this library is still recognised. */
export const LISTEN: unique symbol = Symbol.for('kindred.watch.listen');

export interface WatchListener {
  /** The next change, in order. Must not throw: it runs inside the store's write. */
  event(event: WatchEvent): void;
  /** The watch has ended, with the error a `next()` would have rejected with, if any; called once. */
  end(error?: StoreError): void;
}

export interface Listenable {
  [LISTEN](listener: WatchListener): void;
}

/** The watch as a Listenable when it offers to be one. */
export function listenable(watch: object): Listenable | undefined {
  return typeof (watch as Partial<Listenable>)[LISTEN] === 'function' ? (watch as Listenable) : undefined;
}
