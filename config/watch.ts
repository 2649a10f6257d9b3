/**
 * Hearing about config changes on disk. kindred watches the config's **directory**, never
 * the file: a mounted ConfigMap is updated by kubelet's atomic writer, which writes a new
 * `..<timestamp>` folder and renames a `..data` symlink over the old one, so the config
 * file (a symlink through `..data`) never changes itself and a single-file watch misses the
 * update (kubernetes/kubernetes pkg/volume/util/atomic_writer.go). Editors that save by
 * rename break file watches the same way.
 *
 * Bursts (an editor's write + rename, kubelet's several renames) are debounced into one call.
 */
import { basename, dirname } from 'node:path';
import { stat } from 'node:fs/promises';
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';

export const DEFAULT_DEBOUNCE_MS = 100;

export interface ConfigWatch {
  /** Resolves once the watcher has stopped; no call to onChange follows. */
  close(): Promise<void>;
}

export interface WatchOptions {
  /** Quiet time after the last event before onChange runs. */
  debounceMs?: number;
}

/**
 * Calls `onChange` after changes that may affect the config at `path` (a file or a
 * directory of documents), once per burst. Resolves once the watch is in place, so a
 * change made after it resolves is seen.
 */
export async function watchConfigPath(path: string, onChange: () => void, options: WatchOptions = {}): Promise<ConfigWatch> {
  const isDirectory = await stat(path).then((s) => s.isDirectory(), () => false);
  const dir = isDirectory ? path : dirname(path);
  const file = isDirectory ? undefined : basename(path);
  // Names starting with '..' are the atomic writer's (`..data`, `..2024_...`, `..data_tmp`).
  const relevant = (name: string): boolean => name.startsWith('..') || (file ? name === file : !name.startsWith('.'));
  const debounced = debounce(onChange, options.debounceMs ?? DEFAULT_DEBOUNCE_MS);

  const watcher: FSWatcher = chokidarWatch(dir, {
    ignoreInitial: true,
    // The `..data` symlink itself is what changes; following it would watch the old target.
    followSymlinks: false,
    depth: 0,
    // kindred re-reads the whole config on any event, so chokidar need not pair unlink+add.
    atomic: false,
  });
  watcher.on('all', (_event, changed) => {
    if (relevant(basename(changed))) debounced.call();
  });
  // chokidar drops some renames (a symlink renamed over another, a file replaced within the
  // same mtime tick) after stat-ing them; the raw fs.watch event still names the entry.
  watcher.on('raw', (_event, name) => {
    if (typeof name === 'string' && name !== '' && relevant(basename(name))) debounced.call();
  });
  await new Promise<void>((resolve, reject) => {
    watcher.once('ready', resolve);
    watcher.once('error', reject);
  });
  return {
    async close() {
      debounced.cancel();
      await watcher.close();
    },
  };
}

/** Runs `fn` once `ms` have passed without another call. */
export function debounce(fn: () => void, ms: number): { call(): void; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  return {
    call() {
      if (cancelled) return;
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    },
    cancel() {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}
