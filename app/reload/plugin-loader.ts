/**
 * Finding the storage plugin a config's `backend.plugin` names:
 *
 * - a built-in name (`memory`, ...): plugins/index.ts;
 * - a path (`./plugins/x.js`, `/opt/x.mjs`, `file:...`): resolved from the config's folder;
 * - otherwise an npm package name: resolved from the config's folder, as `import` would from there.
 *
 * An outside plugin's whole module graph is watched: every file of the plugin's own folder it
 * imports (module-graph.ts finds them as they are imported), and its package.json. When any
 * changes, once the file has stopped growing (chokidar's awaitWriteFinish), the next load
 * re-imports the graph afresh and gives the plugin a new `version`, which tells the reloader to
 * rebuild the kinds that use it; the old stores serve until the new ones are ready. A load that
 * fails (a file caught half-written, say) is retried by itself once the files have settled, if
 * they changed after the import read them: a good version on disk is never left rejected.
 * Old module instances stay in memory (ESM cannot unload).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import { CONTRACT_VERSION, type StoragePlugin } from '../../core/types/storage.ts';
import { fingerprint, importFresh, newTag, pluginRoot, tagInFrame } from './module-graph.ts';

/** How long a changed file must stay the same before it is read, and between settle checks. */
const SETTLE_MS = 150;
/** Settle checks after a failed load before giving up on the files ever settling. */
const MAX_SETTLE_CHECKS = 100;

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
  /** The plugin's module files seen so far, and its package.json. */
  files: Set<string>;
  /** A pending settle check after a failed load. */
  retry?: NodeJS.Timeout;
}

export class PluginLoader {
  readonly #builtin: (name: string) => StoragePlugin | undefined;
  readonly #onChange: (file: string) => void;
  /** By entry file. */
  readonly #modules = new Map<string, CachedModule>();
  /** Each watched file → the entry files whose graph holds it. */
  readonly #owners = new Map<string, Set<string>>();
  /** Each import's tag → the plugin version it loaded: what a stack frame's URL says. */
  readonly #versionsByTag = new Map<string, string>();
  #watcher: FSWatcher | undefined;
  readonly #watch: boolean;
  #closed = false;

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
    const cached = this.#modules.get(file) ?? { generation: 0, files: new Set<string>() };
    this.#modules.set(file, cached);
    this.#track(file, file);
    const packageJson = join(pluginRoot(file), 'package.json');
    if (existsSync(packageJson)) this.#track(file, packageJson);
    const generation = cached.generation;
    const version = `${file}#${generation}`;
    if (cached.plugin) return { ok: true, loaded: { plugin: cached.plugin, version, file } };
    // What the files held before the import read them: the settle check compares against it.
    const before = this.#watch ? await fingerprint(cached.files) : '';
    try {
      const tag = newTag();
      this.#versionsByTag.set(tag, version);
      const module = await importFresh(file, tag, (dep) => this.#track(file, dep));
      const plugin = checkPluginModule(module, file);
      // A change during the import has asked for another load already; this one is stale.
      if (cached.generation === generation) cached.plugin = plugin;
      return { ok: true, loaded: { plugin, version, file } };
    } catch (error) {
      this.#retryWhenSettled(file, cached, before);
      return { ok: false, message: `storage plugin "${specifier}" (${file}) failed to load: ${loadFailure(error, file)}` };
    }
  }

  /**
   * The plugin version (as `load` gives it) whose code a stack trace runs in, by its first
   * frame in a plugin: a module of an outside plugin's graph (by the import tag in its URL,
   * module-graph.ts), a file of an npm plugin's package, or a built-in plugin's folder.
   * Undefined when no frame is a plugin's.
   */
  owner(stack: string): string | undefined {
    for (const frame of stack.split('\n').slice(1)) {
      const tag = tagInFrame(frame);
      const tagged = tag === undefined ? undefined : this.#versionsByTag.get(tag);
      if (tagged) return tagged;
      for (const [file, cached] of this.#modules) {
        const root = packageRootOf(file);
        if (root && (frame.includes(`${pathToFileURL(root).href}/`) || frame.includes(`${root}/`))) return `${file}#${cached.generation}`;
      }
      const builtin = BUILTIN_FOLDER.exec(frame);
      // lib/kube/ is a library several plugins share, not a plugin: not attributed.
      if (builtin && this.#builtin(builtin[1]!)) return `builtin:${builtin[1]}`;
    }
    return undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const cached of this.#modules.values()) clearTimeout(cached.retry);
    await this.#watcher?.close();
    this.#watcher = undefined;
  }

  /** Marks every plugin whose graph holds `file` as changed: the next load imports it afresh. */
  #changed(file: string): void {
    for (const entry of this.#owners.get(file) ?? []) {
      const cached = this.#modules.get(entry);
      if (!cached) continue;
      clearTimeout(cached.retry);
      cached.generation++;
      delete cached.plugin;
      this.#onChange(file);
    }
  }

  /**
   * After a failed load: waits until the plugin's files hold still (two checks SETTLE_MS
   * apart agree), and if they differ from what the failed import read, loads again. A file
   * whose second half landed after the import read the first is so retried even if its
   * change event was missed or folded into the first; a plugin that is simply broken is not
   * retried until it changes.
   */
  #retryWhenSettled(entry: string, cached: CachedModule, before: string): void {
    if (!this.#watch || this.#closed) return;
    clearTimeout(cached.retry);
    let last: string | undefined;
    let checks = 0;
    const check = async (): Promise<void> => {
      if (this.#closed) return;
      const now = await fingerprint(cached.files);
      if (now === last) {
        if (now !== before && !cached.plugin) this.#changed(entry);
        return;
      }
      last = now;
      if (++checks < MAX_SETTLE_CHECKS) cached.retry = setTimeout(() => void check(), SETTLE_MS).unref();
    };
    cached.retry = setTimeout(() => void check(), SETTLE_MS).unref();
  }

  /** Records `file` as part of `entry`'s plugin and watches it. */
  #track(entry: string, file: string): void {
    this.#modules.get(entry)?.files.add(file);
    const owners = this.#owners.get(file) ?? new Set<string>();
    owners.add(entry);
    if (this.#owners.has(file) || !this.#watch || this.#closed) {
      this.#owners.set(file, owners);
      return;
    }
    this.#owners.set(file, owners);
    if (!this.#watcher) {
      this.#watcher = chokidarWatch([], {
        ignoreInitial: true,
        // An editor's save-by-rename arrives as one change, not unlink + add.
        atomic: true,
        // A file being written is reported once it has stopped growing, not at its first bytes.
        awaitWriteFinish: { stabilityThreshold: SETTLE_MS, pollInterval: 50 },
      });
      this.#watcher.on('all', (event, changed) => {
        if (event === 'add' || event === 'change' || event === 'unlink') this.#changed(changed);
      });
    }
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

/** Why an import failed, in one line; for a TypeScript file Node cannot run, what to do instead. */
function loadFailure(error: unknown, file: string): string {
  const code = (error as { code?: unknown }).code;
  if (/\.[cm]?ts$/.test(file) && (code === 'ERR_UNKNOWN_FILE_EXTENSION' || code === 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING')) {
    return 'kindred loads plugins as JavaScript: build the plugin (npm run build) and name the built .js file (see docs/plugins.md)';
  }
  return firstLine((error as Error).message);
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
