/**
 * `--max-requests-inflight` and `--max-mutating-requests-inflight`, as k8s.io/apiserver's
 * `filters.WithMaxInFlightLimit` does them: two counters, one for reads (get, list, and
 * non-resource GETs) and one for everything else; a request over its limit is refused at
 * once with 429 and `Retry-After: 1`, not queued. (HEAD and OPTIONS count as reads here;
 * kube counts only get, list and watch as reads.) A limit of 0 means unlimited.
 *
 * Not counted, as in kube: long-running requests (watches: they last as long as the client
 * wants, so counting them would let a few watchers starve everyone), and members of
 * `system:masters`. Health probes are not counted either: kube-apiserver's default
 * priority-and-fairness config exempts them (the `probes` flow schema), and a kubelet that
 * got 429 from /readyz would take a busy but healthy server out of service.
 */
import type { RequestInfo } from './request-info.ts';
import type { UserInfo } from './types/storage.ts';
import { StatusError } from './status.ts';

export interface MaxInFlightOptions {
  /** `--max-requests-inflight`: concurrent reads (default 400; 0 = unlimited). */
  readOnly: number;
  /** `--max-mutating-requests-inflight`: concurrent writes (default 200; 0 = unlimited). */
  mutating: number;
}

export const DEFAULT_MAX_IN_FLIGHT: MaxInFlightOptions = { readOnly: 400, mutating: 200 };

/** k8s.io/apiserver `nonMutatingRequestVerbs`; a non-resource request's verb is its lower-case method. */
const NON_MUTATING = new Set(['get', 'list', 'watch', 'head', 'options']);

export type RequestKind = 'readOnly' | 'mutating';

export class MaxInFlightLimit {
  readonly #limits: MaxInFlightOptions;
  readonly #running: Record<RequestKind, number> = { readOnly: 0, mutating: 0 };

  constructor(limits: MaxInFlightOptions = DEFAULT_MAX_IN_FLIGHT) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`max in-flight ${name}: expected an integer ≥ 0, got ${value}`);
    }
    this.#limits = limits;
  }

  /** Requests counted now, by kind: `apiserver_current_inflight_requests`. */
  get running(): Readonly<Record<RequestKind, number>> {
    return this.#running;
  }

  /**
   * Takes a seat for the request, or throws a 429 StatusError when its kind is full. Returns
   * the function that gives the seat back (call it once), or undefined for an exempt request.
   */
  admit(info: RequestInfo, user: UserInfo | undefined, isHealthCheck: boolean): (() => void) | undefined {
    if (isHealthCheck || isLongRunning(info) || user?.groups.includes('system:masters')) return undefined;
    const kind: RequestKind = NON_MUTATING.has(info.verb) ? 'readOnly' : 'mutating';
    const limit = this.#limits[kind];
    if (limit > 0 && this.#running[kind] >= limit) throw tooManyRequests();
    this.#running[kind]++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#running[kind]--;
    };
  }
}

/**
 * Long-running requests, as kube-apiserver's `BasicLongRunningRequestCheck(watch verbs,
 * proxy/attach/exec/log/portforward subresources)` sees them; kindred serves only watches.
 */
export function isLongRunning(info: RequestInfo): boolean {
  return info.isResourceRequest && info.verb === 'watch';
}

/** kube-apiserver writes the message as plain text; kindred sends it as a Status, as every other error. */
export function tooManyRequests(): StatusError {
  return new StatusError(429, 'TooManyRequests', 'Too many requests, please try again later.', { retryAfterSeconds: 1 });
}
