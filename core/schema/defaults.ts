/**
 * Defaulting: fills in `default`s in place, as apiextensions-apiserver
 * `pkg/apiserver/schema/defaulting/algorithm.go` does. A default applies when the field is
 * absent, or null where the schema does not allow null; defaults are applied top-down, so a
 * defaulted object gets the defaults of its own fields too. Inside arrays and maps each
 * element follows its `items` / `additionalProperties` schema.
 *
 * Afterwards, nulls that a non-nullable field without a default would reject are dropped
 * (`PruneNonNullableNullsWithoutDefaults` in the same package).
 */
import { cloneJson, isObject } from '../../lib/json.ts';
import { additionalPropertiesOf, isNullable, itemsOf, propertiesOf, type SchemaNode } from './node.ts';

const hasDefault = (s: SchemaNode): boolean => s.default !== undefined;
const nonNullableNull = (value: unknown, s: SchemaNode): boolean => value === null && !isNullable(s);

export function applyDefaultsTo(value: unknown, schema: SchemaNode): void {
  if (Array.isArray(value)) {
    const items = itemsOf(schema);
    if (!items) return;
    for (let i = 0; i < value.length; i++) {
      if (nonNullableNull(value[i], items) && hasDefault(items)) value[i] = cloneJson(items.default);
      applyDefaultsTo(value[i], items);
    }
    return;
  }
  if (!isObject(value)) return;
  const properties = propertiesOf(schema) ?? {};
  for (const [key, prop] of Object.entries(properties)) {
    if (!hasDefault(prop)) continue;
    if (!(key in value) || nonNullableNull(value[key], prop)) value[key] = cloneJson(prop.default);
  }
  const additional = additionalPropertiesOf(schema);
  for (const key of Object.keys(value)) {
    const prop = properties[key];
    if (prop) {
      applyDefaultsTo(value[key], prop);
    } else if (additional) {
      if (nonNullableNull(value[key], additional) && hasDefault(additional)) value[key] = cloneJson(additional.default);
      applyDefaultsTo(value[key], additional);
    }
  }
}

/** Drops `null`s the schema would reject and no default replaced (fields and map values; list items stay). */
export function dropRejectedNulls(value: unknown, schema: SchemaNode): void {
  if (Array.isArray(value)) {
    const items = itemsOf(schema);
    if (items) for (const item of value) dropRejectedNulls(item, items);
    return;
  }
  if (!isObject(value)) return;
  const properties = propertiesOf(schema) ?? {};
  const additional = additionalPropertiesOf(schema);
  for (const key of Object.keys(value)) {
    const prop = properties[key] ?? additional;
    if (!prop) continue;
    if (value[key] === null && !isNullable(prop) && !hasDefault(prop)) delete value[key];
    else dropRejectedNulls(value[key], prop);
  }
}
