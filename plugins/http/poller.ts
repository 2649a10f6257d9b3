/**
 * One poller per kind: lists the service every interval while any client watch is open
 * (`active`), and stops when the last one has gone. Whatever the number of watches, the
 * service sees one list per interval. A failing poll is logged once when polling starts to
 * fail and once when it recovers, not at every tick; the watches stay open meanwhile and
 * see what changed once the service answers again.
 */
import type { PluginLogger } from '../../core/types/storage.ts';

export interface PollerOptions {
  intervalMs: number;
  poll: () => Promise<void>;
  active: () => boolean;
  log: PluginLogger;
}

export class Poller {
  readonly #options: PollerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #stopped = false;
  #failing = false;

  constructor(options: PollerOptions) {
    this.#options = options;
  }

  /** Starts polling, unless it already is; the first poll comes one interval from now. */
  start(): void {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    this.#running = false;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    this.#timer = setTimeout(() => void this.#tick(), this.#options.intervalMs);
    // A poll must not keep the process alive on its own.
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    if (!this.#options.active()) {
      this.#running = false;
      return;
    }
    try {
      await this.#options.poll();
      if (this.#failing) this.#options.log.info({}, 'polling the service works again');
      this.#failing = false;
    } catch (error) {
      if (!this.#failing && !this.#stopped) this.#options.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'polling the service failed; watches see changes once it answers again');
      this.#failing = true;
    }
    if (!this.#stopped) this.#schedule();
  }
}
