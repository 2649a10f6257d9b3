/**
 * The `embedded` storage plugin, kindred's default: each kind's objects are kept on local
 * disk, in one SQLite database per data directory (`kindred serve --data-dir`), and an
 * acknowledged write survives a crash. Process-local: one kindred replica serves a data
 * directory (a second process on it is refused).
 *
 *   backend: {plugin: embedded, options: {watchWindow: 1000}}
 *
 * Data outlives config edits: a kind removed from the config keeps its objects on disk and
 * serves them again when it comes back (kinds are keyed by group and kind); its scope cannot
 * change while it has stored objects.
 */
import type { KindDefinition } from '../../core/types/kind.ts';
import { CONTRACT_VERSION, type PluginContext, type StoragePlugin } from '../../core/types/storage.ts';
import { openDatabase } from './database.ts';
import { acquireKindState, WATCH_WINDOW } from './kind-state.ts';
import { EmbeddedStore } from './store.ts';

export { EmbeddedStore } from './store.ts';
export { WATCH_WINDOW } from './kind-state.ts';

export const embeddedPlugin: StoragePlugin = {
  contractVersion: CONTRACT_VERSION,
  name: 'embedded',
  processLocal: true,
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      watchWindow: {
        type: 'integer',
        minimum: 1,
        description: `how many past events of the kind a watch can resume from, also after a restart (default ${WATCH_WINDOW})`,
      },
    },
  },
  async create(kind: KindDefinition, options: Record<string, unknown>, ctx: PluginContext): Promise<EmbeddedStore> {
    if (!ctx.dataDir) {
      throw new Error(`kind ${kind.names.kind}.${kind.group}: the embedded plugin needs a data directory (kindred serve --data-dir DIR)`);
    }
    const db = openDatabase(ctx.dataDir);
    try {
      const window = options.watchWindow === undefined ? WATCH_WINDOW : Number(options.watchWindow);
      if (!Number.isSafeInteger(window) || window < 1) throw new RangeError(`watchWindow must be a positive integer, got ${String(options.watchWindow)}`);
      const state = acquireKindState(db, kind, ctx.log, window);
      ctx.log.debug({ dataDir: db.dir, objects: state.objects.size }, 'embedded store opened');
      return new EmbeddedStore(kind, db, state);
    } catch (error) {
      db.release();
      throw error;
    }
  },
};

export default embeddedPlugin;
