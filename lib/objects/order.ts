/**
 * The order every store lists objects in (core/types/storage.ts): by namespace, then name,
 * in code-unit order, not locale order, so lists sort the same on every machine. Not by
 * `namespace/name` as one string: `-` sorts before `/`, which would put `a-b/x` before `a/y`.
 */
import type { KubeObject } from '../../core/types/object.ts';

export function byNamespaceThenName(a: KubeObject, b: KubeObject): number {
  const byNamespace = compareCodeUnits(a.metadata.namespace ?? '', b.metadata.namespace ?? '');
  return byNamespace !== 0 ? byNamespace : compareCodeUnits(a.metadata.name ?? '', b.metadata.name ?? '');
}

export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
