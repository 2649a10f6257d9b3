/**
 * Routes a resource request to its verb handler, after checking that the path names
 * something served: the scope matches (a namespaced kind needs a namespace except to list
 * or watch across all of them), the subresource exists, and the store supports the verb.
 */
import type { Verb } from '../types/storage.ts';
import type { ResourceRequestInfo } from '../request-info.ts';
import type { RegistrySnapshot, ServedResource } from '../registry.ts';
import { methodNotAllowed, pathNotFound } from '../status.ts';
import { getObject } from './get.ts';
import { listObjects } from './list.ts';
import { watchObjects } from './watch.ts';
import { createObject } from './create.ts';
import { updateObject } from './update.ts';
import { patchObject } from './patch.ts';
import { deleteObject } from './delete.ts';
import { deleteCollection } from './deletecollection.ts';
import type { Reply, ResourceRequest } from './request.ts';

const handlers: Record<Verb, (req: ResourceRequest) => Promise<Reply>> = {
  get: getObject,
  list: listObjects,
  watch: watchObjects,
  create: createObject,
  update: updateObject,
  patch: patchObject,
  delete: deleteObject,
  deletecollection: deleteCollection,
};

/** The verbs each subresource answers, and the store verb each needs. */
const statusVerbs: Partial<Record<Verb, Verb>> = { get: 'get', update: 'update', patch: 'update' };

/** Finds the served resource a request is about, or throws the 404 kube-apiserver gives for an unknown path. */
export function resolveResource(snapshot: RegistrySnapshot, info: ResourceRequestInfo): ServedResource {
  const resource = snapshot.lookup(info.group, info.version, info.resource);
  if (!resource) throw pathNotFound();
  const collectionVerb = info.verb === 'list' || info.verb === 'watch';
  if (resource.namespaced && info.namespace === undefined && !collectionVerb) throw pathNotFound();
  if (!resource.namespaced && info.namespace !== undefined) throw pathNotFound();
  if (info.subresource !== undefined) {
    if (info.subresource !== 'status' || !resource.version.subresources.status) throw pathNotFound();
    if (!(info.verb in statusVerbs)) throw pathNotFound();
  }
  return resource;
}

/** The store verb a request needs; undefined when the HTTP method means nothing here. */
export function storeVerbOf(info: ResourceRequestInfo): Verb | undefined {
  if (!(info.verb in handlers)) return undefined;
  const verb = info.verb as Verb;
  return info.subresource === 'status' ? statusVerbs[verb] : verb;
}

export async function handleResourceRequest(req: ResourceRequest): Promise<Reply> {
  const { info, resource } = req;
  const needed = storeVerbOf(info);
  const ref = { group: resource.group, resource: resource.plural, kind: resource.kind.names.kind };
  if (needed === undefined || !resource.verbs.has(needed)) throw methodNotAllowed(info.verb, ref);
  if (info.verb === 'patch' && !resource.verbs.has('get')) throw methodNotAllowed(info.verb, ref);
  return handlers[info.verb as Verb](req);
}
