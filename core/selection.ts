/**
 * Label and field selectors of a list, watch or deletecollection, parsed once per request.
 * Core evaluates them on every object a store returns, so a store may ignore them.
 */
import type { KubeObject } from './types/object.ts';
import type { ListQuery, ObjectSelector } from './types/storage.ts';
import { parseLabelSelector, type LabelSelector } from './selectors/labels.ts';
import { parseFieldSelector, objectFields, type FieldSelector } from './selectors/fields.ts';
import { SelectorError } from './selectors/errors.ts';
import { badRequest } from './status.ts';

/**
 * The fields a field selector may name, as for CustomResources: metadata.namespace only on
 * namespaced kinds (apiextensions-apiserver `pkg/apiserver/conversion/converter.go`).
 */
const NAMESPACED_FIELDS = ['metadata.name', 'metadata.namespace'] as const;
const CLUSTER_FIELDS = ['metadata.name'] as const;

export interface Selection extends ObjectSelector {
  readonly label: LabelSelector;
  readonly field: FieldSelector;
  /** What a store is handed: the selectors as text (normalized) and parsed. */
  readonly query: ListQuery;
}

/** Parses both selectors; a SelectorError is the client's (400), anything else thrown is a bug and propagates. */
export function parseSelection(labelSelector: string, fieldSelector: string, namespaced: boolean): Selection {
  let label: LabelSelector;
  let field: FieldSelector;
  try {
    label = parseLabelSelector(labelSelector);
    field = parseFieldSelector(fieldSelector, namespaced ? NAMESPACED_FIELDS : CLUSTER_FIELDS);
  } catch (error) {
    if (error instanceof SelectorError) throw badRequest(error.message);
    throw error;
  }
  const empty = label.empty && field.empty;
  const matches = (object: KubeObject): boolean => label.matches(object.metadata.labels) && field.matches(objectFields(object, namespaced));
  const query: ListQuery = { labelSelector: label.toString(), fieldSelector: field.toString(), selector: { empty, matches } };
  return { label, field, empty, matches, query };
}
