/**
 * The `http` storage plugin: a kind whose objects are the records of an external REST
 * service. The simplest config is the collection's URL:
 *
 *   backend: {plugin: http, options: {url: http://127.0.0.1:3000/zones}}
 *
 * See options.ts for every option, mapping.ts for how a record becomes an object, store.ts
 * for concurrency and known.ts for resourceVersions and what a client sees after a restart.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { KindDefinition } from '../../core/types/kind.ts';
import { CONTRACT_VERSION, type PluginContext, type StoragePlugin } from '../../core/types/storage.ts';
import { ServiceClient, type TlsFiles } from './client.ts';
import { Credentials } from './credentials.ts';
import { Endpoints } from './endpoints.ts';
import { RequestGuard } from './guard.ts';
import { DEFAULT_FIELDS, RecordMapping } from './mapping.ts';
import { httpOptionsSchema, type HttpOptions } from './options.ts';
import { parsePointer } from './pointer.ts';
import { ServiceApi } from './service.ts';
import { HttpStore } from './store.ts';

export { HttpStore } from './store.ts';
export { httpOptionsSchema, type HttpOptions } from './options.ts';

export const httpPlugin: StoragePlugin = {
  contractVersion: CONTRACT_VERSION,
  name: 'http',
  optionsSchema: httpOptionsSchema,
  async create(kind: KindDefinition, raw: Record<string, unknown>, ctx: PluginContext): Promise<HttpStore> {
    // The loader has checked the options against httpOptionsSchema and filled its defaults.
    const options = raw as unknown as HttpOptions;
    const fields = { ...DEFAULT_FIELDS, ...options.fields };
    const namespaceInRecord = kind.scope === 'Namespaced' && !options.url.includes('{namespace}');
    // A list of one namespace asks the service to filter by the namespace field (json-server
    // style, `?namespace=ops`) when it is a top-level field; kindred filters again anyway.
    const namespaceTokens = parsePointer(fields.namespace);
    const namespaceParam = namespaceInRecord && namespaceTokens.length === 1 ? namespaceTokens[0] : undefined;
    const file = (path: string) => readFileSync(isAbsolute(path) ? path : resolve(ctx.configDir, path), 'utf8');
    const tls: TlsFiles = {
      ...(options.tls?.caFile ? { ca: file(options.tls.caFile) } : {}),
      ...(options.tls?.certFile ? { cert: file(options.tls.certFile) } : {}),
      ...(options.tls?.keyFile ? { key: file(options.tls.keyFile) } : {}),
      ...(options.tls?.serverName ? { servername: options.tls.serverName } : {}),
    };
    const mapping = new RecordMapping(kind, fields, namespaceInRecord);
    const api = new ServiceApi(kind, {
      client: new ServiceClient(tls),
      guard: new RequestGuard({
        timeoutMs: (options.timeoutSeconds ?? 10) * 1000,
        retries: options.retries ?? 2,
        maxConcurrent: options.maxConcurrentRequests ?? 8,
        failureThreshold: options.circuitBreaker?.failureThreshold ?? 5,
        openMs: (options.circuitBreaker?.openSeconds ?? 5) * 1000,
      }),
      credentials: new Credentials(options.auth, ctx.configDir, ctx.kubeconfigPath),
      endpoints: new Endpoints(options, namespaceParam),
      mapping,
      options: {
        items: options.items ?? '',
        concurrency: options.concurrency ?? 'readCompareWrite',
        ...(options.pagination ? { pagination: options.pagination } : {}),
      },
    });
    const store = new HttpStore(kind, {
      api,
      mapping,
      log: ctx.log,
      options: {
        ...(options.namespaces ? { namespaces: options.namespaces } : {}),
        pollIntervalSeconds: options.pollIntervalSeconds ?? 5,
        watchWindow: options.watchWindow ?? 1000,
      },
    });
    ctx.log.debug({ url: options.url }, 'http store created');
    return store;
  },
};

export default httpPlugin;
