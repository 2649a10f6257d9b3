/**
 * Kinds whose data lives in one process (memory) or on its local disk (embedded) must be
 * served by exactly one replica: with several, each serves its own objects and
 * resourceVersions, and the aggregator sends a GET to a pod that never saw the create.
 * `kindred validate --replicas N` and `kindred serve --replicas N` (set by the manifests)
 * warn about such a config.
 */
import type { KindDefinition } from '../../core/types/kind.ts';
import type { StoragePlugin } from '../../core/types/storage.ts';

/** The warning for `kinds` run with `replicas` replicas, or undefined when there is nothing to warn about. */
export function replicaWarning(
  kinds: readonly KindDefinition[],
  resolve: (name: string) => StoragePlugin | undefined,
  replicas: number,
): string | undefined {
  if (replicas <= 1) return undefined;
  const local = kinds.filter((k) => resolve(k.backend.plugin)?.processLocal);
  if (local.length === 0) return undefined;
  const names = local.map((k) => `${k.names.plural}.${k.group} (${k.backend.plugin})`).join(', ');
  return (
    `--replicas ${replicas}, but ${local.length} kinds are stored in the process or on its local disk: ${names}. ` +
    'Each replica would serve its own objects and resourceVersions; serve them from one replica with a volume ' +
    '(a StatefulSet with a PersistentVolumeClaim) or move them to a shared backend (etcd, a Kubernetes-backed plugin).'
  );
}
