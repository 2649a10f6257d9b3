/**
 * Writes a watch's feed to its HTTP response at the pace its client reads: the feed hands over
 * chunks of lines as they are ready while `write` returns true, and after false only once the
 * response has drained, so a slow client holds back its producer (which bounds what it keeps:
 * handlers/watch-backlog.ts) instead of filling Node's buffers.
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
import type { WatchFeed } from './handlers/watch-feed.ts';

/** What both Node's HTTP/1 ServerResponse and its Http2ServerResponse offer. */
export interface WatchResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: Uint8Array): boolean;
  end(): unknown;
  destroy(): unknown;
  on(event: 'drain', listener: () => void): unknown;
  once(event: 'close', listener: () => void): unknown;
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
  stream: WatchFeed;
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
  const feed = reply.stream;
  const stalled = reply.stalled;
  const stop = (): void => feed.close();
  const resume = (): void => feed.resume();
  observer?.opened();
  try {
    await new Promise<void>((resolve) => {
      abort.signal.addEventListener('abort', stop, { once: true });
      stalled?.addEventListener('abort', stop, { once: true });
      res.on('drain', resume);
      res.once('close', stop);
      if (abort.signal.aborted || stalled?.aborted) feed.close();
      feed.pipe({
        write: (chunk) => {
          observer?.sent(chunk);
          try {
            return res.write(chunk.data);
          } catch {
            // This runs inside the store's write (the feed pushes synchronously): a response that
            // cannot be written ends this watch, never the write or the other watchers.
            feed.close();
            return false;
          }
        },
        end: resolve,
      });
    });
  } finally {
    observer?.closed();
    abort.signal.removeEventListener('abort', stop);
    stalled?.removeEventListener('abort', stop);
    res.off('drain', resume);
    res.off('close', stop);
  }
  const outcome = stalled?.aborted ? 'stalled' : abort.signal.aborted ? 'gone' : 'ended';
  abort.abort();
  if (outcome === 'stalled') cut(res);
  else res.end();
  return outcome;
}
