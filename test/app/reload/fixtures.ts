/** Config text for reload tests: small kinds in one group, each a few lines. */

export interface KindSpec {
  kind: string;
  plural?: string;
  plugin?: string;
  options?: Record<string, unknown>;
  columns?: { name: string; type: string; jsonPath: string }[];
  scope?: 'Namespaced' | 'Cluster';
  /** The spec properties' schema, as flow YAML. */
  specProperties?: string;
}

export function kindYaml(spec: KindSpec, group = 'reload.example.com'): string {
  const plural = spec.plural ?? `${spec.kind.toLowerCase()}s`;
  const columns = spec.columns ?? [];
  return `
  - group: ${group}
    names: {kind: ${spec.kind}, plural: ${plural}, singular: ${spec.kind.toLowerCase()}}
    scope: ${spec.scope ?? 'Namespaced'}
    versions:
      - name: v1
        served: true
        storage: true
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec: {type: object, properties: ${spec.specProperties ?? '{size: {type: integer}}'}}
        additionalPrinterColumns: ${JSON.stringify(columns)}
    backend: {plugin: ${JSON.stringify(spec.plugin ?? 'memory')}, options: ${JSON.stringify(spec.options ?? {})}}
`;
}

export function configYaml(...kinds: KindSpec[]): string {
  return `resources:${kinds.map((k) => kindYaml(k)).join('')}${kinds.length === 0 ? ' []' : ''}\n`;
}

/** A plugin module (ESM, plain JS) wrapping the memory store, tagged so a test can tell versions apart. */
export function pluginModule(tag: string, memoryIndexUrl: string): string {
  return `
import { memoryPlugin } from ${JSON.stringify(memoryIndexUrl)};
export const created = [];
export default {
  contractVersion: 1,
  name: 'tagged',
  optionsSchema: { type: 'object', properties: { note: { type: 'string' } }, additionalProperties: false },
  async create(kind, options, ctx) {
    const store = await memoryPlugin.create(kind, {}, ctx);
    store.tag = ${JSON.stringify(tag)};
    return store;
  },
};
`;
}
