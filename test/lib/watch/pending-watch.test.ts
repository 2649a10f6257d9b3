/** PendingWatch: a watch handed out while it is still opening. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PendingWatch } from '../../../lib/watch/pending-watch.ts';

/** An iterator over `values` that records whether return() was called. */
function source(values: number[]) {
  const state = { returned: false };
  const iterator: AsyncIterableIterator<number> = {
    next: async () => (values.length > 0 ? { done: false, value: values.shift()! } : { done: true, value: undefined }),
    return: async () => {
      state.returned = true;
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return { iterator, state };
}

describe('PendingWatch', () => {
  it('delivers the events of the watch once it has opened', async () => {
    const { iterator } = source([1, 2]);
    const seen: number[] = [];
    for await (const value of new PendingWatch(Promise.resolve(iterator))) seen.push(value);
    assert.deepEqual(seen, [1, 2]);
  });

  it('rejects the first next() with the error that kept the watch from opening', async () => {
    const watch = new PendingWatch<number>(Promise.reject(new Error('410 Expired')));
    await assert.rejects(watch.next(), /410 Expired/);
  });

  it('ends the watch when return() comes before it has opened', async () => {
    const { iterator, state } = source([1]);
    let open!: (it: AsyncIterable<number>) => void;
    const watch = new PendingWatch(new Promise<AsyncIterable<number>>((resolve) => (open = resolve)));
    await watch.return();
    open(iterator);
    assert.deepEqual(await watch.next(), { done: true, value: undefined });
    assert.equal(state.returned, true);
  });

  it('passes return() on to an open watch', async () => {
    const { iterator, state } = source([1, 2]);
    const watch = new PendingWatch(Promise.resolve(iterator));
    assert.deepEqual(await watch.next(), { done: false, value: 1 });
    await watch.return();
    assert.equal(state.returned, true);
    assert.deepEqual(await watch.next(), { done: true, value: undefined });
  });
});
