/**
 * Backup and restore of a data directory, the way etcd snapshots are used:
 *
 * - `exportData` reads every stored kind in one read transaction, so the copy is consistent
 *   (one resourceVersion), also while kindred is serving (WAL lets a reader run beside it).
 * - `importData` writes objects into a data directory no kindred is using (it takes the
 *   directory's lock), in one transaction: all of the file or nothing. An object replaces the
 *   stored one of the same kind, namespace and name; others are kept. Every imported object
 *   gets a new resourceVersion from the directory's counter, and watches from before the
 *   import get 410 Expired (clients list again).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Scope } from '../../core/types/kind.ts';
import type { KubeObject } from '../../core/types/object.ts';
import { encodeJson, parseJson } from '../../lib/json.ts';
import { DATABASE_FILE, newDatabase, openDatabase } from './database.ts';

export interface KindDump {
  group: string;
  kind: string;
  scope: Scope;
  items: KubeObject[];
}

export interface DataExport {
  /** The directory's resourceVersion when the copy was taken. */
  resourceVersion: string;
  kinds: KindDump[];
}

/** Every kind with stored objects, objects sorted by namespace and name. */
export function exportData(dataDir: string): DataExport {
  const file = join(resolve(dataDir), DATABASE_FILE);
  if (!existsSync(file)) throw new Error(`no kindred data in ${resolve(dataDir)} (no ${DATABASE_FILE})`);
  const db = newDatabase(file, { fileMustExist: true, timeout: 5000 });
  try {
    return db.transaction(() => {
      const rv = db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'rv'").get()!.value;
      const kinds = db.prepare<[], { id: number; grp: string; kind: string; scope: Scope }>('SELECT id, grp, kind, scope FROM kinds ORDER BY grp, kind').all();
      const bodies = db.prepare<[number], { body: string }>('SELECT body FROM objects WHERE kind_id = ? ORDER BY namespace, name');
      const dumps = kinds.map((k) => ({ group: k.grp, kind: k.kind, scope: k.scope, items: bodies.all(k.id).map((r) => parseJson(r.body) as KubeObject) }));
      return { resourceVersion: String(rv), kinds: dumps.filter((d) => d.items.length > 0) };
    })();
  } finally {
    db.close();
  }
}

/** What was restored, per kind (`kind.group`). */
export type ImportSummary = Map<string, number>;

/**
 * Stores `objects` (each with apiVersion, kind and metadata.name) in `dataDir`. A kind's scope
 * is taken from its objects (a namespace means Namespaced) and must match the stored one when
 * the kind has objects. Throws, storing nothing, on the first bad object.
 */
export function importData(dataDir: string, objects: readonly KubeObject[]): ImportSummary {
  const db = openDatabase(dataDir);
  try {
    return db.batch((sql, mint) => {
      const put = sql.prepare<[number, string, string, string]>('INSERT OR REPLACE INTO objects (kind_id, namespace, name, body) VALUES (?, ?, ?, ?)');
      const summary: ImportSummary = new Map();
      const touched = new Set<number>();
      objects.forEach((object, index) => {
        const where = `object ${index + 1}${object?.metadata?.name ? ` (${object.metadata.name})` : ''}`;
        if (typeof object?.apiVersion !== 'string' || typeof object.kind !== 'string' || !object.metadata?.name) {
          throw new Error(`${where}: apiVersion, kind and metadata.name are required`);
        }
        const slash = object.apiVersion.indexOf('/');
        const group = slash < 0 ? '' : object.apiVersion.slice(0, slash);
        const namespace = object.metadata.namespace ?? '';
        const scope: Scope = namespace === '' ? 'Cluster' : 'Namespaced';
        let row;
        try {
          row = db.kindRow(group, object.kind, scope);
        } catch (error) {
          throw new Error(`${where}: ${(error as Error).message}`);
        }
        const stored = structuredClone(object);
        stored.metadata.resourceVersion = String(mint());
        put.run(row.id, namespace, object.metadata.name, encodeJson(stored));
        touched.add(row.id);
        const key = `${object.kind}.${group}`;
        summary.set(key, (summary.get(key) ?? 0) + 1);
      });
      // Watches from before the import cannot be resumed: their history does not hold it.
      const horizon = mint();
      const setHorizon = sql.prepare<[number, number]>('UPDATE kinds SET horizon = ? WHERE id = ?');
      for (const id of touched) setHorizon.run(horizon, id);
      return summary;
    });
  } finally {
    db.release();
  }
}
