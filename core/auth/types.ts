/** Authentication and authorization as pluggable steps of the request pipeline. */
import type { TLSSocket } from 'node:tls';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestInfo } from '../request-info.ts';
import type { UserInfo } from '../types/storage.ts';

/** What an authenticator may look at: the TLS connection and the headers. */
export interface AuthenticationInput {
  /**
   * The connection's TLS socket: the same object for every request on one connection, so
   * authenticators may remember what they found per connection (core/auth/x509.ts).
   */
  socket: TLSSocket | undefined;
  headers: IncomingHttpHeaders;
  /** Every value of a header that may repeat (X-Remote-Group), not joined with ", ". */
  headerValues(name: string): string[];
}

/**
 * A value now, or a promise of one. Authentication and authorization run on every request,
 * and most answers are at hand (a connection's certificate, a cached review): those are
 * returned as they are, and only a step that must wait (TokenReview, SubjectAccessReview)
 * hands back a promise, which spares every other request a promise and an async hop (issue 15).
 */
export type MaybePromise<T> = T | Promise<T>;

export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return value instanceof Promise;
}

/** Returns the user, or undefined when this authenticator does not recognise the request. */
export type Authenticator = (input: AuthenticationInput) => MaybePromise<UserInfo | undefined>;

export interface AuthorizationDecision {
  allowed: boolean;
  reason?: string;
}

export type Authorizer = (user: UserInfo, info: RequestInfo) => MaybePromise<AuthorizationDecision>;

const ALLOWED: AuthorizationDecision = Object.freeze({ allowed: true });

/** Standalone mode: every authenticated user may do everything. */
export const allowAll: Authorizer = () => ALLOWED;
