/** The storage plugins that ship with kindred, by the name a config's `backend.plugin` uses. */
import type { StoragePlugin } from '../core/types/storage.ts';
import { embeddedPlugin } from './embedded/index.ts';
import { etcdPlugin } from './etcd/index.ts';
import { helmReleasePlugin } from './helmrelease/index.ts';
import { httpPlugin } from './http/index.ts';
import { memoryPlugin } from './memory/index.ts';
import { secretPlugin } from './secret/index.ts';

export const builtinPlugins: ReadonlyMap<string, StoragePlugin> = new Map(
  [embeddedPlugin, memoryPlugin, etcdPlugin, helmReleasePlugin, secretPlugin, httpPlugin].map((plugin) => [plugin.name, plugin]),
);

export function resolveBuiltinPlugin(name: string): StoragePlugin | undefined {
  return builtinPlugins.get(name);
}
