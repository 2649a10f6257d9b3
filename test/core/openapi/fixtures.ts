/** Kinds the OpenAPI tests build documents for. */
import type { KindDefinition, KindVersion } from '../../../core/types/kind.ts';
import { ALL_VERBS, type Verb } from '../../../core/types/storage.ts';
import type { ServedKind } from '../../../core/openapi/types.ts';
import { servedModelOf } from '../../../core/served.ts';

/** A nested schema with descriptions, an enum, int-or-string, an array of objects and v3-only keywords. */
export const postgresSchema = {
  type: 'object',
  description: 'A managed PostgreSQL database.',
  properties: {
    spec: {
      type: 'object',
      description: 'The desired state of the database.',
      required: ['version', 'backup'],
      properties: {
        version: { type: 'string', enum: ['15', '16', 'yes'], description: 'The major PostgreSQL version.' },
        storage: { 'x-kubernetes-int-or-string': true, description: 'Disk size, as a quantity or in bytes.' },
        users: {
          type: 'array',
          description: 'Roles to create.',
          items: {
            type: 'object',
            required: ['name'],
            properties: {
              name: { type: 'string', description: 'The role name.' },
              superuser: { type: 'boolean', description: 'Whether the role is a superuser.' },
            },
          },
        },
        backup: { type: 'object', nullable: true, description: 'Backup settings.', properties: { schedule: { type: 'string' } } },
        parameters: { type: 'object', description: 'Server settings.', additionalProperties: { type: 'string' } },
        extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'string' } } },
        mode: { type: 'string', description: 'Replication mode.', anyOf: [{ pattern: '^sync' }, { pattern: '^async' }] },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
      },
    },
    status: {
      type: 'object',
      properties: {
        phase: { type: 'string', description: 'Where the database is in its life cycle.' },
        replicas: { type: 'integer', format: 'int32' },
      },
    },
  },
};

export function version(overrides: Partial<KindVersion> = {}): KindVersion {
  return { name: 'v1alpha1', served: true, storage: true, additionalPrinterColumns: [], subresources: {}, ...overrides };
}

export function kind(overrides: Partial<KindDefinition> & { kind?: string; plural?: string } = {}): KindDefinition {
  const { kind: name = 'Postgres', plural = 'postgreses', ...rest } = overrides;
  return {
    group: 'apps.example.com',
    names: { kind: name, plural, singular: name.toLowerCase(), listKind: `${name}List`, shortNames: [], categories: [] },
    scope: 'Namespaced',
    versions: [version()],
    backend: { plugin: 'memory', options: {} },
    ...rest,
  };
}

export const served = (k: KindDefinition, v: KindVersion, verbs: readonly Verb[] = ALL_VERBS): ServedKind =>
  ({ kind: k, version: v, ...servedModelOf(k, v, new Set(verbs)) });

/** Namespaced, with a status subresource and printer columns, every verb. */
export const postgres = (): ServedKind => {
  const v = version({
    schema: { openAPIV3Schema: postgresSchema },
    subresources: { status: {} },
    additionalPrinterColumns: [{ name: 'Phase', type: 'string', jsonPath: '.status.phase' }],
  });
  return served(kind({ versions: [v] }), v);
};

/** Cluster-scoped, with a scale subresource and no schema at all. */
export const widget = (): ServedKind => {
  const v = version({ name: 'v1', subresources: { scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } });
  return served(kind({ kind: 'Widget', plural: 'widgets', scope: 'Cluster', versions: [v] }), v);
};

/** A computed, read-only kind: get, list and watch only. */
export const report = (): ServedKind => {
  const v = version({ schema: { openAPIV3Schema: { type: 'object', properties: { data: { type: 'string' } } } } });
  return served(kind({ kind: 'Report', plural: 'reports', versions: [v] }), v, ['get', 'list', 'watch']);
};

type Json = Record<string, unknown>;

/** Every value of `key` anywhere in `value`, depth first. */
export function findAll(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => findAll(v, key));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Json).flatMap(([k, v]) => [...(k === key ? [v] : []), ...findAll(v, key)]);
}

/** Every schema node under a definitions map (properties, items, additionalProperties, junctors). */
export function schemaNodes(schema: unknown): Json[] {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return [];
  const s = schema as Json;
  const children: unknown[] = [
    ...Object.values((s['properties'] ?? {}) as Json),
    ...(Array.isArray(s['items']) ? s['items'] : [s['items']]),
    s['additionalProperties'],
    ...(['allOf', 'anyOf', 'oneOf'] as const).flatMap((j) => (Array.isArray(s[j]) ? (s[j] as unknown[]) : [])),
    s['not'],
  ];
  return [s, ...children.flatMap(schemaNodes)];
}
