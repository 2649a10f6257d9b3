/** The storage plugins that ship with kindred, by the name a config's `backend.plugin` uses. */
import type { StoragePlugin } from '../core/types/storage.ts';
import { memoryPlugin } from './memory/index.ts';

export const builtinPlugins: ReadonlyMap<string, StoragePlugin> = new Map([[memoryPlugin.name, memoryPlugin]]);

export function resolveBuiltinPlugin(name: string): StoragePlugin | undefined {
  return builtinPlugins.get(name);
}
