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
import { Parser } from 'yaml';

export const MAX_NESTING_DEPTH = 512;

/**
 * How many nodes a depth check visits at most. A JSON document has fewer nodes than bytes; a
 * YAML one can share a node through aliases, so a cycle of two aliases would be walked 2^depth
 * times without a bound. 4M is above any body of 3 MiB, the request body limit.
 */
const MAX_VISITS = 4 * 1024 * 1024;

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
 * Whether YAML text nests deeper than `limit`, read from the yaml package's concrete syntax tree,
 * which it builds without recursion; composing the document (recursive) must not start first.
 */
export function yamlNestingDepthExceeds(text: string, limit = MAX_NESTING_DEPTH): boolean {
  const tokens: unknown[] = [];
  const depths: number[] = [];
  for (const token of new Parser().parse(text)) {
    tokens.push(token);
    depths.push(0);
  }
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
