/**
 * The authenticator chain (k8s.io/apiserver `authentication/request/union` plus the
 * anonymous fallback): each authenticator is asked in order and the first that recognises
 * the request wins. Every authenticated user gets `system:authenticated`, which RBAC and
 * SubjectAccessReview expect and some callers (the aggregator's OpenAPI download as
 * `system:aggregator`) do not send.
 */
import type { UserInfo } from '../types/storage.ts';
import type { Authenticator } from './types.ts';

export interface UnionOptions {
  /** `--anonymous-auth`: unrecognised requests become `system:anonymous` instead of 401. */
  anonymous?: boolean;
  /** Called when an authenticator throws (e.g. TokenReview unreachable); the next one is tried. */
  onError?: (error: unknown) => void;
}

export const ANONYMOUS: UserInfo = Object.freeze({ username: 'system:anonymous', groups: ['system:unauthenticated'] }) as UserInfo;

export function unionAuthenticator(authenticators: readonly Authenticator[], options: UnionOptions = {}): Authenticator {
  return async (input) => {
    let failure: unknown;
    for (const authenticate of authenticators) {
      let user: UserInfo | undefined;
      try {
        user = await authenticate(input);
      } catch (error) {
        failure ??= error;
        options.onError?.(error);
        continue;
      }
      if (user) return withAuthenticatedGroup(user);
    }
    // A request that presented credentials that failed or could not be checked is not
    // anonymous: 401, as k8s.io/apiserver's union.NewFailOnError(…, anonymous) answers.
    if (failure !== undefined || input.headers.authorization) return undefined;
    return options.anonymous ? { ...ANONYMOUS, groups: [...ANONYMOUS.groups] } : undefined;
  };
}

function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes('system:authenticated')) return user;
  return { ...user, groups: [...user.groups, 'system:authenticated'] };
}
