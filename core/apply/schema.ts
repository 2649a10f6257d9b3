/**
 * The shape of a kind's fields as server-side apply sees it: which nodes are maps (and
 * whether atomic), which are lists (atomic, set or map with keys), which are scalars.
 * Read from the raw CRD-style `openAPIV3Schema` the way kube-apiserver builds its
 * structured-merge-diff schema for a CRD: lists without `x-kubernetes-list-type` are atomic,
 * objects are granular unless `x-kubernetes-map-type: atomic`, and anything the schema does
 * not describe is "deduced" from the value (maps granular, lists atomic).
 */
import { isObject } from '../../lib/json.ts';

export type FieldType = ScalarType | MapType | ListType | DeducedType;

export interface ScalarType {
  readonly kind: 'scalar';
}

export interface MapType {
  readonly kind: 'map';
  readonly atomic: boolean;
  /** The type of the value under `key`. */
  field(key: string): FieldType;
}

export interface ListType {
  readonly kind: 'list';
  readonly listType: 'atomic' | 'set' | 'map';
  /** `x-kubernetes-list-map-keys`, for `listType: 'map'`. */
  readonly keys: readonly string[];
  readonly items: FieldType;
}

/** No schema: the value itself says what it is. */
export interface DeducedType {
  readonly kind: 'deduced';
}

export const SCALAR: ScalarType = { kind: 'scalar' };
export const DEDUCED: DeducedType = { kind: 'deduced' };
const DEDUCED_MAP: MapType = { kind: 'map', atomic: false, field: () => DEDUCED };
const DEDUCED_LIST: ListType = { kind: 'list', listType: 'atomic', keys: [], items: DEDUCED };

type Schema = Record<string, unknown>;


/** The concrete type of `value` under `type`: a deduced type resolved from the value. */
export function resolve(type: FieldType, value: unknown): FieldType {
  if (type.kind !== 'deduced') return type;
  if (Array.isArray(value)) return DEDUCED_LIST;
  if (isObject(value)) return DEDUCED_MAP;
  return SCALAR;
}

/** Converts one node of an OpenAPI v3 (structural) schema. */
export function typeOfSchema(schema: unknown): FieldType {
  if (!isObject(schema)) return DEDUCED;
  // int-or-string and preserved unknown fields without properties carry no structure.
  if (schema['x-kubernetes-int-or-string'] === true) return SCALAR;
  const type = schema.type;
  if (type === 'array') {
    const listType = schema['x-kubernetes-list-type'];
    const keys = schema['x-kubernetes-list-map-keys'];
    return {
      kind: 'list',
      listType: listType === 'set' || listType === 'map' ? listType : 'atomic',
      keys: Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [],
      items: typeOfSchema(schema.items),
    };
  }
  if (type === 'object' || isObject(schema.properties) || schema.additionalProperties !== undefined) {
    return objectType(schema);
  }
  if (type === undefined) return DEDUCED;
  return SCALAR;
}

function objectType(schema: Schema): MapType {
  const properties = isObject(schema.properties) ? schema.properties : {};
  const additional = schema.additionalProperties;
  const embedded = schema['x-kubernetes-embedded-resource'] === true;
  const cache = new Map<string, FieldType>();
  return {
    kind: 'map',
    atomic: schema['x-kubernetes-map-type'] === 'atomic',
    field(key) {
      let found = cache.get(key);
      if (found) return found;
      if (Object.hasOwn(properties, key)) found = typeOfSchema(properties[key]);
      else if (embedded && key === 'metadata') found = OBJECT_META;
      else if (isObject(additional)) found = typeOfSchema(additional);
      else found = DEDUCED;
      cache.set(key, found);
      return found;
    },
  };
}

/** metav1.ObjectMeta's list and map semantics (its Go markers: finalizers set, ownerReferences keyed by uid). */
const OBJECT_META: MapType = objectType({
  type: 'object',
  properties: {
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
    ownerReferences: {
      type: 'array',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['uid'],
      items: { type: 'object', properties: { controller: { type: 'boolean' }, blockOwnerDeletion: { type: 'boolean' } } },
    },
    managedFields: { type: 'array', items: { type: 'object' } },
    name: { type: 'string' },
    namespace: { type: 'string' },
    generateName: { type: 'string' },
  },
});

/**
 * The type of a whole object of a kind: its schema's root, with `apiVersion`, `kind` and
 * `metadata` as every Kubernetes object has them whatever the schema says.
 */
export function objectTypeOf(openAPIV3Schema: unknown): MapType {
  const root = typeOfSchema(openAPIV3Schema);
  const rootMap = root.kind === 'map' ? root : DEDUCED_MAP;
  return {
    kind: 'map',
    atomic: false,
    field(key) {
      if (key === 'metadata') return OBJECT_META;
      if (key === 'apiVersion' || key === 'kind') return SCALAR;
      return rootMap.field(key);
    },
  };
}
