/** Watch streams, errors that reach no client as an HTTP status, and the registry's retries: in process. */
import { describe, it, mock } from 'node:test';
import assert from 'node:assert/strict';
import { StoreError } from '../../../core/types/errors.ts';
import type { KubeObject, WatchEvent } from '../../../core/types/object.ts';
import type { RequestContext, WatchQuery, WriteContext } from '../../../core/types/storage.ts';
import type { Status } from '../../../core/status.ts';
import { MemoryStore } from '../../../plugins/memory/store.ts';
import { BOOKMARK_INTERVAL_MS } from '../../../core/handlers/watch.ts';
import { harness, widget, widgetKind, widgets } from '../../support/resource-request.ts';

const watch = (query: string) => ({ method: 'GET', url: `${widgets()}?watch=true&${query}` });

describe('watch', () => {
  it('sends the current objects as ADDED from resourceVersion 0, then the changes', async () => {
    const h = harness();
    await h.call({ method: 'POST', url: widgets(), body: widget('a') });
    const answer = h.call(watch('resourceVersion=0'), { watchEvents: 2 });
    // Written after the list the watch started from: the store replays it from that resourceVersion.
    await h.call({ method: 'POST', url: widgets(), body: widget('b') });
    const { status, lines } = await answer;
    assert.equal(status, 200);
    assert.deepEqual(
      (lines as { type: string; object: KubeObject }[]).map((l) => `${l.type} ${l.object.metadata.name}`),
      ['ADDED a', 'ADDED b'],
    );
  });

  it('filters events by label selector', async () => {
    const h = harness();
    await h.call({ method: 'POST', url: widgets(), body: widget('a', { size: 1 }, { labels: { x: 'y' } }) });
    await h.call({ method: 'POST', url: widgets(), body: widget('b') });
    const { lines } = await h.call(watch('resourceVersion=0&labelSelector=x%3Dy&timeoutSeconds=1'));
    assert.deepEqual((lines as { object: KubeObject }[]).map((l) => l.object.metadata.name), ['a']);
  });

  for (const store of ['one that offers a listener', 'one that can only be iterated'] as const) {
    it(`sends ADDED, MODIFIED and DELETED as an object starts, keeps and stops matching the selector, from ${store}`, async () => {
      const kind = widgetKind();
      const iterateOnly = new (class extends MemoryStore {
        // The same events, without lib/watch/listen.ts's listener: core reads them with for-await.
        override watch(ns: string | undefined, q: WatchQuery, req: RequestContext): AsyncIterable<WatchEvent> {
          const inner = super.watch(ns, q, req);
          return { [Symbol.asyncIterator]: () => inner[Symbol.asyncIterator]() };
        }
      })(kind);
      const h = harness(kind, store === 'one that offers a listener' ? new MemoryStore(kind) : iterateOnly);
      await h.call({ method: 'POST', url: widgets(), body: widget('a', { size: 1 }, { labels: { x: 'y' } }) });
      await h.call({ method: 'POST', url: widgets(), body: widget('b') });
      const list = (await h.call({ method: 'GET', url: widgets() })).body as { metadata: { resourceVersion: string } };
      const answer = h.call(watch(`resourceVersion=${list.metadata.resourceVersion}&labelSelector=x%3Dy`), { watchEvents: 4 });
      const patch = (name: string, body: unknown) =>
        h.call({ method: 'PATCH', url: `${widgets()}/${name}`, contentType: 'application/merge-patch+json', body });
      await patch('a', { metadata: { labels: { x: null } } });
      await patch('b', { spec: { size: 2 } });
      await patch('b', { metadata: { labels: { x: 'y' } } });
      await patch('b', { spec: { size: 3 } });
      await h.call({ method: 'DELETE', url: `${widgets()}/b` });
      const { lines } = await answer;
      assert.deepEqual(
        (lines as { type: string; object: KubeObject }[]).map((l) => `${l.type} ${l.object.metadata.name}`),
        ['DELETED a', 'ADDED b', 'MODIFIED b', 'DELETED b'],
      );
    });
  }

  it('sends Table rows (column definitions with the first only) and PartialObjectMetadata when asked for them', async () => {
    const h = harness();
    await h.call({ method: 'POST', url: widgets(), body: widget('a') });
    await h.call({ method: 'POST', url: widgets(), body: widget('b') });
    const table = await h.call({ ...watch('resourceVersion=0&timeoutSeconds=1'), accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' }, { watchEvents: 2 });
    const tables = (table.lines as { type: string; object: { kind: string; columnDefinitions?: unknown[]; rows: { cells: unknown[] }[] } }[]).map((l) => l.object);
    assert.deepEqual(tables.map((t) => t.kind), ['Table', 'Table']);
    assert.ok((tables[0]!.columnDefinitions ?? []).length > 0);
    assert.equal((tables[1]!.columnDefinitions ?? []).length, 0);
    assert.equal(tables[1]!.rows[0]!.cells[0], 'b');
    const partial = await h.call({ ...watch('resourceVersion=0&timeoutSeconds=1'), accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' }, { watchEvents: 2 });
    const objects = (partial.lines as { object: KubeObject & { spec?: unknown } }[]).map((l) => l.object);
    assert.deepEqual(objects.map((o) => `${o.kind} ${o.metadata.name} ${o.spec === undefined}`), ['PartialObjectMetadata a true', 'PartialObjectMetadata b true']);
  });

  it('sends a BOOKMARK with the resourceVersion reached once a watch that asked for them has been idle for the interval', async () => {
    const h = harness();
    await h.call({ method: 'POST', url: widgets(), body: widget('a') });
    const list = (await h.call({ method: 'GET', url: widgets() })).body as { metadata: { resourceVersion: string } };
    mock.timers.enable({ apis: ['setTimeout', 'Date'] });
    try {
      let done = false;
      const answer = h.call(watch(`resourceVersion=${list.metadata.resourceVersion}&allowWatchBookmarks=true`), { watchEvents: 1 });
      void answer.then(() => (done = true));
      // The watch's own timer, not a wait per event: advance the clock until it fires.
      for (let intervals = 0; intervals < 10 && !done; intervals++) {
        mock.timers.tick(BOOKMARK_INTERVAL_MS);
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.ok(done, 'a bookmark within ten intervals');
      const [line] = (await answer).lines as { type: string; object: KubeObject }[];
      assert.equal(line?.type, 'BOOKMARK');
      assert.equal(line?.object.metadata.resourceVersion, list.metadata.resourceVersion);
    } finally {
      mock.timers.reset();
    }
  });

  it('answers 400 before streaming for a selector that does not parse', async () => {
    const status = await harness().status(watch('labelSelector=%3D%3D'));
    assert.equal(status.code, 400);
  });

  it('ends with an ERROR event (410 Expired) when the store no longer holds the start point', async () => {
    const kind = widgetKind();
    const store = new (class extends MemoryStore {
      override watch(_ns: string | undefined, _q: WatchQuery, _req: RequestContext): AsyncIterable<WatchEvent> {
        throw new StoreError('Expired', 'too old resource version: 1 (5)');
      }
    })(kind);
    const { status, lines } = await harness(kind, store).call(watch('resourceVersion=1'));
    assert.equal(status, 200);
    const event = lines?.[0] as { type: string; object: Status };
    assert.equal(event.type, 'ERROR');
    assert.equal(event.object.code, 410);
  });

  it('reports a plugin bug in watch (a TypeError) and ends the stream with a 500 ERROR event', async () => {
    const kind = widgetKind();
    const store = new (class extends MemoryStore {
      override watch(): AsyncIterable<WatchEvent> {
        return {
          [Symbol.asyncIterator]: () => ({
            next: () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'metadata')")),
          }),
        };
      }
    })(kind);
    const h = harness(kind, store);
    const { lines } = await h.call(watch('resourceVersion=1'));
    const event = lines?.[0] as { type: string; object: Status };
    assert.equal(event.type, 'ERROR');
    assert.equal(event.object.code, 500);
    assert.equal(h.bugs.length, 1);
    assert.ok(h.bugs[0] instanceof TypeError);
  });
});

describe('generateName', () => {
  /** A memory store whose first `collisions` creates say the name is taken. */
  function colliding(collisions: number) {
    const kind = widgetKind();
    let left = collisions;
    const store = new (class extends MemoryStore {
      override async create(object: KubeObject, req: WriteContext): Promise<KubeObject> {
        if (left-- > 0) throw new StoreError('AlreadyExists', `${object.metadata.name} already exists`);
        return super.create(object, req);
      }
    })(kind);
    return harness(kind, store);
  }
  const generated = { apiVersion: 'test.kindred.dev/v1', kind: 'Widget', metadata: { generateName: 'w-' }, spec: {} };

  it('tries another name when a generated one is taken', async () => {
    const answer = await colliding(2).call({ method: 'POST', url: widgets(), body: generated });
    assert.equal(answer.status, 201);
  });

  it('gives up with 409 AlreadyExists after five collisions', async () => {
    const answer = await colliding(5).call({ method: 'POST', url: widgets(), body: generated });
    assert.equal(answer.status, 409);
    assert.match((answer.body as Status).message, /^widgets\.test\.kindred\.dev "w-[a-z0-9]{5}" already exists$/);
  });

  it('does not retry a name the client chose', async () => {
    const answer = await colliding(1).call({ method: 'POST', url: widgets(), body: widget('a') });
    assert.equal(answer.status, 409);
  });
});
