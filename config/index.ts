/**
 * The config model's one entry point: a file (or an in-memory value) in, either every kind
 * it declares, normalized, checked and deep-frozen, or every error it has. A config with
 * any error yields no kinds at all, so a bad config can never replace a good one.
 */
import { createHash } from 'node:crypto';
import type { KindDefinition } from '../core/types/kind.ts';
import { checkKinds } from './check.ts';
import type { IndexedKind, ResolvePlugin, ServingChecks } from './check.ts';
import { loadConfigFile } from './load.ts';
import { deepFreeze } from '../lib/store/object-rules.ts';
import { checkShape, normalizeKind } from './schema.ts';
import type { ConfigError, RawKind } from './schema.ts';

export type { ConfigError } from './schema.ts';
export type { ResolvePlugin, ServingChecks } from './check.ts';
export { findConfig, loadConfigFile } from './load.ts';

export type ValidationResult = { ok: true; kinds: KindDefinition[]; hash: string } | { ok: false; errors: ConfigError[] };

export type ConfigResult =
  | { ok: true; kinds: KindDefinition[]; hash: string; path: string }
  | { ok: false; errors: ConfigError[]; path: string };

/** Reads, parses and validates the config file at `source.path`. Never throws for a bad file. */
export async function loadConfig(source: { path: string }, resolvePlugin: ResolvePlugin, serving: ServingChecks): Promise<ConfigResult> {
  const loaded = await loadConfigFile(source.path);
  if (!loaded.ok) return { ok: false, errors: loaded.errors, path: source.path };
  return { ...validateConfig(loaded.raw, resolvePlugin, serving), path: source.path };
}

/**
 * Validates a parsed config. Errors come from the schema and the semantic checks together:
 * a kind with a shape error is left out of the semantic checks, the others are still checked.
 * `hash` is the sha256 (hex) of the normalized kinds, keys sorted, so equal configs hash equal
 * whatever their formatting or key order.
 */
export function validateConfig(raw: unknown, resolvePlugin: ResolvePlugin, serving: ServingChecks): ValidationResult {
  const shape = checkShape(raw);
  if (!shape.config) return { ok: false, errors: shape.errors };
  const kinds: IndexedKind[] = [];
  shape.config.resources.forEach((resource, index) => {
    if (!shape.badResources.has(index)) kinds.push({ index, kind: normalizeKind(resource as RawKind) });
  });
  const errors = [...shape.errors, ...checkKinds(kinds, resolvePlugin, serving)];
  if (errors.length > 0) return { ok: false, errors: sortErrors(errors) };
  const normalized = kinds.map((k) => k.kind);
  return { ok: true, kinds: deepFreeze(normalized), hash: hashKinds(normalized) };
}

function hashKinds(kinds: readonly KindDefinition[]): string {
  return createHash('sha256').update(stableStringify(kinds)).digest('hex');
}

/** JSON with object keys sorted at every level. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** In file order: by resource index (errors of the file as a whole first), then as found. */
function sortErrors(errors: ConfigError[]): ConfigError[] {
  const resourceIndex = (e: ConfigError) => Number(/^resources\[(\d+)\]/.exec(e.path)?.[1] ?? -1);
  return errors
    .map((error, order) => ({ error, order }))
    .sort((a, b) => resourceIndex(a.error) - resourceIndex(b.error) || a.order - b.order)
    .map((e) => e.error);
}
