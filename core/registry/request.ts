/**
 * What the registry layer (core/registry/) works with: one request about one served
 * resource, without its HTTP side (media types, the body). The handlers decode a request,
 * call the registry, and encode what it returns; the registry holds the rules between a
 * client's intent and a store call (generateName retries, read-modify-write, finalizers,
 * preconditions, schema admission, managedFields), as k8s.io/apiserver's registry/generic.
 */
import type { ResourceRequestInfo } from '../request-info.ts';
import type { ServedResource } from '../served-resource.ts';
import { methodNotAllowed, type ResourceRef } from '../status.ts';
import type { DeleteContext, RequestContext, Storage, UserInfo, Verb, WriteContext } from '../types/storage.ts';
import type { NamespaceAdmission } from '../admission/namespace-lifecycle.ts';

export interface RegistryRequest {
  readonly info: ResourceRequestInfo;
  readonly resource: ServedResource;
  readonly user: UserInfo;
  /** Aborted when the client disconnects. */
  readonly signal: AbortSignal;
  /** The User-Agent header ('' when absent): names the field manager when the client names none. */
  readonly userAgent: string;
  readonly now: () => Date;
  /** Namespace lifecycle admission (aggregated mode): refuses creates in missing or terminating namespaces. */
  readonly namespaceAdmission?: NamespaceAdmission;
  /** Warning headers to send (RFC 7234 299 warnings, as kube-apiserver sends them). */
  readonly warnings: string[];
  /**
   * Called with an error nobody converted to a Status (a plugin's TypeError, a bug of ours)
   * where it cannot propagate to the server's error middleware, e.g. once a watch streams.
   */
  readonly reportBug: (error: unknown) => void;
}

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** metav1 CreateOptions, UpdateOptions and PatchOptions, as the registry needs them. */
export interface WriteOptions {
  dryRun: boolean;
  fieldManager?: string;
  fieldValidation: FieldValidation;
}

/** metav1 DeleteOptions. */
export interface DeleteOptions {
  dryRun: boolean;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions: { uid?: string; resourceVersion?: string };
}

/**
 * What a store call gets: the user, and the request's signal, read only when the store asks
 * for it (the server makes a request's AbortController on first use, and making one costs
 * more than a whole GET of a cached object; issue 15). A class, with the signal a getter on
 * its prototype: an object literal with a getter makes V8 build a new hidden class per
 * request, which lived until the next full GC and made every scavenge slow.
 */
class StoreCall implements DeleteContext {
  readonly user: UserInfo;
  readonly #req: RegistryRequest;
  dryRun = false;
  preconditions: DeleteContext['preconditions'] = {};

  constructor(req: RegistryRequest) {
    this.user = req.user;
    this.#req = req;
  }

  get signal(): AbortSignal {
    return this.#req.signal;
  }
}

export function storeContext(req: RegistryRequest): RequestContext {
  return new StoreCall(req);
}

/** The context of a write: dryRun=All stores nothing. */
export function writeContext(req: RegistryRequest, dryRun: boolean): WriteContext {
  const call = new StoreCall(req);
  call.dryRun = dryRun;
  return call;
}

/** The context of a delete: the store checks the preconditions at its write. */
export function deleteContext(req: RegistryRequest, dryRun: boolean, preconditions: DeleteContext['preconditions']): DeleteContext {
  const call = new StoreCall(req);
  call.dryRun = dryRun;
  call.preconditions = preconditions;
  return call;
}

/** The names error messages need, for this request and an optional object name. */
export function refOf(req: Pick<RegistryRequest, 'resource' | 'info'>, name?: string): ResourceRef {
  const ref: ResourceRef = { group: req.resource.group, resource: req.resource.plural, kind: req.resource.kind.names.kind };
  const n = name ?? req.info.name;
  if (n !== undefined) ref.name = n;
  return ref;
}

/**
 * The resource's store as the capability a call needs (a `can*` guard from the contract).
 * The router only dispatches verbs the store serves, so this throws only when a handler
 * needs a capability its verb does not imply: the 405 a kube-apiserver gives.
 */
export function storeWith<C>(req: RegistryRequest, can: (store: Storage) => store is Storage & C, verb: Verb): Storage & C {
  const store = req.resource.store;
  if (!can(store)) throw methodNotAllowed(verb, refOf(req));
  return store;
}
