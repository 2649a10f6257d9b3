/**
 * Writes a watch stream to its HTTP response at the pace its client reads: the next chunk of
 * lines is taken only once the response has drained, so a slow client holds back its producer (which
 * bounds what it keeps: handlers/watch-backlog.ts) instead of filling Node's buffers.
 *
 * How a watch ends:
 * - the stream ends (timeout, store closed, `end()` at shutdown): the response ends cleanly,
 *   and the client re-watches from its last resourceVersion;
 * - the producer says the client is too far behind (`stalled`): the response is cut (`cut`),
 *   since what is buffered for a client that does not read would never flush;
 * - the client goes away: `abort` has fired, nothing more is written.
 */
import { constants } from 'node:http2';
import type { WatchChunk } from './handlers/watch-backlog.ts';

/** What both Node's HTTP/1 ServerResponse and its Http2ServerResponse offer. */
export interface WatchResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: Uint8Array): boolean;
  end(): unknown;
  destroy(): unknown;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
  /** HTTP/2 only. */
  stream?: { close(code: number): void };
}

/**
 * Ends a response without its proper end, so the client sees a failed read at once:
 * RST_STREAM(CANCEL) on HTTP/2 (a reset with NO_ERROR would wait behind the data the client
 * has not read), the connection closed on HTTP/1.
 */
function cut(res: WatchResponse): void {
  if (res.stream) res.stream.close(constants.NGHTTP2_CANCEL);
  else res.destroy();
}

export interface WatchWrite {
  status: number;
  contentType: string;
  stream: AsyncIterable<WatchChunk>;
  stalled?: AbortSignal;
}

/** Told what goes out: the watch metrics (core/request-metrics.ts). */
export interface WatchObserver {
  opened(): void;
  sent(chunk: WatchChunk): void;
  closed(): void;
}

/** Resolves how the watch ended. `abort` is aborted on return, which stops the producer. */
export async function writeWatch(
  res: WatchResponse,
  reply: WatchWrite,
  abort: AbortController,
  observer?: WatchObserver,
): Promise<'ended' | 'stalled' | 'gone'> {
  res.writeHead(reply.status, { 'content-type': reply.contentType, 'cache-control': 'no-cache, private' });
  // Headers go out now, before the first event, so the client knows the watch has started.
  (res as { flushHeaders?: () => void }).flushHeaders?.();
  const stalled = reply.stalled;
  // Flags set once by listeners: reading signal.aborted twice per chunk showed in profiles.
  let stop = abort.signal.aborted || stalled?.aborted === true;
  const onStop = (): void => {
    stop = true;
  };
  abort.signal.addEventListener('abort', onStop, { once: true });
  stalled?.addEventListener('abort', onStop, { once: true });
  let outcome: 'ended' | 'stalled' | 'gone' = 'ended';
  observer?.opened();
  try {
    for await (const chunk of reply.stream) {
      if (stop) break;
      observer?.sent(chunk);
      if (!res.write(chunk.data)) await drained(res, abort.signal, stalled);
      if (stop) break;
    }
  } finally {
    observer?.closed();
    abort.signal.removeEventListener('abort', onStop);
    stalled?.removeEventListener('abort', onStop);
    if (stalled?.aborted) outcome = 'stalled';
    else if (abort.signal.aborted) outcome = 'gone';
    abort.abort();
    if (outcome === 'stalled') cut(res);
    else res.end();
  }
  return outcome;
}

/** Resolves when `res` can take more, closes, or either signal aborts. */
function drained(res: WatchResponse, abort: AbortSignal, stalled: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      abort.removeEventListener('abort', done);
      stalled?.removeEventListener('abort', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
    abort.addEventListener('abort', done, { once: true });
    stalled?.addEventListener('abort', done, { once: true });
  });
}
