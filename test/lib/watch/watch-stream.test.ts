/** WatchStream's listener (lib/watch/listen.ts): the same events as iterating, handed over synchronously. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError } from '../../../core/types/errors.ts';
import type { KubeObject, WatchEvent } from '../../../core/types/object.ts';
import { WatchFanout } from '../../../lib/watch/fanout.ts';
import { LISTEN, listenable, type WatchListener } from '../../../lib/watch/listen.ts';

const object = (name: string, namespace: string, rv: number): KubeObject =>
  Object.freeze({ apiVersion: 'v1', kind: 'Thing', metadata: Object.freeze({ name, namespace, resourceVersion: String(rv) }) }) as KubeObject;
const req = () => {
  const abort = new AbortController();
  return { abort, req: { signal: abort.signal, user: { username: 'u', groups: [] } } as never };
};

function recorder() {
  const seen: string[] = [];
  const ended: (StoreError | undefined)[] = [];
  const listener: WatchListener = {
    event: (event: WatchEvent) => void seen.push(`${event.type} ${event.object.metadata.name}`),
    end: (error) => void ended.push(error),
  };
  return { seen, ended, listener };
}

describe('WatchStream listener', () => {
  it('hands over the replayed events, then each change as it is emitted, for its namespace only', () => {
    const fanout = new WatchFanout({ initialRv: 0 });
    fanout.emit(1, { type: 'ADDED', object: object('a', 'ns', 1) });
    fanout.emit(2, { type: 'ADDED', object: object('x', 'other', 2) });
    const { req: context } = req();
    const watch = fanout.open('ns', '0', 2, context);
    const resumed = fanout.open('ns', '0', 0, context);
    const r = recorder();
    listenable(resumed)![LISTEN](r.listener);
    assert.deepEqual(r.seen, ['ADDED a'], 'replayed from resourceVersion 0');
    fanout.emit(3, { type: 'MODIFIED', object: object('a', 'ns', 3) });
    fanout.emit(4, { type: 'ADDED', object: object('y', 'other', 4) });
    assert.deepEqual(r.seen, ['ADDED a', 'MODIFIED a'], 'synchronously, inside emit');
    assert.ok(listenable(watch), 'every fan-out watch offers a listener');
  });

  it('shares a frozen event with every listener: nothing to copy or encode per watcher', () => {
    const fanout = new WatchFanout({ initialRv: 0 });
    const got: WatchEvent[] = [];
    for (let i = 0; i < 3; i++) listenable(fanout.open(undefined, '0', 0, req().req))![LISTEN]({ event: (e) => void got.push(e), end: () => {} });
    const event: WatchEvent = { type: 'ADDED', object: object('a', 'ns', 1) };
    fanout.emit(1, event);
    assert.equal(got.length, 3);
    for (const e of got) assert.equal(e, event);
  });

  it('ends the listener once: with the error a slow iterator would get, when closed, or when its client goes', () => {
    const fanout = new WatchFanout({ initialRv: 0 });
    const expired = recorder();
    listenable(fanout.open(undefined, '0', 0, req().req))![LISTEN](expired.listener);
    fanout.expireAll(new StoreError('Expired', 'compacted'));
    assert.equal(expired.ended.length, 1);
    assert.equal(expired.ended[0]?.reason, 'Expired');

    const closed = recorder();
    listenable(fanout.open(undefined, '0', 0, req().req))![LISTEN](closed.listener);
    fanout.closeAll();
    assert.deepEqual(closed.ended, [undefined]);

    const { abort, req: context } = req();
    const gone = recorder();
    listenable(fanout.open(undefined, '0', 0, context))![LISTEN](gone.listener);
    abort.abort();
    fanout.emit(1, { type: 'ADDED', object: object('a', 'ns', 1) });
    assert.deepEqual(gone.ended, [undefined]);
    assert.deepEqual(gone.seen, []);
    assert.equal(fanout.openWatches, 0);
  });

  it('refuses to be iterated once it has a listener', async () => {
    const fanout = new WatchFanout({ initialRv: 0 });
    const watch = fanout.open(undefined, '0', 0, req().req);
    listenable(watch)![LISTEN](recorder().listener);
    await assert.rejects(watch[Symbol.asyncIterator]().next(), /has a listener/);
  });
});
