/**
 * Bearer tokens checked by kube-apiserver with a TokenReview (k8s.io/apiserver's delegating
 * authenticator, `authentication.k8s.io/v1`). Answers are cached per token for a TTL (10 s by
 * default, as `--authentication-token-webhook-cache-ttl`), so a client's burst of requests
 * costs one review; tokens are kept only as their SHA-256.
 */
import { createHash } from 'node:crypto';
import type { UserInfo } from '../types/storage.ts';
import type { Authenticator } from './types.ts';
import { TtlCache } from './ttl-cache.ts';

/** Posts a TokenReview and returns kube-apiserver's answer object. */
export type TokenReviewer = (review: Record<string, unknown>) => Promise<{ status: number; body: unknown }>;

export interface TokenReviewOptions {
  review: TokenReviewer;
  /** How long an answer (either way) is reused; default 10 s. */
  cacheTtlMs?: number;
  /** Audiences to ask for (`--authentication-audiences`); empty means the API server's own. */
  audiences?: string[];
  now?: () => number;
}

interface ReviewStatus {
  authenticated?: boolean;
  user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
  error?: string;
}

export function tokenReviewAuthenticator(options: TokenReviewOptions): Authenticator {
  const ttl = options.cacheTtlMs ?? 10_000;
  const cache = new TtlCache<UserInfo | null>(options.now ? { now: options.now } : {});
  return async ({ headers }) => {
    const token = bearerToken(headers.authorization);
    if (!token) return undefined;
    const key = createHash('sha256').update(token).digest('hex');
    const cached = cache.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const spec: Record<string, unknown> = { token };
    if (options.audiences && options.audiences.length > 0) spec.audiences = options.audiences;
    const answer = await options.review({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec });
    // A failed review (kube-apiserver down, RBAC missing) is not an answer: do not cache it.
    if (answer.status !== 200 && answer.status !== 201) throw new Error(`TokenReview failed: HTTP ${answer.status}`);
    const status = ((answer.body as { status?: ReviewStatus } | undefined)?.status ?? {}) as ReviewStatus;
    const user = status.authenticated && status.user?.username ? toUser(status.user.username, status.user) : null;
    cache.set(key, user, ttl);
    return user ?? undefined;
  };
}

function toUser(username: string, user: NonNullable<ReviewStatus['user']>): UserInfo {
  return {
    username,
    groups: [...(user.groups ?? [])],
    ...(user.uid ? { uid: user.uid } : {}),
    ...(user.extra && Object.keys(user.extra).length > 0 ? { extra: user.extra } : {}),
  };
}

/** RFC 6750: `Bearer <token>`, scheme case-insensitive. */
function bearerToken(header: string | undefined): string | undefined {
  const match = /^bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
