/**
 * What every resource handler receives and returns. Handlers know nothing of Koa: they
 * read a ResourceRequest and return a Reply, and core/server.ts writes it.
 */
import type { ResourceRequestInfo } from '../request-info.ts';
import type { RegistrySnapshot, ServedResource } from '../registry.ts';
import { methodNotAllowed, type ResourceRef } from '../status.ts';
import type { RequestContext, Storage, UserInfo, Verb } from '../types/storage.ts';
import type { NamespaceAdmission } from '../admission/namespace-lifecycle.ts';
import type { WatchBacklogLimits } from './watch-backlog.ts';

export interface ResourceRequest {
  readonly info: ResourceRequestInfo;
  readonly resource: ServedResource;
  readonly snapshot: RegistrySnapshot;
  readonly user: UserInfo;
  /** Aborted when the client disconnects. */
  readonly signal: AbortSignal;
  readonly accept: string | undefined;
  /** The media type of the body, lower-case, without parameters ('' when absent). */
  readonly contentType: string;
  /** The User-Agent header ('' when absent): names the field manager when the client names none. */
  readonly userAgent: string;
  /** The raw body; reading it enforces the size limit. */
  readonly body: () => Promise<Buffer>;
  readonly now: () => Date;
  /** Namespace lifecycle admission (aggregated mode): refuses creates in missing or terminating namespaces. */
  readonly namespaceAdmission?: NamespaceAdmission;
  /** Warning headers to send (RFC 7234 299 warnings, as kube-apiserver sends them). */
  readonly warnings: string[];
  /** How far a watch's client may fall behind before its watch is closed (default DEFAULT_WATCH_BACKLOG). */
  readonly watchBacklog?: WatchBacklogLimits;
}

export type Reply =
  | { status: number; body: unknown }
  /** JSON already encoded: one buffer, or pieces sent in order (a large list, streamed). */
  | { status: number; json: Buffer | readonly Buffer[] }
  | {
      status: number;
      stream: AsyncIterable<string>;
      contentType: string;
      /** Aborted, with the reason, when the client has fallen too far behind: the writer closes the stream. */
      stalled?: AbortSignal;
    };

export function storeContext(req: ResourceRequest): RequestContext {
  // The signal is made on first use (core/server.ts): most stores never read it.
  return {
    user: req.user,
    get signal() {
      return req.signal;
    },
  };
}

/** The names error messages need, for this request and an optional object name. */
export function refOf(req: ResourceRequest, name?: string): ResourceRef {
  const ref: ResourceRef = { group: req.resource.group, resource: req.resource.plural, kind: req.resource.kind.names.kind };
  const n = name ?? req.info.name;
  if (n !== undefined) ref.name = n;
  return ref;
}

/**
 * The resource's store as the capability a handler needs (a `can*` guard from the contract).
 * The router only dispatches verbs the store serves, so this throws only when a handler
 * needs a capability its verb does not imply: the 405 a kube-apiserver gives.
 */
export function storeWith<C>(req: ResourceRequest, can: (store: Storage) => store is Storage & C, verb: Verb): Storage & C {
  const store = req.resource.store;
  if (!can(store)) throw methodNotAllowed(verb, refOf(req));
  return store;
}
