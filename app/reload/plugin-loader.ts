/**
 * Finding the storage plugin a config's `backend.plugin` names:
 *
 * - a built-in name (`memory`, ...): plugins/index.ts;
 * - a path (`./plugins/x.js`, `/opt/x.mjs`, `file:...`): resolved from the config's folder;
 * - otherwise an npm package name: resolved from the config's folder, as `import` would from there.
 *
 * An outside plugin's module file is watched. When it changes, the next load re-imports it
 * (a fresh module URL: ESM has no cache eviction) and gives it a new `version`, which tells
 * the reloader to rebuild the kinds that use it. Only the entry module is re-imported; the
 * modules it imports stay cached. Old module instances stay in memory (ESM cannot unload).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import { CONTRACT_VERSION, type StoragePlugin } from '../../core/types/storage.ts';

/** A plugin ready to use, and what identifies this exact module version. */
export interface LoadedPlugin {
  plugin: StoragePlugin;
  /** `builtin:<name>`, or `<file>#<generation>`: differs after the file changed. */
  version: string;
  /** The module file, for outside plugins. */
  file?: string;
}

export type PluginLoad = { ok: true; loaded: LoadedPlugin } | { ok: false; message: string };

interface CachedModule {
  generation: number;
  plugin?: StoragePlugin;
}

export class PluginLoader {
  readonly #builtin: (name: string) => StoragePlugin | undefined;
  readonly #onChange: (file: string) => void;
  readonly #modules = new Map<string, CachedModule>();
  #watcher: FSWatcher | undefined;
  readonly #watched = new Set<string>();
  readonly #watch: boolean;

  /** `onChange` runs when a loaded plugin's file changed; `watch: false` turns watching off (one-shot validation). */
  constructor(options: { builtin: (name: string) => StoragePlugin | undefined; onChange?: (file: string) => void; watch?: boolean }) {
    this.#builtin = options.builtin;
    this.#onChange = options.onChange ?? (() => {});
    this.#watch = options.watch ?? true;
  }

  /** The built-in plugin of that name, if any. */
  builtin(name: string): StoragePlugin | undefined {
    return this.#builtin(name);
  }

  /** Loads the plugin `specifier` names, relative to `configDir`. Never throws. */
  async load(specifier: string, configDir: string): Promise<PluginLoad> {
    const builtin = this.#builtin(specifier);
    if (builtin) return { ok: true, loaded: { plugin: builtin, version: `builtin:${specifier}` } };
    let file: string;
    try {
      file = resolvePluginFile(specifier, configDir);
    } catch (error) {
      return { ok: false, message: `unknown storage plugin "${specifier}": not a built-in plugin, and ${(error as Error).message}` };
    }
    const cached = this.#modules.get(file) ?? { generation: 0 };
    this.#modules.set(file, cached);
    this.#watchFile(file);
    const version = `${file}#${cached.generation}`;
    if (cached.plugin) return { ok: true, loaded: { plugin: cached.plugin, version, file } };
    try {
      // The query makes a new module URL per generation, so a changed file is imported afresh.
      const module = (await import(`${pathToFileURL(file).href}?generation=${cached.generation}`)) as Record<string, unknown>;
      cached.plugin = checkPluginModule(module, file);
      return { ok: true, loaded: { plugin: cached.plugin, version, file } };
    } catch (error) {
      return { ok: false, message: `storage plugin "${specifier}" (${file}) failed to load: ${firstLine((error as Error).message)}` };
    }
  }

  /**
   * The plugin version (as `load` gives it) whose code a stack trace runs in, by its first
   * frame in a plugin: an outside plugin's module (by its generation's URL), a file of an npm
   * plugin's package, or a built-in plugin's folder. Undefined when no frame is a plugin's.
   */
  owner(stack: string): string | undefined {
    for (const frame of stack.split('\n').slice(1)) {
      for (const [file, cached] of this.#modules) {
        const url = pathToFileURL(file).href;
        const at = frame.indexOf(`${url}?generation=`);
        if (at >= 0) {
          const generation = /^\d+/.exec(frame.slice(at + url.length + '?generation='.length))?.[0];
          return `${file}#${generation ?? cached.generation}`;
        }
        const root = packageRootOf(file);
        if (root && (frame.includes(`${pathToFileURL(root).href}/`) || frame.includes(`${root}/`))) return `${file}#${cached.generation}`;
      }
      const builtin = BUILTIN_FOLDER.exec(frame);
      // plugins/kube/ is a library several plugins share, not a plugin: not attributed.
      if (builtin && this.#builtin(builtin[1]!)) return `builtin:${builtin[1]}`;
    }
    return undefined;
  }

  async close(): Promise<void> {
    await this.#watcher?.close();
    this.#watcher = undefined;
  }

  #watchFile(file: string): void {
    if (!this.#watch) return;
    if (!this.#watcher) {
      // `atomic`: an editor's save-by-rename arrives as one change, not unlink + add.
      this.#watcher = chokidarWatch([], { ignoreInitial: true, atomic: true });
      this.#watcher.on('all', (event, changed) => {
        if (event !== 'add' && event !== 'change') return;
        const entry = this.#modules.get(changed);
        if (!entry) return;
        entry.generation++;
        delete entry.plugin;
        this.#onChange(changed);
      });
    }
    if (this.#watched.has(file)) return;
    this.#watched.add(file);
    this.#watcher.add(file);
  }
}

/** The built-in plugins' folder (plugins/), from here (app/reload/), in the sources and in dist/. */
const BUILTIN_ROOT = fileURLToPath(new URL('../../plugins/', import.meta.url));
/** A frame in `plugins/<name>/`: group 1 is the folder name. */
const BUILTIN_FOLDER = new RegExp(`(?:file://)?${escapeRegExp(BUILTIN_ROOT)}([^/]+)/`);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** For a file inside `node_modules/<package>/`, that package's folder. */
function packageRootOf(file: string): string | undefined {
  const match = /^(.*\/node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(file);
  return match?.[1];
}

/** True when `specifier` is a path rather than a package name. */
export function isPathSpecifier(specifier: string): boolean {
  return specifier.startsWith('.') || isAbsolute(specifier) || specifier.startsWith('file:');
}

/** The module file `specifier` means from `configDir`; throws with a one-line reason. */
export function resolvePluginFile(specifier: string, configDir: string): string {
  if (isPathSpecifier(specifier)) {
    const file = specifier.startsWith('file:') ? fileURLToPath(specifier) : resolve(configDir, specifier);
    if (!existsSync(file)) throw new Error(`no file ${file}`);
    return file;
  }
  try {
    // Handles `exports` with the require/node/default conditions, and `main`.
    return createRequire(join(configDir, 'kindred.config.js')).resolve(specifier);
  } catch {
    // ESM-only packages export only under the `import` condition, which require cannot see.
    const file = resolveImportOnlyPackage(specifier, configDir);
    if (file) return file;
    throw new Error(`no npm package "${specifier}" found from ${configDir}`);
  }
}

/** Looks up `node_modules/<name>` from `from` upwards and reads its `exports["."]` import condition. */
function resolveImportOnlyPackage(specifier: string, from: string): string | undefined {
  const match = /^((?:@[^/]+\/)?[^/@][^/]*)(\/.*)?$/.exec(specifier);
  if (!match || match[2]) return undefined; // subpaths of import-only packages: not supported
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const root = join(dir, 'node_modules', match[1]!);
    if (existsSync(join(root, 'package.json'))) {
      const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports?: unknown; main?: string };
      const target = importTarget(pkg.exports) ?? pkg.main ?? 'index.js';
      const file = join(root, target);
      return existsSync(file) ? file : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

function importTarget(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (exports === null || typeof exports !== 'object' || Array.isArray(exports)) return undefined;
  const map = exports as Record<string, unknown>;
  if ('.' in map) return importTarget(map['.']);
  for (const condition of ['import', 'node', 'default']) {
    if (condition in map) return importTarget(map[condition]);
  }
  return undefined;
}

/** The module's default export, or its named `plugin`, checked against the StoragePlugin contract. */
function checkPluginModule(module: Record<string, unknown>, file: string): StoragePlugin {
  const candidate = (module.default ?? module.plugin) as Partial<StoragePlugin> | undefined;
  const problems: string[] = [];
  if (candidate === null || typeof candidate !== 'object') {
    throw new Error(`${file} must export a storage plugin as its default export or as "plugin"`);
  }
  if (candidate.contractVersion !== CONTRACT_VERSION) {
    // Checked first and alone: a plugin for another contract fails in ways the rest cannot name.
    const said = candidate.contractVersion === undefined ? 'declares no "contractVersion"' : `was written for contract version ${String(candidate.contractVersion)}`;
    throw new Error(`the exported plugin ${said}; this kindred speaks contract version ${CONTRACT_VERSION} (see docs/plugins.md)`);
  }
  if (typeof candidate.name !== 'string' || candidate.name === '') problems.push('"name" must be a non-empty string');
  if (candidate.optionsSchema === null || typeof candidate.optionsSchema !== 'object') problems.push('"optionsSchema" must be a JSON Schema object');
  if (typeof candidate.create !== 'function') problems.push('"create" must be a function');
  if (problems.length > 0) throw new Error(`the exported plugin is invalid: ${problems.join('; ')}`);
  return candidate as StoragePlugin;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
