/**
 * A full disk under the embedded store: writes fail with a 503 Status and store nothing,
 * reads keep working, and writes succeed again once space returns; after a restart exactly
 * the acknowledged objects are there. Uses a tiny tmpfs (needs root and `mount`); skips where
 * it cannot mount one. A read-only disk takes the same path (SQLite's READONLY and IOERR
 * codes are answered 503 like FULL, database.ts `diskError`), but cannot be staged here: the
 * kernel refuses `remount,ro` while SQLite's WAL index is mapped writable ("busy").
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isStoreError } from '../../../core/types/errors.ts';
import { embeddedPlugin, type EmbeddedStore } from '../../../plugins/embedded/index.ts';
import { defaultObject, request, write } from '../../../lib/testing/index.ts';
import { silent, widgetKind } from './fixtures.ts';

const kind = widgetKind();
const mountPoint = await mkdtemp(join(tmpdir(), 'kindred-tmpfs-'));
const mounted = (() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const skip = mounted ? false : 'cannot mount a tmpfs here (needs root)';

/** An object of about `kb` kilobytes: large enough to need new space in the WAL. */
const big = (name: string, kb = 256) => ({ ...defaultObject(kind, name, 'alpha'), spec: { blob: 'x'.repeat(kb * 1024) } });

async function unavailable(action: () => Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(action, (error: unknown) => {
    assert.ok(isStoreError(error), `not a StoreError: ${String(error)}`);
    assert.equal(error.reason, 'ServiceUnavailable');
    assert.ok(error.retryAfterSeconds);
    assert.match(error.message, pattern);
    return true;
  });
}

/** Fills the file system with one file until it refuses more; returns the file. */
function fill(dir: string): string {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  return file;
}

describe('embedded store on a full disk', { skip }, () => {
  const dataDir = join(mountPoint, 'data');
  let store: EmbeddedStore | undefined;
  const open = async () => (await embeddedPlugin.create(kind, {}, { configDir: mountPoint, log: silent, dataDir })) as EmbeddedStore;

  before(() => mkdirSync(dataDir, { recursive: true }));
  after(async () => {
    await store?.close();
    if (mounted) execFileSync('umount', [mountPoint]);
    await rm(mountPoint, { recursive: true, force: true });
  });

  it('refuses writes with 503 while the disk is full, serves reads, and recovers when space returns', async () => {
    store = await open();
    const kept = await store.create(defaultObject(kind, 'kept', 'alpha'), write());
    const filler = fill(mountPoint);
    await unavailable(() => store!.create(big('refused'), write()), /storage full/);
    await unavailable(() => store!.update({ ...big('kept'), metadata: { ...kept.metadata } }, write()), /storage full/);
    assert.deepEqual(await store.get('alpha', 'kept', request()), kept);
    assert.deepEqual((await store.list(undefined, {}, request())).items.map((i) => i.metadata.name), ['kept']);

    rmSync(filler);
    const later = await store.create(big('later'), write());
    assert.ok(Number(later.metadata.resourceVersion) > Number(kept.metadata.resourceVersion));
    await store.close();
    store = await open();
    assert.deepEqual((await store.list(undefined, {}, request())).items.map((i) => i.metadata.name), ['kept', 'later']);
    assert.deepEqual(await store.get('alpha', 'kept', request()), kept);
  });
});
