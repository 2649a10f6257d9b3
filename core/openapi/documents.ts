/**
 * The OpenAPI documents of one snapshot: the v3 root, one v3 document per group-version
 * (addressed by its content hash, so clients may cache it forever), and v2 in JSON and
 * protobuf. Each is built at most once per snapshot, on first request.
 */
import type { ServedResource } from '../served-resource.ts';
import { prepareDocument, type PreparedDocument } from '../prepared-document.ts';
import { buildOpenAPIV3GroupVersion, buildOpenAPIV3Root } from './v3.ts';
import { buildOpenAPIV2 } from './v2.ts';
import { encodeOpenAPIV2Protobuf } from './v2-protobuf.ts';
import { openAPIHash } from './hash.ts';
import type { Schema, ServedKind } from './types.ts';

export interface HashedDocument extends PreparedDocument {
  /** Upper-case hex SHA-512 of the body, the `?hash=` clients cache by. */
  readonly hash: string;
}

export interface OpenAPIDocuments {
  v3Root(): PreparedDocument;
  /** Keyed by `<group>/<version>`; undefined when not served. */
  v3(groupVersion: string): HashedDocument | undefined;
  v2(): PreparedDocument;
  v2Protobuf(): { body: Uint8Array; etag: string };
}

function once<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}

export interface OpenAPIOptions {
  /** The shared models `/openapi/v2` publishes: the cluster's own in aggregated mode (shared-definitions.ts). */
  v2SharedDefinitions?: Readonly<Record<string, Schema>>;
}

export function buildOpenAPIDocuments(resources: readonly ServedResource[], options: OpenAPIOptions = {}): OpenAPIDocuments {
  const served = (r: ServedResource): ServedKind => r;
  const groupVersions = [...new Set(resources.map((r) => `${r.group}/${r.version.name}`))].sort();

  const v3Documents = once(() => {
    const docs = new Map<string, HashedDocument>();
    for (const gv of groupVersions) {
      const [group = '', version = ''] = gv.split('/');
      const doc = buildOpenAPIV3GroupVersion(group, version, resources.filter((r) => r.group === group && r.version.name === version).map(served));
      const prepared = prepareDocument(doc);
      docs.set(gv, Object.freeze({ ...prepared, hash: openAPIHash(doc) }));
    }
    return docs;
  });
  const v3Root = once(() =>
    prepareDocument(
      buildOpenAPIV3Root(
        groupVersions.map((gv) => {
          const [group = '', version = ''] = gv.split('/');
          return { group, version, hash: v3Documents().get(gv)!.hash };
        }),
      ),
    ),
  );
  const v2Object = once(() => buildOpenAPIV2(resources.map(served), options.v2SharedDefinitions));
  const v2 = once(() => prepareDocument(v2Object()));
  const v2Protobuf = once(() => ({ body: encodeOpenAPIV2Protobuf(v2Object()), etag: v2().etag }));
  return Object.freeze({ v3Root, v3: (gv: string) => v3Documents().get(gv), v2, v2Protobuf });
}
