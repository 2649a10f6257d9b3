/**
 * The ClusterRoles that let a cluster's users use the kinds a config serves, derived from
 * the served-resource model (core/served.ts `rbacRulesOf`), the same model routing,
 * discovery and OpenAPI read: a read-only kind is never granted `create`, a kind with a
 * scale subresource is granted `<plural>/scale`. They carry the labels that aggregate them
 * into the built-in `view`, `edit` and `admin` roles, so a RoleBinding to `edit` covers
 * the kinds too. `kindred rbac` prints them for a deployment to apply.
 */
import type { RegistrySnapshot } from '../core/snapshot.ts';
import { rbacRulesOf, type PolicyRule, type ServedModel } from '../core/served.ts';
import type { Verb } from '../core/types/storage.ts';

const READ_VERBS: ReadonlySet<Verb> = new Set(['get', 'list', 'watch']);

const reads = (verbs: ReadonlySet<Verb>): ReadonlySet<Verb> => new Set([...verbs].filter((v) => READ_VERBS.has(v)));

function readOnly(model: ServedModel): ServedModel {
  return { verbs: reads(model.verbs), subresources: model.subresources.map((s) => ({ ...s, verbs: reads(s.verbs) })).filter((s) => s.verbs.size > 0) };
}

/** Everything served, except writes to status: those are a controller's, as in Kubernetes' own edit role. */
function forEditors(model: ServedModel): ServedModel {
  return { verbs: model.verbs, subresources: model.subresources.map((s) => (s.name === 'status' ? { ...s, verbs: reads(s.verbs) } : s)) };
}

/** `<prefix>-view` (aggregated into view, edit, admin) and `<prefix>-edit` (into edit, admin). */
export function userClusterRoles(snapshot: RegistrySnapshot, prefix = 'kindred'): Record<string, unknown>[] {
  const view: PolicyRule[] = [];
  const edit: PolicyRule[] = [];
  const seen = new Set<string>();
  // RBAC names a resource without its version; every served version of a kind shares its store.
  for (const r of snapshot.resources) {
    const key = `${r.group}/${r.plural}`;
    if (seen.has(key)) continue;
    seen.add(key);
    view.push(...rbacRulesOf(r.group, r.plural, readOnly(r)));
    edit.push(...rbacRulesOf(r.group, r.plural, forEditors(r)));
  }
  const role = (name: string, aggregateTo: string[], rules: PolicyRule[]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: {
      name: `${prefix}-${name}`,
      labels: Object.fromEntries(aggregateTo.map((to) => [`rbac.authorization.k8s.io/aggregate-to-${to}`, 'true'])),
    },
    rules,
  });
  return [role('view', ['view', 'edit', 'admin'], view), role('edit', ['edit', 'admin'], edit)];
}
