/**
 * The service's error answers as Kubernetes reasons: 404 NotFound, 409/412 Conflict (409 on a
 * create: AlreadyExists), 400/422 Invalid with the service's own message, 429/502/503/504
 * ServiceUnavailable with a Retry-After, any other 5xx InternalError. A 5xx body is never
 * shown (it may be a stack trace); a 4xx message is, with every credential value blanked.
 */
import { StoreError, type StoreErrorReason } from '../../core/types/errors.ts';
import { NOT_JSON, type ServiceResponse } from './client.ts';
import { isObject } from './pointer.ts';

export interface ErrorContext {
  /** e.g. `create zones ops/eu`. */
  action: string;
  creating?: boolean;
  /** Credential values to blank out of any message. */
  secrets: readonly string[];
}

export function errorFromResponse(res: ServiceResponse, ctx: ErrorContext): StoreError {
  const { status } = res;
  const said = serviceMessage(res, ctx.secrets);
  const detail = said ? `: ${said}` : '';
  if (status === 404) return new StoreError('NotFound', `${ctx.action}: not found${detail}`);
  if (status === 409 && ctx.creating) return new StoreError('AlreadyExists', `${ctx.action}: already exists${detail}`);
  if (status === 409 || status === 412) {
    return new StoreError('Conflict', `${ctx.action}: the object has been modified; please apply your changes to the latest version and try again${detail}`);
  }
  if (status === 400 || status === 422) {
    const message = said || `the service refused the object (HTTP ${status})`;
    return new StoreError('Invalid', `${ctx.action}: ${message}`, { causes: [{ reason: 'FieldValueInvalid', message }] });
  }
  if (status === 401 || status === 403) return new StoreError('InternalError', `${ctx.action}: the service refused kindred's credentials (HTTP ${status})`);
  if (status === 429 || status === 502 || status === 503 || status === 504) {
    return new StoreError('ServiceUnavailable', `${ctx.action}: the service is unavailable (HTTP ${status})`, { retryAfterSeconds: retryAfter(res) });
  }
  const reason: StoreErrorReason = 'InternalError';
  return new StoreError(reason, `${ctx.action}: the service answered HTTP ${status}`);
}

/** A body that should have been a record or a list was not. */
export function malformed(action: string, what: string): StoreError {
  return new StoreError('InternalError', `${action}: the service answered with ${what}`);
}

/** The message a 4xx body carries: `message`, `error`, `detail` or `title`, or a short text body. */
function serviceMessage(res: ServiceResponse, secrets: readonly string[]): string {
  if (res.status >= 500) return '';
  let message = '';
  if (isObject(res.body)) {
    for (const key of ['message', 'error', 'detail', 'title']) {
      const value = res.body[key];
      if (typeof value === 'string' && value.trim()) {
        message = value.trim();
        break;
      }
    }
  } else if (res.body === NOT_JSON && res.text.length <= 500 && !/<[a-z!]/i.test(res.text)) {
    message = res.text.trim();
  }
  return redact(message.slice(0, 1000), secrets);
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.replaceAll(secret, '[redacted]');
  return out;
}

function retryAfter(res: ServiceResponse): number {
  const header = Number(res.headers['retry-after']);
  return Number.isFinite(header) && header >= 1 ? Math.min(Math.ceil(header), 300) : 1;
}
