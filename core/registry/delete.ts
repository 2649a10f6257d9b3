/**
 * Deletion: preconditions, finalizers and propagation, as k8s.io/apiserver's
 * registry/generic/registry/store.go does them. An object with finalizers is only marked
 * (deletionTimestamp) and goes away when an update removes its last finalizer; Foreground
 * and Orphan propagation add the finalizer the garbage collector acts on.
 */
import { canDelete, canGet, canUpdate } from '../types/storage.ts';
import { checkPreconditions, isStoreError } from '../types/errors.ts';
import type { KubeObject } from '../types/object.ts';
import { storeErrorStatus } from '../status.ts';
import { timestamp } from '../metadata.ts';
import type { Selection } from '../selection.ts';
import { selectObjects } from './list.ts';
import { deleteContext, refOf, storeContext, storeWith, writeContext, type DeleteOptions, type RegistryRequest, type WriteOptions } from './request.ts';
import { cloneJson } from '../../lib/json.ts';

const propagationFinalizer = { Foreground: 'foregroundDeletion', Orphan: 'orphan' } as const;

/** Deletes (or marks for deletion) the object the request names; returns what the client is told. */
export async function deleteNamed(req: RegistryRequest, options: DeleteOptions): Promise<KubeObject> {
  const stored = await storeWith(req, canGet, 'get').get(req.info.namespace, req.info.name!, storeContext(req));
  return deleteOne(req, stored, options);
}

/** Deletes every object `selection` picks, one by one; returns them and the list's resourceVersion. */
export async function deleteSelected(req: RegistryRequest, selection: Selection, options: DeleteOptions): Promise<{ items: KubeObject[]; resourceVersion: string }> {
  const { items, resourceVersion } = await selectObjects(req, selection);
  const deleted: KubeObject[] = [];
  for (const object of items) {
    try {
      deleted.push(await deleteOne(req, object, options));
    } catch (error) {
      // Deleted by someone else meanwhile: that is the outcome the client asked for.
      if (isStoreError(error) && error.reason === 'NotFound') continue;
      throw error;
    }
  }
  return { items: deleted, resourceVersion };
}

async function deleteOne(req: RegistryRequest, stored: KubeObject, options: DeleteOptions): Promise<KubeObject> {
  try {
    checkPreconditions(options.preconditions, stored);
  } catch (error) {
    throw isStoreError(error) ? storeErrorStatus(error, refOf(req, stored.metadata.name)) : error;
  }
  const finalizers = [...(stored.metadata.finalizers ?? [])];
  const policy = options.propagationPolicy;
  if (policy === 'Foreground' || policy === 'Orphan') {
    const finalizer = propagationFinalizer[policy];
    if (!finalizers.includes(finalizer)) finalizers.push(finalizer);
  }
  if (finalizers.length === 0) {
    // The store checks the preconditions again, at its write: the object may have changed since it was read.
    return storeWith(req, canDelete, 'delete').delete(stored.metadata.namespace, stored.metadata.name!, deleteContext(req, options.dryRun, options.preconditions));
  }
  if (stored.metadata.deletionTimestamp && finalizers.length === (stored.metadata.finalizers ?? []).length) return stored;
  const marked: KubeObject = cloneJson(stored);
  marked.metadata.finalizers = finalizers;
  marked.metadata.deletionTimestamp ??= timestamp(req.now());
  marked.metadata.deletionGracePeriodSeconds ??= 0;
  return storeWith(req, canUpdate, 'update').update(marked, writeContext(req, options.dryRun));
}

/** An object marked for deletion goes away once its last finalizer is removed. */
export const deletesNow = (object: KubeObject): boolean => Boolean(object.metadata.deletionTimestamp) && (object.metadata.finalizers ?? []).length === 0;

/**
 * Deletes an object whose update removed its last finalizer, on the condition that it is still
 * the stored version the update was computed from (a Conflict retries the update).
 */
export async function deleteFinalized(req: RegistryRequest, updated: KubeObject, options: WriteOptions): Promise<KubeObject> {
  const meta = updated.metadata;
  return storeWith(req, canDelete, 'delete').delete(meta.namespace, meta.name!, deleteContext(req, options.dryRun, { uid: meta.uid!, resourceVersion: meta.resourceVersion! }));
}
