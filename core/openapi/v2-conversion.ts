/**
 * Makes a kind's OpenAPI v3 schema fit for Swagger 2.0 and for the consumers of v2:
 * kubectl's client-side validation and `explain` (kube-openapi `pkg/util/proto`) and the
 * aggregator's merge. Follows apiextensions-apiserver
 * `pkg/controller/openapi/v2/conversion.go` (`ToStructuralOpenAPIV2`), and also drops
 * boolean `additionalProperties`, which v2 consumers do not expect on a CRD.
 */
import { mapSchema } from './refs.ts';
import type { Schema } from './types.ts';

const PRESERVE = 'x-kubernetes-preserve-unknown-fields';

const isNullable = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && (value as Schema)['nullable'] === true;

function withoutRequired(node: Schema, names: ReadonlySet<string>): void {
  if (!Array.isArray(node['required'])) return;
  const kept = (node['required'] as unknown[]).filter((n) => typeof n !== 'string' || !names.has(n));
  if (kept.length > 0) node['required'] = kept;
  else delete node['required'];
}

/**
 * One node of the conversion. It runs before the node's children are converted, so it
 * still sees which children were nullable.
 */
function convertNode(node: Schema): Schema {
  // v2 has no junctors; the validation they carry stays on the server.
  delete node['allOf'];
  delete node['oneOf'];
  delete node['anyOf'];
  delete node['not'];

  // A nullable value may be null, which no v2 type admits, so it becomes untyped, and an
  // untyped value with items or properties breaks kubectl (kube-openapi#143).
  if (node['nullable'] === true) {
    delete node['type'];
    delete node['items'];
    delete node['properties'];
  }
  delete node['nullable'];

  // kubectl rejects fields it does not know, so a schema that keeps unknown fields must
  // not list any.
  if (node[PRESERVE] === true) {
    delete node['items'];
    delete node['properties'];
  }
  // kubectl cannot read an array without an item schema (kube-openapi `pkg/util/proto/document.go`).
  if (node['type'] === 'array' && node['items'] === undefined) delete node['type'];
  if (node[PRESERVE] === true && node['type'] === 'object') delete node['type'];

  // A required field that may be null would fail kubectl's validation when it is null.
  const properties = node['properties'];
  if (typeof properties === 'object' && properties !== null) {
    const nullable = Object.entries(properties).filter(([, p]) => isNullable(p)).map(([name]) => name);
    withoutRequired(node, new Set(nullable));
  }
  if (isNullable(node['additionalProperties'])) delete node['required'];

  if (typeof node['additionalProperties'] === 'boolean') delete node['additionalProperties'];
  return node;
}

/** A v2-safe copy of `schema`: no anyOf/oneOf/allOf/not, no nullable, no boolean additionalProperties. */
export function toOpenAPIV2Schema(schema: Schema): Schema {
  return mapSchema(schema, convertNode);
}
