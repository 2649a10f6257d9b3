/** The model section of a document (`definitions` in v2, `components.schemas` in v3). */
import { buildKindSchema, buildListSchema, kindDefinitionName, listDefinitionName, type Target } from './kind-schema.ts';
import { SHARED_DEFINITIONS } from './metav1.ts';
import { referencedDefinitions, refTo } from './refs.ts';
import { definitionsOf, type Route } from './operations.ts';
import type { Schema, ServedKind } from './types.ts';

/**
 * Each kind's model and its list's, plus every shared model that they or the routes reach,
 * sorted by name so the document (and its hash) is stable. References are in v2 form.
 * `shared` holds the shared models to draw from (the cluster's, see shared-definitions.ts).
 */
export function definitionsFor(
  kinds: readonly ServedKind[],
  routes: readonly Route[],
  target: Target,
  shared: Readonly<Record<string, Schema>> = SHARED_DEFINITIONS,
): Record<string, Schema> {
  const own: Record<string, Schema> = {};
  for (const served of kinds) {
    own[kindDefinitionName(served)] = buildKindSchema(served, target);
    own[listDefinitionName(served)] = buildListSchema(served);
  }
  const roots = [...Object.values(own), ...routes.flatMap(definitionsOf).map(refTo)];
  const all = { ...referencedDefinitions(roots, shared), ...own };
  return Object.fromEntries(Object.keys(all).sort().map((name) => [name, all[name]!]));
}
