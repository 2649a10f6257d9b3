/**
 * `--config-configmap NAMESPACE/NAME`: the config lives in a ConfigMap, read and watched
 * through the Kubernetes API (`--kubeconfig`, else the in-cluster config). Every key ending
 * in `.yaml` or `.yml` is one config document; the documents merge as a config directory's
 * files do (sources.ts). A rejected version is reported as a Warning Event on the ConfigMap,
 * so `kubectl describe configmap` shows why kindred kept the previous config.
 */
import { CoreV1Api, KubeConfig, Watch, type CoreV1Event, type V1ConfigMap } from '@kubernetes/client-node';
import type { ConfigError } from './schema.ts';
import { mergeConfigTexts, type ConfigSource, type SourceRead } from './sources.ts';
import { debounce, DEFAULT_DEBOUNCE_MS } from './watch.ts';

export interface ConfigMapRef {
  namespace: string;
  name: string;
}

/** Parses `NAMESPACE/NAME`; throws with a one-line reason. */
export function parseConfigMapRef(value: string): ConfigMapRef {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(value);
  if (!match) throw new Error(`"${value}" is not NAMESPACE/NAME`);
  return { namespace: match[1]!, name: match[3]! };
}

/** The reason on Events kindred records for a rejected config. */
export const CONFIG_REJECTED_REASON = 'ConfigRejected';

const isDocumentKey = (key: string): boolean => /\.ya?ml$/.test(key);

export interface ConfigMapSourceOptions {
  /** A kubeconfig file; without it, the in-cluster config (or the default kubeconfig outside a pod). */
  kubeconfigPath?: string;
  /** Where relative plugin paths resolve from (a ConfigMap has no folder): the working directory by default. */
  configDir?: string;
  debounceMs?: number;
  /** Before re-watching after the watch ended or failed. */
  rewatchDelayMs?: number;
}

export class ConfigMapSource implements ConfigSource {
  readonly description: string;
  readonly configDir: string;
  readonly #ref: ConfigMapRef;
  readonly #kubeConfig: KubeConfig;
  readonly #api: CoreV1Api;
  readonly #options: ConfigMapSourceOptions;
  /** The ConfigMap as last read, for the Event's involvedObject. */
  #last: V1ConfigMap | undefined;
  #abort: AbortController | undefined;
  #rewatch: NodeJS.Timeout | undefined;
  #stopDebounce: () => void = () => {};
  #closed = false;

  constructor(ref: ConfigMapRef, options: ConfigMapSourceOptions = {}) {
    this.#ref = ref;
    this.#options = options;
    this.description = `configmap ${ref.namespace}/${ref.name}`;
    this.configDir = options.configDir ?? process.cwd();
    this.#kubeConfig = new KubeConfig();
    if (options.kubeconfigPath) this.#kubeConfig.loadFromFile(options.kubeconfigPath);
    else this.#kubeConfig.loadFromDefault();
    this.#api = this.#kubeConfig.makeApiClient(CoreV1Api);
  }

  async read(): Promise<SourceRead> {
    let configMap: V1ConfigMap;
    try {
      configMap = await this.#api.readNamespacedConfigMap(this.#ref);
    } catch (error) {
      return { ok: false, errors: [{ path: '', message: `cannot read ${this.description}: ${describe(error)}` }] };
    }
    this.#last = configMap;
    const data = configMap.data ?? {};
    const texts = Object.keys(data)
      .filter(isDocumentKey)
      .map((name) => ({ name, text: data[name] ?? '' }));
    if (texts.length === 0) return { ok: false, errors: [{ path: '', message: `${this.description} has no key ending in .yaml or .yml` }] };
    return mergeConfigTexts(texts);
  }

  /** Watches the one ConfigMap (a field selector on its name); re-watches whenever the watch ends. */
  async watch(onChange: () => void): Promise<void> {
    const changed = debounce(onChange, this.#options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
    const start = async (): Promise<void> => {
      if (this.#closed) return;
      const path = `/api/v1/namespaces/${this.#ref.namespace}/configmaps`;
      let resourceVersion = this.#last?.metadata?.resourceVersion;
      const again = (): void => {
        if (this.#closed) return;
        // A change missed while no watch was open is caught by reading once more.
        changed.call();
        this.#rewatch = setTimeout(() => void start(), this.#options.rewatchDelayMs ?? 1000);
      };
      try {
        this.#abort = await new Watch(this.#kubeConfig).watch(
          path,
          { fieldSelector: `metadata.name=${this.#ref.name}`, allowWatchBookmarks: true, ...(resourceVersion ? { resourceVersion } : {}) },
          (type, object: V1ConfigMap) => {
            if (type === 'BOOKMARK') return;
            const rv = object.metadata?.resourceVersion;
            if (rv && rv === resourceVersion) return; // the version already read
            resourceVersion = rv;
            changed.call();
          },
          () => again(),
        );
      } catch {
        again();
      }
    };
    this.#stopDebounce = changed.cancel;
    await start();
  }

  /** Records a Warning Event on the ConfigMap saying why this version was rejected. */
  async rejected(errors: readonly ConfigError[]): Promise<void> {
    const configMap = this.#last;
    if (!configMap?.metadata?.uid) return; // nothing to attach it to (e.g. the ConfigMap is gone)
    const now = new Date();
    const lines = errors.slice(0, 10).map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
    const more = errors.length > 10 ? `\n(and ${errors.length - 10} more)` : '';
    // Event messages are capped at 1 KiB by kube-apiserver's validation of core/v1 Events.
    const message = `kindred rejected this config and keeps serving the previous one:\n${lines.join('\n')}${more}`.slice(0, 1024);
    const event: CoreV1Event = {
      metadata: { name: `${this.#ref.name}.${now.getTime().toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`, namespace: this.#ref.namespace },
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
    await this.#api.createNamespacedEvent({ namespace: this.#ref.namespace, body: event });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#stopDebounce();
    clearTimeout(this.#rewatch);
    this.#abort?.abort();
  }
}

function describe(error: unknown): string {
  const e = error as { code?: number; body?: unknown; message?: string };
  if (typeof e.code === 'number') {
    try {
      const status = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as { message?: string } | undefined;
      if (status?.message) return `${e.code}: ${status.message}`;
    } catch {
      // not a Status body
    }
    return `HTTP ${e.code}`;
  }
  return (e.message ?? String(error)).split('\n')[0] ?? String(error);
}
