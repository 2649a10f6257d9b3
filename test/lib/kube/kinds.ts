/** A kind definition for unit tests of the Kubernetes-backed plugins. */
import type { KindDefinition } from '../../../core/types/kind.ts';

export function postgresKind(plugin = 'helmrelease'): KindDefinition {
  return {
    group: 'apps.example.com',
    names: { kind: 'Postgres', plural: 'postgreses', singular: 'postgres', listKind: 'PostgresList', shortNames: [], categories: [] },
    scope: 'Namespaced',
    versions: [{ name: 'v1alpha1', served: true, storage: true, additionalPrinterColumns: [], subresources: { status: {} } }],
    backend: { plugin, options: {} },
  };
}
