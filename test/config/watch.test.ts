/** Watching a config on disk: a file's directory, a config directory, a mounted ConfigMap's `..data` swap. */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchConfigPath, type ConfigWatch } from '../../config/watch.ts';
import { readConfigPath } from '../../config/sources.ts';

/** Resolves on the next onChange call; the deadline is generous, the test waits on the event. */
function changes(): { onChange: () => void; next(): Promise<void>; count(): number } {
  let count = 0;
  let wake: (() => void) | undefined;
  return {
    onChange: () => {
      count++;
      wake?.();
    },
    next: () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no change seen within 20 s')), 20_000);
        wake = () => {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        };
      }),
    count: () => count,
  };
}

describe('watchConfigPath', () => {
  let dir: string;
  let watch: ConfigWatch | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kindred-watch-'));
  });
  afterEach(async () => {
    await watch?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sees a config file replaced by rename, as editors save', async () => {
    const file = join(dir, 'kindred.yaml');
    await writeFile(file, 'resources: []\n');
    const seen = changes();
    watch = await watchConfigPath(file, seen.onChange, { debounceMs: 20 });
    const next = seen.next();
    await writeFile(join(dir, '.kindred.yaml.tmp'), 'resources: [1]\n');
    await rename(join(dir, '.kindred.yaml.tmp'), file);
    await next;
  });

  it('sees a document added to a config directory', async () => {
    const seen = changes();
    watch = await watchConfigPath(dir, seen.onChange, { debounceMs: 20 });
    const next = seen.next();
    await writeFile(join(dir, 'more.yaml'), 'resources: []\n');
    await next;
  });

  it('sees a mounted ConfigMap updated by swapping the ..data symlink, and reads the new content', async () => {
    await mkdir(join(dir, '..v1'));
    await writeFile(join(dir, '..v1', 'kindred.yaml'), 'resources: []\n');
    await symlink('..v1', join(dir, '..data'));
    await symlink('..data/kindred.yaml', join(dir, 'kindred.yaml'));
    const seen = changes();
    watch = await watchConfigPath(dir, seen.onChange, { debounceMs: 20 });
    const next = seen.next();
    // kubelet's AtomicWriter: new folder, new symlink renamed over ..data, old folder removed.
    await mkdir(join(dir, '..v2'));
    await writeFile(join(dir, '..v2', 'kindred.yaml'), 'resources: [{group: x}]\n');
    await symlink('..v2', join(dir, '..data_tmp'));
    await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    await rm(join(dir, '..v1'), { recursive: true });
    await next;
    const read = await readConfigPath(dir);
    assert.ok(read.ok);
    assert.deepEqual(read.raw, { resources: [{ group: 'x' }] });
  });

  it('makes one call of a burst', async () => {
    const seen = changes();
    watch = await watchConfigPath(dir, seen.onChange, { debounceMs: 300 });
    const next = seen.next();
    for (let i = 0; i < 5; i++) await writeFile(join(dir, `doc-${i}.yaml`), 'resources: []\n');
    await next;
    assert.equal(seen.count(), 1);
  });

  it('ignores files that are not config documents', async () => {
    const seen = changes();
    watch = await watchConfigPath(join(dir, 'kindred.yaml'), seen.onChange, { debounceMs: 20 });
    await writeFile(join(dir, 'kindred.yaml'), 'resources: []\n');
    await seen.next();
    const before = seen.count();
    await writeFile(join(dir, 'kubeconfig'), 'x');
    await writeFile(join(dir, 'kindred.yaml'), 'resources: [] # again\n');
    await seen.next();
    assert.equal(seen.count(), before + 1);
  });
});
