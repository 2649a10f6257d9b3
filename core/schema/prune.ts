/**
 * Pruning: drops the fields a structural schema does not declare, in place, and reports their
 * paths. Follows apiextensions-apiserver `pkg/apiserver/schema/pruning/algorithm.go`:
 * `x-kubernetes-preserve-unknown-fields` keeps unknown fields but still prunes inside known
 * ones; an embedded resource keeps apiVersion and kind and its metadata is cut to ObjectMeta;
 * an object whose schema declares nothing loses every field.
 */
import { isObject } from '../../lib/json.ts';
import {
  OBJECT_META_FIELDS, additionalPropertiesOf, childPath, indexPath, isEmbedded, itemsOf, preservesUnknown,
  propertiesOf, type SchemaNode,
} from './node.ts';

/**
 * Prunes `value` against `schema` (undefined: a place the schema says nothing about) and
 * pushes every dropped field's path onto `pruned`.
 */
export function pruneValue(value: unknown, schema: SchemaNode | undefined, path: string, pruned: string[]): void {
  if (schema && preservesUnknown(schema)) {
    pruneKnown(value, schema, path, pruned);
    return;
  }
  if (Array.isArray(value)) {
    const items = schema ? itemsOf(schema) : undefined;
    value.forEach((item, i) => pruneValue(item, items, indexPath(path, i), pruned));
    return;
  }
  if (!isObject(value)) return;
  const properties = schema ? propertiesOf(schema) : undefined;
  // `additionalProperties: true` keeps every key but knows nothing below it.
  const additional = schema ? (additionalPropertiesOf(schema) ?? (schema.additionalProperties === true ? {} : undefined)) : undefined;
  for (const key of Object.keys(value)) {
    const at = childPath(path, key);
    if (schema && isEmbedded(schema) && embeddedKept(value, key, at, pruned)) continue;
    const known = properties?.[key] ?? additional;
    if (known) pruneValue(value[key], known, at, pruned);
    else {
      pruned.push(at);
      delete value[key];
    }
  }
}

/** Under preserve-unknown-fields: unknown fields stay, known ones are still pruned inside. */
function pruneKnown(value: unknown, schema: SchemaNode, path: string, pruned: string[]): void {
  if (Array.isArray(value)) {
    const items = itemsOf(schema);
    if (!items) return;
    // As skipPrune does: items of a preserving array are themselves only pruned inside known fields.
    value.forEach((item, i) => pruneKnown(item, items, indexPath(path, i), pruned));
    return;
  }
  if (!isObject(value)) return;
  const properties = propertiesOf(schema);
  const additional = additionalPropertiesOf(schema);
  for (const key of Object.keys(value)) {
    const at = childPath(path, key);
    if (isEmbedded(schema) && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    const known = properties?.[key] ?? additional;
    if (known) pruneValue(value[key], known, at, pruned);
  }
}

/**
 * An embedded resource's apiVersion and kind are kept whatever the schema says, and its
 * metadata is coerced to ObjectMeta. True when `key` was handled here.
 */
function embeddedKept(object: Record<string, unknown>, key: string, at: string, pruned: string[]): boolean {
  if (key === 'apiVersion' || key === 'kind') return true;
  if (key !== 'metadata') return false;
  const meta = object.metadata;
  if (isObject(meta)) {
    for (const field of Object.keys(meta)) {
      if (!OBJECT_META_FIELDS.has(field)) {
        pruned.push(childPath(at, field));
        delete meta[field];
      }
    }
  }
  return true;
}
