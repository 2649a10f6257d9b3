/**
 * One poller per kind: lists the service every interval while any client watch is open
 * (`active`), and stops when the last one has gone. Whatever the number of watches, the
 * service sees one list per interval. `pollNow` (a change stream said something changed)
 * polls at once, or right after the poll in progress. A failing poll is logged once when
 * polling starts to fail and once when it recovers, not at every tick; the watches stay open
 * meanwhile and see what changed once the service answers again.
 */
import type { PluginLogger } from '../../core/types/storage.ts';

export interface PollerOptions {
  intervalMs: number;
  poll: () => Promise<void>;
  active: () => boolean;
  log: PluginLogger;
  /** Told when polling starts and stops: a change stream runs only while the poller does. */
  onRunning?: (running: boolean) => void;
}

export class Poller {
  readonly #options: PollerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #stopped = false;
  #failing = false;
  #polling = false;
  #again = false;

  constructor(options: PollerOptions) {
    this.#options = options;
  }

  /** Starts polling, unless it already is; the first poll comes one interval from now. */
  start(): void {
    if (this.#running || this.#stopped) return;
    this.#setRunning(true);
    this.#schedule();
  }

  /** Polls now (or once the poll in progress is done), when polling at all. */
  pollNow(): void {
    if (!this.#running || this.#stopped) return;
    if (this.#polling) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    void this.#tick();
  }

  stop(): void {
    this.#stopped = true;
    this.#setRunning(false);
    clearTimeout(this.#timer);
  }

  #setRunning(running: boolean): void {
    if (this.#running === running) return;
    this.#running = running;
    this.#options.onRunning?.(running);
  }

  #schedule(): void {
    this.#timer = setTimeout(() => void this.#tick(), this.#options.intervalMs);
    // A poll must not keep the process alive on its own.
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    if (this.#stopped) return;
    if (!this.#options.active()) {
      this.#setRunning(false);
      return;
    }
    this.#polling = true;
    try {
      await this.#options.poll();
      if (this.#failing) this.#options.log.info({}, 'polling the service works again');
      this.#failing = false;
    } catch (error) {
      if (!this.#failing && !this.#stopped) this.#options.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'polling the service failed; watches see changes once it answers again');
      this.#failing = true;
    } finally {
      this.#polling = false;
    }
    if (this.#stopped) return;
    if (this.#again) {
      this.#again = false;
      void this.#tick();
    } else {
      this.#schedule();
    }
  }
}
