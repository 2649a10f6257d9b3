/**
 * Drives the resource handlers in process through their request → reply seam
 * (core/handlers/request.ts), the way the server does but without TLS, Koa or a socket:
 * parse the URL into a RequestInfo, resolve the served resource in a snapshot, call
 * handleResourceRequest, and turn a thrown error into the Status the client would get.
 */
import type { KindDefinition, KindVersion } from '../../core/types/kind.ts';
import type { Storage } from '../../core/types/storage.ts';
import { buildSnapshot, kindKey, type RegistrySnapshot } from '../../core/snapshot.ts';
import { parseRequestInfo, type ResourceRequestInfo } from '../../core/request-info.ts';
import { handleResourceRequest, resolveResource } from '../../core/handlers/index.ts';
import type { ResourceRequest } from '../../core/handlers/request.ts';
import { toStatusError, type ResourceRef, type Status } from '../../core/status.ts';
import { MemoryStore } from '../../plugins/memory/store.ts';

export const GROUP = 'test.kindred.dev';

/** A namespaced Widget kind with a status subresource, a schema and a printer column. */
export function widgetKind(overrides: Partial<KindDefinition> = {}, version: Partial<KindVersion> = {}): KindDefinition {
  return {
    group: GROUP,
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList', shortNames: [], categories: [] },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer', minimum: 0, default: 1 } } },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
        additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
        subresources: { status: {} },
        ...version,
      },
    ],
    backend: { plugin: 'memory', options: {} },
    ...overrides,
  };
}

export interface Call {
  method: string;
  url: string;
  body?: unknown;
  contentType?: string;
  accept?: string;
  userAgent?: string;
}

/** What the client gets: a status and a JSON body, or the lines of a watch stream. */
export interface Answer {
  status: number;
  body: unknown;
  lines?: unknown[];
  warnings: string[];
}

export interface Harness {
  readonly snapshot: RegistrySnapshot;
  readonly store: Storage;
  /** Errors the handlers reported as bugs (req.reportBug). */
  readonly bugs: unknown[];
  /** Serves one call; a watch is read until `watchEvents` lines have arrived or it ends. */
  call(call: Call, options?: { watchEvents?: number }): Promise<Answer>;
  /** Like `call`, but the answer must be a Status: returns it. */
  status(call: Call): Promise<Status>;
}

/** A snapshot serving `kind` from `store` (a fresh MemoryStore by default). */
export function harness(kind: KindDefinition = widgetKind(), store: Storage = new MemoryStore(kind), now = () => new Date('2026-01-02T03:04:05Z')): Harness {
  const snapshot = buildSnapshot([kind], new Map([[kindKey(kind), store]]));
  const bugs: unknown[] = [];
  const call = async (c: Call, options: { watchEvents?: number } = {}): Promise<Answer> => {
    const info = parseRequestInfo(c.method, c.url);
    if (!info.isResourceRequest) throw new Error(`not a resource URL: ${c.url}`);
    // What the server's error middleware words messages with: the resource, and the name in the URL.
    const ref: ResourceRef = { group: kind.group, resource: kind.names.plural, kind: kind.names.kind, ...(info.name ? { name: info.name } : {}) };
    const warnings: string[] = [];
    try {
      return await serve(info, c, options, warnings);
    } catch (error) {
      const status = toStatusError(error, ref, (bug) => bugs.push(bug)).status;
      return { status: status.code, body: status, warnings };
    }
  };
  const serve = async (info: ResourceRequestInfo, c: Call, options: { watchEvents?: number }, warnings: string[]): Promise<Answer> => {
    const abort = new AbortController();
    const body = c.body === undefined ? '' : typeof c.body === 'string' ? c.body : JSON.stringify(c.body);
    const req: ResourceRequest = {
      info,
      resource: resolveResource(snapshot, info),
      snapshot,
      user: { username: 'tester', groups: ['system:authenticated'] },
      signal: abort.signal,
      accept: c.accept,
      contentType: c.contentType ?? (c.body === undefined ? '' : 'application/json'),
      userAgent: c.userAgent ?? 'handler-test/v1',
      body: async () => Buffer.from(body),
      now,
      warnings,
      reportBug: (error) => bugs.push(error),
    };
    const reply = await handleResourceRequest(req);
    if ('body' in reply) return { status: reply.status, body: reply.body, warnings };
    if ('json' in reply) {
      const bytes = Array.isArray(reply.json) ? Buffer.concat(reply.json as readonly Buffer[]) : (reply.json as Buffer);
      return { status: reply.status, body: JSON.parse(bytes.toString('utf8')), warnings };
    }
    const lines: unknown[] = [];
    const feed = reply.stream;
    try {
      await new Promise<void>((resolve) => {
        feed.pipe({
          // A chunk holds one or more whole lines.
          write: (chunk) => {
            for (const line of chunk.data.toString('utf8').split('\n').slice(0, -1)) {
              if (options.watchEvents !== undefined && lines.length >= options.watchEvents) break;
              lines.push(JSON.parse(line));
            }
            if (options.watchEvents !== undefined && lines.length >= options.watchEvents) feed.close();
            return true;
          },
          end: resolve,
        });
      });
    } finally {
      abort.abort();
    }
    return { status: reply.status, body: undefined, lines, warnings };
  };
  return {
    snapshot,
    store,
    bugs,
    call,
    status: async (c) => {
      const answer = await call(c);
      const body = answer.body as Status;
      if (body?.kind !== 'Status') throw new Error(`expected a Status, got ${answer.status} ${JSON.stringify(answer.body)}`);
      return body;
    },
  };
}

export const widgets = (namespace = 'default') => `/apis/${GROUP}/v1/namespaces/${namespace}/widgets`;

export function widget(name: string, spec: Record<string, unknown> = { size: 1 }, metadata: Record<string, unknown> = {}) {
  return { apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name, ...metadata }, spec };
}
