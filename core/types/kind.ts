/** A kind as the config declares it: the shape of a CustomResourceDefinition's spec plus a backend. */

export type JSONSchemaProps = Record<string, unknown>;

export interface KindNames {
  kind: string;
  plural: string;
  singular: string;
  listKind: string;
  shortNames: string[];
  categories: string[];
}

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export interface ScaleSubresource {
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface KindVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  additionalPrinterColumns: PrinterColumn[];
  subresources: { status?: Record<string, never>; scale?: ScaleSubresource };
}

export interface BackendRef {
  /** A built-in plugin name, an npm package name or a path to a module. */
  plugin: string;
  options: Record<string, unknown>;
}

export type Scope = 'Namespaced' | 'Cluster';

/** One kind, with every defaultable field filled in by config loading. */
export interface KindDefinition {
  group: string;
  names: KindNames;
  scope: Scope;
  versions: KindVersion[];
  backend: BackendRef;
}
