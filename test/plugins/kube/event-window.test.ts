import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStoreError } from '../../../core/types/errors.ts';
import { EventWindow, type CacheEvent } from '../../../plugins/kube/event-window.ts';

const event = (rv: number): CacheEvent => ({ rv: BigInt(rv), type: 'ADDED', object: { apiVersion: 'v1', kind: 'X', metadata: { name: `o${rv}` } } });

describe('EventWindow.since(rv)', () => {
  it('returns the events after rv, oldest first', () => {
    const window = new EventWindow(10, 5n);
    for (const rv of [6, 8, 9]) window.append(event(rv));
    assert.deepEqual(window.since(7n).map((e) => e.rv), [8n, 9n]);
    assert.deepEqual(window.since(5n).map((e) => e.rv), [6n, 8n, 9n]);
    assert.deepEqual(window.since(9n), []);
  });

  it('throws Expired for a resourceVersion older than what it still holds', () => {
    const window = new EventWindow(2, 0n);
    for (let rv = 1; rv <= 4; rv++) window.append(event(rv));
    assert.deepEqual(window.since(2n).map((e) => e.rv), [3n, 4n]);
    assert.throws(() => window.since(1n), (error: unknown) => isStoreError(error) && error.reason === 'Expired');
  });
});
