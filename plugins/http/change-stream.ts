/**
 * A service's server-sent-events endpoint (`changeEvents` option) used as a doorbell: any
 * event means "something changed", and the poller lists at once, so watches see a change in
 * one round trip instead of up to one poll interval. Events are not parsed for content: the
 * list stays the one source of truth, whatever the service's event format. The stream runs
 * only while the poller does; a broken stream is reopened with backoff (1 s doubling to
 * 30 s), and each (re)connection rings once, for what changed while it was down.
 */
import type { PluginLogger } from '../../core/types/storage.ts';
import type { ServiceClient } from './client.ts';
import type { Credentials } from './credentials.ts';

export interface ChangeStreamOptions {
  url: URL;
  client: ServiceClient;
  credentials: Credentials;
  onChange: () => void;
  log: PluginLogger;
}

const MIN_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30_000;

export class ChangeStream {
  readonly #options: ChangeStreamOptions;
  #abort: AbortController | undefined;

  constructor(options: ChangeStreamOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#abort) return;
    const abort = new AbortController();
    this.#abort = abort;
    void this.#run(abort.signal);
  }

  stop(): void {
    this.#abort?.abort();
    this.#abort = undefined;
  }

  async #run(signal: AbortSignal): Promise<void> {
    const { url, client, credentials, onChange, log } = this.#options;
    let backoff = MIN_BACKOFF_MS;
    while (!signal.aborted) {
      let pending = false;
      try {
        const status = await client.stream(url, await credentials.headers(), signal, (line) => {
          if (line === '') {
            if (pending) onChange();
            pending = false;
          } else if (!line.startsWith(':')) {
            pending = true;
          }
        }, () => {
          backoff = MIN_BACKOFF_MS;
          onChange();
        });
        if (status === 401) credentials.refresh();
        if (status !== 200 && !signal.aborted) log.warn({ status, path: url.pathname }, 'the change stream refused kindred; polling meanwhile');
      } catch (error) {
        if (!signal.aborted) log.debug({ error: error instanceof Error ? error.message : String(error), path: url.pathname }, 'the change stream broke; reopening it');
      }
      await wait(backoff, signal);
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
    }
  }
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    timer.unref();
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
