/** POST on a collection. */
import { canCreate } from '../types/storage.ts';
import { isStoreError } from '../types/errors.ts';
import type { KubeObject } from '../types/object.ts';
import { badRequest, invalid, toStatusError } from '../status.ts';
import { negotiateResource } from '../negotiation.ts';
import { isDns1123Label, prepareForCreate, validateObjectMeta } from '../metadata.ts';
import { namespaceNotFound } from '../admission/namespace-lifecycle.ts';
import { asKubeObject, decodeObjectBody } from './decode.ts';
import { parseWriteOptions, type WriteOptions } from './options.ts';
import { trackManagedFields } from './apply.ts';
import { admit, admitDuplicateFields } from './admit.ts';
import { fitObjectLimits } from './object-limits.ts';
import { encodeOne } from './present.ts';
import { refOf, storeContext, storeWith, type Reply, type ResourceRequest } from './request.ts';

// A generated name may collide; kube-apiserver tries again a few times (registry/store.go).
const GENERATE_NAME_ATTEMPTS = 5;

export async function createObject(req: ResourceRequest): Promise<Reply> {
  const representation = negotiateResource(req.accept, { list: false, read: false });
  const options = parseWriteOptions(req.info.query, 'CreateOptions');
  const incoming = asKubeObject(req, await decodeObjectBody(req));
  await admitDuplicateFields(req, options);
  if (incoming.metadata.resourceVersion) throw badRequest('resourceVersion should not be set on objects to be created');
  const created = await storeNewObject(req, options, incoming, 'Update');
  return { status: 201, body: encodeOne(req, representation, created) };
}

/**
 * Stores a new object (create, and server-side apply of an absent one): server-set metadata,
 * managedFields for the writer, metadata validation, generateName retries.
 */
export async function storeNewObject(req: ResourceRequest, options: WriteOptions, incoming: KubeObject, operation: 'Update' | 'Apply'): Promise<KubeObject> {
  const resource = req.resource;
  const hasStatus = resource.version.subresources.status !== undefined;
  const namespace = req.info.namespace;
  if (resource.namespaced && namespace) {
    // Standalone kindred has no Namespace objects, so every namespace exists, except a name no
    // Namespace could have: answered as NamespaceLifecycle answers a missing one.
    if (!isDns1123Label(namespace)) throw namespaceNotFound(namespace);
    await req.namespaceAdmission?.admitCreate(namespace);
  }
  for (let attempt = 1; ; attempt++) {
    const prepared: KubeObject = prepareForCreate(incoming, req.now(), hasStatus);
    // Before managedFields: pruned fields are owned by nobody, defaulted ones by the writer.
    admit(req, prepared, undefined, options);
    trackManagedFields(req, options, operation, undefined, incoming, prepared);
    const errors = validateObjectMeta(prepared, { namespaced: resource.namespaced });
    if (incoming.metadata.generateName && !incoming.metadata.name) {
      // Report generateName problems against the field the client set.
      for (const e of errors) if (e.field === 'metadata.name') e.field = 'metadata.generateName';
    }
    if (errors.length > 0) {
      throw invalid({ group: resource.group, kind: resource.kind.names.kind, name: prepared.metadata.name ?? '' }, errors);
    }
    fitObjectLimits(prepared, operation);
    try {
      return await storeWith(req, canCreate, 'create').create(prepared, { ...storeContext(req), dryRun: options.dryRun });
    } catch (error) {
      const collided = isStoreError(error) && error.reason === 'AlreadyExists' && !incoming.metadata.name;
      if (!collided || attempt >= GENERATE_NAME_ATTEMPTS) {
        // The name is in the body, not the URL: word the Status with it here.
        throw isStoreError(error) ? toStatusError(error, refOf(req, prepared.metadata.name), () => {}) : error;
      }
    }
  }
}
