/**
 * Label and field selectors of a list, watch or deletecollection, parsed once per request.
 * Core evaluates them on every object a store returns, so a store may ignore them.
 */
import type { KubeObject } from './types/object.ts';
import { parseLabelSelector, type LabelSelector } from './selectors/labels.ts';
import { parseFieldSelector, objectFields, type FieldSelector } from './selectors/fields.ts';
import { badRequest } from './status.ts';

/**
 * The fields a field selector may name, as for CustomResources: metadata.namespace only on
 * namespaced kinds (apiextensions-apiserver `pkg/apiserver/conversion/converter.go`).
 */
const NAMESPACED_FIELDS = ['metadata.name', 'metadata.namespace'] as const;
const CLUSTER_FIELDS = ['metadata.name'] as const;

export interface Selection {
  readonly label: LabelSelector;
  readonly field: FieldSelector;
  readonly empty: boolean;
  matches(object: KubeObject): boolean;
}

export function parseSelection(labelSelector: string, fieldSelector: string, namespaced: boolean): Selection {
  let label: LabelSelector;
  let field: FieldSelector;
  try {
    label = parseLabelSelector(labelSelector);
  } catch (error) {
    throw badRequest((error as Error).message);
  }
  try {
    field = parseFieldSelector(fieldSelector, namespaced ? NAMESPACED_FIELDS : CLUSTER_FIELDS);
  } catch (error) {
    throw badRequest((error as Error).message);
  }
  return {
    label,
    field,
    empty: label.empty && field.empty,
    matches: (object) =>
      label.matches(object.metadata.labels) && field.matches(objectFields(object, namespaced)),
  };
}
