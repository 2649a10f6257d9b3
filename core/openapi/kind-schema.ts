/**
 * The models of one served kind: the kind itself, built from the config's openAPIV3Schema,
 * and its list. Follows apiextensions-apiserver `pkg/controller/openapi/builder/builder.go`
 * (`buildKubeNative`, `addEmbeddedProperties`, `buildListSchema`) and, for v3, the
 * int-or-string unfolding of `pkg/apiserver/schema/unfold.go`.
 */
import { LIST_META, OBJECT_META, typeMetaProperties } from './metav1.ts';
import { definitionName, mapSchema, refTo } from './refs.ts';
import { GVK_EXTENSION, type GroupVersionKind, type Schema, type ServedKind } from './types.ts';
import { toOpenAPIV2Schema } from './v2-conversion.ts';

/** Which document a schema is for: Swagger 2.0 (`/openapi/v2`) or OpenAPI 3.0 (`/openapi/v3`). */
export type Target = 'v2' | 'v3';

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';
const INT_OR_STRING = 'x-kubernetes-int-or-string';
const EMBEDDED = 'x-kubernetes-embedded-resource';

export const gvkOf = (s: ServedKind): GroupVersionKind => ({ group: s.kind.group, version: s.version.name, kind: s.kind.names.kind });

export const kindDefinitionName = (s: ServedKind): string => definitionName(s.kind.group, s.version.name, s.kind.names.kind);

export const listDefinitionName = (s: ServedKind): string => definitionName(s.kind.group, s.version.name, s.kind.names.listKind);

const METADATA_DESCRIPTION = "Standard object metadata: name, namespace, labels, annotations, and the fields the server maintains.";
const LIST_METADATA_DESCRIPTION = 'Standard list metadata: resourceVersion and the continue token.';

/** apiVersion, kind and metadata first, then the kind's own fields (which may not redefine them). */
function withKubeProperties(schema: Schema): Schema {
  const own = (schema['properties'] ?? {}) as Record<string, Schema>;
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = own;
  return {
    ...schema,
    properties: { ...typeMetaProperties(), metadata: { ...refTo(OBJECT_META), description: METADATA_DESCRIPTION }, ...rest },
  };
}

/**
 * An embedded resource (`x-kubernetes-embedded-resource`) is a whole object, so it gets
 * apiVersion, kind and metadata too, and must name its apiVersion and kind. Not in v2 when
 * it keeps unknown fields: kubectl would then reject every field but those three.
 */
function addEmbeddedProperties(schema: Schema, target: Target): Schema {
  return mapSchema(schema, (node) => {
    if (node[EMBEDDED] !== true) return node;
    if (target === 'v2' && node[PRESERVE] === true) return node;
    const out = withKubeProperties(node);
    const required = Array.isArray(node['required']) ? [...(node['required'] as string[])] : [];
    for (const name of ['kind', 'apiVersion']) if (!required.includes(name)) required.push(name);
    out['required'] = required;
    return out;
  });
}

const INT_OR_STRING_ANY_OF = (): Schema[] => [{ type: 'integer' }, { type: 'string' }];

function isIntOrStringAnyOf(value: unknown): boolean {
  return JSON.stringify(value) === JSON.stringify(INT_OR_STRING_ANY_OF());
}

/**
 * Spells out `x-kubernetes-int-or-string` as `anyOf: [{type: integer}, {type: string}]`,
 * the way CRD documents show it; a schema with its own anyOf gets the pair in front of its allOf.
 */
function unfoldIntOrString(schema: Schema): Schema {
  return mapSchema(schema, (node) => {
    if (node[INT_OR_STRING] !== true) return node;
    if (node['anyOf'] === undefined) return { ...node, anyOf: INT_OR_STRING_ANY_OF() };
    const allOf = Array.isArray(node['allOf']) ? (node['allOf'] as Schema[]) : [];
    if (isIntOrStringAnyOf(node['anyOf']) || isIntOrStringAnyOf(allOf[0]?.['anyOf'])) return node;
    return { ...node, allOf: [{ anyOf: INT_OR_STRING_ANY_OF() }, ...allOf] };
  });
}

/**
 * The kind's model, with `x-kubernetes-group-version-kind: [{group, version, kind}]` (an
 * array: kubectl finds a kind's model by it). A kind without a schema accepts anything.
 * In v2 a schema that keeps unknown fields at its root is only `{type: object}`, because
 * kubectl's validation would reject every field the schema does not list.
 */
export function buildKindSchema(served: ServedKind, target: Target): Schema {
  const gvk = { [GVK_EXTENSION]: [gvkOf(served)] };
  const source = served.version.schema?.openAPIV3Schema;
  if (source === undefined) {
    return target === 'v3' ? { type: 'object', [PRESERVE]: true, ...gvk } : { type: 'object', ...gvk };
  }
  if (target === 'v2' && source[PRESERVE] === true) return { type: 'object', ...gvk };
  const converted = target === 'v2' ? toOpenAPIV2Schema(source) : unfoldIntOrString(source);
  return { ...withKubeProperties(addEmbeddedProperties(converted, target)), ...gvk };
}

/** The `<Kind>List` model: items of the kind, ListMeta, and the list kind's GVK. */
export function buildListSchema(served: ServedKind): Schema {
  const { listKind, kind, plural } = served.kind.names;
  return {
    type: 'object',
    description: `${listKind} is a list of ${kind}.`,
    required: ['items'],
    properties: {
      ...typeMetaProperties(),
      items: { type: 'array', items: refTo(kindDefinitionName(served)), description: `The ${plural} in this list.` },
      metadata: { ...refTo(LIST_META), description: LIST_METADATA_DESCRIPTION },
    },
    [GVK_EXTENSION]: [{ ...gvkOf(served), kind: listKind }],
  };
}
