/**
 * Creates the store of every kind through its plugin. A store whose kind has not changed
 * since the previous snapshot is reused, with its data and open watches.
 */
import type { Logger } from 'pino';
import type { KindDefinition } from '../core/types/kind.ts';
import type { Storage, StoragePlugin } from '../core/types/storage.ts';
import { kindKey } from '../core/registry.ts';

export interface StoreSet {
  stores: Map<string, Storage>;
  /** Stores of the previous set that the new one does not use: close them once drained. */
  retired: Storage[];
}

export async function createStores(
  kinds: readonly KindDefinition[],
  resolvePlugin: (name: string) => StoragePlugin | undefined,
  options: { configDir: string; log: Logger; kubeconfigPath?: string; previous?: { kinds: readonly KindDefinition[]; stores: ReadonlyMap<string, Storage> } },
): Promise<StoreSet> {
  const stores = new Map<string, Storage>();
  const created: Storage[] = [];
  const previousKinds = new Map((options.previous?.kinds ?? []).map((k) => [kindKey(k), JSON.stringify(k.backend)]));
  try {
    for (const kind of kinds) {
      const key = kindKey(kind);
      const reusable = options.previous?.stores.get(key);
      if (reusable && previousKinds.get(key) === JSON.stringify(kind.backend)) {
        stores.set(key, reusable);
        continue;
      }
      const plugin = resolvePlugin(kind.backend.plugin);
      if (!plugin) throw new Error(`kind ${key}: unknown storage plugin "${kind.backend.plugin}"`);
      const log = options.log.child({ plugin: plugin.name, kind: key });
      const store = await plugin.create(kind, kind.backend.options, {
        configDir: options.configDir,
        log,
        ...(options.kubeconfigPath ? { kubeconfigPath: options.kubeconfigPath } : {}),
      });
      created.push(store);
      stores.set(key, store);
    }
  } catch (error) {
    // Nothing half-built survives a failed load.
    await Promise.allSettled(created.map((s) => s.close()));
    throw error;
  }
  const kept = new Set(stores.values());
  const retired = [...(options.previous?.stores.values() ?? [])].filter((s) => !kept.has(s));
  return { stores, retired };
}
