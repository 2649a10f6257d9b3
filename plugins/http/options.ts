/**
 * The `http` plugin's options: their JSON Schema (checked, with defaults, when config loads)
 * and their type. Only `url` is required; every other option has the default that fits a
 * plain JSON CRUD service (json-server and most others):
 *
 *   GET {url}  GET|PUT|DELETE {url}/{name}  POST {url}
 *   record: {id: name, namespace?, metadata?: {labels, annotations, ...}, status?: {...}, ...spec}
 */

export interface SecretKeyRef {
  namespace: string;
  name: string;
  key: string;
}

/** A credential is read from a file or a Kubernetes Secret, never written into the config. */
export interface CredentialRef {
  file?: string;
  secret?: SecretKeyRef;
}

export interface HttpOptions {
  /** The collection URL; may contain `{namespace}`. http or https. */
  url: string;
  /** Per-verb URL templates (`{name}`, `{namespace}`), absolute or relative to `url`'s origin. */
  paths?: { list?: string; get?: string; create?: string; update?: string; delete?: string };
  /** Extra query parameters on list requests, as templates (`{namespace}`). */
  listQuery?: Record<string, string>;
  /** JSON pointer to the array of records in a list response ('' = the body is the array). */
  items?: string;
  /** Where each part of an object lives in a record, as JSON pointers. */
  fields?: {
    name?: string;
    namespace?: string;
    status?: string;
    metadata?: string;
    /** Unset (default): every field not mapped elsewhere is spec. */
    spec?: string;
    /** A field the service bumps on every change; default: a hash of the record's content. */
    version?: string;
  };
  /** `ifMatch`: writes carry the item's ETag in If-Match (the service must honour it). */
  concurrency?: 'readCompareWrite' | 'ifMatch';
  pagination?: {
    type: 'none' | 'link' | 'cursor' | 'page';
    limit?: number;
    limitParam?: string;
    pageParam?: string;
    firstPage?: number;
    cursorParam?: string;
    /** JSON pointer to the next cursor in a list response. */
    nextCursor?: string;
  };
  auth?: {
    bearerToken?: CredentialRef;
    basic?: { username: string; password: CredentialRef };
    /** Header values that are not secret. */
    headers?: Record<string, string>;
    /** Header values that are secret. */
    secretHeaders?: Record<string, CredentialRef>;
  };
  tls?: { caFile?: string; certFile?: string; keyFile?: string; serverName?: string };
  /**
   * A server-sent-events endpoint (absolute, or relative to `url`'s origin) whose every event
   * means "something changed": watches see changes at once rather than at the next poll.
   */
  changeEvents?: string;
  /** Namespaces to list when the kind is listed across namespaces and `url` contains `{namespace}`. */
  namespaces?: string[];
  pollIntervalSeconds?: number;
  timeoutSeconds?: number;
  retries?: number;
  maxConcurrentRequests?: number;
  circuitBreaker?: { failureThreshold?: number; openSeconds?: number };
  watchWindow?: number;
}

const pointer = { type: 'string', pattern: '^(/([^~]|~[01])*)*$' };
const template = { type: 'string', minLength: 1 };
const credential = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: {
    file: { type: 'string', minLength: 1, description: 'a file holding the value; re-read when it changes' },
    secret: {
      type: 'object',
      additionalProperties: false,
      required: ['namespace', 'name', 'key'],
      properties: { namespace: { type: 'string' }, name: { type: 'string' }, key: { type: 'string' } },
    },
  },
};

export const httpOptionsSchema: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: { type: 'string', pattern: '^https?://[^/@]+(/.*)?$', description: 'the collection URL (credentials never go in it)' },
    paths: {
      type: 'object',
      additionalProperties: false,
      properties: { list: template, get: template, create: template, update: template, delete: template },
    },
    listQuery: { type: 'object', additionalProperties: { type: 'string' } },
    items: { ...pointer, default: '' },
    fields: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: { ...pointer, minLength: 1 },
        namespace: { ...pointer, minLength: 1 },
        status: { ...pointer, minLength: 1 },
        metadata: { ...pointer, minLength: 1 },
        spec: { ...pointer, minLength: 1 },
        version: { ...pointer, minLength: 1 },
      },
    },
    concurrency: { type: 'string', enum: ['readCompareWrite', 'ifMatch'], default: 'readCompareWrite' },
    pagination: {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: {
        type: { type: 'string', enum: ['none', 'link', 'cursor', 'page'] },
        limit: { type: 'integer', minimum: 1, maximum: 10000 },
        limitParam: { type: 'string', minLength: 1 },
        pageParam: { type: 'string', minLength: 1 },
        firstPage: { type: 'integer', minimum: 0 },
        cursorParam: { type: 'string', minLength: 1 },
        nextCursor: pointer,
      },
    },
    auth: {
      type: 'object',
      additionalProperties: false,
      properties: {
        bearerToken: credential,
        basic: {
          type: 'object',
          additionalProperties: false,
          required: ['username', 'password'],
          properties: { username: { type: 'string' }, password: credential },
        },
        headers: { type: 'object', additionalProperties: { type: 'string' } },
        secretHeaders: { type: 'object', additionalProperties: credential },
      },
    },
    tls: {
      type: 'object',
      additionalProperties: false,
      dependentRequired: { certFile: ['keyFile'], keyFile: ['certFile'] },
      properties: { caFile: { type: 'string' }, certFile: { type: 'string' }, keyFile: { type: 'string' }, serverName: { type: 'string' } },
    },
    changeEvents: { type: 'string', minLength: 1, description: 'a server-sent-events endpoint; any event triggers a list' },
    namespaces: { type: 'array', items: { type: 'string', minLength: 1 } },
    pollIntervalSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 3600, default: 5 },
    timeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 300, default: 10 },
    retries: { type: 'integer', minimum: 0, maximum: 10, default: 2 },
    maxConcurrentRequests: { type: 'integer', minimum: 1, maximum: 1000, default: 8 },
    circuitBreaker: {
      type: 'object',
      additionalProperties: false,
      properties: {
        failureThreshold: { type: 'integer', minimum: 1, default: 5 },
        openSeconds: { type: 'number', exclusiveMinimum: 0, default: 5 },
      },
    },
    watchWindow: { type: 'integer', minimum: 1, default: 1000 },
  },
};
