/** The kind the embedded store's tests keep. */
import type { KindDefinition, Scope } from '../../../core/types/kind.ts';
import type { PluginLogger } from '../../../core/types/storage.ts';

export function widgetKind(scope: Scope = 'Namespaced', group = 'test.kindred.dev'): KindDefinition {
  return {
    group,
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList', shortNames: [], categories: [] },
    scope,
    versions: [{ name: 'v1', served: true, storage: true, additionalPrinterColumns: [], subresources: {} }],
    backend: { plugin: 'embedded', options: {} },
  };
}

export const silent: PluginLogger = { info() {}, warn() {}, error() {}, debug() {} };
