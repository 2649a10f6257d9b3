import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { watchFiles } from '../../../core/auth/file-watch.ts';
import { eventually } from '../../support/eventually.ts';

const dirs: string[] = [];
// watchFiles' poll timer is unref'd (it must not keep a stopping server alive): hold the loop open.
const keepAlive = setInterval(() => {}, 1000);
after(async () => {
  clearInterval(keepAlive);
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kindred-file-watch-'));
  dirs.push(dir);
  return dir;
}

function nextChange(): { promise: Promise<string[]>; resolve: (v: string[]) => void } {
  let resolve: (v: string[]) => void = () => {};
  const promise = new Promise<string[]>((r) => (resolve = r));
  return { promise, resolve };
}

describe('watchFiles(paths, options)', () => {
  it('reads the files at once and reports a changed content', async () => {
    const dir = await folder();
    const [a, b] = [join(dir, 'a'), join(dir, 'b')];
    await writeFile(a, 'A1');
    await writeFile(b, 'B1');
    const change = nextChange();
    const watched = await watchFiles([a, b], { intervalMs: 20, onChange: change.resolve });
    assert.deepEqual(watched.current(), ['A1', 'B1']);
    await writeFile(b, 'B2');
    assert.deepEqual(await change.promise, ['A1', 'B2']);
    assert.deepEqual(watched.current(), ['A1', 'B2']);
    watched.stop();
  });

  it('keeps the last valid contents when new ones fail validation (a half-rotated pair)', async () => {
    const dir = await folder();
    const path = join(dir, 'cert');
    await writeFile(path, 'good-1');
    const errors: unknown[] = [];
    const changes: string[][] = [];
    const watched = await watchFiles([path], {
      intervalMs: 20,
      validate: ([text]) => {
        if (!text?.startsWith('good')) throw new Error('not a certificate');
      },
      onChange: (c) => changes.push(c),
      onError: (e) => errors.push(e),
    });
    await writeFile(path, 'garbage');
    await eventually('the rejected contents', () => errors.length > 0);
    assert.deepEqual(watched.current(), ['good-1']);
    await writeFile(path, 'good-2');
    await eventually('the next valid contents', () => changes.length > 0);
    assert.deepEqual(changes, [['good-2']]);
    assert.deepEqual(watched.current(), ['good-2']);
    watched.stop();
  });

  it('throws at once when a file cannot be read', async () => {
    await assert.rejects(watchFiles([join(await folder(), 'missing')], { onChange: () => {} }), /ENOENT/);
  });
});
