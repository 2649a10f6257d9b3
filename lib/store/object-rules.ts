/**
 * The rules every store that keeps whole objects applies the same way (memory, embedded):
 * how NotFound and Conflict are worded, delete preconditions, and list order. One copy, so
 * the stores answer alike and the conformance kit checks one behaviour.
 */
import { StoreError } from '../../core/types/errors.ts';
import type { KubeObject } from '../../core/types/object.ts';
import type { DeleteContext } from '../../core/types/storage.ts';

/** kube-apiserver's words for a resourceVersion precondition that failed on update. */
export const STALE_OBJECT = 'the object has been modified; please apply your changes to the latest version and try again';

export function notFound(name: string): StoreError {
  return new StoreError('NotFound', `${name} not found`);
}

/** Throws Conflict when a delete's uid or resourceVersion precondition does not match `current`. */
export function checkDeletePreconditions(current: KubeObject, preconditions: DeleteContext['preconditions']): void {
  const { uid, resourceVersion } = preconditions;
  // Worded as apimachinery's Preconditions.Check words them.
  if (uid !== undefined && uid !== current.metadata.uid) {
    throw new StoreError('Conflict', `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current.metadata.uid ?? ''}`);
  }
  if (resourceVersion !== undefined && resourceVersion !== current.metadata.resourceVersion) {
    throw new StoreError(
      'Conflict',
      `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ` +
        `ResourceVersion in object meta: ${current.metadata.resourceVersion ?? ''}`,
    );
  }
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
