/**
 * limit/continue paging over a store's full, ordered list. The continue token is opaque to
 * clients: base64 of the list's resourceVersion, the last key served (stable order:
 * namespace, then name) and the id of the first page's snapshot (list-snapshots.ts), so the
 * next page is cut from the list as it was; a token without one continues over the current
 * state (what an expired snapshot's 410 hands out).
 *
 * A token carries an HMAC, so a forged or garbled one is refused (400, as kube-apiserver
 * refuses a token it cannot decode) instead of believed: a made-up resourceVersion would be
 * reported as the list's. The key is drawn at start, or, in aggregated mode, derived from the
 * serving key (`useContinueTokenSecret`), which the replicas of one Deployment share: a token
 * from one replica is then good on another, where its snapshot is missing, so the client gets
 * 410 and a token that continues over the current state (client-go's pager relists).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KubeObject } from './types/object.ts';
import { badRequest, StatusError } from './status.ts';

/** The signing key, and the one before it (tokens handed out just before a rotation stay good). */
let keys: Buffer[] = [randomBytes(32)];

/** Derives the signing key from a secret every replica has (the serving key). */
export function useContinueTokenSecret(secret: string): void {
  const key = createHmac('sha256', 'kindred continue tokens').update(secret).digest();
  if (!key.equals(keys[0]!)) keys = [key, keys[0]!];
}

function tokenMac(payload: string, key: Buffer = keys[0]!): Buffer {
  return createHmac('sha256', key).update(payload).digest().subarray(0, 16);
}

interface ContinueToken {
  v: 'kindred.meta/v1';
  rv: string;
  start: string;
  /** The snapshot the pages are cut from; absent: continue over the current state. */
  snap?: string;
}

export interface Continuation {
  resourceVersion: string;
  after: string;
  snapshot?: string;
}

export const objectKey = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export function compareObjects(a: KubeObject, b: KubeObject): number {
  const ka = objectKey(a);
  const kb = objectKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Worded as k8s.io/apiserver `storage.ValidateListOptions` words an undecodable token. */
const invalidToken = (detail: string) => badRequest(`invalid continue token: continue key is not valid: ${detail}`);

export function decodeContinue(token: string): Continuation {
  const dot = token.lastIndexOf('.');
  const payload = token.slice(0, dot);
  const mac = Buffer.from(token.slice(dot + 1), 'base64url');
  if (dot < 0 || mac.length !== 16 || !keys.some((key) => timingSafeEqual(mac, tokenMac(payload, key)))) {
    throw invalidToken('the token was not issued by this server');
  }
  try {
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<ContinueToken>;
    if (parsed.v === 'kindred.meta/v1' && typeof parsed.rv === 'string' && typeof parsed.start === 'string') {
      return { resourceVersion: parsed.rv, after: parsed.start, ...(typeof parsed.snap === 'string' ? { snapshot: parsed.snap } : {}) };
    }
  } catch {
    // fall through to the 400 below
  }
  throw invalidToken('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

export function encodeContinue(resourceVersion: string, lastKey: string, snapshot?: string): string {
  const token: ContinueToken = { v: 'kindred.meta/v1', rv: resourceVersion, start: lastKey, ...(snapshot ? { snap: snapshot } : {}) };
  const payload = Buffer.from(JSON.stringify(token)).toString('base64url');
  return `${payload}.${tokenMac(payload).toString('base64url')}`;
}

export interface Page {
  items: KubeObject[];
  continue?: string;
  remainingItemCount?: number;
}

/**
 * Cuts one page from `sorted` (already filtered and ordered by objectKey). limit 0 means all.
 * `snapshot` names the kept list the next page will be cut from (`keep` makes it on demand,
 * only when there is a next page).
 */
export function cutPage(
  sorted: readonly KubeObject[],
  limit: number,
  after: string | undefined,
  resourceVersion: string,
  snapshot?: () => string,
): Page {
  const start = after === undefined ? 0 : firstAfter(sorted, after);
  if (limit <= 0 || sorted.length - start <= limit) return { items: sorted.slice(start) };
  const items = sorted.slice(start, start + limit);
  return {
    items,
    continue: encodeContinue(resourceVersion, objectKey(items[items.length - 1]!), snapshot?.()),
    remainingItemCount: sorted.length - start - limit,
  };
}

/** The index of the first object whose key sorts after `key` (binary search: pages cost their size). */
function firstAfter(sorted: readonly KubeObject[], key: string): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (objectKey(sorted[mid]!) <= key) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * 410 for a continue token whose snapshot is gone, worded as kube-apiserver's, with a token
 * that goes on from the same key over the current state (the client may take it or relist).
 */
export function expiredContinue(after: string, currentVersion: string): StatusError {
  const error = new StatusError(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, ' +
      'or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an ' +
      'inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
  );
  error.status.metadata.continue = encodeContinue(currentVersion, after);
  return error;
}
