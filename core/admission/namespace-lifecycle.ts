/**
 * Namespace lifecycle admission, as kube-apiserver's NamespaceLifecycle plugin does it for
 * its own resources (admission is not applied to aggregated requests, so kindred must):
 * creating a namespaced object in a namespace that does not exist, or that is being deleted,
 * is refused. Answers come from a watch cache of Namespaces; only a namespace missing from
 * the cache costs one live GET, because a namespace created a moment ago may not have
 * reached the cache yet (the plugin's "force live lookup" for the same race).
 */
import { StatusError } from '../status.ts';
import { ListWatchCache } from '../../lib/kube/cache.ts';
import type { KubeTransport } from '../../lib/kube/client.ts';
import type { PluginLogger } from '../types/storage.ts';

/** What a create handler asks before storing a namespaced object. */
export interface NamespaceAdmission {
  /** Resolves when objects may be created in `namespace`; throws a StatusError otherwise. */
  admitCreate(namespace: string): Promise<void>;
}

/** NamespaceLifecycle's answer for a namespace that does not exist. */
export function namespaceNotFound(namespace: string): StatusError {
  return new StatusError(404, 'NotFound', `namespaces "${namespace}" not found`, { name: namespace, kind: 'namespaces' });
}

/** Namespaces that always exist; kube-apiserver keeps them (and refuses to delete them). */
const IMMORTAL = new Set(['default', 'kube-system', 'kube-public']);

export class NamespaceLifecycle implements NamespaceAdmission {
  readonly #api: KubeTransport;
  readonly #log: PluginLogger;
  #cache: ListWatchCache | undefined;

  constructor(api: KubeTransport, log: PluginLogger) {
    this.#api = api;
    this.#log = log;
  }

  /** Starts the watch cache; resolves once the first list arrived (false after a timeout). */
  start(timeoutMs = 30_000): Promise<boolean> {
    // Nothing resumes a watch of namespaces from an old resourceVersion: a window of one will do.
    this.#cache ??= new ListWatchCache(this.#api, { path: '/api/v1/namespaces', windowSize: 1, log: this.#log });
    const cache = this.#cache;
    return cache.waitFor(() => cache.available, timeoutMs);
  }

  async admitCreate(namespace: string): Promise<void> {
    let phase = this.#phaseFromCache(namespace);
    if (phase === undefined) {
      if (IMMORTAL.has(namespace)) return;
      phase = await this.#phaseLive(namespace);
    }
    if (phase === undefined) {
      throw namespaceNotFound(namespace);
    }
    if (phase === 'Terminating') {
      const message = `unable to create new content in namespace ${namespace} because it is being terminated`;
      throw new StatusError(403, 'Forbidden', message, {
        name: namespace,
        kind: 'namespaces',
        causes: [{ reason: 'NamespaceTerminating', message, field: 'metadata.namespace' }],
      });
    }
  }

  async stop(): Promise<void> {
    this.#cache?.stop();
  }

  #phaseFromCache(namespace: string): string | undefined {
    const item = this.#cache?.get(undefined, namespace);
    if (!item) return undefined;
    return phaseOf(item);
  }

  async #phaseLive(namespace: string): Promise<string | undefined> {
    const answer = await this.#api.request('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}`).catch((error: unknown) => {
      throw new StatusError(503, 'ServiceUnavailable', `cannot look up namespace ${namespace}: ${(error as Error).message}`, { retryAfterSeconds: 1 });
    });
    if (answer.status === 404) return undefined;
    if (answer.status !== 200) {
      throw new StatusError(503, 'ServiceUnavailable', `cannot look up namespace ${namespace}: HTTP ${answer.status}`, { retryAfterSeconds: 1 });
    }
    return phaseOf(answer.body as Record<string, unknown>);
  }
}

function phaseOf(namespace: Record<string, unknown>): string {
  const metadata = namespace.metadata as { deletionTimestamp?: string } | undefined;
  if (metadata?.deletionTimestamp) return 'Terminating';
  return ((namespace.status as { phase?: string } | undefined)?.phase) ?? 'Active';
}
