/**
 * Building the next generation (kinds, stores, registry snapshot) off to the side. Nothing
 * here touches what is being served: the caller swaps the result in only when it is ok, and
 * a failed build closes every store it created.
 */
import type { Logger } from 'pino';
import { validateConfig, type ConfigError } from '../../config/index.ts';
import { servingChecks } from '../../core/serving-checks.ts';
import type { SourceRead } from '../../config/sources.ts';
import { buildSnapshot, kindKey, type RegistrySnapshot } from '../../core/snapshot.ts';
import type { OpenAPIOptions } from '../../core/openapi/documents.ts';
import { createStores, StoreChangeRefused, type StoreSet } from '../stores.ts';
import type { KindDefinition } from '../../core/types/kind.ts';
import { CONTRACT_VERSION, type EtcdSettings, type Storage, type StoragePlugin } from '../../core/types/storage.ts';
import type { PluginLoader } from './plugin-loader.ts';
import { unavailableStore } from './unavailable-store.ts';

/** What is served: validated kinds, their snapshot, and which plugin module version built each kind's store. */
export interface Generation {
  readonly kinds: readonly KindDefinition[];
  readonly hash: string;
  readonly snapshot: RegistrySnapshot;
  /** By kindKey: the LoadedPlugin.version its store was created with. */
  readonly pluginVersions: ReadonlyMap<string, string>;
  /** By `backend.plugin`: the plugin each kind's store was made with. */
  readonly plugins: ReadonlyMap<string, StoragePlugin | undefined>;
}

export type BuildResult =
  | { ok: true; unchanged: true }
  | { ok: true; unchanged: false; generation: Generation; created: number; retired: Storage[] }
  | { ok: false; errors: ConfigError[] };

export interface BuildDeps {
  loader: PluginLoader;
  configDir: string;
  log: Logger;
  kubeconfigPath?: string;
  /** Handed to plugins (PluginContext.dataDir). */
  dataDir?: string;
  /** How the snapshot's OpenAPI documents are built (the cluster's shared models, in aggregated mode). */
  openapi?: OpenAPIOptions;
  /** Plugin versions known to be broken, with why: their kinds get an UnavailableStore. */
  faults?: ReadonlyMap<string, string>;
  etcd?: EtcdSettings;
}

/** A source read, validated with its outside plugins loaded: what `kindred validate` reports and a build starts from. */
export type ValidatedRead =
  | { ok: true; kinds: KindDefinition[]; hash: string; plugins: ReadonlyMap<string, { plugin: StoragePlugin; version: string }>; resolve: (name: string) => StoragePlugin | undefined }
  | { ok: false; errors: ConfigError[] };

export async function validateRead(read: SourceRead, deps: Pick<BuildDeps, 'loader' | 'configDir'>): Promise<ValidatedRead> {
  if (!read.ok) return { ok: false, errors: read.errors };
  const plugins = new Map<string, { plugin: StoragePlugin; version: string }>();
  const loadErrors = new Map<string, string>();
  for (const specifier of pluginSpecifiers(read.raw)) {
    const load = await deps.loader.load(specifier, deps.configDir);
    if (load.ok) plugins.set(specifier, load.loaded);
    else loadErrors.set(specifier, load.message);
  }
  // A kind without `backend` gets the default plugin from normalization: a built-in one.
  const resolve = (name: string) => plugins.get(name)?.plugin ?? deps.loader.builtin(name);
  const validated = validateConfig(read.raw, resolve, servingChecks);
  if (!validated.ok) {
    return { ok: false, errors: validated.errors.map((e) => read.locate(withLoadError(e, read.raw, loadErrors))) };
  }
  return { ok: true, kinds: validated.kinds, hash: validated.hash, plugins, resolve };
}

/**
 * Validates `read` (with its outside plugins loaded first, so their option schemas are
 * checked too), then creates stores for new or changed kinds and builds the snapshot.
 * A kind's store is reused, reopened or refused as app/stores.ts says; `unchanged` means
 * nothing at all differs from `previous`.
 */
export async function buildGeneration(read: SourceRead, deps: BuildDeps, previous?: Generation): Promise<BuildResult> {
  const validated = await validateRead(read, deps);
  if (!validated.ok) return validated;
  const { plugins } = validated;
  const kinds = validated.kinds;
  const versionOf = (plugin: string) => plugins.get(plugin)?.version ?? `builtin:${plugin}`;
  const faults = deps.faults ?? new Map<string, string>();
  // A broken plugin's kinds count as changed (new store: an UnavailableStore) until its version changes.
  const pluginVersions = new Map(kinds.map((k) => [kindKey(k), faults.has(versionOf(k.backend.plugin)) ? `${versionOf(k.backend.plugin)}!failed` : versionOf(k.backend.plugin)]));
  const resolve = (name: string): StoragePlugin | undefined => {
    const fault = faults.get(versionOf(name));
    if (fault === undefined) return validated.resolve(name);
    return {
      contractVersion: CONTRACT_VERSION,
      name,
      optionsSchema: {},
      create: async (kind) =>
        unavailableStore(`storage plugin "${name}" failed and is not served until it is reloaded: ${fault}`, previous?.snapshot.stores.get(kindKey(kind))),
    };
  };
  if (previous && previous.hash === validated.hash && sameEntries(previous.pluginVersions, pluginVersions)) {
    return { ok: true, unchanged: true };
  }

  let set: StoreSet;
  try {
    set = await createStores(kinds, resolve, {
      configDir: deps.configDir,
      log: deps.log,
      ...(deps.kubeconfigPath ? { kubeconfigPath: deps.kubeconfigPath } : {}),
      ...(deps.dataDir ? { dataDir: deps.dataDir } : {}),
      ...(deps.etcd ? { etcd: deps.etcd } : {}),
      pluginVersions,
      ...(previous ? { previous: { kinds: previous.kinds, stores: previous.snapshot.stores, pluginVersions: previous.pluginVersions } } : {}),
    });
  } catch (error) {
    if (error instanceof StoreChangeRefused) return { ok: false, errors: [read.ok ? read.locate({ path: error.path, message: error.message }) : { path: error.path, message: error.message }] };
    return { ok: false, errors: [{ path: '', message: `a storage plugin failed: ${(error as Error).message}` }] };
  }
  const { stores, retired } = set;
  const kept = new Set(previous?.snapshot.stores.values() ?? []);
  const created = [...stores.values()].filter((s) => !kept.has(s));
  let snapshot: RegistrySnapshot;
  try {
    snapshot = buildSnapshot(kinds, stores, deps.openapi);
  } catch (error) {
    await Promise.allSettled(created.map((s) => s.close()));
    return { ok: false, errors: [{ path: '', message: `building the registry failed: ${(error as Error).message}` }] };
  }
  return { ok: true, unchanged: false, generation: { kinds, hash: validated.hash, snapshot, pluginVersions, plugins: new Map(kinds.map((k) => [k.backend.plugin, resolve(k.backend.plugin)])) }, created: created.length, retired };
}

/**
 * Runs each kind's plugin factory once and closes the store it made, so `kindred validate`
 * fails for a plugin that `serve` would fail to start. Kinds are in config order, so the
 * i-th kind is `resources[i]`.
 */
export async function checkPluginFactories(
  read: SourceRead,
  validated: Extract<ValidatedRead, { ok: true }>,
  ctx: { configDir: string; log: Logger; kubeconfigPath?: string; dataDir?: string; etcd?: EtcdSettings },
): Promise<ConfigError[]> {
  if (!read.ok) return [];
  const errors: ConfigError[] = [];
  for (const [i, kind] of validated.kinds.entries()) {
    const plugin = validated.resolve(kind.backend.plugin);
    if (!plugin) continue; // validateRead has reported it
    try {
      const store = await plugin.create(kind, kind.backend.options, {
        configDir: ctx.configDir,
        log: ctx.log.child({ plugin: plugin.name, kind: kindKey(kind) }),
        ...(ctx.kubeconfigPath ? { kubeconfigPath: ctx.kubeconfigPath } : {}),
        ...(ctx.dataDir ? { dataDir: ctx.dataDir } : {}),
        ...(ctx.etcd ? { etcd: ctx.etcd } : {}),
      });
      await store.close();
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      errors.push(read.locate({ path: `resources[${i}].backend.plugin`, message: `storage plugin "${kind.backend.plugin}" failed to create a store: ${message.split('\n')[0]}` }));
    }
  }
  return errors;
}

/** Every distinct `resources[*].backend.plugin` string of a raw (unvalidated) config. */
function pluginSpecifiers(raw: unknown): string[] {
  const resources = (raw as { resources?: unknown } | null)?.resources;
  if (!Array.isArray(resources)) return [];
  const names = new Set<string>();
  for (const resource of resources) {
    const plugin = (resource as { backend?: { plugin?: unknown } } | null)?.backend?.plugin;
    if (typeof plugin === 'string' && plugin !== '') names.add(plugin);
  }
  return [...names];
}

/** Replaces the checker's "unknown storage plugin" with why loading it failed. */
function withLoadError(error: ConfigError, raw: unknown, loadErrors: ReadonlyMap<string, string>): ConfigError {
  const match = /^resources\[(\d+)\]\.backend\.plugin$/.exec(error.path);
  if (!match) return error;
  const resource = (raw as { resources: unknown[] }).resources[Number(match[1])] as { backend?: { plugin?: unknown } } | undefined;
  const plugin = resource?.backend?.plugin;
  const message = typeof plugin === 'string' ? loadErrors.get(plugin) : undefined;
  return message ? { path: error.path, message } : error;
}

function sameEntries(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}
