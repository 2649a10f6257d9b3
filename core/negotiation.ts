/**
 * Accept-header negotiation after k8s.io/apiserver `pkg/endpoints/handlers/negotiation`:
 * clauses are tried in order of q (then of appearance); a clause whose `as`/`g`/`v`
 * parameters name a conversion the endpoint cannot make is skipped; no match is a 406.
 */
import { notAcceptable } from './status.ts';

export interface MediaClause {
  type: string;
  subtype: string;
  params: Record<string, string>;
  q: number;
}

/** The JSON-only answer to a request without an Accept header. */
const NO_ACCEPT: readonly MediaClause[] = Object.freeze([Object.freeze({ type: 'application', subtype: 'json', params: Object.freeze({}), q: 1 })]);

/**
 * Parsed headers by their text: clients send a handful of distinct Accept headers, over and
 * over, and parsing one costs more than the rest of a cached GET's negotiation. Bounded, so
 * a client that sends a new header every time only makes the cache start over.
 */
const parsed = new Map<string, readonly MediaClause[]>();
const PARSED_LIMIT = 256;

/** The clauses of an Accept header, best first (frozen: they are shared). */
export function parseAccept(header: string | undefined): readonly MediaClause[] {
  if (!header) return NO_ACCEPT;
  let clauses = parsed.get(header);
  if (!clauses) {
    if (parsed.size >= PARSED_LIMIT) parsed.clear();
    clauses = Object.freeze(parseClauses(header).map((c) => Object.freeze({ ...c, params: Object.freeze(c.params) })));
    parsed.set(header, clauses);
  }
  return clauses;
}

function parseClauses(header: string): MediaClause[] {
  if (header.trim() === '') return [...NO_ACCEPT];
  const clauses = header.split(',').flatMap((raw, index) => {
    const [range, ...paramParts] = raw.split(';').map((s) => s.trim());
    if (!range) return [];
    const [type = '', subtype = ''] = range.toLowerCase().split('/');
    const params: Record<string, string> = {};
    let q = 1;
    for (const part of paramParts) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const key = part.slice(0, eq).trim().toLowerCase();
      const value = part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
      if (key === 'q') q = Number.parseFloat(value) || 0;
      else params[key] = value;
    }
    return [{ type, subtype, params, q, index }];
  });
  return clauses
    .filter((c) => c.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map(({ index: _index, ...clause }) => clause);
}

/** True when the clause accepts `application/json` (directly or by wildcard). */
export function acceptsJson(clause: MediaClause): boolean {
  return (
    (clause.type === 'application' && (clause.subtype === 'json' || clause.subtype === '*')) ||
    (clause.type === '*' && clause.subtype === '*')
  );
}

/** What a resource endpoint can answer with. */
export type Representation =
  | { kind: 'object' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'partial'; version: 'v1' | 'v1beta1' };

export const RESOURCE_MEDIA_TYPES = ['application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io'];

const OBJECT: Representation = Object.freeze({ kind: 'object' });

/**
 * Picks the representation for a resource request. Tables exist for reads only; a
 * PartialObjectMetadata must name the singular form for one object and the List form for a
 * list, as kube-apiserver requires.
 */
export function negotiateResource(accept: string | undefined, request: { list: boolean; read: boolean }): Representation {
  for (const clause of parseAccept(accept)) {
    if (!acceptsJson(clause)) continue;
    const { as, g, v } = clause.params;
    if (as === undefined) return OBJECT;
    if (g !== 'meta.k8s.io' || (v !== 'v1' && v !== 'v1beta1')) continue;
    if (as === 'Table' && request.read) return { kind: 'table', version: v };
    if (as === (request.list ? 'PartialObjectMetadataList' : 'PartialObjectMetadata')) return { kind: 'partial', version: v };
  }
  throw notAcceptable(RESOURCE_MEDIA_TYPES);
}

/** For `/apis`: aggregated discovery in one of its versions, or the legacy APIGroupList. */
export type DiscoveryRepresentation = { kind: 'legacy' } | { kind: 'aggregated'; version: 'v2' | 'v2beta1' };

export function negotiateDiscovery(accept: string | undefined): DiscoveryRepresentation {
  for (const clause of parseAccept(accept)) {
    if (!acceptsJson(clause)) continue;
    const { as, g, v } = clause.params;
    if (as === undefined) return { kind: 'legacy' };
    if (as === 'APIGroupDiscoveryList' && g === 'apidiscovery.k8s.io' && (v === 'v2' || v === 'v2beta1')) {
      return { kind: 'aggregated', version: v };
    }
  }
  throw notAcceptable(['application/json', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList']);
}

/** For endpoints that only speak plain JSON (health excepted): any clause that accepts JSON without a conversion. */
export function negotiatePlainJson(accept: string | undefined): void {
  if (parseAccept(accept).some((c) => acceptsJson(c) && c.params.as === undefined)) return;
  throw notAcceptable(['application/json']);
}
