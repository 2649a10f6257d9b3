/**
 * The shape of a kindred config file: its JSON Schema, the TypeScript type a valid file
 * has, the defaults that shape implies, and the error type every config stage reports.
 *
 * A kind is a CustomResourceDefinition's `spec` plus `backend`. Unknown fields are errors
 * everywhere except inside `openAPIV3Schema` (compiled by the schema module later) and
 * `backend.options` (checked against the plugin's own schema in check.ts).
 */
import { Ajv } from 'ajv';
import type { ErrorObject } from 'ajv';
import type { KindDefinition, PrinterColumn, ScaleSubresource, Scope } from '../core/types/kind.ts';

/**
 * One problem in a config. `path` names the offending field, dotted with `[i]` indexes
 * (`resources[0].names.plural`), or is empty when the problem is the file as a whole.
 */
export interface ConfigError {
  path: string;
  message: string;
}

/** A kind as written in the file, before defaults. */
export interface RawKind {
  group: string;
  names: {
    kind: string;
    plural: string;
    singular?: string;
    listKind?: string;
    shortNames?: string[];
    categories?: string[];
  };
  scope?: Scope;
  versions: RawVersion[];
  backend?: { plugin: string; options?: Record<string, unknown> };
}

export interface RawVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: Record<string, unknown> };
  additionalPrinterColumns?: PrinterColumn[];
  subresources?: { status?: Record<string, never>; scale?: ScaleSubresource };
}

export interface RawConfig {
  resources: unknown[];
}

const strictObject = (properties: Record<string, unknown>, required: string[] = []) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});
const text = { type: 'string', minLength: 1 };
const texts = { type: 'array', items: text };

const printerColumnSchema = strictObject(
  {
    name: text,
    type: { type: 'string', enum: ['string', 'integer', 'number', 'boolean', 'date'] },
    // The formats apiextensions accepts for a column (printerColumnFormats in its validation.go).
    format: { type: 'string', enum: ['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password'] },
    description: { type: 'string' },
    priority: { type: 'integer', minimum: 0 },
    jsonPath: text,
  },
  ['name', 'type', 'jsonPath'],
);

const versionSchema = strictObject(
  {
    name: text,
    served: { type: 'boolean' },
    storage: { type: 'boolean' },
    schema: strictObject({
      // Opaque here: only its root must describe an object, as CRDs require.
      openAPIV3Schema: {
        type: 'object',
        required: ['type'],
        properties: { type: { const: 'object' } },
      },
    }),
    additionalPrinterColumns: { type: 'array', items: printerColumnSchema },
    subresources: strictObject({
      status: strictObject({}),
      scale: strictObject(
        { specReplicasPath: text, statusReplicasPath: text, labelSelectorPath: text },
        ['specReplicasPath', 'statusReplicasPath'],
      ),
    }),
  },
  ['name'],
);

const kindSchema = strictObject(
  {
    group: text,
    names: strictObject(
      { kind: text, plural: text, singular: text, listKind: text, shortNames: texts, categories: texts },
      ['kind', 'plural'],
    ),
    scope: { type: 'string', enum: ['Namespaced', 'Cluster'] },
    versions: { type: 'array', minItems: 1, items: versionSchema },
    backend: strictObject({ plugin: text, options: { type: 'object' } }, ['plugin']),
  },
  ['group', 'names', 'versions'],
);

/** The JSON Schema of a config file. */
export const configSchema = strictObject({ resources: { type: 'array', items: kindSchema } }, ['resources']);

const validateShape = new Ajv({ allErrors: true, strict: true }).compile<RawConfig>(configSchema);

/**
 * Checks `raw` against `configSchema`. Every error is returned, and `badResources` holds
 * the indexes of the kinds that have at least one, so the caller can still check the rest.
 * `config` is set whenever `resources` is a list, even when other things are wrong.
 */
export function checkShape(raw: unknown): { config?: RawConfig; errors: ConfigError[]; badResources: Set<number> } {
  if (validateShape(raw)) return { config: raw, errors: [], badResources: new Set() };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    // Said in YAML terms: an empty file or a list is what this usually is.
    return { errors: [{ path: '', message: 'must be a mapping with a "resources" list' }], badResources: new Set() };
  }
  const errors = (validateShape.errors ?? []).map((error) => toConfigError(error, raw, ''));
  const badResources = new Set<number>();
  for (const error of validateShape.errors ?? []) {
    const match = /^\/resources\/(\d+)(\/|$)/.exec(error.instancePath);
    if (match) badResources.add(Number(match[1]));
  }
  const usable = Array.isArray((raw as Record<string, unknown>).resources);
  return usable ? { config: raw as RawConfig, errors, badResources } : { errors, badResources };
}

/** Fills the defaults a CRD would get (and `backend: embedded`); copies everything, so the result owns its data. */
export function normalizeKind(raw: RawKind): KindDefinition {
  const { kind } = raw.names;
  // CRDs demand served and storage; a lone version is obviously the served, stored one.
  const onlyVersion = raw.versions.length === 1;
  return {
    group: raw.group,
    names: {
      kind,
      plural: raw.names.plural,
      singular: raw.names.singular ?? kind.toLowerCase(),
      listKind: raw.names.listKind ?? `${kind}List`,
      shortNames: [...(raw.names.shortNames ?? [])],
      categories: [...(raw.names.categories ?? [])],
    },
    scope: raw.scope ?? 'Namespaced',
    versions: raw.versions.map((version) => ({
      name: version.name,
      served: version.served ?? true,
      storage: version.storage ?? onlyVersion,
      ...(version.schema ? { schema: structuredClone(version.schema) } : {}),
      additionalPrinterColumns: (version.additionalPrinterColumns ?? []).map((column) => ({ priority: 0, ...column })),
      subresources: structuredClone(version.subresources ?? {}),
    })),
    backend: {
      plugin: raw.backend?.plugin ?? 'embedded',
      options: structuredClone(raw.backend?.options ?? {}),
    },
  };
}

/**
 * Turns one ajv error into a ConfigError whose path starts with `prefix`. `data` is what
 * was validated; it tells an array index from an object key that looks like a number.
 */
export function toConfigError(error: ErrorObject, data: unknown, prefix: string): ConfigError {
  let path = prefix;
  let node = data;
  for (const segment of pointerSegments(error.instancePath)) {
    path = joinPath(path, Array.isArray(node) ? Number(segment) : segment);
    node = (node as Record<string, unknown> | undefined)?.[segment];
  }
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return { path: joinPath(path, String(params.additionalProperty)), message: 'unknown field' };
    case 'required':
      return { path: joinPath(path, String(params.missingProperty)), message: 'is required' };
    case 'enum':
      return { path, message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const':
      return { path, message: `must be ${JSON.stringify(params.allowedValue)}` };
    default:
      return { path, message: error.message ?? `fails ${error.keyword}` };
  }
}

/** Appends a key (`.name`, or `["odd key"]` when it is not identifier-like) or an index (`[3]`). */
export function joinPath(path: string, segment: string | number): string {
  if (typeof segment === 'number') return `${path}[${segment}]`;
  if (!/^[A-Za-z_$][\w$-]*$/.test(segment)) return `${path}[${JSON.stringify(segment)}]`;
  return path === '' ? segment : `${path}.${segment}`;
}

/** RFC 6901: `~1` is `/` and `~0` is `~`, decoded in that order. */
function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}
