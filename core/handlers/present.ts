/**
 * Turns stored objects into what the client asked for: the object with this endpoint's
 * apiVersion and kind, a Table, or PartialObjectMetadata.
 */
import type { KubeObject } from '../types/object.ts';
import { present, type ServedResource } from '../served-resource.ts';
import type { Representation } from '../negotiation.ts';
import { partialObjectMetadata, toTable, type IncludeObject } from '../table.ts';
import { badRequest } from '../status.ts';
import type { Reply, ResourceRequest } from './request.ts';
import { encodeJson } from '../../lib/json.ts';

/**
 * The JSON of objects as served, by object: a store that hands out frozen objects promises
 * they never change (plugins/memory), so each is encoded once per resourceVersion and
 * apiVersion, not once per read (issue 15). Weak: a replaced object takes its bytes with it.
 */
const encoded = new WeakMap<KubeObject, Encoded>();

interface Encoded {
  apiVersion: string;
  kind: string;
  text: string;
  /** Made from `text` when first asked for. */
  json?: Buffer;
  /** Watch event lines of the object, by event type: made when first asked for. */
  watchLines?: Map<string, Buffer>;
}

function encodingOf(resource: ServedResource, object: KubeObject): Encoded {
  const kind = resource.kind.names.kind;
  const cached = encoded.get(object);
  if (cached && cached.apiVersion === resource.apiVersion && cached.kind === kind) return cached;
  const fresh: Encoded = { apiVersion: resource.apiVersion, kind, text: encodeJson(present(resource, object)) };
  if (Object.isFrozen(object)) encoded.set(object, fresh);
  return fresh;
}

/** `present(resource, object)` as JSON bytes; remembered for frozen objects. */
export function encodedObject(resource: ServedResource, object: KubeObject): Buffer {
  const encoding = encodingOf(resource, object);
  return (encoding.json ??= Buffer.from(encoding.text));
}

/**
 * The watch event line `{"type":…,"object":…}\n` of `present(resource, object)`, as bytes: the
 * same text encodeJson({type, object}) gives. Remembered for frozen objects, so every watcher
 * of one change writes the same buffer, encoded once for all of them (issue 15).
 */
export function encodedWatchLine(resource: ServedResource, type: string, object: KubeObject): Buffer {
  const encoding = encodingOf(resource, object);
  const lines = (encoding.watchLines ??= new Map());
  let line = lines.get(type);
  if (!line) {
    line = Buffer.from(`{"type":${JSON.stringify(type)},"object":${encoding.text}}\n`);
    lines.set(type, line);
  }
  return line;
}

/** One object as the client asked for it; the plain object form from its encoded bytes. */
export function replyOne(req: ResourceRequest, representation: Representation, object: KubeObject, status = 200): Reply {
  if (representation.kind === 'object') return { status, json: encodedObject(req.resource, object) };
  return { status, body: encodeOne(req, representation, object) };
}

/**
 * A list as the client asked for it. The plain list is assembled from each object's encoded
 * bytes, byte for byte what encodeJson of encodeList's value gives, and sent in pieces.
 */
export function replyList(req: ResourceRequest, representation: Representation, items: KubeObject[], meta: ListMeta): Reply {
  if (representation.kind !== 'object') return { status: 200, body: encodeList(req, representation, items, meta) };
  const resource = req.resource;
  const head = `{"apiVersion":${JSON.stringify(resource.apiVersion)},"kind":${JSON.stringify(resource.kind.names.listKind)},"metadata":${JSON.stringify(meta)},"items":[`;
  const pieces: Buffer[] = [Buffer.from(head)];
  for (let i = 0; i < items.length; i++) {
    if (i > 0) pieces.push(COMMA);
    pieces.push(encodedObject(resource, items[i]!));
  }
  pieces.push(END_OF_LIST);
  return { status: 200, json: pieces };
}

const COMMA = Buffer.from(',');
const END_OF_LIST = Buffer.from(']}');

export function includeObjectOf(req: ResourceRequest): IncludeObject {
  const value = req.info.query.get('includeObject') ?? 'Metadata';
  if (value !== 'None' && value !== 'Metadata' && value !== 'Object') {
    throw badRequest(`includeObject must be one of None, Metadata, Object; got ${JSON.stringify(value)}`);
  }
  return value;
}

export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export function encodeList(req: ResourceRequest, representation: Representation, items: KubeObject[], meta: ListMeta): unknown {
  const resource = req.resource;
  const presented = items.map((o) => present(resource, o));
  switch (representation.kind) {
    case 'table':
      return toTable(presented, resource.columns, {
        version: representation.version,
        includeObject: includeObjectOf(req),
        withColumns: true,
        listMeta: meta,
        now: req.now(),
      });
    case 'partial':
      return {
        kind: 'PartialObjectMetadataList',
        apiVersion: `meta.k8s.io/${representation.version}`,
        metadata: meta,
        items: presented.map((o) => partialObjectMetadata(o, representation.version)),
      };
    case 'object':
      return { apiVersion: resource.apiVersion, kind: resource.kind.names.listKind, metadata: meta, items: presented };
  }
}

export function encodeOne(req: ResourceRequest, representation: Representation, object: KubeObject, withColumns = true): unknown {
  const presented = present(req.resource, object);
  switch (representation.kind) {
    case 'table':
      return toTable([presented], req.resource.columns, {
        version: representation.version,
        includeObject: includeObjectOf(req),
        withColumns,
        listMeta: { resourceVersion: object.metadata.resourceVersion ?? '' },
        now: req.now(),
      });
    case 'partial':
      return partialObjectMetadata(presented, representation.version);
    case 'object':
      return presented;
  }
}
