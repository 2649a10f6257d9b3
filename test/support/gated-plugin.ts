/**
 * A storage plugin for tests that need requests to stay in flight: the memory store, whose
 * get, list and create wait at a gate until the test opens it. Load it by path in a config
 * (`backend: {plugin: <GATED_PLUGIN_PATH>}`); the loader imports its own copy of this module,
 * so the gate lives on globalThis, where the test's copy finds the same one.
 */
import { fileURLToPath } from 'node:url';
import { MemoryStore } from '../../plugins/memory/index.ts';
import type { KindDefinition } from '../../core/types/kind.ts';
import { CONTRACT_VERSION, type PluginContext, type Storage, type StoragePlugin } from '../../core/types/storage.ts';

export const GATED_PLUGIN_PATH = fileURLToPath(import.meta.url);

export class Gate {
  /** Calls waiting at the gate now. */
  waiting = 0;
  #open = false;
  #release: Array<() => void> = [];
  #watchers = new Set<() => void>();

  async pass(): Promise<void> {
    if (this.#open) return;
    this.waiting++;
    this.#notify();
    await new Promise<void>((resolve) => this.#release.push(resolve));
    this.waiting--;
  }

  /** Resolves once `n` calls wait at the gate. */
  whenWaiting(n: number): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.waiting >= n) {
          this.#watchers.delete(check);
          resolve();
        }
      };
      this.#watchers.add(check);
      check();
    });
  }

  /** Lets every waiting call through; `stayOpen` lets later ones through too. */
  open(stayOpen = true): void {
    this.#open = stayOpen;
    for (const release of this.#release.splice(0)) release();
  }

  close(): void {
    this.#open = false;
  }

  #notify(): void {
    for (const watcher of [...this.#watchers]) watcher();
  }
}

const shared = globalThis as { kindredTestGate?: Gate };
export const gate: Gate = (shared.kindredTestGate ??= new Gate());

const plugin: StoragePlugin = {
  contractVersion: CONTRACT_VERSION,
  name: 'gated',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  async create(kind: KindDefinition, _options: Record<string, unknown>, ctx: PluginContext): Promise<Storage> {
    const store = new MemoryStore(kind, { log: ctx.log });
    return {
      get: async (...args) => (await gate.pass(), store.get(...args)),
      list: async (...args) => (await gate.pass(), store.list(...args)),
      create: async (...args) => (await gate.pass(), store.create(...args)),
      update: (...args) => store.update(...args),
      delete: (...args) => store.delete(...args),
      watch: (...args) => store.watch(...args),
      close: () => store.close(),
    };
  },
};
export default plugin;
