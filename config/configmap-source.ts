/**
 * `--config-configmap NAMESPACE/NAME`: the config lives in a ConfigMap, read and watched
 * through the Kubernetes API (`--kubeconfig`, else the in-cluster config). Every key ending
 * in `.yaml` or `.yml` is one config document; the documents merge as a config directory's
 * files do (sources.ts). A rejected version is reported as a Warning Event on the ConfigMap,
 * so `kubectl describe configmap` shows why kindred kept the previous config.
 */
import { KubeClient } from '../lib/kube/client.ts';
import { ListWatchCache } from '../lib/kube/cache.ts';
import type { KubeObject } from '../core/types/object.ts';
import type { PluginLogger } from '../core/types/storage.ts';
import type { ConfigError } from './schema.ts';
import { mergeConfigTexts, type ConfigSource, type SourceRead } from './sources.ts';
import { debounce, DEFAULT_DEBOUNCE_MS } from './watch.ts';

import { CONFIG_REJECTED_REASON, type ConfigMapRef } from './configmap-ref.ts';

export { CONFIG_REJECTED_REASON, parseConfigMapRef, type ConfigMapRef } from './configmap-ref.ts';

const isDocumentKey = (key: string): boolean => /\.ya?ml$/.test(key);

export interface ConfigMapSourceOptions {
  /** A kubeconfig file; without it, the in-cluster config (or the default kubeconfig outside a pod). */
  kubeconfigPath?: string;
  /** Where relative plugin paths resolve from (a ConfigMap has no folder): the working directory by default. */
  configDir?: string;
  debounceMs?: number;
  /** Told when the watch of the ConfigMap breaks and recovers. Default: silent. */
  log?: PluginLogger;
}

const silent: PluginLogger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

export class ConfigMapSource implements ConfigSource {
  readonly description: string;
  readonly configDir: string;
  readonly #ref: ConfigMapRef;
  readonly #client: KubeClient;
  readonly #options: ConfigMapSourceOptions;
  /** The ConfigMap as last read, for the Event's involvedObject. */
  #last: KubeObject | undefined;
  #cache: ListWatchCache | undefined;
  #stopDebounce: () => void = () => {};

  constructor(ref: ConfigMapRef, options: ConfigMapSourceOptions = {}) {
    this.#ref = ref;
    this.#options = options;
    this.description = `configmap ${ref.namespace}/${ref.name}`;
    this.configDir = options.configDir ?? process.cwd();
    this.#client = new KubeClient(options.kubeconfigPath, { fallback: 'default' });
  }

  async read(): Promise<SourceRead> {
    const path = `/api/v1/namespaces/${this.#ref.namespace}/configmaps/${this.#ref.name}`;
    let configMap: KubeObject;
    try {
      const answer = await this.#client.request('GET', path);
      if (answer.status !== 200) return { ok: false, errors: [{ path: '', message: `cannot read ${this.description}: ${describe(answer.status, answer.body)}` }] };
      configMap = answer.body as KubeObject;
    } catch (error) {
      return { ok: false, errors: [{ path: '', message: `cannot read ${this.description}: ${(error as Error).message}` }] };
    }
    this.#last = configMap;
    const data = (configMap.data ?? {}) as Record<string, string>;
    const texts = Object.keys(data)
      .filter(isDocumentKey)
      .map((name) => ({ name, text: data[name] ?? '' }));
    if (texts.length === 0) return { ok: false, errors: [{ path: '', message: `${this.description} has no key ending in .yaml or .yml` }] };
    return mergeConfigTexts(texts);
  }

  /**
   * Follows the one ConfigMap (a field selector on its name) with the shared list-and-watch
   * cache, which resumes, relists after a 410 and backs off on its own; any new
   * resourceVersion (or the ConfigMap going away) is a change to read.
   */
  async watch(onChange: () => void): Promise<void> {
    const changed = debounce(onChange, this.#options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
    this.#stopDebounce = changed.cancel;
    const cache = new ListWatchCache(this.#client, {
      path: `/api/v1/namespaces/${this.#ref.namespace}/configmaps`,
      fieldSelector: `metadata.name=${this.#ref.name}`,
      windowSize: 1,
      log: this.#options.log ?? silent,
    });
    this.#cache = cache;
    cache.observe(() => {
      if (!cache.available) return;
      const seen = cache.get(this.#ref.namespace, this.#ref.name)?.metadata.resourceVersion;
      if (seen !== this.#last?.metadata.resourceVersion) changed.call();
    });
  }

  /** Records a Warning Event on the ConfigMap saying why this version was rejected. */
  async rejected(errors: readonly ConfigError[]): Promise<void> {
    const configMap = this.#last;
    if (!configMap?.metadata.uid) return; // nothing to attach it to (e.g. the ConfigMap is gone)
    const now = new Date().toISOString();
    const lines = errors.slice(0, 10).map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
    const more = errors.length > 10 ? `\n(and ${errors.length - 10} more)` : '';
    // Event messages are capped at 1 KiB by kube-apiserver's validation of core/v1 Events.
    const message = `kindred rejected this config and keeps serving the previous one:\n${lines.join('\n')}${more}`.slice(0, 1024);
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${this.#ref.name}.${Date.now().toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`, namespace: this.#ref.namespace },
      involvedObject: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        name: this.#ref.name,
        namespace: this.#ref.namespace,
        uid: configMap.metadata.uid,
        ...(configMap.metadata.resourceVersion ? { resourceVersion: configMap.metadata.resourceVersion } : {}),
      },
      type: 'Warning',
      reason: CONFIG_REJECTED_REASON,
      message,
      source: { component: 'kindred' },
      reportingComponent: 'kindred',
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    const answer = await this.#client.request('POST', `/api/v1/namespaces/${this.#ref.namespace}/events`, { body: event });
    if (answer.status !== 201 && answer.status !== 200) throw new Error(`recording an Event on ${this.description}: ${describe(answer.status, answer.body)}`);
  }

  async close(): Promise<void> {
    this.#stopDebounce();
    this.#cache?.stop();
  }
}

function describe(status: number, body: unknown): string {
  const message = (body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? `${status}: ${message}` : `HTTP ${status}`;
}
