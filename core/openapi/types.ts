/** Input and shared shapes of the OpenAPI builders. */
import type { KindDefinition, KindVersion } from '../types/kind.ts';
import type { ServedModel } from '../served.ts';

/** One kind at one served version, with what it serves (core/served.ts). */
export interface ServedKind extends ServedModel {
  readonly kind: KindDefinition;
  readonly version: KindVersion;
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
