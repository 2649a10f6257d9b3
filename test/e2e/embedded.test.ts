/**
 * The default backend keeps data: what kubectl created is still there after kindred restarts
 * on the same --data-dir, with its uid and resourceVersion, and writes after the restart get
 * newer resourceVersions. kubectl 1.33, as a user of a current cluster would run it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { requireKubectl } from '../support/tools.ts';
import { E2E_CONFIG, gadget } from '../support/gadget-config.ts';

const version = '1.33';

describe(`kubectl ${version} against the embedded store across a restart`, requireKubectl(version), () => {
  let dataDir: string;
  let k: TestKindred | undefined;
  const kubectl = async (...args: string[]) => {
    const r = await k!.kubectl(version, args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const json = async (...args: string[]) => JSON.parse(await kubectl(...args, '-o', 'json')) as { metadata: { uid: string; resourceVersion: string }; spec: Record<string, unknown> };

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kindred-e2e-data-'));
  });
  after(async () => {
    await k?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('get returns what create stored before the restart, and later writes get newer resourceVersions', async () => {
    k = await startTestKindred(E2E_CONFIG, { dataDir });
    const created = await k.kubectl(version, ['create', '-f', '-'], { input: gadget('durable', { size: 3, color: 'teal' }) });
    assert.equal(created.code, 0, created.stderr);
    const before = await json('get', 'gadget', 'durable');
    await k.stop();

    k = await startTestKindred(E2E_CONFIG, { dataDir });
    const after = await json('get', 'gadget', 'durable');
    assert.deepEqual(after, before);
    await kubectl('patch', 'gadget', 'durable', '--type=merge', '-p', '{"spec":{"size":4}}');
    const patched = await json('get', 'gadget', 'durable');
    assert.equal(patched.spec.size, 4);
    assert.equal(patched.metadata.uid, before.metadata.uid);
    assert.ok(Number(patched.metadata.resourceVersion) > Number(before.metadata.resourceVersion));
    assert.match(await kubectl('get', 'gadgets'), /^durable\s/m);
  });
});
