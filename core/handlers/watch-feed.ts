/**
 * What a watch hands its writer: its initial events first, encoded only as the writer takes
 * them (the client's pace), then the chunks of lines its backlog collects as the store's
 * changes arrive, until the watch is closed or its changes end.
 *
 * The feed pushes: each chunk goes to the sink as soon as it is ready, synchronously, for as
 * long as the sink takes more (its response has not filled); then it waits for `resume()`.
 * A change thus reaches the sockets of all its watchers in one pass over them, with no
 * promise or async generator per watcher on the way, which at a thousand watchers had been
 * most of the server's work (issue 15).
 */
import type { WatchBacklog, WatchChunk } from './watch-backlog.ts';

export interface WatchSink {
  /** Takes a chunk; false when it can take no more until it calls `resume()`. */
  write(chunk: WatchChunk): boolean;
  /** The feed has ended: closed, or its changes ended and every line has been taken. Called once. */
  end(): void;
}

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

export class WatchFeed {
  readonly #parts: WatchFeedParts;
  #initial: Iterator<WatchChunk, undefined> | undefined;
  #sink: WatchSink | undefined;
  /** The sink said it is full: nothing more until resume(). */
  #paused = false;
  #flushing = false;
  #closed = false;
  #sinkEnded = false;

  constructor(parts: WatchFeedParts) {
    this.#parts = parts;
    this.#initial = parts.initial;
    parts.backlog.onChange = () => this.#flush();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Starts handing chunks to `sink`; only one sink, once. */
  pipe(sink: WatchSink): void {
    if (this.#sink) throw new Error('WatchFeed is already piped');
    this.#sink = sink;
    this.#flush();
  }

  /** The sink can take more again. */
  resume(): void {
    this.#paused = false;
    this.#flush();
  }

  /** Ends the feed (the watch timed out, the client went, the writer stopped); the sink's end() follows. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#parts.backlog.onChange = undefined;
    this.#parts.onClose();
    this.#flush();
  }

  /** Hands over what is ready while the sink takes it; re-entered calls (a sink that closes the feed) leave it to the running one. */
  #flush(): void {
    const sink = this.#sink;
    if (!sink || this.#flushing || this.#sinkEnded) return;
    this.#flushing = true;
    try {
      while (!this.#closed && !this.#paused) {
        const chunk = this.#next();
        if (chunk === undefined) break;
        this.#paused = !sink.write(chunk);
      }
      if (!this.#closed && this.#initial === undefined && this.#parts.backlog.ended && this.#parts.backlog.size === 0) this.close();
    } finally {
      this.#flushing = false;
    }
    if (this.#closed) {
      this.#sinkEnded = true;
      sink.end();
    }
  }

  /** The next chunk ready: an initial one, or waiting lines of the backlog. */
  #next(): WatchChunk | undefined {
    if (this.#initial) {
      const result = this.#initial.next();
      if (!result.done) return result.value;
      this.#initial = undefined;
      this.#parts.startChanges();
    }
    return this.#parts.backlog.take();
  }
}
