/** PendingWatch: a watch handed out while it is still opening. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PendingWatch } from '../../../lib/watch/pending-watch.ts';
import { WatchFanout } from '../../../lib/watch/fanout.ts';
import { LISTEN, type WatchListener } from '../../../lib/watch/listen.ts';
import { StoreError } from '../../../core/types/errors.ts';
import type { WatchEvent } from '../../../core/types/object.ts';

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

describe('PendingWatch, listened to', () => {
  const widget = (name: string, rv: number) => ({ apiVersion: 'g/v1', kind: 'W', metadata: { name, namespace: 'ns', resourceVersion: String(rv) } });
  const recorder = () => {
    const seen: { events: string[]; ended: unknown[] } = { events: [], ended: [] };
    const listener: WatchListener = { event: (e) => seen.events.push(`${e.type} ${e.object.metadata.name}`), end: (error) => seen.ended.push(error) };
    return { seen, listener };
  };

  it('hands the listener to the watch it opens, which then calls it synchronously as changes are made', async () => {
    const fanout = new WatchFanout({ initialRv: 1 });
    const controller = new AbortController();
    let open!: (watch: AsyncIterable<WatchEvent>) => void;
    const pending = new PendingWatch<WatchEvent>(new Promise((resolve) => (open = resolve)));
    const { seen, listener } = recorder();
    pending[LISTEN](listener);
    open(fanout.open('ns', '1', 1, { user: { username: 'u', groups: [] }, signal: controller.signal }));
    await new Promise((resolve) => setImmediate(resolve));
    fanout.emit(2, { type: 'ADDED', object: widget('a', 2) });
    // Delivered inside emit(): no await between the change and the listener.
    assert.deepEqual(seen.events, ['ADDED a']);
    await pending.return();
    assert.deepEqual(seen.ended, [undefined]);
  });

  it('ends the listener with the error that kept the watch from opening', async () => {
    const pending = new PendingWatch<WatchEvent>(Promise.reject(new StoreError('Expired', 'too old')));
    const { seen, listener } = recorder();
    pending[LISTEN](listener);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal((seen.ended[0] as StoreError).reason, 'Expired');
  });

  it('reads a watch that offers no listener into the listener, then ends it', async () => {
    async function* events(): AsyncGenerator<WatchEvent> {
      yield { type: 'ADDED', object: widget('a', 2) };
      yield { type: 'DELETED', object: widget('a', 3) };
    }
    const pending = new PendingWatch<WatchEvent>(Promise.resolve(events()));
    const { seen, listener } = recorder();
    pending[LISTEN](listener);
    for (let i = 0; i < 10 && seen.ended.length === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen.events, ['ADDED a', 'DELETED a']);
    assert.deepEqual(seen.ended, [undefined]);
  });
});
