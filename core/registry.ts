/**
 * The registry snapshot: everything a request needs to know about the served kinds,
 * built once per config and never changed. A reload builds a new snapshot beside the old
 * one and swaps a single reference; requests in flight keep the snapshot they started with.
 */
import type { KindDefinition, KindVersion } from './types/kind.ts';
import { verbsOf, type Storage } from './types/storage.ts';
import { servedModelOf, type ServedModel } from './served.ts';
import { compileColumns, type TableColumn } from './table.ts';
import { buildDiscoveryDocuments, type DiscoveryDocuments } from './discovery.ts';
import { buildOpenAPIDocuments, type OpenAPIDocuments, type OpenAPIOptions } from './openapi/documents.ts';
import { compileSchema, type CompiledSchema } from './schema/index.ts';

/** One kind at one served version: what a resource handler works with. */
/**
 * Its `verbs` and `subresources` are the served-resource model (core/served.ts): routing,
 * discovery and OpenAPI all read them and nothing else.
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

export interface RegistrySnapshot {
  readonly resources: readonly ServedResource[];
  readonly discovery: DiscoveryDocuments;
  readonly openapi: OpenAPIDocuments;
  /** The resource for `/apis/<group>/<version>/<plural>`, if served. */
  lookup(group: string, version: string, plural: string): ServedResource | undefined;
  /** Stores by kind identity (`<group>/<Kind>`), for reuse by the next snapshot. */
  readonly stores: ReadonlyMap<string, Storage>;
}

export const kindKey = (kind: KindDefinition): string => `${kind.group}/${kind.names.kind}`;

/** Builds a snapshot from validated kinds and one store per kind (keyed by kindKey). */
export function buildSnapshot(kinds: readonly KindDefinition[], stores: ReadonlyMap<string, Storage>, openapi: OpenAPIOptions = {}): RegistrySnapshot {
  const resources: ServedResource[] = [];
  for (const kind of kinds) {
    const store = stores.get(kindKey(kind));
    if (!store) throw new Error(`no store for kind ${kindKey(kind)}`);
    for (const version of kind.versions) {
      if (!version.served) continue;
      resources.push(
        Object.freeze({
          kind,
          version,
          store,
          ...servedModelOf(kind, version, verbsOf(store)),
          group: kind.group,
          plural: kind.names.plural,
          namespaced: kind.scope === 'Namespaced',
          apiVersion: `${kind.group}/${version.name}`,
          columns: compileColumns(version.additionalPrinterColumns),
          // Config checks reported schema problems already: a throw here is a bug, not bad input.
          schema: version.schema?.openAPIV3Schema ? compileSchema(version.schema.openAPIV3Schema) : undefined,
        }),
      );
    }
  }
  const byPath = new Map(resources.map((r) => [`${r.group}/${r.version.name}/${r.plural}`, r]));
  return Object.freeze({
    resources,
    stores,
    discovery: buildDiscoveryDocuments(resources),
    openapi: buildOpenAPIDocuments(resources, openapi),
    lookup: (group: string, version: string, plural: string) => byPath.get(`${group}/${version}/${plural}`),
  });
}
