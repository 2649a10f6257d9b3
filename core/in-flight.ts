/**
 * Which registry snapshots requests are still using, so that a reload can close the stores
 * of removed kinds only once every request that might call them has finished.
 *
 * Watches are not counted: they last as long as the client wants, and closing a store is
 * exactly what ends them cleanly (the stream closes; the client re-lists and gets a 404).
 */
import type { RegistrySnapshot } from './snapshot.ts';

export class InFlightRequests {
  readonly #count = new Map<RegistrySnapshot, number>();
  readonly #waiters = new Set<() => void>();

  /** Counts one request on `snapshot`; call the returned function exactly once when it ends. */
  enter(snapshot: RegistrySnapshot): () => void {
    this.#count.set(snapshot, (this.#count.get(snapshot) ?? 0) + 1);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const n = (this.#count.get(snapshot) ?? 1) - 1;
      if (n > 0) this.#count.set(snapshot, n);
      else this.#count.delete(snapshot);
      // Waiters only exist while a reload drains; a copy, since a woken waiter removes itself.
      if (this.#waiters.size > 0) for (const wake of [...this.#waiters]) wake();
    };
  }

  /** How many counted requests are running, on any snapshot. */
  get size(): number {
    let total = 0;
    for (const n of this.#count.values()) total += n;
    return total;
  }

  /**
   * Resolves true once no counted request holds a snapshot for which `holds` is true, or
   * false after `timeoutMs` (a stuck backend must not keep a removed kind's store open forever).
   */
  drained(holds: (snapshot: RegistrySnapshot) => boolean, timeoutMs: number): Promise<boolean> {
    const busy = () => [...this.#count.keys()].some(holds);
    if (!busy()) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const finish = (result: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(result);
      };
      const check = () => {
        if (!busy()) finish(true);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      timer.unref();
      this.#waiters.add(check);
    });
  }
}
