/**
 * The shared models of the `/openapi/v2` document (`io.k8s.apimachinery.pkg.apis.meta.v1.*`,
 * autoscaling Scale, RawExtension) as the cluster publishes them.
 *
 * kube-apiserver's aggregator merges every aggregated server's v2 document into its own; a
 * definition whose name it already has is dropped only when its content is deeply equal, and
 * otherwise kept under a new name (`…Status_v2`). Such a copy still claims its kind
 * (`x-kubernetes-group-version-kind`), so the merged document has two definitions for
 * `v1, Kind=Status`, which managedfields.NewGVKParser (Argo CD's diffs) refuses. Descriptions
 * and details change between Kubernetes versions, so the only copy that is equal is the one
 * the cluster serves itself: in aggregated mode kindred reads it once at start and publishes
 * exactly that, and its own models (metav1.ts) only where the cluster has none.
 */
import { SHARED_DEFINITIONS } from './metav1.ts';
import { referencedDefinitions, refTo } from './refs.ts';
import type { Schema } from './types.ts';

/**
 * kindred's shared models with every one the cluster also defines replaced by the cluster's,
 * together with whatever the cluster's versions refer to. `clusterDefinitions` is the
 * `definitions` object of kube-apiserver's `/openapi/v2`.
 */
export function adoptClusterDefinitions(clusterDefinitions: Readonly<Record<string, unknown>>): Record<string, Schema> {
  const adopted: Record<string, Schema> = { ...SHARED_DEFINITIONS };
  const available = clusterDefinitions as Record<string, Schema>;
  const theirs = Object.keys(SHARED_DEFINITIONS).filter((name) => isSchema(available[name]));
  Object.assign(adopted, referencedDefinitions(theirs.map(refTo), available));
  return adopted;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
