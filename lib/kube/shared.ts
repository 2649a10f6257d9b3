/**
 * The process-wide sharing of clients and caches: every store backed by the same
 * resource, namespace scope and label selector on the same cluster reads from one
 * ListWatchCache, so N kinds and M client watches cost one upstream watch.
 *
 * Caches are reference-counted: a store acquires one when created and releases it on
 * close. A hot reload creates the new stores before closing the old ones, so the cache
 * (and its resourceVersion window) survives the reload.
 */
import type { PluginLogger } from '../../core/types/storage.ts';
import { ListWatchCache } from './cache.ts';
import { KubeClient } from './client.ts';

/** A Kubernetes resource a kind is projected onto. */
export interface BackingResource {
  /** '' for the core group. */
  group: string;
  version: string;
  /** e.g. `helmreleases`, `secrets`. */
  plural: string;
  /** The `kind` of its objects, e.g. `HelmRelease`. */
  kind: string;
}

export interface SharedCacheRequest {
  kubeconfigPath: string | undefined;
  resource: BackingResource;
  /** Watch one namespace only; all namespaces when undefined. */
  namespace?: string;
  labelSelector?: string;
  windowSize?: number;
  log: PluginLogger;
}

export const DEFAULT_WINDOW_SIZE = 5000;

interface Entry {
  cache: ListWatchCache;
  users: number;
}

const clients = new Map<string, KubeClient>();
const caches = new Map<string, Entry>();

/** The client for a kubeconfig, shared by every store using it. */
export function sharedClient(kubeconfigPath: string | undefined): KubeClient {
  const key = kubeconfigPath ?? '(in-cluster)';
  let client = clients.get(key);
  if (!client) {
    client = new KubeClient(kubeconfigPath);
    clients.set(key, client);
  }
  return client;
}

/** The API path of a resource's collection, in `namespace` or across all namespaces. */
export function collectionPath(resource: BackingResource, namespace?: string): string {
  const base = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  return namespace === undefined ? `${base}/${resource.plural}` : `${base}/namespaces/${namespace}/${resource.plural}`;
}

/** Takes a reference to the shared cache for `request`, starting it if nobody holds one. */
export function acquireCache(request: SharedCacheRequest): { cache: ListWatchCache; client: KubeClient; release: () => void } {
  const client = sharedClient(request.kubeconfigPath);
  const path = collectionPath(request.resource, request.namespace);
  const key = `${request.kubeconfigPath ?? ''}|${path}|${request.labelSelector ?? ''}`;
  let entry = caches.get(key);
  if (!entry) {
    const cache = new ListWatchCache(client, {
      path,
      windowSize: request.windowSize ?? DEFAULT_WINDOW_SIZE,
      log: request.log,
      ...(request.labelSelector ? { labelSelector: request.labelSelector } : {}),
    });
    entry = { cache, users: 0 };
    caches.set(key, entry);
  }
  entry.users++;
  const held = entry;
  let released = false;
  return {
    cache: held.cache,
    client,
    release() {
      if (released) return;
      released = true;
      held.users--;
      if (held.users === 0) {
        held.cache.stop();
        caches.delete(key);
      }
    },
  };
}

/** How many upstream caches (one watch each) are running: for tests and metrics. */
export function runningCaches(): number {
  return caches.size;
}
