/**
 * One SQLite database per data directory, shared by every embedded store of the process.
 *
 * Layout (`<dataDir>/kindred.db`, WAL mode):
 *   meta(key, value)                 `rv`: the last resourceVersion minted, for every kind
 *   kinds(id, grp, kind, scope, horizon)
 *                                    one row per group/kind ever stored; `horizon`: every
 *                                    event of the kind after it is still in `events`
 *   objects(kind_id, namespace, name, body)   the current objects, as JSON
 *   events(rv, kind_id, type, body)  the recent changes, for watches that resume across a restart
 *
 * Durability: every write is one transaction (object row, event row, counter) committed with
 * `synchronous = FULL` before the store answers, so an acknowledged write survives `kill -9`
 * and power loss. The cost is one fsync of the WAL per write, made on the event loop
 * (better-sqlite3 is synchronous): ~1.2 ms here, about 800 writes/s; reads never touch the
 * disk (stores keep an in-memory index).
 *
 * One process at a time: `<dataDir>/kindred.lock` is held with an exclusive SQLite lock for
 * as long as the database is open, so a second kindred on the same directory fails at once.
 * Within a process, `openDatabase` hands out one reference-counted instance per directory.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from '../../core/types/errors.ts';
import type { Scope } from '../../core/types/kind.ts';

export const DATABASE_FILE = 'kindred.db';

/**
 * Every Database and Statement this process made, kept reachable for good. better-sqlite3 12's
 * destructors call node::RemoveEnvironmentCleanupHook, which on Node 24 aborts the process
 * when the garbage collector runs them outside a context (`Assertion failed: (env) !=
 * nullptr`); an object that is never collected never runs them. A closed one is a few bytes,
 * and kindred prepares a fixed set of statements per data directory.
 */
const kept = new Set<unknown>();
let statementsKept = false;

/**
 * Keeps every statement the native database object prepares (ours, and those pragma() and
 * transaction() prepare for themselves) by wrapping the native prototype's prepare, once.
 */
function keepStatements(db: Database.Database): void {
  if (statementsKept) return;
  const symbol = Object.getOwnPropertySymbols(db).find((s) => typeof (db as unknown as Record<symbol, { prepare?: unknown }>)[s]?.prepare === 'function');
  if (!symbol) return;
  const native = Object.getPrototypeOf((db as unknown as Record<symbol, object>)[symbol]) as { prepare: (...args: unknown[]) => unknown };
  const prepare = native.prepare;
  native.prepare = function keptPrepare(this: unknown, ...args: unknown[]) {
    const statement = prepare.apply(this, args);
    kept.add(statement);
    return statement;
  };
  statementsKept = true;
}

/** `new Database(...)`, kept from the garbage collector with its statements (see `kept`). */
export function newDatabase(file: string, options: Database.Options): Database.Database {
  const db = new Database(file, options);
  keepStatements(db);
  kept.add(db);
  return db;
}
const LOCK_FILE = 'kindred.lock';

/** A stored kind as its `kinds` row describes it. */
export interface KindRow {
  id: number;
  group: string;
  kind: string;
  scope: Scope;
  horizon: number;
}

export interface StoredEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  body: string;
}

/** One write: the object row to put (or delete), and the event it makes. */
export interface Change {
  kindId: number;
  namespace: string;
  name: string;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  /** The object as stored (ADDED, MODIFIED) or as it was deleted, with `rv` as its resourceVersion. */
  body: (rv: number) => string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT OR IGNORE INTO meta (key, value) VALUES ('rv', 1);
  CREATE TABLE IF NOT EXISTS kinds (
    id INTEGER PRIMARY KEY, grp TEXT NOT NULL, kind TEXT NOT NULL, scope TEXT NOT NULL,
    horizon INTEGER NOT NULL, UNIQUE (grp, kind));
  CREATE TABLE IF NOT EXISTS objects (
    kind_id INTEGER NOT NULL, namespace TEXT NOT NULL, name TEXT NOT NULL, body TEXT NOT NULL,
    PRIMARY KEY (kind_id, namespace, name)) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS events (
    rv INTEGER PRIMARY KEY, kind_id INTEGER NOT NULL, type TEXT NOT NULL, body TEXT NOT NULL);
  CREATE INDEX IF NOT EXISTS events_by_kind ON events (kind_id, rv);
`;

const open = new Map<string, EmbeddedDatabase>();

/**
 * The database of `dataDir`, created if missing; the same instance for every caller in the
 * process until each has called `release()`. Throws when another process holds the directory.
 */
export function openDatabase(dataDir: string): EmbeddedDatabase {
  const dir = resolve(dataDir);
  let db = open.get(dir);
  if (!db) {
    db = new EmbeddedDatabase(dir);
    open.set(dir, db);
  }
  db.refs++;
  return db;
}

export class EmbeddedDatabase {
  readonly dir: string;
  /** How many openDatabase() callers have not released it yet. */
  refs = 0;
  readonly #db: Database.Database;
  readonly #lock: Database.Database;
  #rv: number;
  readonly #statements;
  readonly #write: (change: Change, rv: number) => void;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    this.#lock = lockDirectory(dir);
    try {
      this.#db = newDatabase(join(dir, DATABASE_FILE), { timeout: 5000 });
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      this.#db.exec(SCHEMA);
    } catch (error) {
      this.#lock.close();
      throw error;
    }
    const db = this.#db;
    this.#statements = {
      rv: db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'rv'"),
      setRv: db.prepare<[number]>("UPDATE meta SET value = ? WHERE key = 'rv'"),
      kind: db.prepare<[string, string], KindRow>('SELECT id, grp AS "group", kind, scope, horizon FROM kinds WHERE grp = ? AND kind = ?'),
      kinds: db.prepare<[], KindRow>('SELECT id, grp AS "group", kind, scope, horizon FROM kinds ORDER BY grp, kind'),
      addKind: db.prepare<[string, string, string, number]>('INSERT INTO kinds (grp, kind, scope, horizon) VALUES (?, ?, ?, ?)'),
      setScope: db.prepare<[string, number]>('UPDATE kinds SET scope = ? WHERE id = ?'),
      setHorizon: db.prepare<[number, number]>('UPDATE kinds SET horizon = max(horizon, ?) WHERE id = ?'),
      count: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM objects WHERE kind_id = ?'),
      objects: db.prepare<[number], { body: string }>('SELECT body FROM objects WHERE kind_id = ? ORDER BY namespace, name'),
      put: db.prepare<[number, string, string, string]>('INSERT OR REPLACE INTO objects (kind_id, namespace, name, body) VALUES (?, ?, ?, ?)'),
      remove: db.prepare<[number, string, string]>('DELETE FROM objects WHERE kind_id = ? AND namespace = ? AND name = ?'),
      event: db.prepare<[number, number, string, string]>('INSERT INTO events (rv, kind_id, type, body) VALUES (?, ?, ?, ?)'),
      events: db.prepare<[number, number], StoredEvent>('SELECT rv, type, body FROM events WHERE kind_id = ? AND rv > ? ORDER BY rv'),
      eventCount: db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM events WHERE kind_id = ?'),
      cutoff: db.prepare<[number, number], { rv: number }>('SELECT rv FROM events WHERE kind_id = ? ORDER BY rv DESC LIMIT 1 OFFSET ?'),
      compact: db.prepare<[number, number]>('DELETE FROM events WHERE kind_id = ? AND rv <= ?'),
    };
    this.#rv = this.#statements.rv.get()!.value;
    this.#write = db.transaction((change: Change, rv: number) => {
      const s = this.#statements;
      const body = change.body(rv);
      if (change.type === 'DELETED') s.remove.run(change.kindId, change.namespace, change.name);
      else s.put.run(change.kindId, change.namespace, change.name, body);
      s.event.run(rv, change.kindId, change.type, body);
      s.setRv.run(rv);
    });
  }

  /** The last resourceVersion minted (1 for a new database). */
  get rv(): number {
    return this.#rv;
  }

  /**
   * Commits one change durably under the next resourceVersion and returns it. Throws a
   * StoreError (nothing stored, the counter unmoved) when the disk refuses the write.
   */
  write(change: Change): number {
    const rv = this.#rv + 1;
    try {
      this.#write(change, rv);
    } catch (error) {
      throw diskError(error, this.dir);
    }
    this.#rv = rv;
    return rv;
  }

  /** Every kind that has ever been stored here. */
  kinds(): KindRow[] {
    return this.#statements.kinds.all();
  }

  /**
   * The row of group/kind, added when missing. A kind's scope cannot change while it has
   * stored objects (as a CRD's scope is immutable): that throws, naming the count.
   */
  kindRow(group: string, kind: string, scope: Scope): KindRow {
    const s = this.#statements;
    const row = s.kind.get(group, kind);
    if (!row) {
      s.addKind.run(group, kind, scope, this.#rv);
      return s.kind.get(group, kind)!;
    }
    if (row.scope !== scope) {
      const stored = s.count.get(row.id)!.n;
      if (stored > 0) {
        throw new Error(
          `kind ${kind}.${group}: scope cannot change from ${row.scope} to ${scope} while ${stored} objects are stored in ` +
            `${this.dir}; delete them first (or export, delete, change the scope and import them again)`,
        );
      }
      s.setScope.run(scope, row.id);
      row.scope = scope;
    }
    return row;
  }

  /** The stored objects of a kind, as JSON, sorted by namespace and name. */
  objects(kindId: number): string[] {
    return this.#statements.objects.all(kindId).map((r) => r.body);
  }

  /** The retained events of a kind after its horizon, oldest first. */
  events(row: KindRow): StoredEvent[] {
    return this.#statements.events.all(row.id, row.horizon);
  }

  /**
   * Drops all but the newest `keep` events of a kind and moves its horizon up to the newest
   * one dropped, so a watch from before it gets 410 Expired, also after a restart.
   */
  compact(kindId: number, keep: number): void {
    const s = this.#statements;
    this.#db.transaction(() => {
      const cutoff = s.cutoff.get(kindId, keep);
      if (!cutoff) return;
      s.compact.run(kindId, cutoff.rv);
      s.setHorizon.run(cutoff.rv, kindId);
    })();
  }

  eventCount(kindId: number): number {
    return this.#statements.eventCount.get(kindId)!.n;
  }

  /**
   * Runs `body` in one transaction (import: all or nothing), with `mint` giving the next
   * resourceVersion; the counter moves only when the transaction commits.
   */
  batch<T>(body: (sql: Database.Database, mint: () => number) => T): T {
    let rv = this.#rv;
    const result = this.#db.transaction(() => {
      const value = body(this.#db, () => ++rv);
      this.#statements.setRv.run(rv);
      return value;
    })();
    this.#rv = rv;
    return result;
  }

  /** Reads in one read transaction: a consistent view (export). */
  snapshot<T>(body: (sql: Database.Database) => T): T {
    return this.#db.transaction(() => body(this.#db))();
  }

  /** Drops one reference; the last one closes the database and frees the directory. */
  release(): void {
    if (--this.refs > 0) return;
    open.delete(this.dir);
    this.#db.close();
    this.#lock.close();
  }
}

/** Takes `<dir>/kindred.lock` exclusively (an SQLite lock: released by the OS if we die). */
function lockDirectory(dir: string): Database.Database {
  const lock = newDatabase(join(dir, LOCK_FILE), { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') {
      throw new Error(`data directory ${dir} is in use by another kindred process`);
    }
    throw error;
  }
  return lock;
}

/**
 * A write the disk refused as a Status error: 503 with Retry-After for a full or read-only
 * disk or an I/O error (the write did not happen; it will succeed once space returns), 500
 * for anything else. SQLite rolled the transaction back, so nothing is half-stored.
 */
export function diskError(error: unknown, dir: string): StoreError {
  const code = String((error as { code?: unknown }).code ?? '');
  const detail = (error as Error).message;
  if (code.startsWith('SQLITE_FULL')) {
    return new StoreError('ServiceUnavailable', `storage full: the disk of data directory ${dir} has no space left; writes fail until space is freed (${detail})`, { retryAfterSeconds: 10, cause: error });
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_BUSY')) {
    return new StoreError('ServiceUnavailable', `storage unavailable: data directory ${dir} refused the write (${code}: ${detail}); reads still work`, { retryAfterSeconds: 10, cause: error });
  }
  return new StoreError('InternalError', `storage error in data directory ${dir}: ${code || 'error'}: ${detail}`, { cause: error });
}
