/**
 * `x-kubernetes-list-type` uniqueness, as apiextensions-apiserver
 * `pkg/apiserver/schema/listtype/validation.go` checks it: a `set` holds no value twice, a
 * `map` no two items with the same `x-kubernetes-list-map-keys` values. Each repeat is a
 * `Duplicate value` at the later item's index.
 */
import { encodeJson } from '../../lib/json.ts';
import { isDeepStrictEqual } from 'node:util';
import type { FieldError } from '../field-errors.ts';
import { isObject } from '../../lib/json.ts';
import {
  additionalPropertiesOf, childPath, indexPath, itemsOf, listMapKeysOf, listTypeOf, propertiesOf,
  type SchemaNode,
} from './node.ts';

export function listProblems(value: unknown, schema: SchemaNode, path: string, errors: FieldError[]): void {
  if (Array.isArray(value)) {
    const listType = listTypeOf(schema);
    if (listType === 'set') checkSet(value, path, errors);
    if (listType === 'map') checkMap(value, listMapKeysOf(schema), path, errors);
    const items = itemsOf(schema);
    if (items) value.forEach((item, i) => listProblems(item, items, indexPath(path, i), errors));
    return;
  }
  if (!isObject(value)) return;
  const properties = propertiesOf(schema);
  const additional = additionalPropertiesOf(schema);
  for (const [key, child] of Object.entries(value)) {
    const childSchema = properties?.[key] ?? additional;
    if (childSchema) listProblems(child, childSchema, childPath(path, key), errors);
  }
}

function checkSet(list: unknown[], path: string, errors: FieldError[]): void {
  const seen: unknown[] = [];
  list.forEach((item, i) => {
    if (seen.some((s) => isDeepStrictEqual(s, item))) errors.push({ type: 'Duplicate', field: indexPath(path, i), value: item });
    else seen.push(item);
  });
}

function checkMap(list: unknown[], keys: string[], path: string, errors: FieldError[]): void {
  const seen = new Set<string>();
  list.forEach((item, i) => {
    if (!isObject(item)) return;
    const identity: Record<string, unknown> = {};
    for (const key of keys) if (item[key] !== undefined) identity[key] = item[key];
    const id = encodeJson(keys.map((k) => item[k] ?? null));
    if (seen.has(id)) errors.push({ type: 'Duplicate', field: indexPath(path, i), value: identity });
    else seen.add(id);
  });
}
