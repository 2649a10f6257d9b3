/** The watch feed and backlog: chunks in order, one write per chunk of waiting lines, pauses while the response is full. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WatchBacklog, MAX_CHUNK_BYTES, chunkOf, type WatchChunk } from '../../../core/handlers/watch-backlog.ts';
import { WatchFeed, type WatchSink } from '../../../core/handlers/watch-feed.ts';

const line = (n: number | string) => Buffer.from(`{"n":${JSON.stringify(n)}}\n`);
const limits = { maxBytes: 1024 * 1024, maxEvents: 1000 };

/** A sink that records each write and takes more while `full` is false. */
function recorder() {
  const writes: string[] = [];
  const state = { full: false, ended: 0 };
  const sink: WatchSink = {
    write: (chunk: WatchChunk) => {
      assert.equal(chunk.events, chunk.data.toString().split('\n').length - 1, 'events counts the lines of the chunk');
      writes.push(chunk.data.toString());
      return !state.full;
    },
    end: () => void state.ended++,
  };
  return { writes, state, sink };
}

function feedOf(backlog: WatchBacklog, initial: WatchChunk[] = [], onStart = () => {}) {
  const closed = { count: 0 };
  const feed = new WatchFeed({ initial: initial.values() as Iterator<WatchChunk, undefined>, backlog, startChanges: onStart, onClose: () => void closed.count++ });
  return { feed, closed };
}

describe('WatchFeed', () => {
  it('writes each change at once while the response takes more, the initial events first', () => {
    const backlog = new WatchBacklog(limits);
    let started = 0;
    const { feed } = feedOf(backlog, [chunkOf([line('i1'), line('i2')])], () => started++);
    const r = recorder();
    feed.pipe(r.sink);
    assert.equal(started, 1, 'changes start once the initial events are out');
    backlog.push(line(1));
    backlog.push(line(2));
    assert.deepEqual(r.writes, ['{"n":"i1"}\n{"n":"i2"}\n', '{"n":1}\n', '{"n":2}\n'], 'written synchronously, one write per change');
  });

  it('writes the lines that queued while the response was full as one chunk, in order, after resume()', () => {
    const backlog = new WatchBacklog(limits);
    const { feed } = feedOf(backlog);
    const r = recorder();
    feed.pipe(r.sink);
    r.state.full = true;
    backlog.push(line(1)); // taken, then the sink says it is full
    for (let n = 2; n <= 5; n++) backlog.push(line(n));
    assert.deepEqual(r.writes, ['{"n":1}\n']);
    assert.equal(backlog.size, 4, 'held in the bounded backlog meanwhile');
    r.state.full = false;
    feed.resume();
    assert.deepEqual(r.writes, ['{"n":1}\n', '{"n":2}\n{"n":3}\n{"n":4}\n{"n":5}\n']);
  });

  it('ends the sink once, after the last line, when the changes end', () => {
    const backlog = new WatchBacklog(limits);
    const { feed, closed } = feedOf(backlog);
    const r = recorder();
    feed.pipe(r.sink);
    r.state.full = true;
    backlog.push(line(1));
    backlog.push(line('error'));
    backlog.end();
    assert.equal(r.state.ended, 0, 'a line still waits');
    r.state.full = false;
    feed.resume();
    assert.deepEqual(r.writes, ['{"n":1}\n', '{"n":"error"}\n']);
    assert.equal(r.state.ended, 1);
    assert.equal(closed.count, 1);
    feed.close();
    feed.resume();
    assert.equal(r.state.ended, 1);
    assert.equal(closed.count, 1);
  });

  it('stops writing when closed, from inside a write too, and ends a sink piped after it closed', () => {
    const backlog = new WatchBacklog(limits);
    const { feed } = feedOf(backlog, [chunkOf([line('i1')]), chunkOf([line('i2')])]);
    const writes: string[] = [];
    let ended = 0;
    feed.pipe({
      write: (chunk) => {
        writes.push(chunk.data.toString());
        feed.close();
        return true;
      },
      end: () => void ended++,
    });
    assert.deepEqual(writes, ['{"n":"i1"}\n']);
    assert.equal(ended, 1);
    backlog.push(line(1));
    assert.equal(writes.length, 1);

    const { feed: early } = feedOf(new WatchBacklog(limits));
    early.close();
    const r = recorder();
    early.pipe(r.sink);
    assert.equal(r.state.ended, 1);
    assert.deepEqual(r.writes, []);
  });
});

describe('WatchBacklog.take()', () => {
  it('hands over a single line as the same buffer (shared by every watcher of the change)', () => {
    const backlog = new WatchBacklog(limits);
    const shared = line(1);
    backlog.push(shared);
    const chunk = backlog.take()!;
    assert.equal(chunk.data, shared);
    assert.equal(chunk.events, 1);
    assert.equal(backlog.take(), undefined);
  });

  it('bounds a chunk at MAX_CHUNK_BYTES and keeps the rest, in order, for the next', () => {
    const backlog = new WatchBacklog({ maxBytes: 10 * MAX_CHUNK_BYTES, maxEvents: 1000 });
    const big = (n: number) => Buffer.from(`{"n":${n},"pad":"${'x'.repeat(MAX_CHUNK_BYTES / 4)}"}\n`);
    for (let n = 0; n < 6; n++) backlog.push(big(n));
    const sizes: number[] = [];
    const order: number[] = [];
    for (let chunk = backlog.take(); chunk; chunk = backlog.take()) {
      assert.ok(chunk.data.length <= MAX_CHUNK_BYTES);
      sizes.push(chunk.events);
      for (const text of chunk.data.toString().split('\n').slice(0, -1)) order.push(JSON.parse(text).n);
    }
    assert.deepEqual(sizes, [3, 3]);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
    assert.equal(backlog.bytes, 0);
  });

  it('says when it is over a bound', () => {
    const backlog = new WatchBacklog({ maxBytes: 1024, maxEvents: 2 });
    assert.equal(backlog.push(line(1)), true);
    assert.equal(backlog.push(line(2)), true);
    assert.equal(backlog.push(line(3)), false);
  });
});
