/**
 * Getting a config file's contents: finding the file (cosmiconfig's search, restricted to
 * YAML and JSON) and parsing it (YAML 1.2, of which JSON is a subset).
 *
 * Nothing here runs code from a config: no JS or TS config files, no `$import`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { cosmiconfig } from 'cosmiconfig';
import type { Loader } from 'cosmiconfig';
import { LineCounter, parseDocument } from 'yaml';
import type { ConfigError } from './schema.ts';

/** The module name: `kindred.config.yaml`, `.kindredrc`, the `kindred` key of package.json. */
const MODULE = 'kindred';

/** Where findConfig looks in each folder, first match wins. */
export const SEARCH_PLACES: readonly string[] = [
  `${MODULE}.config.yaml`,
  `${MODULE}.config.yml`,
  `${MODULE}.config.json`,
  `.${MODULE}rc`,
  `.${MODULE}rc.yaml`,
  `.${MODULE}rc.yml`,
  `.${MODULE}rc.json`,
  'package.json',
];

export type LoadResult = { ok: true; raw: unknown } | { ok: false; errors: ConfigError[] };

/** Parses one config document (YAML 1.2, JSON included): errors with line and column, alias expansion bounded. */
export function parseConfigText(text: string): LoadResult {
  const lineCounter = new LineCounter();
  // prettyErrors off: the message stays one line, and the position comes from lineCounter.
  const document = parseDocument(text, { prettyErrors: false, lineCounter });
  if (document.errors.length > 0) {
    return {
      ok: false,
      errors: document.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { path: '', message: `YAML error at line ${line}, column ${col}: ${firstLine(error.message)}` };
      }),
    };
  }
  try {
    // Bounds alias expansion ("billion laughs"); toJS throws beyond it.
    return { ok: true, raw: document.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    return fail(`YAML error: ${firstLine((error as Error).message)}`);
  }
}

/**
 * Reads and parses one config file. A `package.json` yields its `kindred` key. Errors
 * (unreadable file, YAML errors with line and column, several documents) have an empty path.
 */
export async function loadConfigFile(path: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return fail(`cannot read ${path}: ${(error as Error).message}`);
  }
  const parsed = parseConfigText(text);
  if (!parsed.ok) return parsed;
  const raw = parsed.raw;
  if (basename(path) === 'package.json') {
    const value = (raw as Record<string, unknown> | null)?.[MODULE];
    return value === undefined ? fail(`${path} has no "${MODULE}" key`) : { ok: true, raw: value };
  }
  return { ok: true, raw };
}

/**
 * Looks for a config file in `fromDir`, then in its parents up to the first folder holding
 * a package.json (cosmiconfig's `project` strategy). Returns the file's path, or undefined.
 * Found files are not parsed (except package.json, for its key): loadConfigFile reports
 * their errors, with positions. Throws, rather than search, when the working directory has
 * a cosmiconfig meta config written in code (see refuseCodeMetaConfig).
 */
export async function findConfig(fromDir: string): Promise<string | undefined> {
  refuseCodeMetaConfig();
  const explorer = cosmiconfig(MODULE, {
    searchPlaces: [...SEARCH_PLACES],
    searchStrategy: 'project',
    cache: false,
    // Replacing every default loader, so no extension can reach a JS/TS loader.
    loaders: {
      '.json': found,
      '.yaml': found,
      '.yml': found,
      noExt: found,
      '.js': refuse,
      '.cjs': refuse,
      '.mjs': refuse,
      '.ts': refuse,
    },
  });
  const result = await explorer.search(fromDir);
  return result?.filepath;
}

/**
 * Claims a file without parsing it. For package.json, cosmiconfig reads the `kindred`
 * key of what this returns, so it says whether the key is there.
 */
const found: Loader = (filepath, content) => {
  if (basename(filepath) !== 'package.json') return {};
  try {
    const pkg = JSON.parse(content) as unknown;
    return pkg !== null && typeof pkg === 'object' && MODULE in pkg ? { [MODULE]: {} } : {};
  } catch {
    return {}; // a broken package.json is not our config
  }
};

const refuse: Loader = (filepath) => {
  throw new Error(`${filepath}: kindred does not load code as configuration; use YAML or JSON`);
};

/**
 * cosmiconfig reads its own "meta" config from the working directory with its default
 * loaders before any option of ours applies, and `.config/config.{js,ts,cjs,mjs}` would run
 * as code. Refuse to search rather than risk running it.
 */
function refuseCodeMetaConfig(): void {
  for (const ext of ['js', 'ts', 'cjs', 'mjs']) {
    const file = join(process.cwd(), '.config', `config.${ext}`);
    if (existsSync(file)) {
      throw new Error(`refusing to search for a config: cosmiconfig could execute ${file}; name the config file instead`);
    }
  }
}

function fail(message: string): LoadResult {
  return { ok: false, errors: [{ path: '', message }] };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
