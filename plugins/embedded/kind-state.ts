/**
 * What the process knows of one stored kind: its objects (an in-memory index of the
 * database's rows, so reads never touch the disk) and its watch fan-out, seeded with the
 * persisted events so a watch resumes across a restart.
 *
 * Held once per process and data directory: a reload that replaces a kind's store creates the
 * new store while the old one still drains, and both use this one state, so they can never
 * disagree or both write. The last store to let go ends the kind's watches.
 */
import type { KindDefinition } from '../../core/types/kind.ts';
import type { KubeObject, WatchEvent } from '../../core/types/object.ts';
import type { PluginLogger } from '../../core/types/storage.ts';
import { encodeJson, parseJson } from '../../lib/json.ts';
import { deepFreeze } from '../../lib/store/object-rules.ts';
import { WatchFanout } from '../../lib/watch/fanout.ts';
import type { Change, EmbeddedDatabase, KindRow } from './database.ts';

/** How many events per kind a watch can resume from by default: kept on disk and in memory. */
export const WATCH_WINDOW = 1000;

export class KindState {
  readonly row: KindRow;
  readonly #db: EmbeddedDatabase;
  readonly #log: PluginLogger;
  /** Stored objects by `namespace/name`, frozen: handed out as they are. */
  readonly objects = new Map<string, KubeObject>();
  readonly watches: WatchFanout;
  /** Events on disk for this kind; compaction runs in the background once it passes the window by a margin. */
  #persistedEvents: number;
  #compacting: NodeJS.Timeout | undefined;
  /** How many events a watch can resume from (`watchWindow`); the newest store's option wins. */
  #window: number;
  refs = 0;

  constructor(db: EmbeddedDatabase, row: KindRow, log: PluginLogger, window: number) {
    this.#db = db;
    this.row = row;
    this.#log = log;
    this.#window = window;
    for (const body of db.objects(row.id)) {
      const object = parseJson(body) as KubeObject;
      const namespace = row.scope === 'Cluster' ? undefined : object.metadata.namespace;
      this.objects.set(objectKey(namespace, object.metadata.name ?? ''), deepFreeze(object));
    }
    this.watches = new WatchFanout({ initialRv: row.horizon, window, log });
    // Replayed events carry no `previous` (core's watch tracks matches itself without it).
    const events = db.events(row);
    for (const stored of events) {
      const object = deepFreeze(parseJson(stored.body) as KubeObject);
      this.watches.emit(stored.rv, { type: stored.type, object });
    }
    this.#persistedEvents = events.length;
  }

  /**
   * Stores a change durably, then applies it to the index and tells the watches. Nothing
   * changes when the database refuses it (the StoreError propagates). Takes ownership of
   * `object` (sets its resourceVersion, then freezes it) and returns it.
   */
  commit(change: Omit<Change, 'kindId' | 'body'>, object: KubeObject, previous: KubeObject | undefined): KubeObject {
    const rv = this.#db.write({
      ...change,
      kindId: this.row.id,
      body: (rv) => {
        object.metadata.resourceVersion = String(rv);
        return encodeJson(object);
      },
    });
    const stored = deepFreeze(object);
    const key = objectKey(change.namespace || undefined, change.name);
    if (change.type === 'DELETED') this.objects.delete(key);
    else this.objects.set(key, stored);
    const event: WatchEvent = previous ? { type: change.type, object: stored, previous } : { type: change.type, object: stored };
    this.watches.emit(rv, event);
    this.#persistedEvents++;
    if (this.#persistedEvents > this.#window + COMPACTION_SLACK) this.#scheduleCompaction();
    return stored;
  }

  /** A store of the kind with another `watchWindow` took over: keep that many events from now on. */
  resize(window: number): void {
    if (window === this.#window) return;
    this.#window = window;
    this.watches.resize(window);
    if (this.#persistedEvents > window + COMPACTION_SLACK) this.#scheduleCompaction();
  }

  /** Ends every watch; the kind is no longer served by this process. */
  close(): void {
    clearTimeout(this.#compacting);
    this.watches.closeAll();
  }

  #scheduleCompaction(): void {
    if (this.#compacting) return;
    // Off the write's path: the write has answered before history is trimmed.
    this.#compacting = setTimeout(() => {
      this.#compacting = undefined;
      try {
        this.#db.compact(this.row.id, this.#window);
        this.#persistedEvents = this.#db.eventCount(this.row.id);
      } catch (error) {
        // A full disk may refuse even a delete; history is trimmed on a later write.
        this.#log.warn({ err: error }, 'compacting the event history failed');
      }
    }, 0);
    this.#compacting.unref();
  }
}

const states = new WeakMap<EmbeddedDatabase, Map<string, KindState>>();

/**
 * The process's state of `kind` in `db`, loaded from disk on first use. Refuses (throws) a
 * scope change while the kind has stored objects. Pair with `releaseKindState`.
 */
export function acquireKindState(db: EmbeddedDatabase, kind: KindDefinition, log: PluginLogger, window = WATCH_WINDOW): KindState {
  let byKind = states.get(db);
  if (!byKind) {
    byKind = new Map();
    states.set(db, byKind);
  }
  const id = kindId(kind);
  // Checked on every acquire, also when the state is live: the database knows the objects.
  const row = db.kindRow(kind.group, kind.names.kind, kind.scope);
  let state = byKind.get(id);
  if (!state) {
    state = new KindState(db, row, log, window);
    byKind.set(id, state);
  } else {
    state.resize(window);
  }
  state.refs++;
  return state;
}

/** Drops one store's hold; the last one ends the kind's watches and forgets its index. */
export function releaseKindState(db: EmbeddedDatabase, state: KindState): void {
  if (--state.refs > 0) return;
  states.get(db)?.delete(`${state.row.group}/${state.row.kind}`);
  state.close();
}

/** Compact once this many events beyond the window have accumulated: one delete per batch, not per write. */
const COMPACTION_SLACK = 100;

/** Injective whatever the strings hold (a slash in either cannot make two objects one). */
export function objectKey(namespace: string | undefined, name: string): string {
  return JSON.stringify([namespace ?? '', name]);
}

/** The definition's group and kind, which key a kind's data (its plural or versions may change). */
export function kindId(kind: KindDefinition): string {
  return `${kind.group}/${kind.names.kind}`;
}
