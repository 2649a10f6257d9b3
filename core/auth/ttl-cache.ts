/**
 * A map whose entries expire, for webhook answers (TokenReview, SubjectAccessReview): the
 * same question within the TTL is answered from memory, as k8s.io/apiserver's cached
 * authenticator and authorizer do. Expired entries are dropped when met, and the map is
 * bounded so a flood of distinct keys cannot grow it without limit.
 */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; expires: number }>();
  readonly #now: () => number;
  readonly #maxEntries: number;

  constructor(options: { now?: () => number; maxEntries?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** A TTL of 0 or less stores nothing (caching disabled). */
  set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0) return;
    // Oldest first: Map keeps insertion order, so evicting the first key is LRU-ish.
    if (this.#entries.size >= this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: this.#now() + ttlMs });
  }

  get size(): number {
    return this.#entries.size;
  }
}
