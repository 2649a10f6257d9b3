/**
 * meta.k8s.io Tables for `kubectl get`: Name, the kind's additionalPrinterColumns, Age
 * (as apiextensions-apiserver's tableconvertor builds them for CRDs).
 */
import type { PrinterColumn } from './types/kind.ts';
import type { KubeObject } from './types/object.ts';
import { compileJsonPath, printerCellValue, type JsonPath } from './jsonpath.ts';
import { age } from './duration.ts';

export interface TableColumn {
  readonly definition: { name: string; type: string; format: string; description: string; priority: number };
  /** Undefined for the built-in Name and Age columns. */
  readonly path?: JsonPath;
  readonly builtin?: 'name' | 'age';
}

const nameColumn: TableColumn = {
  builtin: 'name',
  definition: {
    name: 'Name',
    type: 'string',
    format: 'name',
    description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.',
    priority: 0,
  },
};

const ageColumn: TableColumn = {
  builtin: 'age',
  definition: {
    name: 'Age',
    type: 'date',
    format: '',
    description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
    priority: 0,
  },
};

/** Compiles a version's printer columns once per snapshot (config loading has already checked the paths). */
export function compileColumns(columns: readonly PrinterColumn[]): TableColumn[] {
  const custom = columns.map(
    (c): TableColumn => ({
      path: compileJsonPath(c.jsonPath),
      definition: { name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 },
    }),
  );
  const hasAge = columns.some((c) => c.name === 'Age');
  return [nameColumn, ...custom, ...(hasAge ? [] : [ageColumn])];
}

function cell(column: TableColumn, object: KubeObject, now: Date): unknown {
  if (column.builtin === 'name') return object.metadata.name ?? '';
  if (column.builtin === 'age') return age(object.metadata.creationTimestamp, now);
  const value = printerCellValue(column.path!.evaluate(object), column.definition.type as PrinterColumn['type']);
  // Date cells are ages, `<invalid>` or `<unknown>` as the CRD table convertor renders them.
  return column.definition.type === 'date' && typeof value === 'string' ? age(value, now) : value;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  version: 'v1' | 'v1beta1';
  includeObject: IncludeObject;
  /** Column definitions are left out of watch events after the first, as kube-apiserver does. */
  withColumns: boolean;
  listMeta: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  now: Date;
}

export function partialObjectMetadata(object: KubeObject, version: 'v1' | 'v1beta1' = 'v1'): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: object.metadata };
}

export function toTable(objects: readonly KubeObject[], columns: readonly TableColumn[], options: TableOptions): KubeObject {
  const rows = objects.map((object) => {
    const row: Record<string, unknown> = { cells: columns.map((c) => cell(c, object, options.now)) };
    if (options.includeObject === 'Metadata') row.object = partialObjectMetadata(object);
    else if (options.includeObject === 'Object') row.object = object;
    return row;
  });
  const table: KubeObject = {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${options.version}`,
    metadata: { resourceVersion: options.listMeta.resourceVersion ?? '' },
    columnDefinitions: options.withColumns ? columns.map((c) => c.definition) : [],
    rows,
  };
  if (options.listMeta.continue) table.metadata.continue = options.listMeta.continue;
  if (options.listMeta.remainingItemCount !== undefined) table.metadata.remainingItemCount = options.listMeta.remainingItemCount;
  return table;
}
