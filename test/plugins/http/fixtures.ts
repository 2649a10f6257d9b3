/** Kinds, contexts and stores for the http plugin's tests. */
import type { KindDefinition, Scope } from '../../../core/types/kind.ts';
import type { PluginContext, PluginLogger } from '../../../core/types/storage.ts';
import { httpPlugin, type HttpOptions, type HttpStore } from '../../../plugins/http/index.ts';

export function zoneKind(scope: Scope = 'Namespaced', options: Partial<HttpOptions> = {}): KindDefinition {
  return {
    group: 'infra.example.org',
    names: { kind: 'Zone', plural: 'zones', singular: 'zone', listKind: 'ZoneList', shortNames: [], categories: [] },
    scope,
    versions: [{ name: 'v1', served: true, storage: true, additionalPrinterColumns: [], subresources: {} }],
    backend: { plugin: 'http', options: options as Record<string, unknown> },
  };
}

export interface RecordingLog extends PluginLogger {
  lines: string[];
}

/** A logger that keeps every line, fields included, as JSON: tests look for leaked credentials in it. */
export function recordingLog(): RecordingLog {
  const lines: string[] = [];
  const keep = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push(`${level} ${message} ${JSON.stringify(fields)}`);
  return { lines, info: keep('info'), warn: keep('warn'), error: keep('error'), debug: keep('debug') };
}

export function pluginContext(log: PluginLogger = recordingLog(), configDir = '/nonexistent'): PluginContext {
  return { configDir, log };
}

/** A store made the way kindred makes it: options are what the config gave (defaults filled by the schema elsewhere). */
export async function httpStore(kind: KindDefinition, options: HttpOptions, ctx: PluginContext = pluginContext()): Promise<HttpStore> {
  return (await httpPlugin.create(kind, options as unknown as Record<string, unknown>, ctx)) as HttpStore;
}
