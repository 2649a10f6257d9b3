/**
 * Watch: a chunked stream of `{"type","object"}` lines (k8s.io/apiserver handlers/watch.go).
 *
 * Start point: with resourceVersion "" or "0" (or sendInitialEvents=true) the current
 * objects are sent as ADDED first, then every change after the list's resourceVersion;
 * otherwise changes after the given resourceVersion. Selectors are applied here, and an
 * object that starts or stops matching them is sent as ADDED or DELETED, as the watch
 * cache does (watch-translate.ts). An initial error (a bad option, a failed list) is an HTTP error; a failure
 * once streaming (e.g. 410 Expired) is an ERROR event, after which the stream ends.
 *
 * Back-pressure: initial events are produced only as fast as the client reads them (the
 * feed hands the writer no more once its response is full, until 'drain'). Changes are taken
 * from the store at once into a bounded backlog (watch-backlog.ts); a client that falls
 * behind past its bounds has its watch closed through the reply's `stalled` signal.
 *
 * Cost at scale (issue 15): a store built on lib/watch hands each change to a listener inside
 * its write, the plain JSON line is one shared buffer per change, and the feed (watch-feed.ts)
 * writes it to the response at once, so one change reaches a thousand sockets in one pass.
 */
import { encodeJson } from '../../lib/json.ts';
import { canList, canWatch } from '../types/storage.ts';
import type { KubeObject, WatchEvent } from '../types/object.ts';
import { negotiateResource, type Representation } from '../negotiation.ts';
import { parseSelection, type Selection } from '../selection.ts';
import { toStatusError } from '../status.ts';
import { parseListOptions, type ListOptions } from './options.ts';
import { selectObjects } from '../registry/list.ts';
import { encodedWatchLine, encodeOne } from './present.ts';
import { refOf, storeContext, storeWith, type Reply, type ResourceRequest } from './request.ts';
import { chunkOf, DEFAULT_WATCH_BACKLOG, MAX_CHUNK_BYTES, WatchBacklog, type WatchBacklogLimits, type WatchChunk } from './watch-backlog.ts';
import { selectionTranslator } from './watch-translate.ts';
import { WatchFeed } from './watch-feed.ts';
import { LISTEN, listenable, type WatchListener } from '../../lib/watch/listen.ts';

/** How often an idle watch that asked for bookmarks gets one (kube sends about one a minute). */
export const BOOKMARK_INTERVAL_MS = 60_000;

interface Start {
  initial: KubeObject[];
  resourceVersion: string;
  initialEventsEnd: boolean;
}

async function startPoint(req: ResourceRequest, options: ListOptions, selection: Selection): Promise<Start> {
  const rv = options.resourceVersion;
  const sendInitial = options.sendInitialEvents ?? (rv === '' || rv === '0');
  if (sendInitial) {
    const { items, resourceVersion } = await selectObjects(req, selection);
    return { initial: items, resourceVersion, initialEventsEnd: options.sendInitialEvents === true };
  }
  if (rv === '' || rv === '0') {
    const list = await storeWith(req, canList, 'list').list(req.info.namespace, selection.query, storeContext(req));
    return { initial: [], resourceVersion: list.resourceVersion, initialEventsEnd: false };
  }
  return { initial: [], resourceVersion: rv, initialEventsEnd: false };
}

export async function watchObjects(req: ResourceRequest): Promise<Reply> {
  const representation: Representation = negotiateResource(req.accept, { list: false, read: true });
  const options = parseListOptions(req.info.query, true);
  const fieldSelector = req.info.nameInPath
    ? [options.fieldSelector, `metadata.name=${req.info.name}`].filter(Boolean).join(',')
    : options.fieldSelector;
  const selection = parseSelection(options.labelSelector, fieldSelector, req.resource.namespaced);
  const start = await startPoint(req, options, selection);
  const timeoutMs = (options.timeoutSeconds ?? 1800 * (1 + Math.random())) * 1000;
  const stalled = new AbortController();
  const stream = watchFeed(req, representation, options, selection, start, timeoutMs, req.watchBacklog ?? DEFAULT_WATCH_BACKLOG, (reason) =>
    stalled.abort(reason),
  );
  return { status: 200, contentType: 'application/json', stream, stalled: stalled.signal };
}

function watchFeed(
  req: ResourceRequest,
  representation: Representation,
  options: ListOptions,
  selection: Selection,
  start: Start,
  timeoutMs: number,
  limits: WatchBacklogLimits,
  onStalled: (reason: string) => void,
): WatchFeed {
  let first = true;
  let lastVersion = start.resourceVersion;
  const encode = (type: string, object: KubeObject): Buffer => {
    // The plain object form is one buffer per change and type, shared by every watcher of it.
    if (representation.kind === 'object') return encodedWatchLine(req.resource, type, object);
    const line = encodeJson({ type, object: encodeOne(req, representation, object, first) }) + '\n';
    first = false;
    return Buffer.from(line);
  };
  const bookmark = (annotations?: Record<string, string>): Buffer => {
    const metadata: KubeObject['metadata'] = { resourceVersion: lastVersion };
    if (annotations) metadata.annotations = annotations;
    const object = { apiVersion: req.resource.apiVersion, kind: req.resource.kind.names.kind, metadata };
    const encoded = representation.kind === 'object' ? object : encodeOne(req, representation, object, first);
    return Buffer.from(encodeJson({ type: 'BOOKMARK', object: encoded }) + '\n');
  };
  // Streaming has started: the error middleware cannot see these errors, so a bug is reported here.
  const errorLine = (error: unknown): Buffer =>
    Buffer.from(encodeJson({ type: 'ERROR', object: toStatusError(error, refOf(req), req.reportBug).status }) + '\n');
  const translate = selectionTranslator(selection);

  function* initial(): Generator<WatchChunk, undefined> {
    // Not bounded like changes: they go out in chunks only as fast as the client reads.
    let lines: Buffer[] = [];
    let bytes = 0;
    for (const object of start.initial) {
      translate.matched(object);
      const line = encode('ADDED', object);
      lines.push(line);
      bytes += line.length;
      if (bytes >= MAX_CHUNK_BYTES) {
        yield chunkOf(lines);
        lines = [];
        bytes = 0;
      }
    }
    if (start.initialEventsEnd) lines.push(bookmark({ 'k8s.io/initial-events-end': 'true' }));
    if (lines.length > 0) yield chunkOf(lines);
    return undefined;
  }

  const backlog = new WatchBacklog(limits);
  let store: AsyncIterator<WatchEvent> | undefined;
  // Changes are taken from the store as fast as it delivers them, so a client that reads
  // slowly leaves its backlog here, where it is bounded, and not in the store or the socket.
  // `accept` queues one change's line; false when the watch is over (an error, or stalled).
  const accept = (event: WatchEvent): boolean => {
    if (event.type === 'ERROR') {
      backlog.push(Buffer.from(encodeJson(event) + '\n'));
      return false;
    }
    lastVersion = event.object.metadata.resourceVersion ?? lastVersion;
    let line: Buffer | undefined;
    if (event.type === 'BOOKMARK') line = options.allowWatchBookmarks ? bookmark() : undefined;
    else {
      const type = translate(event);
      line = type ? encode(type, event.object) : undefined;
    }
    if (line !== undefined && !backlog.push(line)) {
      onStalled(`watch closed: its client fell ${backlog.size} events (${backlog.bytes} bytes) behind, at resourceVersion ${lastVersion}`);
      return false;
    }
    return true;
  };
  const fail = (error: unknown): void => {
    backlog.push(errorLine(error));
    backlog.end();
  };
  // A store that offers a listener (lib/watch/listen.ts) hands each change over as it is made.
  const listener: WatchListener = {
    event: (event) => {
      if (backlog.ended) return;
      try {
        if (!accept(event)) backlog.end();
      } catch (error) {
        // Never into the store's write: this watch ends with the error instead.
        fail(error);
      }
    },
    end: (error) => (error ? fail(error) : backlog.end()),
  };
  // Any other store is read with for-await.
  const pump = async (it: AsyncIterator<WatchEvent>): Promise<void> => {
    try {
      while (!backlog.ended) {
        const result = await it.next();
        if (result.done || backlog.ended || !accept(result.value)) return;
      }
    } catch (error) {
      backlog.push(errorLine(error));
    } finally {
      backlog.end();
    }
  };
  const startChanges = (): void => {
    let watch: AsyncIterable<WatchEvent>;
    try {
      // A store may refuse the start point (410 Expired) at once, or on the first next().
      watch = storeWith(req, canWatch, 'watch').watch(req.info.namespace, { ...selection.query, resourceVersion: lastVersion }, storeContext(req));
      store = watch[Symbol.asyncIterator]();
    } catch (error) {
      fail(error);
      return;
    }
    if (options.allowWatchBookmarks) bookmarks = setTimeout(bookmarkWhenIdle, BOOKMARK_INTERVAL_MS);
    const direct = listenable(watch);
    if (direct) direct[LISTEN](listener);
    else void pump(store);
  };

  // Idle: a bookmark says how far the watch has got. One timer per watch, re-armed for what is
  // left of the interval since the last line was queued, so a busy watch never touches it.
  let bookmarks: NodeJS.Timeout | undefined;
  const bookmarkWhenIdle = (): void => {
    // Lines still waiting mean lastVersion has not been delivered yet: not idle.
    if (Date.now() - backlog.lastPushAt >= BOOKMARK_INTERVAL_MS && backlog.size === 0) backlog.push(bookmark());
    bookmarks = setTimeout(bookmarkWhenIdle, Math.max(1, BOOKMARK_INTERVAL_MS - (Date.now() - backlog.lastPushAt)));
  };

  // One timer for the end and one abort listener per watch, not one of each per wait: a
  // wait happens for every event, and they showed in profiles at a thousand watchers.
  const deadline = setTimeout(() => feed.close(), timeoutMs);
  const clientGone = (): void => feed.close();
  const feed = new WatchFeed({
    initial: initial(),
    backlog,
    startChanges,
    onClose: () => {
      clearTimeout(deadline);
      clearTimeout(bookmarks);
      req.signal.removeEventListener('abort', clientGone);
      backlog.end();
      // A store whose iterator fails to end has a bug: report it rather than swallow it.
      void store?.return?.()?.catch(req.reportBug);
    },
  });
  if (req.signal.aborted) feed.close();
  else req.signal.addEventListener('abort', clientGone, { once: true });
  return feed;
}
