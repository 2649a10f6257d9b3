/** Input and shared shapes of the OpenAPI builders. */
import type { KindDefinition, KindVersion } from '../types/kind.ts';
import type { Verb } from '../types/storage.ts';

/** One kind at one served version, with the verbs its store supports. */
export interface ServedKind {
  kind: KindDefinition;
  version: KindVersion;
  verbs: ReadonlySet<Verb>;
}

/** A JSON Schema node as the documents carry it: plain JSON data, copied before it is changed. */
export type Schema = Record<string, unknown>;

/** The value of `x-kubernetes-group-version-kind`: an object on operations, an array of these on schemas. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** The vendor extensions kubectl reads to tie operations and schemas to a kind. */
export const GVK_EXTENSION = 'x-kubernetes-group-version-kind';
export const ACTION_EXTENSION = 'x-kubernetes-action';
