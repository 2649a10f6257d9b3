/**
 * The registry snapshot: everything a request needs to know about the served kinds,
 * built once per config and never changed. A reload builds a new snapshot beside the old
 * one and swaps a single reference; requests in flight keep the snapshot they started with.
 */
import type { KindDefinition } from './types/kind.ts';
import { verbsOf, type Storage } from './types/storage.ts';
import { servedModelOf } from './served.ts';
import type { ServedResource } from './served-resource.ts';
import { compileColumns } from './table.ts';
import { buildDiscoveryDocuments, type DiscoveryDocuments } from './discovery.ts';
import { buildOpenAPIDocuments, type OpenAPIDocuments, type OpenAPIOptions } from './openapi/documents.ts';
import { compileSchema } from './schema/index.ts';

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
