/**
 * Reads the shared OpenAPI models of the cluster kindred is aggregated into, so that its
 * `/openapi/v2` repeats them exactly and the aggregator's merge keeps one copy of each
 * (core/openapi/shared-definitions.ts says why). Read once at start: the cluster's models
 * change only when kube-apiserver is upgraded, and a kindred restart follows a rollout.
 */
import type { Logger } from 'pino';
import { adoptClusterDefinitions } from '../core/openapi/shared-definitions.ts';
import type { OpenAPIOptions } from '../core/openapi/documents.ts';

export interface OpenAPIReader {
  request(method: string, path: string, options?: { timeoutMs?: number }): Promise<{ status: number; body: unknown }>;
}

/** The OpenAPI options to build snapshots with; kindred's own models when the cluster does not answer. */
export async function clusterOpenAPIOptions(api: OpenAPIReader, log: Logger, timeoutMs = 10_000): Promise<OpenAPIOptions> {
  try {
    const res = await api.request('GET', '/openapi/v2', { timeoutMs });
    const definitions = (res.body as { definitions?: unknown } | undefined)?.definitions;
    if (res.status !== 200 || typeof definitions !== 'object' || definitions === null) {
      throw new Error(`GET /openapi/v2: HTTP ${res.status}`);
    }
    return { v2SharedDefinitions: adoptClusterDefinitions(definitions as Record<string, unknown>) };
  } catch (error) {
    log.warn({ err: error }, "the cluster's OpenAPI models could not be read; /openapi/v2 publishes kindred's own, which the aggregator keeps as renamed copies");
    return {};
  }
}
