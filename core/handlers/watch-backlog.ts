/**
 * The encoded watch lines a client has not taken yet, bounded in size and count.
 *
 * A watch reads its store as fast as the store delivers, and the HTTP writer takes lines
 * from here only as fast as the client reads (it waits for 'drain'). A client that stops
 * reading therefore leaves its backlog here, and nowhere else: once the backlog passes
 * either bound the watch is closed, as kube-apiserver's cacher closes a watcher whose
 * buffer stays full ("Forcing watcher close due to unresponsiveness"). The client
 * re-watches from the last resourceVersion it saw.
 */

export interface WatchBacklogLimits {
  /** Characters of encoded lines waiting (JSON is mostly ASCII: about bytes). */
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

export class WatchBacklog {
  readonly #limits: WatchBacklogLimits;
  #lines: string[] = [];
  #head = 0;
  #bytes = 0;
  #ended = false;
  #wake: (() => void) | undefined;

  constructor(limits: WatchBacklogLimits) {
    this.#limits = limits;
  }

  /** Adds a line; false when the backlog is now over a bound (the caller closes the watch). */
  push(line: string): boolean {
    if (this.#ended) return true;
    this.#lines.push(line);
    this.#bytes += line.length;
    this.#notify();
    return this.#bytes <= this.#limits.maxBytes && this.size <= this.#limits.maxEvents;
  }

  /** The oldest waiting line, if any. */
  shift(): string | undefined {
    if (this.#head === this.#lines.length) return undefined;
    const line = this.#lines[this.#head]!;
    this.#head++;
    this.#bytes -= line.length;
    if (this.#head === this.#lines.length) {
      this.#lines = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#lines.length) {
      this.#lines = this.#lines.slice(this.#head);
      this.#head = 0;
    }
    return line;
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

  /** Resolves at the next push or end. */
  changed(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
