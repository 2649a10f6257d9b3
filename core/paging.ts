/**
 * limit/continue paging over a store's full, ordered list. The continue token is opaque to
 * clients: base64 of the list's resourceVersion and the last key served, so the next page
 * starts after that key (stable order: namespace, then name).
 */
import type { KubeObject } from './types/object.ts';
import { badRequest } from './status.ts';

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

export function decodeContinue(token: string): { resourceVersion: string; after: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<ContinueToken>;
    if (parsed.v === 'kindred.meta/v1' && typeof parsed.rv === 'string' && typeof parsed.start === 'string') {
      return { resourceVersion: parsed.rv, after: parsed.start };
    }
  } catch {
    // fall through to the 400 below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

function encodeContinue(resourceVersion: string, lastKey: string): string {
  const token: ContinueToken = { v: 'kindred.meta/v1', rv: resourceVersion, start: lastKey };
  return Buffer.from(JSON.stringify(token)).toString('base64url');
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
