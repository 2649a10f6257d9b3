/**
 * JSON Pointers (RFC 6901) over plain JSON values: how the `http` plugin's options say where
 * a field lives in a record or a response (`/id`, `/data/results`). Pointers are data, never
 * code: there is no expression language to evaluate, so a config cannot run anything.
 */
import { isObject } from '../../lib/json.ts';

export type JsonObject = Record<string, unknown>;

/** The reference tokens of a pointer; '' is the whole document. Throws on a malformed pointer. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`JSON pointer ${JSON.stringify(pointer)} must be empty or start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (/~[^01]|~$/.test(token)) throw new Error(`JSON pointer ${JSON.stringify(pointer)} has a bad escape`);
      return token.replaceAll('~1', '/').replaceAll('~0', '~');
    });
}

export { isObject };

/** The value at `tokens` in `document`, or undefined when any step is missing. */
export function getAt(document: unknown, tokens: readonly string[]): unknown {
  let current = document;
  for (const token of tokens) {
    if (Array.isArray(current) && /^(0|[1-9][0-9]*)$/.test(token)) current = current[Number(token)];
    else if (isObject(current) && Object.hasOwn(current, token)) current = current[token];
    else return undefined;
  }
  return current;
}

/** Sets the value at `tokens` (non-empty) in `document`, creating objects on the way. */
export function setAt(document: JsonObject, tokens: readonly string[], value: unknown): void {
  let current: JsonObject = document;
  tokens.forEach((token, i) => {
    if (i === tokens.length - 1) {
      current[token] = value;
      return;
    }
    const next = current[token];
    if (isObject(next)) current = next;
    else current = current[token] = {};
  });
}

/** Removes the value at `tokens` (non-empty) from `document`, if it is there. */
export function removeAt(document: JsonObject, tokens: readonly string[]): void {
  const parent = getAt(document, tokens.slice(0, -1));
  const last = tokens[tokens.length - 1];
  if (isObject(parent) && last !== undefined) delete parent[last];
}

/**
 * `document` without the value at `tokens`, sharing every branch it did not have to change:
 * the document itself is left as it was.
 */
export function withoutAt(document: JsonObject, tokens: readonly string[]): JsonObject {
  const [first, ...rest] = tokens;
  if (first === undefined || !Object.hasOwn(document, first)) return document;
  const copy = { ...document };
  if (rest.length === 0) delete copy[first];
  else {
    const child = copy[first];
    if (isObject(child)) copy[first] = withoutAt(child, rest);
  }
  return copy;
}
