import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ListSnapshots } from '../../core/list-snapshots.ts';
import type { KubeObject } from '../../core/types/object.ts';

const objects = (n: number): KubeObject[] => Array.from({ length: n }, (_, i) => ({ apiVersion: 'v1', kind: 'X', metadata: { name: `o${i}` } }));

describe('ListSnapshots', () => {
  it('keeps a list for five minutes, for that list only', () => {
    let now = 0;
    const snapshots = new ListSnapshots(() => now);
    const id = snapshots.keep({ list: 'a', resourceVersion: '7', items: objects(3) });
    assert.equal(snapshots.get(id, 'a')?.resourceVersion, '7');
    assert.equal(snapshots.get(id, 'b'), undefined, 'a token cannot cross lists');
    now = 5 * 60_000 - 1;
    assert.ok(snapshots.get(id, 'a'));
    now = 5 * 60_000;
    assert.equal(snapshots.get(id, 'a'), undefined);
    assert.equal(snapshots.size, 0);
  });

  it('drops the oldest lists when the objects held exceed the bound', () => {
    const snapshots = new ListSnapshots(() => 0, 10);
    const first = snapshots.keep({ list: 'a', resourceVersion: '1', items: objects(6) });
    const second = snapshots.keep({ list: 'a', resourceVersion: '2', items: objects(6) });
    assert.equal(snapshots.get(first, 'a'), undefined);
    assert.ok(snapshots.get(second, 'a'));
    snapshots.release(second);
    assert.equal(snapshots.size, 0);
  });
});
