/**
 * Where a config comes from, and how several documents become one: `--config` names a file
 * or a directory of YAML files, a ConfigMap holds one document per `*.yaml` key. Every
 * document has the same shape (`resources: [...]`); the merged config lists the resources of
 * all of them, in document-name order.
 *
 * An error in a merged config names its document: `apps.yaml: resources[1].names.plural`.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadConfigFile, parseConfigText } from './load.ts';

export { parseConfigText };
import type { ConfigError } from './schema.ts';
import { watchConfigPath, type ConfigWatch } from './watch.ts';

/** A parsed config, or why it could not be read. `locate` adds the document name to an error of the merged config. */
export type SourceRead =
  | { ok: true; raw: unknown; locate: (error: ConfigError) => ConfigError }
  | { ok: false; errors: ConfigError[] };

/** A config that can change: read it, and hear when it may have changed. */
export interface ConfigSource {
  /** For logs, errors and `/readyz`: the path, or `configmap <namespace>/<name>`. */
  readonly description: string;
  /** Where relative plugin paths and npm package names are resolved from. */
  readonly configDir: string;
  /** Reads and parses the current config. Never throws for a bad config. */
  read(): Promise<SourceRead>;
  /** Starts calling `onChange` (debounced) whenever the config may have changed, until close(). */
  watch(onChange: () => void): Promise<void>;
  /** Best effort: tells the config's owners that the version just read was rejected (e.g. a Kubernetes Event). */
  rejected?(errors: readonly ConfigError[]): Promise<void>;
  close(): Promise<void>;
}

/** One named config document, e.g. a file of a config directory or a key of a ConfigMap. */
export interface ConfigText {
  name: string;
  text: string;
}

/** Document names a directory or ConfigMap contributes: YAML or JSON, not hidden (kubelet's `..data` is hidden). */
export const isConfigDocumentName = (name: string): boolean => !name.startsWith('.') && /\.(ya?ml|json)$/.test(name);

/**
 * Merges documents, sorted by name, into one `{resources}`. An empty document contributes
 * nothing (a directory may hold a placeholder); any other document must be a mapping with a
 * `resources` list and nothing else, as a single config file must.
 */
export function mergeConfigTexts(texts: readonly ConfigText[]): SourceRead {
  const sorted = [...texts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const errors: ConfigError[] = [];
  const resources: unknown[] = [];
  const owners: { name: string; start: number }[] = [];
  for (const { name, text } of sorted) {
    const parsed = parseConfigText(text);
    if (!parsed.ok) {
      errors.push(...parsed.errors.map((e) => at(name, e)));
      continue;
    }
    if (parsed.raw === null || parsed.raw === undefined) continue;
    const doc = parsed.raw as Record<string, unknown>;
    if (typeof doc !== 'object' || Array.isArray(doc) || !Array.isArray(doc.resources)) {
      errors.push({ path: `${name}:`, message: 'must be a mapping with a "resources" list' });
      continue;
    }
    for (const key of Object.keys(doc)) {
      if (key !== 'resources') errors.push({ path: `${name}: ${key}`, message: 'unknown field; a config document has only "resources"' });
    }
    owners.push({ name, start: resources.length });
    resources.push(...(doc.resources as unknown[]));
  }
  if (errors.length > 0) return { ok: false, errors };
  const within = (index: number) => {
    const owner = owners.findLast((o) => o.start <= index);
    return owner ? { name: owner.name, at: `resources[${index - owner.start}]` } : undefined;
  };
  // The error's own path, and any other kind its message names (a cross-file duplicate names both files).
  const locate = (error: ConfigError): ConfigError => {
    const message = error.message.replace(/\bresources\[(\d+)\]/g, (text, index: string) => {
      const place = within(Number(index));
      return place ? `${place.name} ${place.at}` : text;
    });
    const match = /^resources\[(\d+)\](.*)$/s.exec(error.path);
    const place = match ? within(Number(match[1])) : undefined;
    return place ? { path: `${place.name}: ${place.at}${match![2]}`, message } : { path: error.path, message };
  };
  return { ok: true, raw: { resources }, locate };
}

/** Reads `path`: one config file (any name loadConfigFile accepts), or every config document in a directory. */
export async function readConfigPath(path: string): Promise<SourceRead> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    return { ok: false, errors: [{ path: '', message: `cannot read ${path}: ${(error as Error).message}` }] };
  }
  if (!isDirectory) {
    const loaded = await loadConfigFile(path);
    return loaded.ok ? { ok: true, raw: loaded.raw, locate: (e) => e } : loaded;
  }
  try {
    // Entries may be symlinks into `..data/` (a mounted ConfigMap): readFile follows them.
    const names = (await readdir(path)).filter(isConfigDocumentName);
    const texts = await Promise.all(names.map(async (name) => ({ name, text: await readFile(join(path, name), 'utf8') })));
    return mergeConfigTexts(texts);
  } catch (error) {
    // A file vanishing between readdir and readFile: the watch will call again once it settles.
    return { ok: false, errors: [{ path: '', message: `cannot read ${path}: ${(error as Error).message}` }] };
  }
}

/** `--config PATH`: a file or a directory, watched through its directory (see watch.ts). */
export class FileConfigSource implements ConfigSource {
  readonly description: string;
  readonly configDir: string;
  readonly #debounceMs: number | undefined;
  #watch: ConfigWatch | undefined;

  /** `path` must be absolute. */
  constructor(
    readonly path: string,
    options: { isDirectory: boolean; debounceMs?: number },
  ) {
    this.description = path;
    this.configDir = options.isDirectory ? path : dirname(path);
    this.#debounceMs = options.debounceMs;
  }

  static async open(path: string, options: { debounceMs?: number } = {}): Promise<FileConfigSource> {
    const isDirectory = await stat(path).then((s) => s.isDirectory(), () => false);
    return new FileConfigSource(path, { isDirectory, ...options });
  }

  read(): Promise<SourceRead> {
    return readConfigPath(this.path);
  }

  async watch(onChange: () => void): Promise<void> {
    this.#watch ??= await watchConfigPath(this.path, onChange, this.#debounceMs === undefined ? {} : { debounceMs: this.#debounceMs });
  }

  async close(): Promise<void> {
    await this.#watch?.close();
    this.#watch = undefined;
  }
}

function at(name: string, error: ConfigError): ConfigError {
  return { path: error.path ? `${name}: ${error.path}` : `${name}:`, message: error.message };
}
