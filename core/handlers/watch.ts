/**
 * Watch: a chunked stream of `{"type","object"}` lines (k8s.io/apiserver handlers/watch.go).
 *
 * Start point: with resourceVersion "" or "0" (or sendInitialEvents=true) the current
 * objects are sent as ADDED first, then every change after the list's resourceVersion;
 * otherwise changes after the given resourceVersion. Selectors are applied here, and an
 * object that starts or stops matching them is sent as ADDED or DELETED, as the watch
 * cache does. An initial error (a bad option, a failed list) is an HTTP error; a failure
 * once streaming (e.g. 410 Expired) is an ERROR event, after which the stream ends.
 */
import { canList, canWatch } from '../types/storage.ts';
import type { KubeObject, WatchEvent } from '../types/object.ts';
import { negotiateResource, type Representation } from '../negotiation.ts';
import { parseSelection, type Selection } from '../selection.ts';
import { objectKey } from '../paging.ts';
import { toStatusError } from '../status.ts';
import { parseListOptions, type ListOptions } from './options.ts';
import { selectObjects } from './list.ts';
import { encodeOne } from './present.ts';
import { refOf, storeContext, storeWith, type Reply, type ResourceRequest } from './request.ts';

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
    const list = await storeWith(req, canList, 'list').list(req.info.namespace, {}, storeContext(req));
    return { initial: [], resourceVersion: list.resourceVersion, initialEventsEnd: false };
  }
  return { initial: [], resourceVersion: rv, initialEventsEnd: false };
}

function pause(ms: number, signal: AbortSignal): { done: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort = (): void => {};
  const done = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    onAbort = () => resolve();
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return {
    done,
    cancel: () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    },
  };
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
  return { status: 200, contentType: 'application/json', stream: streamEvents(req, representation, options, selection, start, timeoutMs) };
}

async function* streamEvents(
  req: ResourceRequest,
  representation: Representation,
  options: ListOptions,
  selection: Selection,
  start: Start,
  timeoutMs: number,
): AsyncGenerator<string> {
  let first = true;
  let lastVersion = start.resourceVersion;
  const encode = (type: string, object: KubeObject): string => {
    const line = JSON.stringify({ type, object: encodeOne(req, representation, object, first) }) + '\n';
    first = false;
    return line;
  };
  const bookmark = (annotations?: Record<string, string>): string => {
    const metadata: KubeObject['metadata'] = { resourceVersion: lastVersion };
    if (annotations) metadata.annotations = annotations;
    const object = { apiVersion: req.resource.apiVersion, kind: req.resource.kind.names.kind, metadata };
    const encoded = representation.kind === 'object' ? object : encodeOne(req, representation, object, first);
    return JSON.stringify({ type: 'BOOKMARK', object: encoded }) + '\n';
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
  let iterator: AsyncIterator<WatchEvent> | undefined;
  try {
    // Inside the try: a store may refuse the start point (410 Expired) at once or on first next().
    iterator = storeWith(req, canWatch, 'watch')
      .watch(req.info.namespace, { resourceVersion: lastVersion, labelSelector: options.labelSelector }, storeContext(req))
      [Symbol.asyncIterator]();
    const it = iterator;
    // Settles, never rejects: a watch that fails after the client left must not become an unhandled rejection.
    const pull = () => it.next().then((r) => ({ r }), (error: unknown) => ({ error }));
    let next = pull();
    while (!req.signal.aborted) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      const tick = pause(Math.min(left, BOOKMARK_INTERVAL_MS), req.signal);
      const outcome = await Promise.race([next, tick.done.then(() => undefined)]);
      tick.cancel();
      if (outcome === undefined) {
        if (options.allowWatchBookmarks && Date.now() < deadline && !req.signal.aborted) yield bookmark();
        continue;
      }
      if ('error' in outcome) throw outcome.error;
      if (outcome.r.done) return;
      next = pull();
      const event = outcome.r.value;
      if (event.type === 'ERROR') {
        yield JSON.stringify(event) + '\n';
        return;
      }
      lastVersion = event.object.metadata.resourceVersion ?? lastVersion;
      if (event.type === 'BOOKMARK') {
        if (options.allowWatchBookmarks) yield bookmark();
        continue;
      }
      const out = translate(event);
      if (out) yield encode(out.type, out.object);
    }
  } catch (error) {
    const status = toStatusError(error, refOf(req), () => {}).status;
    yield JSON.stringify({ type: 'ERROR', object: status }) + '\n';
  } finally {
    void iterator?.return?.()?.catch(() => {});
  }
}
