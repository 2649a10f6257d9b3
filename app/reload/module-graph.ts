/**
 * Re-importing a plugin's whole module graph, not just its entry file. ESM has no cache
 * eviction: a module URL, once imported (or once failed), stays as it was. So each import
 * of an outside plugin gets a fresh tag in its URL (`?kindred-plugin=<n>&kindred-root=<dir>`),
 * and a module resolve hook (Node's `module.register`) passes the tag on to every module
 * that entry imports from inside the plugin's own folder (`kindred-root`, outside any
 * node_modules): the plugin's files are evaluated afresh, its dependencies and kindred
 * itself are not. The hook reports each file it tagged, so the loader can watch them all.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The query parameter that carries an import's tag; it shows in stack frames of the plugin's code. */
export const TAG = 'kindred-plugin';
const ROOT = 'kindred-root';

// Runs on the loader hooks thread, so it is plain JavaScript in a data: URL (no build step,
// nothing for tsx to compile).
const HOOKS = `
let port;
export async function initialize(data) { port = data.port; }
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (!context.parentURL || !context.parentURL.startsWith('file:') || !result.url.startsWith('file:')) return result;
  const parent = new URL(context.parentURL).searchParams;
  const tag = parent.get('${TAG}');
  const root = parent.get('${ROOT}');
  if (tag === null || root === null) return result;
  const url = new URL(result.url);
  const path = decodeURIComponent(url.pathname);
  if (!path.startsWith(root + '/') || path.slice(root.length).includes('/node_modules/')) return result;
  url.searchParams.set('${TAG}', tag);
  url.searchParams.set('${ROOT}', root);
  port.postMessage({ tag, file: path });
  return { ...result, url: url.href };
}
`;

type Listener = (file: string) => void;
const listeners = new Map<string, Listener>();
let registered = false;
let lastTag = 0;

/** A tag no import has had yet. */
export function newTag(): string {
  return String(++lastTag);
}

/** The import tag in a stack frame of a plugin's module, if it has one. */
export function tagInFrame(frame: string): string | undefined {
  return new RegExp(`[?&]${TAG}=(\\d+)`).exec(frame)?.[1];
}

function ensureHooks(): void {
  if (registered) return;
  registered = true;
  const { port1, port2 } = new MessageChannel();
  port1.on('message', (message: { tag: string; file: string }) => listeners.get(message.tag)?.(message.file));
  // Never the reason the process stays up.
  port1.unref();
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`, { data: { port: port2 }, transferList: [port2] });
}

/** The folder a plugin's own files live in: that of its nearest package.json, else its own. */
export function pluginRoot(entry: string): string {
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return dirname(entry);
  }
}

/**
 * Imports `entry` under `tag` (from newTag), so it and every module of the plugin's folder it
 * imports are evaluated anew. `onFile` hears each such module file (the entry included).
 */
export async function importFresh(entry: string, tag: string, onFile: (file: string) => void): Promise<Record<string, unknown>> {
  ensureHooks();
  const url = pathToFileURL(entry);
  url.searchParams.set(TAG, tag);
  url.searchParams.set(ROOT, pluginRoot(entry));
  listeners.set(tag, onFile);
  onFile(fileURLToPath(pathToFileURL(entry)));
  try {
    return (await import(url.href)) as Record<string, unknown>;
  } finally {
    // Reports still in flight from the hooks thread may arrive a little later: keep listening briefly.
    setTimeout(() => listeners.delete(tag), 1000).unref();
  }
}

/** A digest of the files' contents (absent files count too), to tell whether any changed. */
export async function fingerprint(files: Iterable<string>): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [...files].sort()) {
    hash.update(file).update('\0');
    hash.update(await readFile(file).catch(() => Buffer.from('(absent)'))).update('\0');
  }
  return hash.digest('hex');
}
