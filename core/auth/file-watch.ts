/**
 * Files read at start-up and again whenever their content changes: the serving certificate
 * and key (cert-manager rotates them in place, through kubelet's `..data` symlink swap) and
 * CA files. Polling the content, not watching inodes, survives symlink swaps and editors
 * that replace files; a 10 s default costs two small reads.
 */
import { readFile } from 'node:fs/promises';

export interface WatchedFiles {
  /** The contents as last accepted, in the order of `paths`. */
  current(): string[];
  stop(): void;
}

export interface WatchFilesOptions {
  intervalMs?: number;
  /**
   * Checks a new set of contents before it replaces the old one (e.g. that the key matches the
   * certificate); throwing keeps the old set. A half-rotated pair fails here and is retried
   * at the next poll.
   */
  validate?: (contents: string[]) => void;
  onChange: (contents: string[]) => void;
  onError?: (error: unknown) => void;
}

/** Reads `paths` now (throws if unreadable or invalid) and then polls them. */
export async function watchFiles(paths: string[], options: WatchFilesOptions): Promise<WatchedFiles> {
  const read = () => Promise.all(paths.map((p) => readFile(p, 'utf8')));
  let current = await read();
  options.validate?.(current);
  let polling = false;
  const timer = setInterval(() => {
    if (polling) return;
    polling = true;
    void read()
      .then((next) => {
        if (next.every((text, i) => text === current[i])) return;
        options.validate?.(next);
        current = next;
        options.onChange(next);
      })
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => (polling = false));
  }, options.intervalMs ?? 10_000);
  timer.unref();
  return { current: () => current, stop: () => clearInterval(timer) };
}
