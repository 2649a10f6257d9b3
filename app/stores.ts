/**
 * Creates the store of every kind through its plugin, from the stores of the previous
 * generation where there are some, so that a reload never drops a kind's data:
 *
 * - nothing about the kind's storage changed (backend, scope, plugin module version): the
 *   store is reused, with its data and open watches;
 * - same plugin and scope, but the options, the kind's definition or the plugin module
 *   changed: the plugin's `reopen` makes the new store from the old one (memory takes over
 *   its objects), or, without `reopen`, `create` opens the same backing data again;
 * - another plugin or another scope: allowed only while the old store holds no object,
 *   since its objects would be left behind; otherwise the reload is refused.
 */
import type { Logger } from 'pino';
import type { KindDefinition } from '../core/types/kind.ts';
import { canList, type EtcdSettings, type PluginContext, type Storage, type StoragePlugin } from '../core/types/storage.ts';
import { kindKey } from '../core/snapshot.ts';

export interface StoreSet {
  stores: Map<string, Storage>;
  /** Stores of the previous set that the new one does not use: close them once drained. */
  retired: Storage[];
  /** How many stores were made (created or reopened), not reused. */
  made: number;
}

export interface PreviousStores {
  kinds: readonly KindDefinition[];
  stores: ReadonlyMap<string, Storage>;
  /** By kindKey: the plugin module version each store was made with. */
  pluginVersions: ReadonlyMap<string, string>;
}

/** A reload that would drop data: refused, with the config path of the kind. */
export class StoreChangeRefused extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

export async function createStores(
  kinds: readonly KindDefinition[],
  resolvePlugin: (name: string) => StoragePlugin | undefined,
  options: {
    configDir: string;
    log: Logger;
    kubeconfigPath?: string;
    /** Handed to plugins (PluginContext.dataDir). */
    dataDir?: string;
    /** The `--etcd-*` flags, handed to plugins (PluginContext.etcd). */
    etcd?: EtcdSettings;
    /** By kindKey: the plugin module version each new kind's store is made with. */
    pluginVersions?: ReadonlyMap<string, string>;
    previous?: PreviousStores;
  },
): Promise<StoreSet> {
  const stores = new Map<string, Storage>();
  const made: Storage[] = [];
  const previous = options.previous;
  const previousKinds = new Map((previous?.kinds ?? []).map((k) => [kindKey(k), k]));
  try {
    for (const [index, kind] of kinds.entries()) {
      const key = kindKey(kind);
      const before = previousKinds.get(key);
      const old = previous?.stores.get(key);
      const sameVersion = previous?.pluginVersions.get(key) === options.pluginVersions?.get(key);
      if (old && before && sameVersion && before.scope === kind.scope && JSON.stringify(before.backend) === JSON.stringify(kind.backend)) {
        stores.set(key, old);
        continue;
      }
      const plugin = resolvePlugin(kind.backend.plugin);
      if (!plugin) throw new Error(`kind ${key}: unknown storage plugin "${kind.backend.plugin}"`);
      const ctx: PluginContext = {
        configDir: options.configDir,
        log: options.log.child({ plugin: plugin.name, kind: key }),
        ...(options.kubeconfigPath ? { kubeconfigPath: options.kubeconfigPath } : {}),
        ...(options.dataDir ? { dataDir: options.dataDir } : {}),
        ...(options.etcd ? { etcd: options.etcd } : {}),
      };
      let store: Storage;
      if (old && before && before.backend.plugin === kind.backend.plugin && before.scope === kind.scope && plugin.reopen) {
        store = await plugin.reopen(old, kind, kind.backend.options, ctx);
      } else {
        if (old && before && (before.backend.plugin !== kind.backend.plugin || before.scope !== kind.scope)) {
          await refuseIfStored(old, before, kind, index);
        }
        store = await plugin.create(kind, kind.backend.options, ctx);
      }
      made.push(store);
      stores.set(key, store);
    }
  } catch (error) {
    // Nothing half-built survives a failed load.
    await Promise.allSettled(made.map((s) => s.close()));
    throw error;
  }
  const kept = new Set(stores.values());
  const retired = [...new Set(previous?.stores.values() ?? [])].filter((s) => !kept.has(s));
  return { stores, retired, made: made.length };
}

/** Throws StoreChangeRefused when `old` holds objects (or cannot say whether it does). */
async function refuseIfStored(old: Storage, before: KindDefinition, kind: KindDefinition, index: number): Promise<void> {
  const change =
    before.backend.plugin !== kind.backend.plugin
      ? { path: `resources[${index}].backend.plugin`, what: `its storage plugin from "${before.backend.plugin}" to "${kind.backend.plugin}"` }
      : { path: `resources[${index}].scope`, what: `its scope from ${before.scope} to ${kind.scope}` };
  const name = `${kind.names.plural}.${kind.group}`;
  let count: number;
  try {
    if (!canList(old)) throw new Error('its store cannot list');
    const system = { user: { username: 'system:kindred', groups: ['system:masters'] }, signal: AbortSignal.timeout(10_000) };
    count = (await old.list(undefined, {}, system)).items.length;
  } catch (error) {
    throw new StoreChangeRefused(change.path, `cannot change ${change.what} for ${name}: could not check that it holds no objects (${(error as Error).message})`);
  }
  if (count > 0) {
    throw new StoreChangeRefused(
      change.path,
      `cannot change ${change.what} for ${name}: it holds ${count} object(s), which the new store would not have; delete them first, or keep the change out of the config`,
    );
  }
}
