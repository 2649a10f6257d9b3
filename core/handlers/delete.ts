/**
 * DELETE of one object. An object with finalizers is only marked (deletionTimestamp) and
 * goes away when an update removes its last finalizer; Foreground and Orphan propagation
 * add the finalizer the garbage collector acts on (k8s.io/apiserver registry/store.go).
 */
import { canDelete, canGet, canUpdate } from '../types/storage.ts';
import type { KubeObject } from '../types/object.ts';
import { conflict } from '../status.ts';
import { negotiateResource } from '../negotiation.ts';
import { timestamp } from '../metadata.ts';
import { decodeDeleteOptions, type DeleteOptionsBody } from './decode.ts';
import { encodeOne } from './present.ts';
import { refOf, storeContext, storeWith, type Reply, type ResourceRequest } from './request.ts';

const propagationFinalizer = { Foreground: 'foregroundDeletion', Orphan: 'orphan' } as const;

function checkPreconditions(req: ResourceRequest, stored: KubeObject, options: DeleteOptionsBody): void {
  const { uid, resourceVersion } = options.preconditions;
  const ref = refOf(req, stored.metadata.name);
  if (uid && uid !== stored.metadata.uid) {
    throw conflict(ref, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${stored.metadata.uid ?? ''}`);
  }
  if (resourceVersion && resourceVersion !== stored.metadata.resourceVersion) {
    throw conflict(
      ref,
      `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${stored.metadata.resourceVersion ?? ''}`,
    );
  }
}

/** Deletes (or marks for deletion) one stored object; returns what the client is told. */
export async function deleteOne(req: ResourceRequest, stored: KubeObject, options: DeleteOptionsBody): Promise<KubeObject> {
  checkPreconditions(req, stored, options);
  const finalizers = [...(stored.metadata.finalizers ?? [])];
  const policy = options.propagationPolicy;
  if (policy === 'Foreground' || policy === 'Orphan') {
    const finalizer = propagationFinalizer[policy];
    if (!finalizers.includes(finalizer)) finalizers.push(finalizer);
  }
  const ctx = { ...storeContext(req), dryRun: options.dryRun };
  if (finalizers.length === 0) {
    return storeWith(req, canDelete, 'delete').delete(stored.metadata.namespace, stored.metadata.name!, { ...ctx, preconditions: options.preconditions });
  }
  if (stored.metadata.deletionTimestamp && finalizers.length === (stored.metadata.finalizers ?? []).length) return stored;
  const marked: KubeObject = structuredClone(stored);
  marked.metadata.finalizers = finalizers;
  marked.metadata.deletionTimestamp ??= timestamp(req.now());
  marked.metadata.deletionGracePeriodSeconds ??= 0;
  return storeWith(req, canUpdate, 'update').update(marked, ctx);
}

export async function deleteObject(req: ResourceRequest): Promise<Reply> {
  const representation = negotiateResource(req.accept, { list: false, read: false });
  const options = await decodeDeleteOptions(req);
  const stored = await storeWith(req, canGet, 'get').get(req.info.namespace, req.info.name!, storeContext(req));
  const result = await deleteOne(req, stored, options);
  return { status: 200, body: encodeOne(req, representation, result) };
}
