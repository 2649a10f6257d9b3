/**
 * The `memory` storage plugin: every kind it backs lives in this process only, which is
 * what a laptop (standalone mode) and the tests want. See store.ts for the semantics.
 *
 *   backend: {plugin: memory, options: {watchWindow: 1000}}
 */
import { CONTRACT_VERSION, definePlugin } from '../../core/types/storage.ts';
import { MemoryStore } from './store.ts';

export { MemoryStore, DEFAULT_WATCH_WINDOW, DEFAULT_MAX_QUEUED_EVENTS } from './store.ts';
export type { MemoryStoreOptions } from './store.ts';

/** `backend.options` of a memory kind. */
export interface MemoryPluginOptions {
  watchWindow?: number;
}

export const memoryPlugin = definePlugin<MemoryPluginOptions>({
  contractVersion: CONTRACT_VERSION,
  name: 'memory',
  processLocal: true,
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      watchWindow: {
        type: 'integer',
        minimum: 1,
        description: 'how many past events a watch can resume from (default 1000)',
      },
    },
  },
  async create(kind, options, ctx) {
    // The loader has checked options against optionsSchema; MemoryStore still rejects a
    // bad window with a RangeError, so a loader bug fails at load, not at the first watch.
    const { watchWindow } = options;
    const store = new MemoryStore(kind, { ...(watchWindow === undefined ? {} : { watchWindow }), log: ctx.log });
    ctx.log.debug({ watchWindow: watchWindow ?? 'default' }, 'memory store created');
    return store;
  },
  /** The objects live only in this process: the new store takes over the old one's data. */
  async reopen(previous, kind, options, ctx) {
    if (!(previous instanceof MemoryStore)) throw new Error('the memory plugin can only take over a memory store');
    const { watchWindow } = options;
    const store = new MemoryStore(kind, { ...(watchWindow === undefined ? {} : { watchWindow }), log: ctx.log }, previous);
    ctx.log.debug({ watchWindow: watchWindow ?? 'default' }, 'memory store took over the previous one');
    return store;
  },
});

export default memoryPlugin;
