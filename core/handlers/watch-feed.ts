/**
 * What a watch's writer iterates: its initial events first, encoded only as the writer takes
 * them (the client's pace), then the chunks of lines its backlog collects as the store's
 * changes arrive, until the watch is closed or its changes end.
 *
 * Written by hand rather than as an async generator: every change passes through here once
 * per watcher, and a generator's `yield` costs extra promises and microtask turns each time,
 * which at a thousand watchers was a large share of the server's CPU (issue 15).
 */
import type { WatchBacklog, WatchChunk } from './watch-backlog.ts';

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

export interface WatchFeedParts {
  /** Chunks of initial events, made as they are taken. */
  initial: Iterator<WatchChunk, undefined>;
  /** Where the changes collect; its lines are taken once the initial events are out. */
  backlog: WatchBacklog;
  /** Starts filling the backlog from the store: called once, after the last initial chunk was taken. */
  startChanges: () => void;
  /** Called once when the feed closes, for any reason: stop timers, release the store's watch. */
  onClose: () => void;
}

export class WatchFeed implements AsyncIterableIterator<WatchChunk, undefined> {
  readonly #parts: WatchFeedParts;
  #initial: Iterator<WatchChunk, undefined> | undefined;
  #closed = false;
  /** The writer, blocked in next() while nothing waits. */
  #waiting: ((result: IteratorResult<WatchChunk, undefined>) => void) | undefined;

  constructor(parts: WatchFeedParts) {
    this.#parts = parts;
    this.#initial = parts.initial;
    parts.backlog.onChange = () => this.#wake();
  }

  get closed(): boolean {
    return this.#closed;
  }

  next(): Promise<IteratorResult<WatchChunk, undefined>> {
    if (this.#waiting) return Promise.reject(new Error('WatchFeed.next() called while a previous call is still pending'));
    if (!this.#closed && this.#initial) {
      const result = this.#initial.next();
      if (!result.done) return Promise.resolve(result);
      this.#initial = undefined;
      this.#parts.startChanges();
    }
    const result = this.#take();
    if (result) return Promise.resolve(result);
    return new Promise((resolve) => {
      this.#waiting = resolve;
    });
  }

  /** Ends the feed (the writer stopped, the watch timed out, the client went): the next or pending next() is done. */
  close(): void {
    if (this.#closed) return;
    this.#finish();
    this.#wake();
  }

  return(): Promise<IteratorResult<WatchChunk, undefined>> {
    this.close();
    return Promise.resolve(DONE);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next result when one is ready: a chunk, or done once the feed is closed or the backlog ended and empty. */
  #take(): IteratorResult<WatchChunk, undefined> | undefined {
    if (this.#closed) return DONE;
    const chunk = this.#parts.backlog.take();
    if (chunk) return { done: false, value: chunk };
    if (!this.#parts.backlog.ended) return undefined;
    this.#finish();
    return DONE;
  }

  #finish(): void {
    this.#closed = true;
    this.#parts.backlog.onChange = undefined;
    this.#parts.onClose();
  }

  #wake(): void {
    if (!this.#waiting) return;
    const result = this.#take();
    if (!result) return;
    const resolve = this.#waiting;
    this.#waiting = undefined;
    resolve(result);
  }
}
