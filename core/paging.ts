/**
 * limit/continue paging over a store's full, ordered list. The continue token is opaque to
 * clients: base64 of the list's resourceVersion and the last key served, so the next page
 * starts after that key (stable order: namespace, then name).
 *
 * A token carries an HMAC under a key this process draws at start, so a forged or garbled one
 * is refused (400, as kube-apiserver refuses a token it cannot decode) instead of believed: a
 * made-up resourceVersion would be reported as the list's. A token from before a restart is
 * refused the same way; the memory store's objects did not survive the restart either.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KubeObject } from './types/object.ts';
import { badRequest } from './status.ts';

const TOKEN_KEY = randomBytes(32);

function tokenMac(payload: string): Buffer {
  return createHmac('sha256', TOKEN_KEY).update(payload).digest().subarray(0, 16);
}

interface ContinueToken {
  v: 'kindred.meta/v1';
  rv: string;
  start: string;
}

export const objectKey = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;

export function compareObjects(a: KubeObject, b: KubeObject): number {
  const ka = objectKey(a);
  const kb = objectKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** Worded as k8s.io/apiserver `storage.ValidateListOptions` words an undecodable token. */
const invalidToken = (detail: string) => badRequest(`invalid continue token: continue key is not valid: ${detail}`);

export function decodeContinue(token: string): { resourceVersion: string; after: string } {
  const dot = token.lastIndexOf('.');
  const payload = token.slice(0, dot);
  const mac = Buffer.from(token.slice(dot + 1), 'base64url');
  if (dot < 0 || mac.length !== 16 || !timingSafeEqual(mac, tokenMac(payload))) {
    throw invalidToken('the token was not issued by this server');
  }
  try {
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<ContinueToken>;
    if (parsed.v === 'kindred.meta/v1' && typeof parsed.rv === 'string' && typeof parsed.start === 'string') {
      return { resourceVersion: parsed.rv, after: parsed.start };
    }
  } catch {
    // fall through to the 400 below
  }
  throw invalidToken('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

function encodeContinue(resourceVersion: string, lastKey: string): string {
  const token: ContinueToken = { v: 'kindred.meta/v1', rv: resourceVersion, start: lastKey };
  const payload = Buffer.from(JSON.stringify(token)).toString('base64url');
  return `${payload}.${tokenMac(payload).toString('base64url')}`;
}

export interface Page {
  items: KubeObject[];
  continue?: string;
  remainingItemCount?: number;
}

/** Cuts one page from `sorted` (already filtered and ordered by objectKey). limit 0 means all. */
export function cutPage(sorted: readonly KubeObject[], limit: number, after: string | undefined, resourceVersion: string): Page {
  const start = after === undefined ? 0 : sorted.findIndex((o) => objectKey(o) > after);
  const rest = start < 0 ? [] : sorted.slice(start);
  if (limit <= 0 || rest.length <= limit) return { items: rest };
  const items = rest.slice(0, limit);
  return {
    items,
    continue: encodeContinue(resourceVersion, objectKey(items[items.length - 1]!)),
    remainingItemCount: rest.length - limit,
  };
}
