/**
 * The service's REST API as the store uses it: every request authenticated and guarded
 * (deadline, retries, breaker, concurrency), one record read by name, a collection read
 * whole across its pages, and the service's error answers as StoreErrors.
 */
import { StoreError } from '../../core/types/errors.ts';
import type { KindDefinition } from '../../core/types/kind.ts';
import type { PluginLogger } from '../../core/types/storage.ts';
import { ChangeStream } from './change-stream.ts';
import { NOT_JSON, type ServiceClient, type ServiceResponse } from './client.ts';
import type { Credentials } from './credentials.ts';
import type { Endpoints } from './endpoints.ts';
import { errorFromResponse, malformed } from './errors.ts';
import type { GuardedResponse, RequestGuard } from './guard.ts';
import { canonicalJson, type RecordMapping } from './mapping.ts';
import type { HttpOptions } from './options.ts';
import { PageError, readAllPages } from './pages.ts';
import { isObject, type JsonObject } from './pointer.ts';

export interface ServiceParts {
  client: ServiceClient;
  guard: RequestGuard;
  credentials: Credentials;
  endpoints: Endpoints;
  mapping: RecordMapping;
  options: Pick<HttpOptions, 'items' | 'pagination' | 'concurrency'>;
}

/** A record as read by name, with the ETag the service sent for it. */
export interface Fetched {
  record: JsonObject;
  etag: string | undefined;
}

export interface SendOptions {
  body?: unknown;
  headers?: Record<string, string> | undefined;
  /** Retried after a failure: GET, and PUT/DELETE without If-Match. */
  idempotent?: boolean;
}

export class ServiceApi {
  readonly #kind: KindDefinition;
  readonly #parts: ServiceParts;

  constructor(kind: KindDefinition, parts: ServiceParts) {
    this.#kind = kind;
    this.#parts = parts;
  }

  get endpoints(): Endpoints {
    return this.#parts.endpoints;
  }

  async send(method: string, url: URL, what: string, signal: AbortSignal, options: SendOptions = {}): Promise<GuardedResponse> {
    const { credentials } = this.#parts;
    const sent = await credentials.headers();
    const result = await this.#sendWith(sent, method, url, what, signal, options);
    if (result.response.status !== 401) return result;
    // Refused: the credential may have been rotated. Read it again, and if it changed, send
    // once more (a 401 means the service did nothing, so even a POST may be sent again).
    credentials.refresh();
    const fresh = await credentials.headers();
    return canonicalJson(fresh) === canonicalJson(sent) ? result : await this.#sendWith(fresh, method, url, what, signal, options);
  }

  #sendWith(credentialHeaders: Record<string, string>, method: string, url: URL, what: string, signal: AbortSignal, options: SendOptions): Promise<GuardedResponse> {
    const { guard, client } = this.#parts;
    const headers = { ...credentialHeaders, ...options.headers };
    return guard.run(what, options.idempotent ?? false, signal, (timeoutMs) => client.send(method, url, { body: options.body, headers, signal, timeoutMs }));
  }

  /** GETs one record; undefined when the service has none by that name in that namespace. */
  async fetchItem(ns: string | undefined, name: string, signal: AbortSignal, what: string, creating = false): Promise<Fetched | undefined> {
    const { response } = await this.send('GET', this.#parts.endpoints.item('get', ns, name), what, signal, { idempotent: true });
    if (response.status === 404) return undefined;
    if (!ok(response)) throw this.error(response, what, creating);
    const record = response.body;
    if (!isObject(record)) throw malformed(what, response.body === NOT_JSON ? 'a body that is not JSON' : 'something that is not a record');
    const { mapping } = this.#parts;
    if (mapping.nameOf(record) !== name) return undefined;
    if (this.#kind.scope === 'Namespaced' && mapping.namespaceOf(record, ns) !== ns) {
      // The service's id is global: another namespace has a record of that name.
      if (creating) throw new StoreError('AlreadyExists', `${this.#kind.names.singular} "${name}" already exists in another namespace, and the service keys records by name alone`);
      return undefined;
    }
    const etag = response.headers.etag;
    return { record, etag: typeof etag === 'string' ? etag : undefined };
  }

  /** Every record of the collection (of one namespace, when the url has `{namespace}` or the service filters), all pages. */
  async listRecords(ns: string | undefined, signal: AbortSignal, what: string): Promise<unknown[]> {
    const { endpoints, options } = this.#parts;
    try {
      return await readAllPages(endpoints.list(ns), options.pagination, options.items ?? '', async (url) => {
        const { response } = await this.send('GET', url, what, signal, { idempotent: true });
        if (!ok(response)) throw this.error(response, what);
        return response;
      });
    } catch (error) {
      if (error instanceof PageError) throw malformed(what, error.message);
      throw error;
    }
  }

  /** The If-Match header for a write after reading `current`, with `concurrency: ifMatch`. */
  ifMatch(current: Fetched): Record<string, string> | undefined {
    return this.#parts.options.concurrency === 'ifMatch' && current.etag ? { 'If-Match': current.etag } : undefined;
  }

  error(res: ServiceResponse, what: string, creating = false): StoreError {
    return errorFromResponse(res, { action: what, creating, secrets: this.#parts.credentials.secrets() });
  }

  /** The service's change stream, when it has one (`changeEvents`), ringing `onChange`. */
  changeStream(onChange: () => void, log: PluginLogger): ChangeStream | undefined {
    const url = this.#parts.endpoints.changes();
    return url && new ChangeStream({ url, client: this.#parts.client, credentials: this.#parts.credentials, onChange, log });
  }

  close(): void {
    this.#parts.client.close();
  }
}

export function ok(res: ServiceResponse): boolean {
  return res.status >= 200 && res.status < 300;
}
