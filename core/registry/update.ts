/**
 * The read-modify-write cycle shared by update and patch: read the stored object, compute
 * the new one, store it with the stored resourceVersion as precondition. A client that
 * named a resourceVersion gets a 409 when it is stale; without one the cycle is retried on
 * a race, as k8s.io/apiserver's GuaranteedUpdate does for unconditional updates.
 */
import { isDeepStrictEqual } from 'node:util';
import { canGet, canUpdate } from '../types/storage.ts';
import type { KubeObject } from '../types/object.ts';
import { isStoreError } from '../types/errors.ts';
import { conflict, invalid, STALE_OBJECT } from '../status.ts';
import { prepareForStatusUpdate, prepareForUpdate, validateObjectMeta } from '../metadata.ts';
import { refOf, storeContext, storeWith, writeContext, type RegistryRequest, type WriteOptions } from './request.ts';
import { trackManagedFields } from './managed-fields.ts';
import { admit } from './admit.ts';
import { fitObjectLimits } from './object-limits.ts';
import { deleteFinalized, deletesNow } from './delete.ts';
import { cloneJson } from '../../lib/json.ts';

const MAX_ATTEMPTS = 5;

/** Given the stored object, the object the client wants (its resourceVersion, if any, is a precondition). */
export type Mutation = (stored: KubeObject) => KubeObject;

function withoutVersion(object: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...metadata } = object.metadata;
  return { ...object, metadata };
}

/**
 * `operation` says how managedFields move: an Update makes the writer own what it changed; an
 * Apply mutation has computed them itself.
 */
export async function readModifyWrite(req: RegistryRequest, options: WriteOptions, mutate: Mutation, operation: 'Update' | 'Apply' = 'Update'): Promise<KubeObject> {
  const resource = req.resource;
  const name = req.info.name!;
  const namespace = req.info.namespace;
  const toStatus = req.info.subresource === 'status';
  const hasStatus = resource.version.subresources.status !== undefined;
  for (let attempt = 1; ; attempt++) {
    const stored = await storeWith(req, canGet, 'get').get(namespace, name, storeContext(req));
    const wanted = mutate(stored);
    const clientVersion = wanted.metadata.resourceVersion;
    if (clientVersion && clientVersion !== stored.metadata.resourceVersion) {
      throw conflict(refOf(req), STALE_OBJECT);
    }
    // Stored objects may be frozen and shared (plugins/memory): prepareForUpdate keeps parts of
    // `stored` (status) and an apply may keep more, so copy before admission changes it in place.
    const updated = toStatus ? prepareForStatusUpdate(stored, wanted) : cloneJson(prepareForUpdate(stored, wanted, hasStatus));
    updated.metadata.resourceVersion = stored.metadata.resourceVersion!;
    admit(req, updated, stored, options);
    trackManagedFields(req, options, operation, stored, wanted, updated);
    const errors = validateObjectMeta(updated, { namespaced: resource.namespaced });
    if (errors.length > 0) throw invalid({ group: resource.group, kind: resource.kind.names.kind, name }, errors);
    // Nothing changed: answer with the stored object and write nothing, so the
    // resourceVersion does not move (GuaranteedUpdate skips no-op writes).
    if (isDeepStrictEqual(withoutVersion(updated), withoutVersion(stored))) return stored;
    fitObjectLimits(updated, operation);
    try {
      // The last finalizer of an object being deleted goes with the object, in one write:
      // watchers see it marked, then DELETED, never marked with no finalizers left.
      if (deletesNow(updated)) return await deleteFinalized(req, updated, options);
      return await storeWith(req, canUpdate, 'update').update(updated, writeContext(req, options.dryRun));
    } catch (error) {
      const race = isStoreError(error) && error.reason === 'Conflict';
      if (!race || clientVersion || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}
