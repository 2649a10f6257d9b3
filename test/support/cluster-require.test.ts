import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterTestOptions } from '../cluster/require.ts';

describe('clusterTestOptions()', () => {
  const saved = { cache: process.env['KINDRED_CACHE'], require: process.env['KINDRED_REQUIRE_CLUSTER'] };
  const restore = (name: string, value: string | undefined) => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  afterEach(() => {
    restore('KINDRED_CACHE', saved.cache);
    restore('KINDRED_REQUIRE_CLUSTER', saved.require);
  });

  it('skips with a reason naming build.sh when the binaries are missing', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'kindred-empty-cache-'));
    try {
      process.env['KINDRED_CACHE'] = empty;
      delete process.env['KINDRED_REQUIRE_CLUSTER'];
      const { skip } = clusterTestOptions();
      assert.equal(typeof skip, 'string');
      assert.match(String(skip), /build\.sh/);
      assert.ok(String(skip).includes(empty));
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('never skips when KINDRED_REQUIRE_CLUSTER=1, so a missing build fails loudly', () => {
    process.env['KINDRED_CACHE'] = join(tmpdir(), 'kindred-no-such-cache');
    process.env['KINDRED_REQUIRE_CLUSTER'] = '1';
    assert.deepEqual(clusterTestOptions(), { skip: false });
  });
});
