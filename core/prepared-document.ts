/** A response body computed once per snapshot, with its ETag. */
import { createHash } from 'node:crypto';

export interface PreparedDocument {
  readonly body: string;
  /** Quoted, as the ETag header carries it. */
  readonly etag: string;
}

export function prepareDocument(value: unknown): PreparedDocument {
  const body = JSON.stringify(value);
  const etag = `"${createHash('sha512').update(body).digest('hex').toUpperCase()}"`;
  return Object.freeze({ body, etag });
}
