/**
 * How deeply a decoded body may nest. kube-apiserver's JSON decoder stops at 10,000 levels
 * (sigs.k8s.io/json `maxNestingDepth`: "exceeded max depth") and answers 400. kindred's limit
 * is lower, because V8 walks objects recursively where Go does not need to: `structuredClone`
 * gives up at ~1,900 levels, `util.isDeepStrictEqual` at ~1,250, `JSON.stringify` at ~4,100
 * and the yaml package's composer at ~780 (and a second overflow inside it aborts the process
 * in V8's RegExp compiler). An object nested deeper than any of those could be stored but
 * never served again (issue 16). 512 leaves every one of those paths a wide margin, also with
 * the room a list (`items[]`), a watch event (`object`) and a JSON patch's growth add, and is
 * far beyond what real objects use.
 *
 * Every check here is iterative: its own depth is the thing it measures.
 */
import { Lexer, Parser } from 'yaml';

export const MAX_NESTING_DEPTH = 512;

/**
 * How many nodes a depth check visits at most. A JSON document has fewer nodes than bytes; a
 * YAML one can share a node through aliases, so a cycle of two aliases would be walked 2^depth
 * times without a bound. 4M is above any body of 3 MiB, the request body limit.
 */
const MAX_VISITS = 4 * 1024 * 1024;

/** Parser stack entries beyond the open collections (the document, a pending key or scalar). */
const STACK_SLACK = 8;

/** Depth of a container that holds only scalars is 1; a scalar's is 0. */
export function nestingDepthExceeds(value: unknown, limit = MAX_NESTING_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const nodes: object[] = [value];
  const depths: number[] = [1];
  let visits = 0;
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > limit || ++visits > MAX_VISITS) return true;
    if (Array.isArray(node)) {
      for (const child of node) {
        if (typeof child === 'object' && child !== null) {
          nodes.push(child);
          depths.push(depth + 1);
        }
      }
      continue;
    }
    // for-in over own enumerable keys: decoded objects have no prototype chain to speak of, and
    // no array of values is built per object.
    for (const key in node) {
      const child = (node as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) {
        nodes.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/**
 * Whether JSON text nests deeper than `limit`, before JSON.parse builds it: parsing 3 MiB of
 * `[` takes a second, this scan stops at the first bracket too many. Exact for valid JSON;
 * malformed JSON is JSON.parse's to report.
 */
export function jsonNestingDepthExceeds(text: string, limit = MAX_NESTING_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) i = closingQuote(text, i);
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > limit) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return false;
}

/** The index of the quote that ends the string opening at `open` (text.length if none). */
function closingQuote(text: string, open: number): number {
  for (let from = open + 1; ; ) {
    const end = text.indexOf('"', from);
    if (end < 0) return text.length;
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === 0x5c /* \ */) backslashes++;
    if (backslashes % 2 === 0) return end;
    from = end + 1;
  }
}

/**
 * Whether YAML text nests deeper than `limit`, read from the yaml package's concrete syntax tree,
 * which it builds without recursion; composing the document (recursive) must not start first.
 */
export function yamlNestingDepthExceeds(text: string, limit = MAX_NESTING_DEPTH): boolean {
  const tokens: unknown[] = [];
  const parser = new Parser();
  // Parser.parse(text), a lexeme at a time: the parser keeps one stack entry per open
  // collection (and a few more), so a document clearly too deep is refused as soon as that
  // shows; parsing it whole costs time superlinear in its depth (3 MiB of `[`: 31 s).
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) tokens.push(token);
    if (parser.stack.length > limit + STACK_SLACK) return true;
  }
  for (const token of parser.end()) tokens.push(token);
  const depths = tokens.map(() => 0);
  while (tokens.length > 0) {
    const token = tokens.pop() as { type?: string; value?: unknown; items?: { key?: unknown; value?: unknown }[] } | undefined;
    let depth = depths.pop()!;
    if (typeof token !== 'object' || token === null) continue;
    if (token.type === 'document') {
      tokens.push(token.value);
      depths.push(depth);
      continue;
    }
    if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
    if (++depth > limit) return true;
    for (const item of token.items ?? []) {
      tokens.push(item.key, item.value);
      depths.push(depth, depth);
    }
  }
  return false;
}
