/**
 * Definition names, `$ref`s and schema walking shared by the v2 and v3 builders. Every
 * schema is built with Swagger 2.0 references (`#/definitions/<name>`); the v3 builder
 * rewrites them once at the end with `toV3Refs`.
 */
import type { Schema } from './types.ts';

export const V2_REF_PREFIX = '#/definitions/';
export const V3_REF_PREFIX = '#/components/schemas/';

/**
 * The model name kube-openapi gives a CRD type: `util.ToRESTFriendlyName("<group>/<version>.<kind>")`
 * reverses the dotted group, so `apps.example.com`, `v1alpha1`, `Postgres` is
 * `com.example.apps.v1alpha1.Postgres` (kube-openapi `pkg/util/util.go`).
 */
export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** A schema that is only a reference to the named definition. */
export function refTo(name: string): Schema {
  return { $ref: V2_REF_PREFIX + name };
}

const isSchema = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const mapRecord = (value: unknown, f: (s: Schema) => Schema): unknown =>
  isSchema(value) ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isSchema(v) ? f(v) : v])) : value;

const mapList = (value: unknown, f: (s: Schema) => Schema): unknown =>
  Array.isArray(value) ? value.map((v) => (isSchema(v) ? f(v) : v)) : value;

/**
 * Copies a schema, handing each node to `visit` before its children are visited, as
 * apiextensions' structural `Visitor` does: a parent can still see what its children were.
 * `visit` receives a shallow copy it may change and return. Only schema positions are
 * walked (properties, items, additionalProperties, the junctors), never `enum` or `default`.
 */
export function mapSchema(schema: Schema, visit: (node: Schema) => Schema): Schema {
  const node = visit({ ...schema });
  const recurse = (s: Schema): Schema => mapSchema(s, visit);
  if ('properties' in node) node['properties'] = mapRecord(node['properties'], recurse);
  if ('patternProperties' in node) node['patternProperties'] = mapRecord(node['patternProperties'], recurse);
  if (isSchema(node['additionalProperties'])) node['additionalProperties'] = recurse(node['additionalProperties']);
  if (isSchema(node['items'])) node['items'] = recurse(node['items']);
  else if (Array.isArray(node['items'])) node['items'] = mapList(node['items'], recurse);
  for (const junctor of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (junctor in node) node[junctor] = mapList(node[junctor], recurse);
  }
  if (isSchema(node['not'])) node['not'] = recurse(node['not']);
  return node;
}

/** Adds the definition name of every `$ref` found anywhere in `value` to `into`. */
function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectRefs(v, into);
  } else if (isSchema(value)) {
    const ref = value['$ref'];
    if (typeof ref === 'string' && ref.startsWith(V2_REF_PREFIX)) into.add(ref.slice(V2_REF_PREFIX.length));
    for (const v of Object.values(value)) collectRefs(v, into);
  }
}

/**
 * The definitions from `available` that `roots` refer to, directly or through each other,
 * so a document carries every model it needs and nothing else. Names not in `available`
 * (e.g. the kinds' own schemas) are the caller's to add.
 */
export function referencedDefinitions(roots: readonly unknown[], available: Readonly<Record<string, Schema>>): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const pending = new Set<string>();
  collectRefs(roots, pending);
  for (const name of pending) {
    const definition = available[name];
    if (definition === undefined || name in out) continue;
    out[name] = definition;
    collectRefs(definition, pending); // a Set iterates over what is added while iterating
  }
  return out;
}

/**
 * Rewrites a v2-style schema for OpenAPI v3: references point into `#/components/schemas/`,
 * and a `$ref` with siblings (e.g. a description) becomes `allOf: [{$ref}]` beside them,
 * because v3.0 ignores a reference's siblings (kube-openapi `pkg/builder3/openapi.go`
 * `wrapRefs`, kubernetes/kubernetes#106387).
 */
export function toV3Refs(schema: Schema): Schema {
  return mapSchema(schema, (node) => {
    const ref = node['$ref'];
    if (typeof ref !== 'string') return node;
    const target = ref.startsWith(V2_REF_PREFIX) ? V3_REF_PREFIX + ref.slice(V2_REF_PREFIX.length) : ref;
    const { $ref: _dropped, ...siblings } = node;
    if (Object.keys(siblings).length === 0) return { $ref: target };
    return { ...siblings, allOf: [{ $ref: target }] };
  });
}
