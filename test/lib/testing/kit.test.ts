/**
 * The conformance kit can fail: run against a store with one flaw, the test that checks
 * that rule fails and the rest pass; a store without a capability skips what needs it.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('./fixtures/flawed-store.ts', import.meta.url));

/** TAP of the kit run against the store with `flaw`. */
function runKit(flaw: string): Promise<string> {
  const { NODE_TEST_CONTEXT: _nested, ...env } = process.env;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', fixture], { env: { ...env, KIT_FLAW: flaw } }, (_error, stdout) => resolve(stdout));
  });
}

const failed = (tap: string): string[] => [...tap.matchAll(/^\s*not ok \d+ - (.*)$/gm)].map((m) => m[1]!).filter((name) => !/conformance|^(create|get|update|delete|list|dryRun|watch|concurrent updates)$/.test(name));

describe('storeConformance', () => {
  it('passes a store that keeps every rule', async () => {
    const tap = await runKit('none');
    assert.deepEqual(failed(tap), []);
    assert.match(tap, /# fail 0/);
  });

  it('fails a store that loses updates, in the concurrent writers test', async () => {
    const tap = await runKit('ignores-resource-version');
    assert.deepEqual(failed(tap).sort(), [
      'fails with Conflict and changes nothing when the resourceVersion is stale',
      'lets exactly one of 8 writers with the same resourceVersion win each round, and loses no update',
      'serializes writers that each re-read on Conflict, so every one of their changes lands',
    ]);
  });

  it('fails a store whose dry-run create returns a resourceVersion', async () => {
    const tap = await runKit('dry-run-create-has-version');
    assert.deepEqual(failed(tap), ['on create, update and delete answers as if done but changes nothing and emits nothing']);
  });

  it('skips, and does not fail, what a read-only store cannot do', async () => {
    const tap = await runKit('read-only');
    assert.deepEqual(failed(tap), []);
    assert.match(tap, /# SKIP the store does not serve create/);
  });
});
