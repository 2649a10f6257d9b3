/**
 * Watch: a chunked stream of `{"type","object"}` lines (k8s.io/apiserver handlers/watch.go).
 *
 * Start point: with resourceVersion "" or "0" (or sendInitialEvents=true) the current
 * objects are sent as ADDED first, then every change after the list's resourceVersion;
 * otherwise changes after the given resourceVersion. Selectors are applied here, and an
 * object that starts or stops matching them is sent as ADDED or DELETED, as the watch
 * cache does. An initial error (a bad option, a failed list) is an HTTP error; a failure
 * once streaming (e.g. 410 Expired) is an ERROR event, after which the stream ends.
 *
 * Back-pressure: initial events are produced only as fast as the client reads them (the
 * writer waits for 'drain' before it takes the next line). Changes are read from the store
 * at once into a bounded backlog (watch-backlog.ts); a client that falls behind past its
 * bounds has its watch closed through the reply's `stalled` signal.
 */
import { encodeJson } from '../../lib/json.ts';
import { canList, canWatch } from '../types/storage.ts';
import type { KubeObject, WatchEvent } from '../types/object.ts';
import { negotiateResource, type Representation } from '../negotiation.ts';
import { parseSelection, type Selection } from '../selection.ts';
import { objectKey } from '../paging.ts';
import { toStatusError } from '../status.ts';
import { timer } from '../../lib/sleep.ts';
import { parseListOptions, type ListOptions } from './options.ts';
import { selectObjects } from '../registry/list.ts';
import { encodedObjectText, encodeOne } from './present.ts';
import { refOf, storeContext, storeWith, type Reply, type ResourceRequest } from './request.ts';
import { DEFAULT_WATCH_BACKLOG, WatchBacklog, type WatchBacklogLimits } from './watch-backlog.ts';

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
  const stream = streamEvents(req, representation, options, selection, start, timeoutMs, req.watchBacklog ?? DEFAULT_WATCH_BACKLOG, (reason) =>
    stalled.abort(reason),
  );
  return { status: 200, contentType: 'application/json', stream, stalled: stalled.signal };
}

async function* streamEvents(
  req: ResourceRequest,
  representation: Representation,
  options: ListOptions,
  selection: Selection,
  start: Start,
  timeoutMs: number,
  limits: WatchBacklogLimits,
  onStalled: (reason: string) => void,
): AsyncGenerator<string> {
  let first = true;
  let lastVersion = start.resourceVersion;
  const encode = (type: string, object: KubeObject): string => {
    // The plain object form reuses the object's encoding, shared by every watcher of it:
    // the same text encodeJson({type, object}) gives.
    const line =
      representation.kind === 'object'
        ? `{"type":${JSON.stringify(type)},"object":${encodedObjectText(req.resource, object)}}\n`
        : encodeJson({ type, object: encodeOne(req, representation, object, first) }) + '\n';
    first = false;
    return line;
  };
  const bookmark = (annotations?: Record<string, string>): string => {
    const metadata: KubeObject['metadata'] = { resourceVersion: lastVersion };
    if (annotations) metadata.annotations = annotations;
    const object = { apiVersion: req.resource.apiVersion, kind: req.resource.kind.names.kind, metadata };
    const encoded = representation.kind === 'object' ? object : encodeOne(req, representation, object, first);
    return encodeJson({ type: 'BOOKMARK', object: encoded }) + '\n';
  };

  // Keys of objects this client currently believes match, for stores that give no `previous`.
  const matching = new Set<string>();
  for (const object of start.initial) {
    matching.add(objectKey(object));
    yield encode('ADDED', object);
  }
  if (start.initialEventsEnd) yield bookmark({ 'k8s.io/initial-events-end': 'true' });

  const translate = (event: WatchEvent): { type: string; object: KubeObject } | undefined => {
    const object = event.object;
    const key = objectKey(object);
    const now = selection.matches(object);
    const before = event.previous ? selection.matches(event.previous) : matching.has(key);
    let type: string | undefined;
    if (event.type === 'ADDED') type = now ? 'ADDED' : undefined;
    else if (event.type === 'MODIFIED') type = now ? (before || selection.empty ? 'MODIFIED' : 'ADDED') : before ? 'DELETED' : undefined;
    else if (event.type === 'DELETED') type = now || before ? 'DELETED' : undefined;
    if (type === 'DELETED') matching.delete(key);
    else if (type) matching.add(key);
    return type ? { type, object } : undefined;
  };

  const deadline = Date.now() + timeoutMs;
  // Streaming has started: the error middleware cannot see these errors, so a bug is reported here.
  const errorLine = (error: unknown): string => encodeJson({ type: 'ERROR', object: toStatusError(error, refOf(req), req.reportBug).status }) + '\n';
  let iterator: AsyncIterator<WatchEvent>;
  try {
    // A store may refuse the start point (410 Expired) at once, or on the first next().
    iterator = storeWith(req, canWatch, 'watch')
      .watch(req.info.namespace, { ...selection.query, resourceVersion: lastVersion }, storeContext(req))
      [Symbol.asyncIterator]();
  } catch (error) {
    yield errorLine(error);
    return;
  }
  const it = iterator;
  const backlog = new WatchBacklog(limits);
  // The pump reads the store as fast as it delivers, so a client that reads slowly leaves its
  // backlog here, where it is bounded, and not in the store or the socket.
  const pump = async (): Promise<void> => {
    try {
      while (!backlog.ended) {
        const result = await it.next();
        if (result.done || backlog.ended) return;
        const event = result.value;
        if (event.type === 'ERROR') {
          backlog.push(encodeJson(event) + '\n');
          return;
        }
        lastVersion = event.object.metadata.resourceVersion ?? lastVersion;
        let line: string | undefined;
        if (event.type === 'BOOKMARK') line = options.allowWatchBookmarks ? bookmark() : undefined;
        else {
          const out = translate(event);
          line = out ? encode(out.type, out.object) : undefined;
        }
        if (line !== undefined && !backlog.push(line)) {
          onStalled(`watch closed: its client fell ${backlog.size} events (${backlog.bytes} bytes) behind, at resourceVersion ${lastVersion}`);
          return;
        }
      }
    } catch (error) {
      backlog.push(errorLine(error));
    } finally {
      backlog.end();
    }
  };
  void pump();
  try {
    while (!req.signal.aborted) {
      if (Date.now() >= deadline) return;
      const line = backlog.shift();
      if (line !== undefined) {
        yield line;
        continue;
      }
      if (backlog.ended) return;
      const tick = timer(Math.min(deadline - Date.now(), BOOKMARK_INTERVAL_MS), req.signal);
      const woke = await Promise.race([backlog.changed().then(() => true), tick.done.then(() => false)]);
      tick.cancel();
      // Idle: a bookmark says how far the watch has got (lastVersion is delivered: the backlog is empty).
      if (!woke && options.allowWatchBookmarks && Date.now() < deadline && !req.signal.aborted) yield bookmark();
    }
  } finally {
    backlog.end();
    // A store whose iterator fails to end has a bug: report it rather than swallow it.
    void it.return?.()?.catch(req.reportBug);
  }
}
