/**
 * The ResourceRequest the server hands to the resource handlers (handlers/request.ts), made
 * from one HTTP request. One is made per request, so it is a class whose behaviour (the
 * abort signal, bug reports) lives on its prototype: an object literal with a getter and
 * closures cost more to make than the rest of a cached GET (issue 15).
 */
import type { Logger } from 'pino';
import type { ResourceRequestInfo } from './request-info.ts';
import type { RegistrySnapshot } from './snapshot.ts';
import type { ServedResource } from './served-resource.ts';
import type { UserInfo } from './types/storage.ts';
import type { NamespaceAdmission } from './admission/namespace-lifecycle.ts';
import type { ResourceRequest } from './handlers/request.ts';
import type { WatchBacklogLimits } from './handlers/watch-backlog.ts';
import type { NodeRequest, NodeResponse } from './exchange.ts';
import { bodyReader } from './body.ts';

/** What a request shares with every other request of its server. */
export interface ServerSide {
  readonly log: Logger;
  readonly now: () => Date;
  readonly namespaceAdmission: NamespaceAdmission | undefined;
  readonly watchBacklog: WatchBacklogLimits | undefined;
}

export class IncomingRequest implements ResourceRequest {
  readonly info: ResourceRequestInfo;
  readonly resource: ServedResource;
  readonly snapshot: RegistrySnapshot;
  readonly user: UserInfo;
  readonly accept: string | undefined;
  readonly contentType: string;
  readonly userAgent: string;
  readonly body: () => Promise<Buffer>;
  readonly warnings: string[] = [];
  readonly now: () => Date;
  readonly namespaceAdmission: NamespaceAdmission | undefined;
  readonly watchBacklog: WatchBacklogLimits | undefined;
  /** Aborted when the client goes away (made on first use). */
  readonly clientGone: ClientGone;
  readonly #log: Logger;
  readonly #url: string;

  constructor(req: NodeRequest, res: NodeResponse, served: { info: ResourceRequestInfo; resource: ServedResource; snapshot: RegistrySnapshot; user: UserInfo }, server: ServerSide) {
    this.info = served.info;
    this.resource = served.resource;
    this.snapshot = served.snapshot;
    this.user = served.user;
    const headers = req.headers;
    this.accept = headers.accept || undefined;
    this.contentType = contentTypeOf(headers['content-type']);
    this.userAgent = headers['user-agent'] ?? '';
    this.body = bodyReader(req);
    this.now = server.now;
    this.namespaceAdmission = server.namespaceAdmission;
    this.watchBacklog = server.watchBacklog;
    this.clientGone = new ClientGone(res);
    this.#log = server.log;
    this.#url = req.url ?? '';
  }

  get signal(): AbortSignal {
    return this.clientGone.controller().signal;
  }

  /** A function, not a method: handlers pass it on detached (read only where a bug may surface). */
  get reportBug(): (error: unknown) => void {
    return (bug: unknown) => this.#log.error({ err: bug, url: this.#url }, 'unconverted error: a bug');
  }
}

/**
 * The abort controller of a request, made when something first asks for it (a watch, a store
 * that reads the signal); most requests never do.
 *
 * Only a response that closes before the server ended it means the client went away. The
 * request's own 'close' is no such sign: on Node 20 an HTTP/1.1 request emits it as soon as
 * its body has been read, which aborted every write before it reached its store. Nor is
 * writableFinished: an HTTP/2 response reset by the client reports itself finished, which
 * left kubectl's abandoned watches open on the server.
 */
export class ClientGone {
  readonly #res: NodeResponse;
  #controller: AbortController | undefined;

  constructor(res: NodeResponse) {
    this.#res = res;
  }

  controller(): AbortController {
    if (this.#controller) return this.#controller;
    const controller = (this.#controller = new AbortController());
    const res = this.#res;
    if (closedEarly(res)) controller.abort();
    else {
      res.once('close', () => {
        if (!res.writableEnded) controller.abort();
      });
    }
    return controller;
  }
}

/** True when the response closed (its client went away) before the server ended it. */
function closedEarly(res: NodeResponse): boolean {
  if (res.writableEnded) return false;
  const h1 = res as { destroyed?: boolean };
  const h2 = res as { stream?: { destroyed: boolean } };
  return h1.destroyed === true || h2.stream?.destroyed === true;
}

/** The media type of a Content-Type header, lower-case, without parameters ('' when absent). */
function contentTypeOf(header: string | undefined): string {
  if (!header) return '';
  const semicolon = header.indexOf(';');
  return (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}
