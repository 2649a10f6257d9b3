/**
 * One etcd watch per kind, shared by every client watch of that kind: the etcd events feed a
 * WatchFanout (lib/watch), which replays its window to resuming clients and fans new events
 * out, as kube-apiserver's cacher does over its one etcd watch per resource.
 *
 * - Started by the first client watch, from that watch's resourceVersion (so a list → watch
 *   from a fresh process loses nothing), and kept until the store closes.
 * - `progress`: every event of the kind up to this etcd revision has been emitted. A client
 *   watch from a newer revision (a list answered at the current etcd revision, through this
 *   or another kindred process) waits until the etcd watch has caught up: it asks etcd for a
 *   progress notification (WatchProgressRequest, etcd ≥ 3.4), whose header revision says
 *   "everything up to here was sent". Not caught up within 3 s: ResourceVersionTooLarge
 *   while etcd is reachable (the revision is in etcd's future), else ServiceUnavailable.
 * - A watch from before the fan-out's window (the first revision it followed, or events that
 *   scrolled out of its `window`) is answered 410 Expired: the client lists again, as with
 *   kube-apiserver's watch cache. We do not open a private etcd watch for it: one etcd watch
 *   per kind is the point.
 * - etcd down: the stream is re-opened with backoff from `progress + 1`; open client watches
 *   stay open and get every event they missed, in order, once etcd is back.
 * - etcd compacted past `progress` (it was down or behind for long): the history is gone, so
 *   every client watch ends with 410 Expired and the fan-out restarts at the compaction.
 */
import type { Etcd3, IDuplexStream, IEvent, IKeyValue, IWatchRequest, IWatchResponse } from 'etcd3';
import { StoreError } from '../../core/types/errors.ts';
import type { KubeObject, WatchEvent } from '../../core/types/object.ts';
import type { PluginLogger, RequestContext } from '../../core/types/storage.ts';
import { WatchFanout, parseResourceVersion } from '../../lib/watch/fanout.ts';
import { RETRY_AFTER_SECONDS, unavailable } from './client.ts';

/** How long a client watch waits for the shared etcd watch to reach its resourceVersion (kube's cacher: 3 s). */
export const CATCH_UP_TIMEOUT_MS = 3_000;
const PROGRESS_REQUEST_INTERVAL_MS = 250;
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 2_000;

export interface SharedWatchOptions {
  client: Etcd3;
  /** The key range of the whole kind. */
  range: { key: Buffer; range_end: Buffer };
  /** Turns a stored value into the object, with `resourceVersion` as its resourceVersion; throws on garbage. */
  decode: (value: Buffer, resourceVersion: string) => KubeObject;
  /**
   * The object a deleted key stood for when etcd no longer has its last value (compacted):
   * apiVersion, kind, name and namespace only. Undefined for a key that is no object's.
   */
  tombstone: (key: Buffer, resourceVersion: string) => KubeObject | undefined;
  /** `plural.group`, for messages. */
  resource: string;
  /** How many past events a client watch can resume from (WatchFanout's window). */
  window?: number;
  log: PluginLogger;
}

interface Waiter {
  rv: number;
  resolve: () => void;
}

type WatchStreamRpc = IDuplexStream<IWatchRequest, IWatchResponse>;

export class SharedKindWatch {
  readonly #options: SharedWatchOptions;
  #fanout: WatchFanout | undefined;
  #progress = 0;
  #stream: WatchStreamRpc | undefined;
  /** The current stream has answered `created`: progress requests can be sent on it. */
  #connected = false;
  readonly #waiters = new Set<Waiter>();
  #progressTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #starting: Promise<void> | undefined;
  #broken: string | undefined;

  constructor(options: SharedWatchOptions) {
    this.#options = options;
  }

  /** Why the etcd watch stream is down, while it is; undefined when it follows etcd (or has not started). */
  get unreachable(): string | undefined {
    return this.#broken;
  }

  /** How many client watches are open: for tests and metrics. */
  get openWatches(): number {
    return this.#fanout?.openWatches ?? 0;
  }

  /**
   * A client watch of `namespace` (all when undefined) from `resourceVersion` ("0" or "":
   * from what the etcd watch has seen). Rejects with Expired, ResourceVersionTooLarge,
   * BadRequest or ServiceUnavailable.
   */
  async open(namespace: string | undefined, resourceVersion: string, req: RequestContext): Promise<AsyncIterable<WatchEvent>> {
    const from = parseResourceVersion(resourceVersion, Number.MAX_SAFE_INTEGER);
    const asked = resourceVersion === '' || resourceVersion === '0' ? undefined : from;
    if (!this.#fanout) await this.#start(asked);
    // Closed while it waited: the watch ends, as every open one did.
    if (this.#closed || !this.#fanout) return noEvents();
    if (asked !== undefined && asked > this.#progress) await this.#catchUp(asked, req.signal);
    if (this.#closed || !this.#fanout) return noEvents();
    return this.#fanout.open(namespace, resourceVersion, this.#progress, req);
  }

  /** Ends the etcd watch and every client watch. */
  close(): void {
    this.#closed = true;
    this.#stopProgressRequests();
    for (const waiter of this.#waiters) waiter.resolve();
    this.#waiters.clear();
    this.#stream?.cancel();
    this.#stream = undefined;
    this.#fanout?.closeAll();
  }

  /**
   * Creates the fan-out at `from` (default: etcd's current revision) and starts following
   * etcd. A `from` past etcd's revision is refused: a fan-out started in the future would
   * answer every later watch 410.
   */
  #start(from: number | undefined): Promise<void> {
    this.#starting ??= (async () => {
      let head: number;
      try {
        const { key, range_end } = this.#options.range;
        head = Number((await this.#options.client.kv.range({ key, range_end, count_only: true })).header.revision);
      } catch (error) {
        if (this.#closed) return; // closed meanwhile: open() ends the watch
        throw unavailable(error, this.#options.resource);
      }
      if (from !== undefined && from > head) throw new StoreError('ResourceVersionTooLarge', `Too large resource version: ${from}, current: ${head}`);
      if (this.#fanout || this.#closed) return;
      this.#restartAt(from ?? head);
      void this.#follow();
    })().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  /** A fresh fan-out whose history begins after `rv`; the etcd watch (re)opens at `rv + 1`. */
  #restartAt(rv: number): void {
    this.#fanout = new WatchFanout({
      initialRv: rv,
      log: this.#options.log,
      ...(this.#options.window === undefined ? {} : { window: this.#options.window }),
    });
    this.#progress = rv;
  }

  /** Keeps one etcd watch stream open until close(), re-opening it with backoff. */
  async #follow(): Promise<void> {
    let delay = RECONNECT_MIN_MS;
    while (!this.#closed) {
      const started = Date.now();
      try {
        await this.#followOnce();
      } catch (error) {
        if (this.#closed) break;
        this.#broken = `etcd watch: ${(error as Error).message}`;
        this.#options.log.warn({ err: (error as Error).message, revision: this.#progress }, 'etcd watch broke; re-opening');
      }
      this.#connected = false;
      this.#stream = undefined;
      if (this.#closed) break;
      // A stream that lived a while was healthy: start the backoff afresh.
      if (Date.now() - started > RECONNECT_MAX_MS) delay = RECONNECT_MIN_MS;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, RECONNECT_MAX_MS);
    }
  }

  /** One etcd watch stream's life: resolves when it ends, rejects when it fails. */
  async #followOnce(): Promise<void> {
    const stream = await this.#options.client.watchClient.watch();
    if (this.#closed) {
      stream.cancel();
      return;
    }
    this.#stream = stream;
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (response: IWatchResponse) => {
        try {
          this.#onResponse(stream, response);
        } catch (error) {
          stream.cancel();
          reject(error);
        }
      });
      stream.on('error', reject);
      stream.on('end', resolve);
      const { key, range_end } = this.#options.range;
      stream.write({
        create_request: { key, range_end, start_revision: this.#progress + 1, prev_kv: true, progress_notify: true },
      });
    });
  }

  #onResponse(stream: WatchStreamRpc, response: IWatchResponse): void {
    if (stream !== this.#stream) return;
    if (Number(response.compact_revision) > 0) {
      this.#compacted(Number(response.compact_revision));
      stream.cancel(); // #follow re-opens it at the compaction
      return;
    }
    if (response.canceled) throw new Error(`etcd cancelled the watch: ${response.cancel_reason || 'no reason given'}`);
    if (response.created) {
      this.#connected = true;
      this.#broken = undefined;
      if (this.#waiters.size > 0) this.#requestProgress();
      return;
    }
    if (response.events.length === 0) {
      // A progress notification: every event up to the header's revision has been sent.
      this.#advance(Number(response.header.revision));
      return;
    }
    for (const event of response.events) {
      const rv = Number(event.kv.mod_revision);
      const translated = this.#translate(event);
      if (translated && this.#fanout) this.#fanout.emit(rv, translated);
      this.#advance(rv);
    }
  }

  /** etcd no longer has the events after `progress`: every client watch must list again. */
  #compacted(compactRevision: number): void {
    const gone = this.#progress;
    this.#options.log.warn({ revision: gone, compactRevision }, 'etcd compacted the history of an open watch; clients must list again');
    this.#fanout?.expireAll(
      new StoreError('Expired', `too old resource version: ${gone} (${compactRevision}): etcd compacted it; list again`),
    );
    this.#restartAt(compactRevision - 1);
  }

  #advance(rv: number): void {
    if (rv <= this.#progress) return;
    this.#progress = rv;
    for (const waiter of this.#waiters) {
      if (waiter.rv <= rv) waiter.resolve();
    }
  }

  /** An etcd event as a watch event; undefined (and logged) for a value that is no object of ours. */
  #translate(event: IEvent): WatchEvent | undefined {
    const rv = event.kv.mod_revision;
    try {
      const previous = event.prev_kv ? this.#decode(event.prev_kv) : undefined;
      if (event.type === 'Delete') {
        // Without the last state a client still must learn of the delete, or its cache keeps a ghost.
        if (!previous) {
          const object = this.#options.tombstone(event.kv.key, rv);
          return object ? { type: 'DELETED', object } : undefined;
        }
        return { type: 'DELETED', object: { ...previous, metadata: { ...previous.metadata, resourceVersion: rv } }, previous };
      }
      const object = this.#decode(event.kv);
      if (event.kv.version === '1' || !previous) return { type: 'ADDED', object };
      return { type: 'MODIFIED', object, previous };
    } catch (error) {
      this.#options.log.warn({ key: event.kv.key.toString(), revision: rv, err: (error as Error).message }, 'skipping an etcd value that is no object');
      return undefined;
    }
  }

  #decode(kv: IKeyValue): KubeObject {
    return this.#options.decode(kv.value, kv.mod_revision);
  }

  /** Waits until the etcd watch has sent every event up to `rv`. */
  async #catchUp(rv: number, signal: AbortSignal): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let onAbort = (): void => {};
    let waiter: Waiter | undefined;
    const waited = await new Promise<'caught-up' | 'timeout'>((resolve) => {
      waiter = { rv, resolve: () => resolve('caught-up') };
      this.#waiters.add(waiter);
      timer = setTimeout(() => resolve('timeout'), CATCH_UP_TIMEOUT_MS);
      onAbort = () => resolve('caught-up'); // the watch opens on an aborted signal, and so ends at once
      signal.addEventListener('abort', onAbort, { once: true });
      this.#startProgressRequests();
      if (signal.aborted) onAbort();
    }).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (waiter) this.#waiters.delete(waiter);
      if (this.#waiters.size === 0) this.#stopProgressRequests();
    });
    if (waited === 'caught-up') return;
    if (this.#connected) throw new StoreError('ResourceVersionTooLarge', `Too large resource version: ${rv}, current: ${this.#progress}`);
    throw this.#unavailable('etcd is not reachable');
  }

  #startProgressRequests(): void {
    this.#requestProgress();
    this.#progressTimer ??= setInterval(() => this.#requestProgress(), PROGRESS_REQUEST_INTERVAL_MS);
  }

  #stopProgressRequests(): void {
    clearInterval(this.#progressTimer);
    this.#progressTimer = undefined;
  }

  #requestProgress(): void {
    if (this.#connected) this.#stream?.write({ progress_request: {} });
  }

  #unavailable(why: string): StoreError {
    return new StoreError('ServiceUnavailable', `watch of ${this.#options.resource}: ${why}`, { retryAfterSeconds: RETRY_AFTER_SECONDS });
  }
}

async function* noEvents(): AsyncGenerator<WatchEvent> {}
