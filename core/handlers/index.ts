/**
 * Routes a resource request to its verb handler, after checking that the path names
 * something served: the scope matches (a namespaced kind needs a namespace except to list
 * or watch across all of them), the subresource is served, and the verb is served there.
 * What is served comes from the served-resource model (core/served.ts), which discovery
 * and OpenAPI read too.
 */
import type { Verb } from '../types/storage.ts';
import type { ResourceRequestInfo } from '../request-info.ts';
import type { RegistrySnapshot } from '../snapshot.ts';
import type { ServedResource } from '../served-resource.ts';
import { verbsAt, type SubresourceName } from '../served.ts';
import { methodNotAllowed, pathNotFound } from '../status.ts';
import { getObject } from './get.ts';
import { listObjects } from './list.ts';
import { watchObjects } from './watch.ts';
import { createObject } from './create.ts';
import { updateObject } from './update.ts';
import { patchObject } from './patch.ts';
import { deleteObject } from './delete.ts';
import { deleteCollection } from './deletecollection.ts';
import { getScale, patchScale, updateScale } from './scale.ts';
import type { Reply, ResourceRequest } from './request.ts';

type Handler = (req: ResourceRequest) => Promise<Reply>;

const handlers: Record<Verb, Handler> = {
  get: getObject,
  list: listObjects,
  watch: watchObjects,
  create: createObject,
  update: updateObject,
  patch: patchObject,
  delete: deleteObject,
  deletecollection: deleteCollection,
};

/** Status is the object itself, seen through another door; scale is an autoscaling/v1 Scale. */
const subresourceHandlers: Record<SubresourceName, Partial<Record<Verb, Handler>>> = {
  status: { get: getObject, update: updateObject, patch: patchObject },
  scale: { get: getScale, update: updateScale, patch: patchScale },
};

/** Finds the served resource a request is about, or throws the 404 kube-apiserver gives for an unknown path. */
export function resolveResource(snapshot: RegistrySnapshot, info: ResourceRequestInfo): ServedResource {
  const resource = snapshot.lookup(info.group, info.version, info.resource);
  if (!resource) throw pathNotFound();
  const collectionVerb = info.verb === 'list' || info.verb === 'watch';
  if (resource.namespaced && info.namespace === undefined && !collectionVerb) throw pathNotFound();
  if (!resource.namespaced && info.namespace !== undefined) throw pathNotFound();
  if (verbsAt(resource, info.subresource) === undefined) throw pathNotFound();
  return resource;
}

/**
 * The handler for a request on a resolved resource: a 405 when the path is served but not
 * with this verb (as go-restful answers a method a route lacks).
 */
export function handlerFor(resource: ServedResource, info: ResourceRequestInfo): Handler {
  const verbs = verbsAt(resource, info.subresource);
  if (verbs === undefined) throw pathNotFound();
  const verb = info.verb as Verb;
  const handler = info.subresource === undefined ? handlers[verb] : subresourceHandlers[info.subresource as SubresourceName][verb];
  if (handler === undefined || !verbs.has(verb)) {
    throw methodNotAllowed(info.verb, { group: resource.group, resource: resource.plural, kind: resource.kind.names.kind });
  }
  return handler;
}

/** Not async itself: the handler's promise is the answer (one promise less per request). */
export function handleResourceRequest(req: ResourceRequest): Promise<Reply> {
  try {
    return handlerFor(req.resource, req.info)(req);
  } catch (error) {
    return Promise.reject(error);
  }
}
