/**
 * The lists that paged clients are part-way through. kube-apiserver serves every page of a
 * list at the resourceVersion of its first page (etcd keeps old revisions); kindred's stores
 * list their current state, so the first page's filtered, ordered list is kept here and the
 * following pages are cut from it: an object created after page 1 never shows on page 2.
 *
 * Kept for five minutes (etcd's default compaction interval, after which kube-apiserver too
 * answers 410) and within a bound on the objects held in all; a snapshot that is gone is
 * answered 410 Expired with a token that continues over the current state instead, as kube
 * does. Stores hand out shared frozen objects, so a snapshot holds references, not copies.
 */
import { randomBytes } from 'node:crypto';
import type { KubeObject } from './types/object.ts';

export interface ListSnapshot {
  /** Which list it is: resource, namespace and selectors, so a token cannot cross lists. */
  readonly list: string;
  readonly resourceVersion: string;
  readonly items: readonly KubeObject[];
}

export const SNAPSHOT_TTL_MS = 5 * 60_000;
/** Objects held across all snapshots; the oldest snapshots go first beyond it. */
export const MAX_SNAPSHOT_OBJECTS = 1_000_000;

export class ListSnapshots {
  readonly #entries = new Map<string, ListSnapshot & { expires: number }>();
  #objects = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxObjects = MAX_SNAPSHOT_OBJECTS,
    private readonly ttlMs = SNAPSHOT_TTL_MS,
  ) {}

  /** Keeps a list for its next pages; returns the id a continue token names it by. */
  keep(snapshot: ListSnapshot): string {
    this.#expire();
    const id = randomBytes(9).toString('base64url');
    this.#entries.set(id, { ...snapshot, expires: this.now() + this.ttlMs });
    this.#objects += snapshot.items.length;
    // Map order is insertion order: the first entries are the oldest.
    for (const [oldId, entry] of this.#entries) {
      if (this.#objects <= this.maxObjects || oldId === id) break;
      this.#drop(oldId, entry);
    }
    return id;
  }

  /** The snapshot of `list` named `id`, or undefined when it has expired or been evicted. */
  get(id: string, list: string): ListSnapshot | undefined {
    this.#expire();
    const entry = this.#entries.get(id);
    return entry && entry.list === list ? entry : undefined;
  }

  /** Forgets a list whose last page has been served. */
  release(id: string): void {
    const entry = this.#entries.get(id);
    if (entry) this.#drop(id, entry);
  }

  get size(): number {
    return this.#entries.size;
  }

  #expire(): void {
    const now = this.now();
    for (const [id, entry] of this.#entries) {
      if (entry.expires > now) break;
      this.#drop(id, entry);
    }
  }

  #drop(id: string, entry: ListSnapshot): void {
    this.#entries.delete(id);
    this.#objects -= entry.items.length;
  }
}
