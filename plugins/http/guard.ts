/**
 * What stands between a kind and a failing service: one deadline per call (retries
 * included), retries with backoff for idempotent requests only, a cap on requests in flight,
 * and a circuit breaker. Whatever goes wrong, the caller hears within the deadline, and a
 * service that is down answers at once with ServiceUnavailable and a Retry-After instead of
 * making every client wait for its timeout. One guard per kind: a slow service for one kind
 * leaves the others alone.
 */
import { StoreError } from '../../core/types/errors.ts';
import { ServiceUnreachable, type ServiceResponse } from './client.ts';
import { sleep } from '../../lib/sleep.ts';

export interface GuardOptions {
  timeoutMs: number;
  /** Extra attempts for idempotent requests after a failure. */
  retries: number;
  maxConcurrent: number;
  /** Consecutive failures (unreachable, 5xx) that open the breaker. */
  failureThreshold: number;
  /** How long an open breaker refuses calls before letting one probe through. */
  openMs: number;
  now?: () => number;
}

/** Statuses worth another try: the service (or a proxy before it) is briefly unable to answer. */
const RETRYABLE = new Set([429, 502, 503, 504]);

export interface GuardedResponse {
  response: ServiceResponse;
  /** More than 1 when an earlier attempt failed: its effect (e.g. a DELETE) may have happened. */
  attempts: number;
}

export class RequestGuard {
  readonly #options: GuardOptions;
  readonly #now: () => number;
  #inFlight = 0;
  readonly #queue: (() => void)[] = [];
  #failures = 0;
  #openUntil = 0;
  #probing = false;

  constructor(options: GuardOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** True while the breaker refuses calls: for the poller and for tests. */
  get open(): boolean {
    return this.#failures >= this.#options.failureThreshold;
  }

  async run(what: string, idempotent: boolean, signal: AbortSignal | undefined, attempt: (timeoutMs: number) => Promise<ServiceResponse>): Promise<GuardedResponse> {
    const deadline = this.#now() + this.#options.timeoutMs;
    const probe = this.#admit(what);
    try {
      await this.#acquire(what, deadline, signal);
    } catch (error) {
      if (probe) this.#probing = false;
      throw error;
    }
    try {
      for (let attempts = 1; ; attempts++) {
        const remaining = deadline - this.#now();
        let outcome: ServiceResponse | ServiceUnreachable;
        try {
          outcome = await attempt(Math.max(1, remaining));
        } catch (error) {
          if (!(error instanceof ServiceUnreachable)) throw error;
          outcome = error;
        }
        const failed = outcome instanceof ServiceUnreachable || outcome.status >= 500;
        const retryable = outcome instanceof ServiceUnreachable ? !signal?.aborted : RETRYABLE.has(outcome.status);
        const backoff = Math.min(1000, 100 * 2 ** (attempts - 1)) * (0.5 + Math.random() / 2);
        if (idempotent && retryable && attempts <= this.#options.retries && this.#now() + backoff < deadline) {
          await sleep(backoff, signal);
          continue;
        }
        // A caller that went away says nothing about the service.
        if (!signal?.aborted) this.#record(failed);
        if (outcome instanceof ServiceUnreachable) throw this.#unavailable(`${outcome.message}`, outcome);
        return { response: outcome, attempts };
      }
    } finally {
      if (probe) this.#probing = false;
      this.#release();
    }
  }

  /** Refuses the call when the breaker is open; lets one probe through once it has cooled down. True for that probe. */
  #admit(what: string): boolean {
    if (!this.open) return false;
    const wait = this.#openUntil - this.#now();
    if (wait > 0 || this.#probing) throw this.#unavailable(`${what}: the service failed ${this.#failures} times in a row; not calling it for now`);
    this.#probing = true;
    return true;
  }

  #record(failed: boolean): void {
    if (!failed) {
      this.#failures = 0;
      return;
    }
    this.#failures++;
    if (this.open) this.#openUntil = this.#now() + this.#options.openMs;
  }

  #retryAfterSeconds(): number {
    const wait = this.open ? this.#openUntil - this.#now() : 0;
    return Math.max(1, Math.ceil(wait / 1000));
  }

  #unavailable(message: string, cause?: unknown): StoreError {
    return new StoreError('ServiceUnavailable', `${message}: the service is unavailable`, { retryAfterSeconds: this.#retryAfterSeconds(), cause });
  }

  async #acquire(what: string, deadline: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#inFlight < this.#options.maxConcurrent) {
      this.#inFlight++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const ready = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', ready);
        if (signal?.aborted) return reject(this.#unavailable(`${what}: canceled`));
        this.#inFlight++;
        resolve();
      };
      const timer = setTimeout(() => {
        const at = this.#queue.indexOf(ready);
        if (at >= 0) this.#queue.splice(at, 1);
        reject(this.#unavailable(`${what}: ${this.#options.maxConcurrent} requests to the service are already in flight`));
      }, Math.max(0, deadline - this.#now()));
      signal?.addEventListener('abort', () => {
        const at = this.#queue.indexOf(ready);
        if (at >= 0) this.#queue.splice(at, 1);
        ready();
      }, { once: true });
      this.#queue.push(ready);
    });
  }

  #release(): void {
    this.#inFlight--;
    this.#queue.shift()?.();
  }
}
