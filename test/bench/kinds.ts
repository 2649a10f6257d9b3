/**
 * The benchmark kinds as config entries (YAML items of `resources:`): namespaced, v1 served
 * and stored, a free-form spec and status, a status subresource. One shape for every
 * scenario, so the kinds differ only where a scenario needs them to.
 */
export interface BenchKind {
  group: string;
  kind: string;
  plural: string;
  /** The `backend` mapping in YAML flow style, e.g. `{plugin: memory}`. */
  backend: string;
  /** `additionalPrinterColumns` items in YAML flow style. */
  printerColumns?: string[];
}

export function benchKind(kind: BenchKind): string {
  const columns = kind.printerColumns?.length
    ? `        additionalPrinterColumns:\n${kind.printerColumns.map((c) => `          - ${c}\n`).join('')}`
    : '';
  return `  - group: ${kind.group}
    names: {kind: ${kind.kind}, plural: ${kind.plural}, singular: ${kind.kind.toLowerCase()}}
    scope: Namespaced
    versions:
      - name: v1
        served: true
        storage: true
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
              status: {type: object, x-kubernetes-preserve-unknown-fields: true}
${columns}        subresources: {status: {}}
    backend: ${kind.backend}
`;
}
