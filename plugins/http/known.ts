/**
 * What kindred last saw of each record, and the resourceVersions it minted for them. The
 * service has no resourceVersions kindred can use (the contract wants growing integers), so
 * the store mints one each time it sees a record change (a new version token: the version
 * field, or a hash of the content), by any path: its own write, a get, a list or the poller.
 * Every minted version is a watch event, so a watch from any listed resourceVersion sees
 * every change kindred has observed after it.
 *
 * Observations race (a slow poll answered before a write lands, but processed after it), so
 * each one carries a sequence number taken when it was sent (a write's: when its answer came
 * back), and a record is never changed by an observation older than the one that last changed
 * it. Deleted records leave a tombstone with that number until no older observation is in flight.
 *
 * Minted versions restart with the process, from the clock (100 per millisecond), so they are
 * larger than any the previous process handed out unless it minted faster than that: a client
 * resuming a watch from an old version gets 410 Expired and lists again.
 */
import type { KubeObject } from '../../core/types/object.ts';
import type { PluginLogger, RequestContext } from '../../core/types/storage.ts';
import type { WatchEvent } from '../../core/types/object.ts';
import { WatchFanout } from '../../lib/watch/fanout.ts';
import { cloneJson } from '../../lib/json.ts';

interface Entry {
  object: KubeObject;
  token: string;
  seq: number;
}

export interface Observed {
  object: KubeObject;
  token: string;
}

export function keyOf(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`;
}

export class KnownObjects {
  readonly #entries = new Map<string, Entry>();
  readonly #tombstones = new Map<string, number>();
  readonly #inFlight = new Set<number>();
  readonly #fanout: WatchFanout;
  #seq = 0;
  #rv: number;

  constructor(options: { window: number; log: PluginLogger; initialRv?: number }) {
    this.#rv = options.initialRv ?? Date.now() * 100;
    this.#fanout = new WatchFanout({ initialRv: this.#rv, window: options.window, log: options.log });
  }

  get resourceVersion(): string {
    return String(this.#rv);
  }

  get openWatches(): number {
    return this.#fanout.openWatches;
  }

  /** Starts an observation: the number it is applied with. Call `end` when it is done. */
  begin(): number {
    const seq = ++this.#seq;
    this.#inFlight.add(seq);
    return seq;
  }

  end(seq: number): void {
    this.#inFlight.delete(seq);
    const oldest = this.#inFlight.size === 0 ? Infinity : Math.min(...this.#inFlight);
    for (const [key, at] of this.#tombstones) if (at < oldest) this.#tombstones.delete(key);
  }

  /** The object as known, a copy; undefined when unknown. */
  get(key: string): KubeObject | undefined {
    const entry = this.#entries.get(key);
    return entry ? cloneJson(entry.object) : undefined;
  }

  /**
   * Applies what observation `seq` saw of one record (undefined: it is gone) and returns the
   * object as now known, a copy: the observed one with its minted resourceVersion, or a newer
   * state when a later observation already changed it. Takes `seen.object` over: the caller
   * must not use it afterwards.
   */
  observe(seq: number, key: string, seen: Observed | undefined): KubeObject | undefined {
    this.#apply(seq, key, seen);
    return this.get(key);
  }

  #apply(seq: number, key: string, seen: Observed | undefined): void {
    const entry = this.#entries.get(key);
    const last = entry?.seq ?? this.#tombstones.get(key) ?? 0;
    if (seq < last) return;
    if (!seen) {
      this.#remove(seq, key);
      return;
    }
    this.#tombstones.delete(key);
    if (entry && entry.token === seen.token) {
      entry.seq = seq;
      return;
    }
    const object = seen.object;
    object.metadata.resourceVersion = this.#mint();
    this.#entries.set(key, { object, token: seen.token, seq });
    this.#emit(entry ? { type: 'MODIFIED', object, previous: entry.object } : { type: 'ADDED', object });
  }

  /**
   * Records that `key` is gone, as observation `seq` saw. Returns its last state with the
   * deletion's resourceVersion (what the DELETED event carries); undefined when it was not
   * known or a later observation already changed it.
   */
  forget(seq: number, key: string): KubeObject | undefined {
    const entry = this.#entries.get(key);
    const last = entry?.seq ?? this.#tombstones.get(key) ?? 0;
    if (seq < last) return undefined;
    const deleted = this.#remove(seq, key);
    return deleted && cloneJson(deleted);
  }

  #remove(seq: number, key: string): KubeObject | undefined {
    const entry = this.#entries.get(key);
    this.#tombstones.set(key, seq);
    if (!entry) return undefined;
    this.#entries.delete(key);
    const deleted = cloneJson(entry.object);
    deleted.metadata.resourceVersion = this.#mint();
    this.#emit({ type: 'DELETED', object: deleted, previous: entry.object });
    return deleted;
  }

  /**
   * Applies a complete list of the records in scope (`inScope` says which known keys it
   * covers): each seen one is observed, each known one in scope that was not seen is gone.
   */
  reconcile(seq: number, seen: Map<string, Observed>, inScope: (object: KubeObject) => boolean): void {
    for (const [key, entry] of [...this.#entries]) {
      if (!seen.has(key) && inScope(entry.object)) this.#apply(seq, key, undefined);
    }
    for (const [key, observed] of seen) this.#apply(seq, key, observed);
  }

  /** Copies of the known objects that `filter` keeps, sorted by namespace then name. */
  list(filter: (object: KubeObject) => boolean): KubeObject[] {
    const items: KubeObject[] = [];
    for (const { object } of this.#entries.values()) if (filter(object)) items.push(cloneJson(object));
    return items.sort(byNamespaceThenName);
  }

  /** The namespaces of known objects: what a `{namespace}` url is polled for. */
  namespaces(): Set<string> {
    const found = new Set<string>();
    for (const { object } of this.#entries.values()) if (object.metadata.namespace) found.add(object.metadata.namespace);
    return found;
  }

  watch(namespace: string | undefined, resourceVersion: string, req: RequestContext): AsyncIterable<WatchEvent> {
    return this.#fanout.open(namespace, resourceVersion, this.#rv, req);
  }

  close(): void {
    this.#fanout.closeAll();
  }

  #mint(): string {
    this.#rv++;
    return String(this.#rv);
  }

  #emit(event: WatchEvent): void {
    this.#fanout.emit(this.#rv, event);
  }
}

function byNamespaceThenName(a: KubeObject, b: KubeObject): number {
  const x = `${a.metadata.namespace ?? ''}\u0000${a.metadata.name ?? ''}`;
  const y = `${b.metadata.namespace ?? ''}\u0000${b.metadata.name ?? ''}`;
  return x < y ? -1 : x > y ? 1 : 0;
}
