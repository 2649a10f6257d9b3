/**
 * Turns stored objects into what the client asked for: the object with this endpoint's
 * apiVersion and kind, a Table, or PartialObjectMetadata.
 */
import type { KubeObject } from '../types/object.ts';
import type { ServedResource } from '../registry.ts';
import type { Representation } from '../negotiation.ts';
import { partialObjectMetadata, toTable, type IncludeObject } from '../table.ts';
import { badRequest } from '../status.ts';
import type { ResourceRequest } from './request.ts';

/**
 * Every object leaves with the apiVersion of the endpoint it was read from: the versions of
 * one kind share one store (CRD conversion strategy None).
 */
export function present(resource: ServedResource, object: KubeObject): KubeObject {
  return { ...object, apiVersion: resource.apiVersion, kind: resource.kind.names.kind };
}

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
