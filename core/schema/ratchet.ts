/**
 * Validation ratcheting (KEP-4008, on by default since Kubernetes 1.30): on an update, an
 * error about a value the update left unchanged is not reported, so objects stored before a
 * schema was tightened can still be labelled, annotated or have other fields changed.
 *
 * "Unchanged" needs the stored value that corresponds to the new one, found as
 * apiextensions-apiserver's ratcheting validator finds it: object fields by name, items of a
 * `map` list by their keys, items of a `set` by value; an item of any other list has no
 * counterpart, so there the whole list must be unchanged.
 */
import { isDeepStrictEqual } from 'node:util';
import { isObject } from '../../lib/json.ts';
import { additionalPropertiesOf, itemsOf, listMapKeysOf, listTypeOf, propertiesOf, type SchemaNode } from './node.ts';

/** True when the value at `pointer` (a JSON Pointer into `value`) equals its stored counterpart in `old`. */
export function unchangedAt(pointer: string, value: unknown, old: unknown, schema: SchemaNode): boolean {
  let node: SchemaNode | undefined = schema;
  const segments = pointer === '' ? [] : pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  for (const segment of segments) {
    if (old === undefined) return false;
    if (Array.isArray(value)) {
      const item: unknown = value[Number(segment)];
      const counterpart = node ? counterpartIn(old, item, node) : undefined;
      // No counterpart: only an unchanged list as a whole keeps the error quiet.
      if (counterpart === undefined) return isDeepStrictEqual(value, old);
      value = item;
      old = counterpart;
      node = node ? itemsOf(node) : undefined;
      continue;
    }
    if (!isObject(value) || !isObject(old)) return false;
    value = value[segment];
    old = old[segment];
    node = node ? (propertiesOf(node)?.[segment] ?? additionalPropertiesOf(node)) : undefined;
  }
  return old !== undefined && isDeepStrictEqual(value, old);
}

/** The stored item a new list item corresponds to, in a map or set list; undefined otherwise. */
function counterpartIn(old: unknown, item: unknown, node: SchemaNode): unknown {
  if (!Array.isArray(old)) return undefined;
  const listType = listTypeOf(node);
  if (listType === 'set') return old.find((o) => isDeepStrictEqual(o, item));
  if (listType !== 'map' || !isObject(item)) return undefined;
  const keys = listMapKeysOf(node);
  return old.find((o) => isObject(o) && keys.every((k) => isDeepStrictEqual(o[k], item[k])));
}
