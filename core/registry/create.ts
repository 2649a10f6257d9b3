/**
 * Storing a new object (create, and server-side apply of an absent one): server-set
 * metadata, schema admission, managedFields for the writer, metadata validation, and the
 * generateName retries of k8s.io/apiserver's registry/generic/registry/store.go.
 */
import { canCreate } from '../types/storage.ts';
import { isStoreError } from '../types/errors.ts';
import type { KubeObject } from '../types/object.ts';
import { invalid, storeErrorStatus } from '../status.ts';
import { prepareForCreate, validateObjectMeta } from '../metadata.ts';
import { isDns1123Label } from '../../lib/dns.ts';
import { namespaceNotFound } from '../admission/namespace-lifecycle.ts';
import { fitObjectLimits } from './object-limits.ts';
import { trackManagedFields } from './managed-fields.ts';
import { admit } from './admit.ts';
import { refOf, storeWith, writeContext, type RegistryRequest, type WriteOptions } from './request.ts';

// A generated name may collide; kube-apiserver tries again a few times (registry/store.go).
const GENERATE_NAME_ATTEMPTS = 5;

/**
 * Stores `incoming` as a new object and returns what the store made of it. `operation`
 * says how managedFields move (see trackManagedFields). A store's error comes back as the
 * StatusError worded with the object's name, which is in the body, not the URL.
 */
export async function storeNewObject(req: RegistryRequest, options: WriteOptions, incoming: KubeObject, operation: 'Update' | 'Apply'): Promise<KubeObject> {
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
      return await storeWith(req, canCreate, 'create').create(prepared, writeContext(req, options.dryRun));
    } catch (error) {
      if (!isStoreError(error)) throw error;
      const collided = error.reason === 'AlreadyExists' && !incoming.metadata.name;
      if (!collided || attempt >= GENERATE_NAME_ATTEMPTS) throw storeErrorStatus(error, refOf(req, prepared.metadata.name));
    }
  }
}
