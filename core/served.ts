/**
 * The served-resource model: what one kind serves at one version, derived once from the
 * verbs its store's capabilities allow (`verbsOf`) and the subresources the kind declares.
 * Routing (core/handlers/index.ts), discovery (core/discovery.ts), OpenAPI
 * (core/openapi/routes.ts) and the RBAC rules a deployment grants (`rbacRulesOf`) all read
 * this model and nothing else, so they cannot disagree (k8s.io/apiserver's installer.go
 * derives routes and discovery verbs from storage interfaces the same way).
 */
import type { KindDefinition, KindVersion } from './types/kind.ts';
import type { Verb } from './types/storage.ts';

export type SubresourceName = 'status' | 'scale';

export interface GroupVersionKindRef {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface ServedSubresource {
  readonly name: SubresourceName;
  /** A subset of get, update, patch: the only verbs a subresource has. */
  readonly verbs: ReadonlySet<Verb>;
  /** What its endpoints read and write: the kind itself for status, autoscaling/v1 Scale for scale. */
  readonly responseKind: GroupVersionKindRef;
}

export interface ServedModel {
  /** The verbs of the resource itself. */
  readonly verbs: ReadonlySet<Verb>;
  /** Declared subresources the store can serve (at least one verb), in name order as discovery lists them. */
  readonly subresources: readonly ServedSubresource[];
}

export const SCALE_KIND: GroupVersionKindRef = Object.freeze({ group: 'autoscaling', version: 'v1', kind: 'Scale' });

/**
 * A subresource is read with the store's get and written (PUT and PATCH alike) by core's
 * read-modify-write of the whole object, so it needs what the resource's update needs.
 */
function subresourceVerbs(verbs: ReadonlySet<Verb>): ReadonlySet<Verb> {
  const out = new Set<Verb>();
  if (verbs.has('get')) out.add('get');
  if (verbs.has('update')) {
    out.add('update');
    out.add('patch');
  }
  return out;
}

/** The one function: a kind at one version plus its store's verbs (`verbsOf(store)`) → what is served. */
export function servedModelOf(kind: KindDefinition, version: KindVersion, verbs: ReadonlySet<Verb>): ServedModel {
  const subVerbs = subresourceVerbs(verbs);
  const subresources: ServedSubresource[] = [];
  if (subVerbs.size > 0) {
    if (version.subresources.scale) subresources.push({ name: 'scale', verbs: subVerbs, responseKind: SCALE_KIND });
    if (version.subresources.status) {
      subresources.push({ name: 'status', verbs: subVerbs, responseKind: { group: kind.group, version: version.name, kind: kind.names.kind } });
    }
  }
  return Object.freeze({ verbs: new Set(verbs), subresources: Object.freeze(subresources) });
}

/**
 * The verbs served at a path: the resource itself (`subresource` undefined) or one of its
 * subresources; undefined when the path names nothing served (a 404, not a 405).
 */
export function verbsAt(model: ServedModel, subresource: string | undefined): ReadonlySet<Verb> | undefined {
  if (subresource === undefined) return model.verbs;
  return model.subresources.find((s) => s.name === subresource)?.verbs;
}

/** A rbac.authorization.k8s.io/v1 PolicyRule. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: Verb[];
}

/**
 * The rules that grant everything a kind serves (its resource and each subresource), for a
 * ClusterRole a deployment hands to the kind's users. Verbs are sorted, rules merged per
 * verb set, so the output is stable.
 */
export function rbacRulesOf(group: string, plural: string, model: ServedModel): PolicyRule[] {
  const byVerbs = new Map<string, PolicyRule>();
  const add = (resource: string, verbs: ReadonlySet<Verb>): void => {
    const sorted = [...verbs].sort();
    const key = sorted.join(',');
    const rule = byVerbs.get(key) ?? { apiGroups: [group], resources: [], verbs: sorted };
    rule.resources.push(resource);
    byVerbs.set(key, rule);
  };
  if (model.verbs.size > 0) add(plural, model.verbs);
  for (const sub of model.subresources) add(`${plural}/${sub.name}`, sub.verbs);
  return [...byVerbs.values()];
}
