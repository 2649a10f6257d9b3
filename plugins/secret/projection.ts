/**
 * A kind as a Kubernetes Secret: the object's `spec` in the Secret's data, either as one
 * JSON document under `key` (layout `spec`) or one data key per top-level field of `spec`
 * (layout `fields`: strings as they are, anything else as JSON, the JSON-encoded keys
 * listed in a reserved annotation so they read back with their types).
 *
 * Values are secrets: nothing here logs them, and errors from kube-apiserver, which may
 * quote a value back, reach the client with their messages replaced (`redactErrors`).
 */
import type { KindDefinition } from '../../core/types/kind.ts';
import { fromBackingMetadata, isProjectionOf, RESERVED_DOMAIN, storageApiVersion, toBackingMetadata, type MetadataMapping } from '../../lib/kube/mapping.ts';
import type { BackingResource, Projection } from '../../lib/kube/index.ts';
import { encodeJson, isObject, parseJson } from '../../lib/json.ts';

export const SECRET: BackingResource = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret' };
export const JSON_FIELDS_ANNOTATION = `${RESERVED_DOMAIN}/json-fields`;

export interface SecretOptions {
  prefix?: string;
  labels?: Record<string, string>;
  /** `spec` (default): all of spec as JSON under `key`; `fields`: one data key per field of spec. */
  layout?: 'spec' | 'fields';
  /** The data key for layout `spec`. Default `spec`. */
  key?: string;
  /** The Secret's type. Default `Opaque`. */
  type?: string;
}

export const secretOptionsSchema: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    prefix: { type: 'string', pattern: '^([a-z0-9]([-a-z0-9.]*[a-z0-9])?[-.]?)?$', maxLength: 200 },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    layout: { type: 'string', enum: ['spec', 'fields'] },
    key: { type: 'string', pattern: '^[-._a-zA-Z0-9]+$' },
    type: { type: 'string' },
  },
};

export function secretProjection(kind: KindDefinition, options: SecretOptions): Projection {
  const mapping: MetadataMapping = {
    kind,
    prefix: options.prefix ?? `${kind.names.singular}-`,
    ...(options.labels ? { fixedLabels: options.labels } : {}),
    // Secrets keep no generation of their own.
    generation: 'annotation',
  };
  const layout = options.layout ?? 'spec';
  const key = options.key ?? 'spec';

  return {
    resource: SECRET,
    redactErrors: true,
    backingName: (name) => mapping.prefix + name,
    toBacking(object, current) {
      const spec = isObject(object.spec) ? object.spec : {};
      const metadata = toBackingMetadata(mapping, object, current);
      const data: Record<string, string> = {};
      if (layout === 'spec') {
        data[key] = encode(encodeJson(spec));
      } else {
        const jsonFields: string[] = [];
        for (const [field, value] of Object.entries(spec)) {
          if (typeof value === 'string') data[field] = encode(value);
          else {
            data[field] = encode(encodeJson(value));
            jsonFields.push(field);
          }
        }
        metadata.annotations = { ...metadata.annotations, [JSON_FIELDS_ANNOTATION]: JSON.stringify(jsonFields.sort()) };
      }
      // type is immutable: keep the existing Secret's.
      const type = typeof current?.type === 'string' ? current.type : (options.type ?? 'Opaque');
      return { apiVersion: 'v1', kind: 'Secret', metadata, type, data };
    },
    fromBacking(backing) {
      if (!isProjectionOf(mapping, backing)) return undefined;
      const data = isObject(backing.data) ? (backing.data as Record<string, string>) : {};
      let spec: Record<string, unknown> = {};
      if (layout === 'spec') {
        const parsed = parse(decode(data[key]));
        if (isObject(parsed)) spec = parsed;
      } else {
        const jsonFields = new Set(listOf(parse(backing.metadata.annotations?.[JSON_FIELDS_ANNOTATION] ?? '[]')));
        for (const [field, value] of Object.entries(data)) spec[field] = jsonFields.has(field) ? parse(decode(value)) : decode(value);
      }
      return { apiVersion: storageApiVersion(kind), kind: kind.names.kind, metadata: fromBackingMetadata(mapping, backing), spec };
    },
  };
}

function encode(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function decode(base64: string | undefined): string {
  return base64 === undefined ? '' : Buffer.from(base64, 'base64').toString('utf8');
}

/** Malformed content (a Secret edited by hand) reads as absent rather than failing every list. */
function parse(text: string): unknown {
  try {
    return text ? parseJson(text) : undefined;
  } catch {
    return undefined;
  }
}

function listOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

