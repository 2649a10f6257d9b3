/**
 * What every resource handler receives and returns. Handlers know nothing of HTTP: they
 * read a ResourceRequest and return a Reply, and core/server.ts writes it.
 */
import type { RegistrySnapshot } from '../snapshot.ts';
import type { RegistryRequest } from '../registry/request.ts';
import type { WatchBacklogLimits } from './watch-backlog.ts';
import type { WatchFeed } from './watch-feed.ts';

export { refOf, storeContext, storeWith } from '../registry/request.ts';

/** A RegistryRequest plus what only the HTTP side reads: the snapshot, media types, the body. */
export interface ResourceRequest extends RegistryRequest {
  readonly snapshot: RegistrySnapshot;
  readonly accept: string | undefined;
  /** The media type of the body, lower-case, without parameters ('' when absent). */
  readonly contentType: string;
  /** The raw body; reading it enforces the size limit. */
  readonly body: () => Promise<Buffer>;
  /** How far a watch's client may fall behind before its watch is closed (default DEFAULT_WATCH_BACKLOG). */
  readonly watchBacklog?: WatchBacklogLimits;
}

export type Reply =
  | { status: number; body: unknown }
  /** JSON already encoded: one buffer, or pieces sent in order (a large list, streamed). */
  | { status: number; json: Buffer | readonly Buffer[] }
  | {
      status: number;
      /** The watch's event lines, pushed to the writer as they are ready. */
      stream: WatchFeed;
      contentType: string;
      /** Aborted, with the reason, when the client has fallen too far behind: the writer closes the stream. */
      stalled?: AbortSignal;
    };
