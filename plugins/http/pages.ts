/**
 * Reading a whole collection from a service that pages it: following the Link header's
 * rel="next" (RFC 8288), a cursor the answer carries, or page numbers until a short page.
 * Each page's records are found at the `items` JSON pointer.
 */
import type { ServiceResponse } from './client.ts';
import { NOT_JSON } from './client.ts';
import type { HttpOptions } from './options.ts';
import { getAt, parsePointer } from './pointer.ts';

type Pagination = NonNullable<HttpOptions['pagination']>;

/** More pages than this is a service that never says "last": stop rather than loop forever. */
const MAX_PAGES = 10_000;

export class PageError extends Error {}

export async function readAllPages(first: URL, pagination: Pagination | undefined, itemsPointer: string, fetchPage: (url: URL) => Promise<ServiceResponse>): Promise<unknown[]> {
  const items = parsePointer(itemsPointer);
  const type = pagination?.type ?? 'none';
  const limit = pagination?.limit ?? 100;
  const records: unknown[] = [];
  let url = new URL(first);
  let page = pagination?.firstPage ?? 1;
  // A Link-paging service may want a first page asked for (json-server: `_page=1&_limit=100`).
  if (type === 'page' || (type === 'link' && pagination?.pageParam)) url.searchParams.set(pagination?.pageParam ?? '_page', String(page));
  if (type === 'page' || pagination?.limitParam) url.searchParams.set(pagination?.limitParam ?? '_limit', String(limit));
  const seen = new Set<string>();
  for (let count = 0; count < MAX_PAGES; count++) {
    seen.add(url.href);
    const res = await fetchPage(url);
    if (res.body === NOT_JSON || res.body === undefined) throw new PageError('a list that is not JSON');
    const found = getAt(res.body, items);
    if (!Array.isArray(found)) throw new PageError(`a list without an array at ${JSON.stringify(itemsPointer)}`);
    records.push(...found);
    let next: URL | undefined;
    if (type === 'link') {
      const href = nextLink(res.headers.link);
      next = href ? new URL(href, url) : undefined;
    } else if (type === 'page') {
      if (found.length >= limit) {
        page++;
        next = new URL(url);
        next.searchParams.set(pagination?.pageParam ?? '_page', String(page));
      }
    } else if (type === 'cursor') {
      const cursor = getAt(res.body, parsePointer(pagination?.nextCursor ?? '/next'));
      if ((typeof cursor === 'string' && cursor !== '') || typeof cursor === 'number') {
        next = new URL(url);
        next.searchParams.set(pagination?.cursorParam ?? 'cursor', String(cursor));
      }
    }
    if (!next || seen.has(next.href)) return records;
    url = next;
  }
  throw new PageError(`more than ${MAX_PAGES} pages`);
}

/** The target of rel="next" in a Link header, if any. */
export function nextLink(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return undefined;
  for (const part of value.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (match && /;\s*rel="?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(match[2] ?? '')) return match[1];
  }
  return undefined;
}
