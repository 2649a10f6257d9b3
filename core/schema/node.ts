/**
 * Read-only accessors over a raw `openAPIV3Schema` node (a plain JSON object, as the config
 * declares it). Pruning, defaulting, list checks and CEL rules all walk the schema through
 * these, so the meaning of each keyword lives in one place.
 */
import { isObject } from '../../lib/json.ts';

export type SchemaNode = Record<string, unknown>;

export const typeOf = (s: SchemaNode): string | undefined => (typeof s.type === 'string' ? s.type : undefined);

/** `properties`, or undefined when the node declares none. */
export function propertiesOf(s: SchemaNode): Record<string, SchemaNode> | undefined {
  const p = s.properties;
  if (!isObject(p)) return undefined;
  return p as Record<string, SchemaNode>;
}

/** The schema of map values (`additionalProperties` as a schema, not `true`/`false`). */
export function additionalPropertiesOf(s: SchemaNode): SchemaNode | undefined {
  return isObject(s.additionalProperties) ? s.additionalProperties : undefined;
}

/** The schema of array items (a single schema: structural schemas have no tuple `items`). */
export function itemsOf(s: SchemaNode): SchemaNode | undefined {
  return isObject(s.items) ? s.items : undefined;
}

export const preservesUnknown = (s: SchemaNode): boolean => s['x-kubernetes-preserve-unknown-fields'] === true;
export const isEmbedded = (s: SchemaNode): boolean => s['x-kubernetes-embedded-resource'] === true;
export const isIntOrString = (s: SchemaNode): boolean => s['x-kubernetes-int-or-string'] === true;
export const isNullable = (s: SchemaNode): boolean => s.nullable === true;
export const listTypeOf = (s: SchemaNode): string | undefined =>
  typeof s['x-kubernetes-list-type'] === 'string' ? (s['x-kubernetes-list-type'] as string) : undefined;
export function listMapKeysOf(s: SchemaNode): string[] {
  const keys = s['x-kubernetes-list-map-keys'];
  return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
}

/** Appends a property name to a kube field path (`spec` + `size` → `spec.size`). */
export const childPath = (path: string, key: string): string => (path ? `${path}.${key}` : key);
/** A map value's path, as field.Path.Key renders it: `spec.labels[app]`. */
export const keyPath = (path: string, key: string): string => `${path}[${key}]`;
export const indexPath = (path: string, index: number): string => `${path}[${index}]`;

/** The fields of metav1.ObjectMeta: what pruning keeps in an embedded resource's metadata. */
export const OBJECT_META_FIELDS: ReadonlySet<string> = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers',
  'managedFields',
]);
