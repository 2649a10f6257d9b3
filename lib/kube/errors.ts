/**
 * Turning kube-apiserver's answers into StoreErrors, so a kind backed by a Kubernetes
 * object fails the way the backing object failed: 404 NotFound, 409 Conflict or
 * AlreadyExists (never retried: the client must see it), 422 Invalid with its causes.
 *
 * `redact` lets a plugin whose objects hold secrets keep kube-apiserver's messages (which
 * may quote a value back) out of what the client and the logs see.
 */
import { StoreError, type StoreErrorCause, type StoreErrorReason } from '../../core/types/errors.ts';
import type { KubeResponse } from './client.ts';
import { UnreachableError } from './unreachable.ts';

/** How long a client should wait before retrying when the backing API is unavailable. */
export const RETRY_AFTER_SECONDS = 5;

interface StatusBody {
  reason?: string;
  message?: string;
  details?: { causes?: { reason?: string; message?: string; field?: string }[] };
}

const byCode: Record<number, StoreErrorReason> = {
  400: 'BadRequest',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  410: 'Expired',
  422: 'Invalid',
  429: 'ServiceUnavailable',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export interface ErrorContext {
  /** What was being done, for the message: e.g. `create helmreleases apps/pg-a`. */
  action: string;
  /** Replace kube-apiserver's message and causes with generic ones (secret-holding objects). */
  redact?: boolean;
}

/** The StoreError for a non-2xx answer. */
export function errorFromResponse(res: KubeResponse, ctx: ErrorContext): StoreError {
  const status = (res.body ?? {}) as StatusBody;
  let reason: StoreErrorReason = byCode[res.status] ?? (res.status >= 500 ? 'ServiceUnavailable' : 'InternalError');
  // 409 means two things in Kubernetes; the Status reason tells which.
  if (res.status === 409 && status.reason === 'AlreadyExists') reason = 'AlreadyExists';
  const message = ctx.redact ? `${ctx.action}: ${reason}` : (status.message ?? `${ctx.action}: HTTP ${res.status}`);
  const causes: StoreErrorCause[] = ctx.redact
    ? []
    : (status.details?.causes ?? []).map((c) => ({
        reason: c.reason ?? 'FieldValueInvalid',
        message: c.message ?? '',
        ...(c.field ? { field: c.field } : {}),
      }));
  const retryAfterSeconds = reason === 'ServiceUnavailable' || reason === 'Timeout' ? (res.retryAfterSeconds ?? RETRY_AFTER_SECONDS) : undefined;
  return new StoreError(reason, message, { causes, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) });
}

/** Any error from a call to kube-apiserver: unreachable becomes ServiceUnavailable; StoreErrors pass. */
export function errorFromFailure(error: unknown, ctx: ErrorContext): Error {
  if (error instanceof UnreachableError) return unavailable(ctx.action, error);
  return error instanceof Error ? error : new Error(String(error));
}

export function unavailable(what: string, cause?: unknown): StoreError {
  return new StoreError('ServiceUnavailable', `${what}: the backing Kubernetes API is unavailable`, {
    retryAfterSeconds: RETRY_AFTER_SECONDS,
    cause,
  });
}
