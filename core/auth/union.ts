/**
 * The authenticator chain (k8s.io/apiserver `authentication/request/union` plus the
 * anonymous fallback): each authenticator is asked in order and the first that recognises
 * the request wins. Every authenticated user gets `system:authenticated`, which RBAC and
 * SubjectAccessReview expect and some callers (the aggregator's OpenAPI download as
 * `system:aggregator`) do not send.
 */
import type { UserInfo } from '../types/storage.ts';
import { isPromise, type AuthenticationInput, type Authenticator, type MaybePromise } from './types.ts';

export interface UnionOptions {
  /** `--anonymous-auth`: unrecognised requests become `system:anonymous` instead of 401. */
  anonymous?: boolean;
  /** Called when an authenticator throws (e.g. TokenReview unreachable); the next one is tried. */
  onError?: (error: unknown) => void;
}

export const ANONYMOUS: UserInfo = Object.freeze({ username: 'system:anonymous', groups: ['system:unauthenticated'] }) as UserInfo;

export function unionAuthenticator(authenticators: readonly Authenticator[], options: UnionOptions = {}): Authenticator {
  // Synchronous while the authenticators answer synchronously (certificates, front-proxy
  // headers); from the first one that hands back a promise (TokenReview) on, asynchronous.
  const from = (input: AuthenticationInput, start: number, failure: unknown): MaybePromise<UserInfo | undefined> => {
    for (let i = start; i < authenticators.length; i++) {
      let found: MaybePromise<UserInfo | undefined>;
      try {
        found = authenticators[i]!(input);
      } catch (error) {
        failure ??= error;
        options.onError?.(error);
        continue;
      }
      if (isPromise(found)) {
        return found.then(
          (user) => (user ? withAuthenticatedGroup(user) : from(input, i + 1, failure)),
          (error: unknown) => {
            options.onError?.(error);
            return from(input, i + 1, failure ?? error);
          },
        );
      }
      if (found) return withAuthenticatedGroup(found);
    }
    // A request that presented credentials that failed or could not be checked is not
    // anonymous: 401, as k8s.io/apiserver's union.NewFailOnError(…, anonymous) answers.
    if (failure !== undefined || input.headers.authorization) return undefined;
    return options.anonymous ? { ...ANONYMOUS, groups: [...ANONYMOUS.groups] } : undefined;
  };
  return (input) => from(input, 0, undefined);
}

function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes('system:authenticated')) return user;
  return { ...user, groups: [...user.groups, 'system:authenticated'] };
}
