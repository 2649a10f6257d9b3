/**
 * Hot reload: keeps the served registry snapshot in step with a config source.
 *
 * On every change (of the config, or of an outside plugin's module file) the reloader builds
 * the complete next generation aside (build.ts) and, only if all of it succeeded, swaps the
 * server's one snapshot reference. Requests in flight finish on the snapshot they started
 * with; the stores of removed or rebuilt kinds are closed once the requests that could still
 * call them have drained, which also ends their watches cleanly. A rejected config changes
 * nothing that is served: it is logged with its field paths, counted, shown on
 * `/readyz?verbose`, and reported to the source (a Kubernetes Event for a ConfigMap).
 *
 * Reloads run one at a time; changes arriving during one are coalesced into one more.
 */
import type { Logger } from 'pino';
import type { ConfigError } from '../../config/index.ts';
import type { ConfigSource } from '../../config/sources.ts';
import type { KindredMetrics, ReloadResult } from '../../core/metrics.ts';
import type { RegistrySnapshot } from '../../core/snapshot.ts';
import type { EtcdSettings, Storage, StoragePlugin } from '../../core/types/storage.ts';
import { buildGeneration, type Generation } from './build.ts';
import type { OpenAPIOptions } from '../../core/openapi/documents.ts';
import type { InFlightRequests } from '../../core/in-flight.ts';
import { PluginLoader } from './plugin-loader.ts';
import { replicaWarning } from './replicas.ts';

export interface ReloaderOptions {
  source: ConfigSource;
  /** Built-in plugins by name (plugins/index.ts). */
  builtin: (name: string) => StoragePlugin | undefined;
  log: Logger;
  metrics: KindredMetrics;
  /** Handed to plugins (PluginContext.kubeconfigPath). */
  kubeconfigPath?: string;
  /** Handed to plugins (PluginContext.dataDir). */
  dataDir?: string;
  /** How many replicas serve this config: more than one warns, at each load, about process-local kinds. */
  replicas?: number;
  /** How every snapshot's OpenAPI documents are built (core/openapi/documents.ts). */
  openapi?: OpenAPIOptions;
  /** Handed to plugins (PluginContext.etcd): the `--etcd-*` flags. */
  etcd?: EtcdSettings;
  /** How long a removed kind's store waits for its requests before it is closed anyway. */
  drainTimeoutMs?: number;
  now?: () => Date;
}

/** What a reload serves into: KindredServer. */
export interface ReloadTarget {
  swap(snapshot: RegistrySnapshot): void;
  readonly inFlight: InFlightRequests;
}

export type ReloadOutcome = { result: 'success' | 'unchanged'; hash: string } | { result: 'failure'; errors: ConfigError[] };

interface LastFailure {
  at: Date;
  errors: ConfigError[];
}

export class Reloader {
  readonly #options: ReloaderOptions;
  readonly #log: Logger;
  readonly #loader: PluginLoader;
  #generation: Generation | undefined;
  #target: ReloadTarget | undefined;
  #lastFailure: LastFailure | undefined;
  #loadedAt: Date | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #queued: Promise<ReloadOutcome> | undefined;
  /** Stores of earlier generations waiting for their requests to drain. */
  readonly #retiring = new Set<Storage>();
  readonly #closing = new WeakMap<Storage, Promise<void>>();
  /** Plugin versions that raised an error nobody caught, with its message (plugin-faults.ts). */
  readonly #faults = new Map<string, string>();
  #closed = false;

  constructor(options: ReloaderOptions) {
    this.#options = options;
    this.#log = options.log.child({ component: 'reload', source: options.source.description });
    this.#loader = new PluginLoader({
      builtin: options.builtin,
      onChange: (file) => {
        this.#log.info({ plugin: file }, 'plugin module changed');
        this.trigger();
      },
    });
  }

  /** The generation being served; undefined until the first successful load. */
  get generation(): Generation | undefined {
    return this.#generation;
  }

  get lastFailure(): LastFailure | undefined {
    return this.#lastFailure;
  }

  /** Points reloads at the server (after the first load, which the server is built from). */
  attach(target: ReloadTarget): void {
    this.#target = target;
  }

  /** Starts reacting to changes of the source. */
  async watch(): Promise<void> {
    await this.#options.source.watch(() => this.trigger());
  }

  /** The plugin version a stack trace runs in, if any (PluginLoader.owner). */
  attribute(stack: string): string | undefined {
    return this.#loader.owner(stack);
  }

  /**
   * A plugin raised an uncaught exception or an unhandled rejection: from the next reload
   * (started now) its kinds answer 503. A new version of its module (the file changed) is
   * served again; a built-in plugin stays unavailable until kindred restarts.
   */
  pluginFailed(version: string, error: unknown): void {
    if (this.#faults.has(version)) return;
    const message = error instanceof Error ? error.message : String(error);
    this.#faults.set(version, message.split('\n')[0] ?? message);
    this.trigger();
  }

  /** Asks for a reload soon; several asks before it starts make one reload. */
  trigger(): void {
    if (this.#closed || this.#queued) return;
    void this.reload().catch((error: unknown) => this.#log.error({ err: error }, 'reload crashed: a bug'));
  }

  /** Reloads now (after any reload in progress) and says how it ended. */
  reload(): Promise<ReloadOutcome> {
    if (this.#queued) return this.#queued;
    const run = this.#queue.then(() => {
      this.#queued = undefined;
      return this.#reloadOnce();
    });
    this.#queued = run;
    this.#queue = run.catch(() => {});
    return run;
  }

  async #reloadOnce(): Promise<ReloadOutcome> {
    if (this.#closed) return { result: 'failure', errors: [{ path: '', message: 'kindred is shutting down' }] };
    const first = this.#generation === undefined;
    const started = process.hrtime.bigint();
    const source = this.#options.source;
    const built = await buildGeneration(
      await source.read(),
      {
        loader: this.#loader,
        configDir: source.configDir,
        log: this.#options.log,
        ...(this.#options.kubeconfigPath ? { kubeconfigPath: this.#options.kubeconfigPath } : {}),
        ...(this.#options.dataDir ? { dataDir: this.#options.dataDir } : {}),
        ...(this.#options.openapi ? { openapi: this.#options.openapi } : {}),
        faults: this.#faults,
        ...(this.#options.etcd ? { etcd: this.#options.etcd } : {}),
      },
      this.#generation,
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const metrics = this.#options.metrics;
    const count = (result: ReloadResult) => {
      // The first load is no reload, but whether the config in force loaded is still news.
      metrics.configLastReloadSuccessful.set(result === 'failure' ? 0 : 1);
      if (first) return;
      metrics.configReloads.inc({ result });
      metrics.configReloadDuration.observe({ result }, seconds);
    };

    if (!built.ok) {
      this.#lastFailure = { at: this.#now(), errors: built.errors };
      count('failure');
      this.#log.error(
        { errors: built.errors, activeHash: this.#generation?.hash },
        first ? 'config rejected' : 'config rejected: still serving the previous config',
      );
      await source.rejected?.(built.errors).catch((error: unknown) => this.#log.warn({ err: error }, 'could not report the rejected config'));
      return { result: 'failure', errors: built.errors };
    }
    if (built.unchanged) {
      count('unchanged');
      this.#lastFailure = undefined;
      this.#log.debug({ hash: this.#generation!.hash }, 'config unchanged');
      return { result: 'unchanged', hash: this.#generation!.hash };
    }
    const previous = this.#generation;
    const next = built.generation;
    this.#generation = next;
    this.#target?.swap(next.snapshot);
    this.#lastFailure = undefined;
    this.#loadedAt = this.#now();
    count('success');
    if (previous) metrics.configInfo.remove({ hash: previous.hash });
    metrics.configInfo.set({ hash: next.hash }, 1);
    metrics.configLastSuccessTimestamp.set(this.#loadedAt.getTime() / 1000);
    metrics.servedKinds.set(next.kinds.length);
    this.#log.info(
      { hash: next.hash, kinds: next.kinds.length, createdStores: built.created, retiredStores: built.retired.length, ms: Math.round(seconds * 1000) },
      first ? 'config loaded' : 'config reloaded',
    );
    const warning = replicaWarning(next.kinds, (name) => next.plugins.get(name), this.#options.replicas ?? 1);
    if (warning) this.#log.warn({ replicas: this.#options.replicas }, warning);
    if (built.retired.length > 0) this.#retire(built.retired);
    return { result: 'success', hash: next.hash };
  }

  /** Closes `stores` once no request on a snapshot that holds them is running. */
  #retire(stores: Storage[]): void {
    const retired = new Set(stores);
    for (const store of stores) this.#retiring.add(store);
    const holds = (snapshot: RegistrySnapshot) => [...snapshot.stores.values()].some((s) => retired.has(s));
    const drained = this.#target ? this.#target.inFlight.drained(holds, this.#options.drainTimeoutMs ?? 60_000) : Promise.resolve(true);
    void drained.then(async (clean) => {
      if (!clean) this.#log.warn({ stores: stores.length }, 'closing retired stores with requests still running');
      await this.#closeStores(stores);
    });
  }

  /** Closes each store once, whoever asks first (a drained retirement or shutdown). */
  async #closeStores(stores: Iterable<Storage>): Promise<void> {
    const closing = [...stores].map((store) => {
      let done = this.#closing.get(store);
      if (!done) {
        this.#retiring.delete(store);
        done = store.close().catch((error: unknown) => this.#log.warn({ err: error }, 'a store failed to close'));
        this.#closing.set(store, done);
      }
      return done;
    });
    await Promise.all(closing);
  }

  /** Lines for `/readyz?verbose`. A rejected config does not make kindred unready: the previous one is still served. */
  readiness(): { ready: boolean; checks: string[] } {
    const generation = this.#generation;
    const source = this.#options.source.description;
    const checks = [
      generation
        ? `[+]config ok: serving config sha256:${generation.hash} (${generation.kinds.length} kinds) from ${source}, loaded ${this.#loadedAt?.toISOString()}`
        : `[-]config failed: no valid config loaded from ${source}`,
    ];
    const failure = this.#lastFailure;
    if (failure) {
      const first = failure.errors[0];
      const more = failure.errors.length > 1 ? ` (and ${failure.errors.length - 1} more)` : '';
      const where = first?.path ? `${first.path}: ` : '';
      checks.push(`[+]config-reload ok: last reload at ${failure.at.toISOString()} rejected, previous config kept: ${where}${first?.message ?? ''}${more}`);
    } else {
      checks.push('[+]config-reload ok');
    }
    // Each backend's state, shown but never failing readiness: its kinds answer 503 meanwhile.
    for (const [kind, store] of generation?.snapshot.stores ?? []) {
      const health = store.health?.();
      if (health) checks.push(`[+]backend:${kind} ok${health.ok ? '' : `: backend unavailable, its requests answer 503: ${health.message ?? ''}`}`);
    }
    return { ready: generation !== undefined, checks };
  }

  /** Stops watching, waits for a running reload, and closes every store. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#options.source.close();
    await this.#loader.close();
    await this.#queue;
    // Shutting down: nothing waits for drains any more.
    await this.#closeStores(new Set([...this.#retiring, ...(this.#generation?.snapshot.stores.values() ?? [])]));
  }

  #now(): Date {
    return (this.#options.now ?? (() => new Date()))();
  }
}
