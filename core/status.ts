/**
 * metav1.Status errors. Every failure a client sees is a StatusError; `toStatusError` is the
 * one place that turns anything thrown (a plugin's StoreError, a bug) into one, with the
 * messages kube-apiserver uses (apimachinery `pkg/api/errors/errors.go`).
 */
import { isStoreError, STALE_OBJECT, type StoreError, type StoreErrorCause } from './types/errors.ts';
import { aggregateText, fieldErrorText, toCause, type FieldError } from './field-errors.ts';

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StoreErrorCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  /** ListMeta: only an expired continue token's answer fills it (a `continue` over the current state). */
  metadata: { continue?: string };
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

export class StatusError extends Error {
  readonly status: Status;
  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'StatusError';
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
    if (details) this.status.details = details;
  }
  get code(): number {
    return this.status.code;
  }
}

/** What a failing request was about: used to word messages and fill `details`. */
export interface ResourceRef {
  group: string;
  /** plural resource name, e.g. `postgreses` */
  resource: string;
  kind: string;
  name?: string;
}

function qualified(ref: ResourceRef): string {
  return ref.group ? `${ref.resource}.${ref.group}` : ref.resource;
}

export const badRequest = (message: string): StatusError => new StatusError(400, 'BadRequest', message);

export const notFound = (ref: ResourceRef): StatusError =>
  new StatusError(404, 'NotFound', `${qualified(ref)} "${ref.name ?? ''}" not found`, {
    name: ref.name ?? '',
    group: ref.group,
    kind: ref.resource,
  });

/** 404 for a path that names nothing served. */
export const pathNotFound = (): StatusError =>
  new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});

export const alreadyExists = (ref: ResourceRef): StatusError =>
  new StatusError(409, 'AlreadyExists', `${qualified(ref)} "${ref.name ?? ''}" already exists`, {
    name: ref.name ?? '',
    group: ref.group,
    kind: ref.resource,
  });

export const conflict = (ref: ResourceRef, why: string): StatusError =>
  new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(ref)} "${ref.name ?? ''}": ${why}`, {
    name: ref.name ?? '',
    group: ref.group,
    kind: ref.resource,
  });

export { STALE_OBJECT } from './types/errors.ts';

/** 422 with one cause per field error, worded like errors.NewInvalid. */
export function invalid(ref: { group: string; kind: string; name?: string }, errors: FieldError[]): StatusError {
  const kindText = ref.group ? `${ref.kind}.${ref.group}` : ref.kind;
  return new StatusError(
    422,
    'Invalid',
    `${kindText} "${ref.name ?? ''}" is invalid: ${aggregateText(errors.map(fieldErrorText))}`,
    { name: ref.name ?? '', group: ref.group, kind: ref.kind, causes: errors.map(toCause) },
  );
}

export const methodNotAllowed = (verb: string, ref: ResourceRef): StatusError =>
  new StatusError(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${qualified(ref)}"`, {});

export const notAcceptable = (accepted: string[]): StatusError =>
  new StatusError(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`, {});

export const unsupportedMediaType = (contentType: string, accepted: string[]): StatusError =>
  new StatusError(
    415,
    'UnsupportedMediaType',
    contentType
      ? `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`
      : `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    {},
  );

export const expired = (message: string): StatusError => new StatusError(410, 'Expired', message, {});

/** errors.NewRequestEntityTooLargeError: "Request entity too large: <detail>". */
export const entityTooLarge = (detail: string): StatusError =>
  new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: ${detail}`, {});

/** A body over the limit, worded as handlers/rest.go `limitedReadBody` words it. */
export const requestTooLarge = (limitBytes: number): StatusError => entityTooLarge(`limit is ${limitBytes}`);

export const unauthorized = (): StatusError => new StatusError(401, 'Unauthorized', 'Unauthorized', {});

export const internalError = (message: string): StatusError =>
  new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ reason: '', message }] });

export function serviceUnavailable(message: string, retryAfterSeconds = 1): StatusError {
  return new StatusError(503, 'ServiceUnavailable', message, { retryAfterSeconds });
}

export function tooLargeResourceVersion(requested?: string, current?: string): StatusError {
  const message = requested === undefined ? 'Too large resource version' : `Too large resource version: ${requested}, current: ${current ?? ''}`;
  return new StatusError(504, 'Timeout', message, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
}

/** The Status of a store's coded error: the one mapping from StoreError reasons to Kubernetes codes and messages. */
export function storeErrorStatus(error: StoreError, ref: ResourceRef | undefined): StatusError {
  const r: ResourceRef = ref ?? { group: '', resource: '', kind: '' };
  switch (error.reason) {
    case 'NotFound':
      return notFound(r);
    case 'AlreadyExists':
      return alreadyExists(r);
    case 'Conflict':
      return conflict(r, error.message || STALE_OBJECT);
    case 'Invalid':
      return new StatusError(
        422,
        'Invalid',
        `${r.group ? `${r.kind}.${r.group}` : r.kind} "${r.name ?? ''}" is invalid: ${aggregateText(
          error.causes.length > 0 ? error.causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)) : [error.message],
        )}`,
        { name: r.name ?? '', group: r.group, kind: r.kind, causes: error.causes },
      );
    case 'BadRequest':
      return badRequest(error.message);
    case 'Expired':
      return expired(error.message);
    case 'Gone':
      return new StatusError(410, 'Gone', error.message, {});
    case 'ResourceVersionTooLarge':
      return tooLargeResourceVersion();
    case 'ServiceUnavailable':
      return serviceUnavailable(error.message, error.retryAfterSeconds ?? 1);
    case 'Timeout':
      return new StatusError(504, 'Timeout', error.message, { retryAfterSeconds: error.retryAfterSeconds ?? 1 });
    case 'Forbidden':
      return new StatusError(403, 'Forbidden', error.message, { name: r.name ?? '', group: r.group, kind: r.resource });
    case 'InternalError':
      return internalError(error.message);
  }
}

/**
 * Turns anything thrown while serving a request into a StatusError. `ref` words messages
 * about the resource. `logBug` is called for errors nobody converted: those are bugs.
 * `isStoreError`, not `instanceof`: a plugin may have been built against another copy of
 * the contract.
 */
export function toStatusError(error: unknown, ref: ResourceRef | undefined, logBug: (error: unknown) => void): StatusError {
  if (error instanceof StatusError) return error;
  if (isStoreError(error)) return storeErrorStatus(error, ref);
  logBug(error);
  return internalError(error instanceof Error ? error.message : String(error));
}
