/**
 * A store's watch machinery in one piece: the bounded history of its changes (EventLog)
 * and every open client watch (WatchStream), fed from one call per write. A store that
 * mints integer resourceVersions calls `emit` after each write it has made durable and
 * answers `watch` with `open`; resume, 410 Expired, ResourceVersionTooLarge, namespace
 * filtering and slow-watcher policy are all handled here, once, for every such store.
 *
 *   const fanout = new WatchFanout({ initialRv: rv, window: 1000 });
 *   // after a write: fanout.emit(rv, { type: 'ADDED', object });
 *   watch(ns, query, req) { return fanout.open(ns, query.resourceVersion, this.rv, req); }
 */
import { StoreError } from '../../core/types/errors.ts';
import type { WatchEvent } from '../../core/types/object.ts';
import type { PluginLogger, RequestContext } from '../../core/types/storage.ts';
import { EventLog } from './event-log.ts';
import { WatchStream } from './watch-stream.ts';

export const DEFAULT_WATCH_WINDOW = 1000;
export const DEFAULT_MAX_QUEUED_EVENTS = 10_000;

export interface WatchFanoutOptions {
  /** The store's resourceVersion when the fan-out starts: watches can resume from here on. */
  initialRv: number;
  /** How many past events a watch can resume from. Default 1000. */
  window?: number;
  /** How many undelivered events one watch may hold before it is ended with Expired. Default 10000. */
  maxQueuedEvents?: number;
  /** Told when a slow watch is dropped. */
  log?: PluginLogger;
}

export class WatchFanout {
  #events: EventLog;
  /** Open watches, each with the owner it was opened for (`open`'s `owner`), if any. */
  readonly #streams = new Map<WatchStream, object | undefined>();
  readonly #maxQueued: number;
  readonly #log: PluginLogger | undefined;

  constructor(options: WatchFanoutOptions) {
    this.#maxQueued = options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS;
    if (!Number.isSafeInteger(this.#maxQueued) || this.#maxQueued < 1) {
      throw new RangeError(`maxQueuedEvents must be a positive integer, got ${this.#maxQueued}`);
    }
    this.#events = new EventLog(options.window ?? DEFAULT_WATCH_WINDOW, options.initialRv);
    this.#log = options.log;
  }

  /** How many watches are open: for tests and metrics. */
  get openWatches(): number {
    return this.#streams.size;
  }

  /**
   * Keeps the retained history in a log of `window` events from now on (the oldest go when
   * it is smaller): a store whose watch window option changed keeps its watches resumable.
   */
  resize(window: number): void {
    const old = this.#events;
    this.#events = new EventLog(window, old.horizon);
    for (const entry of old.since(old.horizon)) this.#events.append(entry);
  }

  /**
   * Records a change and offers it to every open watch. `rv` is the resourceVersion the write
   * minted, greater than every earlier one; `event.object` must not change afterwards.
   */
  emit(rv: number, event: WatchEvent): void {
    const entry = { rv, namespace: event.object.metadata.namespace, event };
    this.#events.append(entry);
    // A slow watch may end (and leave the set) inside push(): safe while iterating a Set.
    for (const stream of this.#streams.keys()) stream.push(entry);
  }

  /**
   * A watch of `namespace` (all when undefined) from `resourceVersion` ("0" and "" mean from
   * `currentRv`, i.e. now). Throws synchronously: BadRequest for a version that is no
   * integer, ResourceVersionTooLarge past `currentRv`, Expired before the retained window.
   * Registered before it returns, so no change emitted after the call is missed.
   */
  open(namespace: string | undefined, resourceVersion: string, currentRv: number, req: RequestContext, owner?: object): AsyncIterable<WatchEvent> {
    const from = parseResourceVersion(resourceVersion, currentRv);
    // Checked before the log, which would otherwise answer "nothing yet" for a future version.
    if (from > currentRv) throw new StoreError('ResourceVersionTooLarge', 'Too large resource version');
    const backlog = this.#events.since(from);
    const stream = new WatchStream({
      namespace,
      maxQueued: this.#maxQueued,
      signal: req.signal,
      onEnd: (ended, error) => {
        this.#streams.delete(ended);
        if (error) this.#log?.warn({ reason: error.reason, user: req.user.username }, error.message);
      },
    });
    for (const entry of backlog) stream.push(entry);
    // An already-aborted signal or an oversized backlog has ended it: do not keep it.
    if (!stream.ended) this.#streams.set(stream, owner);
    return stream;
  }

  /**
   * Ends every open watch (the store is closing), or only those opened for `owner` (one of
   * two stores sharing this fan-out closes).
   */
  closeAll(owner?: object): void {
    // end() removes each stream from the map; deleting the current entry is safe while iterating a Map.
    for (const [stream, openedFor] of this.#streams) if (owner === undefined || openedFor === owner) stream.end();
  }

  /**
   * Ends every open watch with `error` (e.g. Expired): the history they were following is
   * gone (etcd compacted it), so their clients must list again.
   */
  expireAll(error: StoreError): void {
    for (const stream of this.#streams.keys()) stream.end(error);
  }
}

/** A watch's resourceVersion as a number; "0" and "" mean `now`. */
export function parseResourceVersion(rv: string, now: number): number {
  if (rv === '' || rv === '0') return now;
  if (!/^[0-9]{1,15}$/.test(rv)) throw new StoreError('BadRequest', `invalid resource version: ${rv}`);
  return Number(rv);
}
