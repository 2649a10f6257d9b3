/**
 * Authorization by kube-apiserver: one SubjectAccessReview per distinct question
 * (k8s.io/apiserver `plugin/pkg/authorizer/webhook`), with allowed and denied answers cached
 * apart (`--authorization-webhook-cache-authorized-ttl` / `-unauthorized-ttl`, 10 s each by
 * default). `system:masters` is allowed without asking, as k8s.io/apiserver's privileged-group
 * authorizer does: the aggregator's availability and discovery checks come as that group.
 */
import type { RequestInfo } from '../request-info.ts';
import type { UserInfo } from '../types/storage.ts';
import type { AuthorizationDecision, Authorizer } from './types.ts';
import { TtlCache } from './ttl-cache.ts';

/** Posts a SubjectAccessReview and returns kube-apiserver's answer. */
export type AccessReviewer = (review: Record<string, unknown>) => Promise<{ status: number; body: unknown }>;

export interface SubjectAccessReviewOptions {
  review: AccessReviewer;
  allowCacheTtlMs?: number;
  denyCacheTtlMs?: number;
  /** Groups allowed everything without a review; default `system:masters`. */
  privilegedGroups?: readonly string[];
  now?: () => number;
}

interface ReviewStatus {
  allowed?: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

export function subjectAccessReviewAuthorizer(options: SubjectAccessReviewOptions): Authorizer {
  const allowTtl = options.allowCacheTtlMs ?? 10_000;
  const denyTtl = options.denyCacheTtlMs ?? 10_000;
  const privileged = options.privilegedGroups ?? ['system:masters'];
  const cache = new TtlCache<AuthorizationDecision>(options.now ? { now: options.now } : {});
  // Privileged users and cached decisions are answered at once; only a review waits.
  const ask = async (spec: Record<string, unknown>, key: string): Promise<AuthorizationDecision> => {
    const answer = await options.review({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec });
    // An error is not a denial to remember: the next request asks again.
    if (answer.status !== 200 && answer.status !== 201) throw new Error(`SubjectAccessReview failed: HTTP ${answer.status}`);
    const status = ((answer.body as { status?: ReviewStatus } | undefined)?.status ?? {}) as ReviewStatus;
    const decision: AuthorizationDecision = { allowed: status.allowed === true && status.denied !== true };
    if (status.reason) decision.reason = status.reason;
    cache.set(key, decision, decision.allowed ? allowTtl : denyTtl);
    return decision;
  };
  return (user, info) => {
    if (user.groups.some((g) => privileged.includes(g))) return PRIVILEGED;
    const spec = reviewSpec(user, info);
    const key = JSON.stringify(spec);
    return cache.get(key) ?? ask(spec, key);
  };
}

const PRIVILEGED: AuthorizationDecision = Object.freeze({ allowed: true });

/** The review's spec: who, and either the resource attributes or the non-resource path. */
export function reviewSpec(user: UserInfo, info: RequestInfo): Record<string, unknown> {
  const spec: Record<string, unknown> = { user: user.username, groups: user.groups };
  if (user.uid) spec.uid = user.uid;
  if (user.extra && Object.keys(user.extra).length > 0) spec.extra = user.extra;
  if (!info.isResourceRequest) {
    spec.nonResourceAttributes = { path: info.path, verb: info.verb };
    return spec;
  }
  const attributes: Record<string, string> = { verb: info.verb, group: info.group, version: info.version, resource: info.resource };
  if (info.namespace) attributes.namespace = info.namespace;
  if (info.subresource) attributes.subresource = info.subresource;
  if (info.name) attributes.name = info.name;
  spec.resourceAttributes = attributes;
  return spec;
}
