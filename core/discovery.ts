/**
 * Discovery documents, derived from the served resources once per snapshot:
 * `/apis` (APIGroupList and aggregated APIGroupDiscoveryList v2/v2beta1), `/apis/<g>`
 * (APIGroup) and `/apis/<g>/<v>` (APIResourceList). Shapes follow
 * k8s.io/apiserver `pkg/endpoints/discovery` and the wire contract, section 1. What each
 * resource and subresource serves comes from the served-resource model (core/served.ts).
 */
import { createHash } from 'node:crypto';
import type { Verb } from './types/storage.ts';
import type { ServedResource } from './served-resource.ts';
import { compareVersionPriority } from './version-priority.ts';
import { prepareDocument, type PreparedDocument } from './prepared-document.ts';

export interface DiscoveryDocuments {
  readonly groupList: PreparedDocument;
  readonly aggregated: { readonly v2: PreparedDocument; readonly v2beta1: PreparedDocument };
  readonly groups: ReadonlyMap<string, PreparedDocument>;
  /** Keyed by `<group>/<version>`. */
  readonly resourceLists: ReadonlyMap<string, PreparedDocument>;
}

const sortedVerbs = (verbs: Iterable<Verb>): Verb[] => [...new Set(verbs)].sort();

/** base64 of the first 8 bytes of sha256("<group>/<storage version>/<Kind>"), as storageversionhash.go. */
function storageVersionHash(r: ServedResource): string {
  const storage = r.kind.versions.find((v) => v.storage)?.name ?? r.version.name;
  return createHash('sha256').update(`${r.group}/${storage}/${r.kind.names.kind}`).digest().subarray(0, 8).toString('base64');
}

function groupVersionsByPriority(resources: readonly ServedResource[]): Map<string, string[]> {
  const groups = new Map<string, Set<string>>();
  for (const r of resources) {
    const versions = groups.get(r.group) ?? new Set<string>();
    versions.add(r.version.name);
    groups.set(r.group, versions);
  }
  return new Map(
    [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([g, vs]) => [g, [...vs].sort(compareVersionPriority)]),
  );
}

function apiGroup(group: string, versions: string[]): Record<string, unknown> {
  const entries = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: entries, preferredVersion: entries[0] };
}

function resourceList(group: string, version: string, resources: ServedResource[]): Record<string, unknown> {
  const entries: Record<string, unknown>[] = [];
  // Sorted by path, so each main resource comes before its subresources (client-node
  // resolves a kind by the first entry that names it).
  for (const r of [...resources].sort((a, b) => (a.plural < b.plural ? -1 : 1))) {
    const main: Record<string, unknown> = {
      name: r.plural,
      singularName: r.kind.names.singular,
      namespaced: r.namespaced,
      kind: r.kind.names.kind,
      verbs: sortedVerbs(r.verbs),
    };
    if (r.kind.names.shortNames.length > 0) main.shortNames = r.kind.names.shortNames;
    if (r.kind.names.categories.length > 0) main.categories = r.kind.names.categories;
    main.storageVersionHash = storageVersionHash(r);
    entries.push(main);
    for (const sub of r.subresources) {
      const entry: Record<string, unknown> = {
        name: `${r.plural}/${sub.name}`,
        singularName: '',
        namespaced: r.namespaced,
        kind: sub.responseKind.kind,
        verbs: sortedVerbs(sub.verbs),
      };
      if (sub.responseKind.group !== group) entry.group = sub.responseKind.group;
      if (sub.responseKind.version !== version) entry.version = sub.responseKind.version;
      entries.push(entry);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources: entries };
}

function aggregatedResource(r: ServedResource): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version.name, kind: r.kind.names.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.kind.names.singular,
    verbs: sortedVerbs(r.verbs),
  };
  if (r.kind.names.shortNames.length > 0) entry.shortNames = r.kind.names.shortNames;
  if (r.kind.names.categories.length > 0) entry.categories = r.kind.names.categories;
  if (r.subresources.length > 0) {
    entry.subresources = r.subresources.map((s) => ({ subresource: s.name, responseKind: { ...s.responseKind }, verbs: sortedVerbs(s.verbs) }));
  }
  return entry;
}

export function buildDiscoveryDocuments(resources: readonly ServedResource[]): DiscoveryDocuments {
  const byGroup = groupVersionsByPriority(resources);
  const inVersion = (group: string, version: string) =>
    resources.filter((r) => r.group === group && r.version.name === version);

  const groupList = { kind: 'APIGroupList', apiVersion: 'v1', groups: [...byGroup].map(([g, vs]) => apiGroup(g, vs)) };
  const groups = new Map([...byGroup].map(([g, vs]) => [g, prepareDocument({ kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g, vs) })]));
  const resourceLists = new Map<string, PreparedDocument>();
  for (const [g, vs] of byGroup) {
    for (const v of vs) resourceLists.set(`${g}/${v}`, prepareDocument(resourceList(g, v, inVersion(g, v))));
  }
  // Versions in preference order: clients take the first as preferred.
  const items = [...byGroup].map(([g, vs]) => ({
    metadata: { name: g },
    versions: vs.map((v) => ({
      version: v,
      freshness: 'Current',
      resources: inVersion(g, v)
        .sort((a, b) => (a.plural < b.plural ? -1 : 1))
        .map(aggregatedResource),
    })),
  }));
  const aggregated = (apiVersion: string) =>
    prepareDocument({ kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items });
  return Object.freeze({
    groupList: prepareDocument(groupList),
    aggregated: Object.freeze({ v2: aggregated('apidiscovery.k8s.io/v2'), v2beta1: aggregated('apidiscovery.k8s.io/v2beta1') }),
    groups,
    resourceLists,
  });
}
