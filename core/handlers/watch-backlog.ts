/**
 * The encoded watch lines a client has not taken yet, bounded in size and count.
 *
 * A watch reads its store as fast as the store delivers, and the HTTP writer takes lines
 * from here only as fast as the client reads (it waits for 'drain'). A client that stops
 * reading therefore leaves its backlog here, and nowhere else: once the backlog passes
 * either bound the watch is closed, as kube-apiserver's cacher closes a watcher whose
 * buffer stays full ("Forcing watcher close due to unresponsiveness"). The client
 * re-watches from the last resourceVersion it saw.
 *
 * The writer takes every line waiting as one chunk: a watcher that has fallen behind catches
 * up in one write (and one trip through the async iterators between here and the socket) per
 * batch instead of one per event, so the cost of a busy watch grows slower than its events.
 */

export interface WatchBacklogLimits {
  /** Bytes of encoded lines waiting. */
  maxBytes: number;
  /** Events waiting. */
  maxEvents: number;
}

/**
 * 10 MiB or 1,000 events per watcher. 1,000 is the memory store's default watch window, so a
 * closed watcher can usually resume where it was; 10 MiB keeps 100 stalled watchers of large
 * objects near 1 GB.
 */
export const DEFAULT_WATCH_BACKLOG: WatchBacklogLimits = { maxBytes: 10 * 1024 * 1024, maxEvents: 1000 };

/** Whole watch event lines, written together. */
export interface WatchChunk {
  data: Buffer;
  /** How many lines (events) `data` holds: the watch metrics count them. */
  events: number;
}

/** A chunk stops growing past this many bytes (a single longer line still goes alone). */
export const MAX_CHUNK_BYTES = 256 * 1024;

/** Lines as one chunk: a single line is written as it is (it may be shared by every watcher). */
export function chunkOf(lines: Buffer[]): WatchChunk {
  return { data: lines.length === 1 ? lines[0]! : Buffer.concat(lines), events: lines.length };
}

export class WatchBacklog {
  readonly #limits: WatchBacklogLimits;
  #lines: Buffer[] = [];
  #head = 0;
  #bytes = 0;
  #ended = false;
  /** When the last line was pushed (Date.now()): a watch idle for long gets a bookmark. */
  lastPushAt = Date.now();
  /** Told at every push and at the end (the feed that takes the lines: watch-feed.ts). */
  onChange: (() => void) | undefined;

  constructor(limits: WatchBacklogLimits) {
    this.#limits = limits;
  }

  /** Adds a line; false when the backlog is now over a bound (the caller closes the watch). */
  push(line: Buffer): boolean {
    if (this.#ended) return true;
    this.#lines.push(line);
    this.#bytes += line.length;
    this.lastPushAt = Date.now();
    this.#notify();
    return this.#bytes <= this.#limits.maxBytes && this.size <= this.#limits.maxEvents;
  }

  /** The waiting lines, oldest first, as one chunk of at most MAX_CHUNK_BYTES (or one line); undefined when none wait. */
  take(): WatchChunk | undefined {
    if (this.#head === this.#lines.length) return undefined;
    const start = this.#head;
    let bytes = this.#lines[start]!.length;
    let end = start + 1;
    while (end < this.#lines.length && bytes + this.#lines[end]!.length <= MAX_CHUNK_BYTES) bytes += this.#lines[end++]!.length;
    const chunk = end === start + 1 ? { data: this.#lines[start]!, events: 1 } : chunkOf(this.#lines.slice(start, end));
    this.#head = end;
    this.#bytes -= bytes;
    if (this.#head === this.#lines.length) {
      this.#lines.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#lines.length) {
      this.#lines = this.#lines.slice(this.#head);
      this.#head = 0;
    }
    return chunk;
  }

  get size(): number {
    return this.#lines.length - this.#head;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** No more lines will come; those waiting can still be taken. */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  get ended(): boolean {
    return this.#ended;
  }

  #notify(): void {
    this.onChange?.();
  }
}
