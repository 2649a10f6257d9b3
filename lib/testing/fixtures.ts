/** A kind and a plugin context to create a store with in a test, outside any server. */
import type { KindDefinition, Scope } from '../../core/types/kind.ts';
import type { PluginContext, PluginLogger } from '../../core/types/storage.ts';

/** A `Widget` kind of group `test.kindred.dev`, version v1, with no schema: a store sees what core would hand it. */
export function testKind(scope: Scope = 'Namespaced', plugin = 'test'): KindDefinition {
  return {
    group: 'test.kindred.dev',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList', shortNames: [], categories: [] },
    scope,
    versions: [{ name: 'v1', served: true, storage: true, additionalPrinterColumns: [], subresources: {} }],
    backend: { plugin, options: {} },
  };
}

/** A PluginContext whose logger keeps warnings and errors (`messages`) for the test to look at. */
export function testPluginContext(overrides: Partial<PluginContext> = {}): PluginContext & { messages: string[] } {
  const messages: string[] = [];
  const keep = (level: string) => (_fields: Record<string, unknown>, message: string): void => void messages.push(`${level}: ${message}`);
  const log: PluginLogger = { info: () => {}, debug: () => {}, warn: keep('warn'), error: keep('error') };
  return { configDir: process.cwd(), log, ...overrides, messages };
}
