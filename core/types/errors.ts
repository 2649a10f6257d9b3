/**
 * Errors a store raises. A store never builds HTTP responses: it throws a StoreError
 * whose reason is one of Kubernetes' StatusReasons, and core/status.ts turns it into a
 * metav1.Status with the code, message and details kube-apiserver would send.
 */
export type StoreErrorReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Expired'
  | 'Gone'
  | 'ResourceVersionTooLarge'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'Forbidden'
  | 'InternalError';

export interface StoreErrorCause {
  /** e.g. FieldValueInvalid, FieldValueRequired, FieldValueTooLong */
  reason: string;
  message: string;
  /** The field path, e.g. `metadata.name` or `spec.size`. */
  field?: string;
}

export class StoreError extends Error {
  readonly reason: StoreErrorReason;
  readonly causes: StoreErrorCause[];
  /** For ServiceUnavailable and Timeout: how long the client should wait before retrying. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    reason: StoreErrorReason,
    message: string,
    options: { causes?: StoreErrorCause[]; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'StoreError';
    this.reason = reason;
    this.causes = options.causes ?? [];
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** True for a StoreError, also one created by a plugin loaded with another copy of kindred. */
export function isStoreError(error: unknown): error is StoreError {
  return error instanceof StoreError || (error instanceof Error && error.name === 'StoreError' && 'reason' in error);
}

/** The Conflict message of a write whose resourceVersion precondition failed (apimachinery's OptimisticLockErrorMsg). */
export const STALE_OBJECT = 'the object has been modified; please apply your changes to the latest version and try again';

/**
 * Checks metav1.Preconditions against the stored object, worded as apimachinery's
 * Preconditions.Check words them; throws StoreError('Conflict') when one does not match.
 * Core checks them before a delete; a store checks them again at its write (the object
 * may have changed in between), with this same function.
 */
export function checkPreconditions(preconditions: { uid?: string; resourceVersion?: string }, stored: { metadata: { uid?: string; resourceVersion?: string } }): void {
  const { uid, resourceVersion } = preconditions;
  if (uid !== undefined && uid !== stored.metadata.uid) {
    throw new StoreError('Conflict', `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${stored.metadata.uid ?? ''}`);
  }
  if (resourceVersion !== undefined && resourceVersion !== stored.metadata.resourceVersion) {
    throw new StoreError(
      'Conflict',
      `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${stored.metadata.resourceVersion ?? ''}`,
    );
  }
}
