/**
 * The rules every store that keeps whole objects applies the same way (memory, embedded):
 * how NotFound and Conflict are worded, delete preconditions, and list order. One copy, so
 * the stores answer alike and the conformance kit checks one behaviour.
 */
import { StoreError, checkPreconditions } from '../../core/types/errors.ts';
import type { KubeObject } from '../../core/types/object.ts';
import type { Scope } from '../../core/types/kind.ts';
import type { DeleteContext } from '../../core/types/storage.ts';

/** kube-apiserver's words for a resourceVersion precondition that failed on update (defined once, in the contract). */
export { STALE_OBJECT } from '../../core/types/errors.ts';

export function notFound(name: string): StoreError {
  return new StoreError('NotFound', `${name} not found`);
}

/**
 * Throws Conflict when a delete's uid or resourceVersion precondition does not match `current`:
 * the contract's `checkPreconditions`, which core's registry layer also runs before the call.
 */
export function checkDeletePreconditions(current: KubeObject, preconditions: DeleteContext['preconditions']): void {
  checkPreconditions(preconditions, current);
}

/** List order: by namespace, then name. */
export function byNamespaceThenName(a: KubeObject, b: KubeObject): number {
  const byNamespace = compare(a.metadata.namespace ?? '', b.metadata.namespace ?? '');
  return byNamespace !== 0 ? byNamespace : compare(a.metadata.name ?? '', b.metadata.name ?? '');
}

/** Code-unit order, not locale order: lists must sort the same on every machine. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The namespace a store files an object under: none for a cluster-scoped kind, whatever the caller passed. */
export function scopedNamespace(scope: Scope, namespace: string | undefined): string | undefined {
  return scope === 'Cluster' ? undefined : namespace;
}

/** An object's namespace (as scopedNamespace) and name; BadRequest without a name. */
export function objectIdentity(scope: Scope, object: KubeObject): { namespace: string | undefined; name: string } {
  const name = object.metadata.name;
  if (!name) throw new StoreError('BadRequest', 'metadata.name is required');
  return { namespace: scopedNamespace(scope, object.metadata.namespace), name };
}

/**
 * Freezes `value` and everything reachable from it (stored objects are plain JSON data). A
 * store that hands out frozen objects promises they never change, and core then encodes each
 * once per resourceVersion instead of once per read (core/handlers/present.ts).
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
