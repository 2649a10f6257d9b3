/** One served kind at one version, as the snapshot (core/snapshot.ts) holds it. */
import type { KindDefinition, KindVersion } from './types/kind.ts';
import type { KubeObject } from './types/object.ts';
import type { Storage } from './types/storage.ts';
import type { ServedModel } from './served.ts';
import type { TableColumn } from './table.ts';
import type { CompiledSchema } from './schema/index.ts';
import { cloneJson } from '../lib/json.ts';

/**
 * One kind at one served version: what a resource handler works with. Its `verbs` and
 * `subresources` are the served-resource model (core/served.ts): routing, discovery and
 * OpenAPI all read them and nothing else.
 */
export interface ServedResource extends ServedModel {
  readonly kind: KindDefinition;
  readonly version: KindVersion;
  readonly store: Storage;
  readonly group: string;
  readonly plural: string;
  readonly namespaced: boolean;
  /** `<group>/<version>`, set on every object this resource returns. */
  readonly apiVersion: string;
  readonly columns: readonly TableColumn[];
  /** The version's openAPIV3Schema compiled for pruning, defaulting and validation; undefined without one. */
  readonly schema: CompiledSchema | undefined;
}

/**
 * An object as this resource serves it: with the apiVersion of the endpoint it was read
 * from, as the versions of one kind share one store (CRD conversion strategy None).
 */
export function present(resource: ServedResource, object: KubeObject): KubeObject {
  const shown = { ...object, apiVersion: resource.apiVersion, kind: resource.kind.names.kind };
  if (!resource.schema?.hasDefaults) return shown;
  // Defaults apply on read too, as kube-apiserver applies them decoding from etcd: an object
  // stored before a default was added shows it (on a copy: stored objects are read-only).
  const defaulted = cloneJson(shown);
  resource.schema.applyDefaults(defaulted);
  return defaulted;
}
