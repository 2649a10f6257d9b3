/**
 * Semantic checks of kinds that already have the config schema's shape and their defaults:
 * the rules apiextensions-apiserver applies to a CRD (names, versions, printer columns, the
 * scale subresource), the name conflicts its naming controller refuses within a group, and
 * the backend: a known plugin with options its schema accepts.
 *
 * Every problem is reported, none stops the others from being found.
 */
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { KindDefinition, KindVersion } from '../core/types/kind.ts';
import type { StoragePlugin } from '../core/types/storage.ts';
import { isDns1035Label, isDns1123Subdomain } from '../lib/dns.ts';
import { toConfigError } from './schema.ts';
import type { ConfigError } from './schema.ts';

/** Finds a storage plugin by the name a config's `backend.plugin` uses; undefined when there is none. */
export type ResolvePlugin = (name: string) => StoragePlugin | undefined;

/**
 * What the checks need from the API machinery: whether a schema and a printer column's
 * JSONPath can be served. The composition root passes core's (`core/serving-checks.ts`), so
 * config imports nothing of core but the plugin contract (core/types).
 */
export interface ServingChecks {
  /** Every problem that keeps an openAPIV3Schema from being served; `path` is relative to the schema. */
  schemaProblems(schema: Record<string, unknown>): readonly { path: string; message: string }[];
  /** Why a printer column's JSONPath does not compile; undefined when it does. */
  jsonPathProblem(path: string): string | undefined;
}

/** A kind and its index in the file's `resources`, which error paths name. */
export interface IndexedKind {
  index: number;
  kind: KindDefinition;
}

// ajv-formats is CommonJS: under NodeNext its default import is `module.exports`.
const addFormats = addFormatsModule.default;

// Kubernetes API conventions: kinds are CamelCase. apiextensions only asks that the
// lower-cased kind be a DNS-1035 label; this is stricter (no '-', upper-case first).
const KIND = /^[A-Z][A-Za-z0-9]*$/;

const LABEL_MESSAGE =
  "must be a DNS-1035 label: at most 63 lower case letters, digits or '-', starting with a letter and ending with a letter or digit";
const KIND_MESSAGE = 'must be CamelCase: at most 63 letters or digits, starting with an upper case letter';

/**
 * Checks every kind, and the kinds against each other. Also fills in the defaults that the
 * plugin's options schema declares (ajv `useDefaults`) into `kind.backend.options`, so a
 * plugin receives complete options: the kinds must still be unfrozen drafts.
 */
export function checkKinds(kinds: readonly IndexedKind[], resolvePlugin: ResolvePlugin, serving: ServingChecks): ConfigError[] {
  const errors: ConfigError[] = [];
  for (const { index, kind } of kinds) {
    const at = `resources[${index}]`;
    checkGroupAndNames(kind, at, errors);
    checkVersions(kind.versions, `${at}.versions`, serving, errors);
    checkBackend(kind, `${at}.backend`, resolvePlugin, errors);
  }
  checkConflicts(kinds, errors);
  return errors;
}

function checkGroupAndNames(kind: KindDefinition, at: string, errors: ConfigError[]): void {
  const { group, names } = kind;
  if (!isDns1123Subdomain(group)) {
    errors.push({
      path: `${at}.group`,
      message: "must be a DNS-1123 subdomain: lower case letters, digits, '-' and '.', at most 253 characters",
    });
  } else if (!group.includes('.')) {
    // apiextensions: "should be a domain with at least one dot" (keeps clear of built-in groups).
    errors.push({ path: `${at}.group`, message: 'must be a domain with at least one dot, e.g. apps.example.com' });
  }
  const label = (value: string, path: string) => {
    if (!isLabel(value)) errors.push({ path, message: LABEL_MESSAGE });
  };
  label(names.plural, `${at}.names.plural`);
  label(names.singular, `${at}.names.singular`);
  names.shortNames.forEach((name, i) => label(name, `${at}.names.shortNames[${i}]`));
  names.categories.forEach((name, i) => label(name, `${at}.names.categories[${i}]`));
  if (!isKind(names.kind)) errors.push({ path: `${at}.names.kind`, message: KIND_MESSAGE });
  if (!isKind(names.listKind)) errors.push({ path: `${at}.names.listKind`, message: KIND_MESSAGE });
  // Otherwise a decoder could not tell an object from a list.
  if (names.listKind === names.kind) {
    errors.push({ path: `${at}.names.listKind`, message: 'must differ from kind' });
  }
}

function checkVersions(versions: readonly KindVersion[], at: string, serving: ServingChecks, errors: ConfigError[]): void {
  const seen = new Set<string>();
  versions.forEach((version, i) => {
    const path = `${at}[${i}]`;
    if (!isLabel(version.name)) errors.push({ path: `${path}.name`, message: LABEL_MESSAGE });
    else if (seen.has(version.name)) errors.push({ path: `${path}.name`, message: `duplicate version "${version.name}"` });
    seen.add(version.name);
    // The structural-schema rules and CEL compilation, as apiextensions checks a CRD's schema.
    const schema = version.schema?.openAPIV3Schema;
    if (schema) {
      const at = `${path}.schema.openAPIV3Schema`;
      for (const problem of serving.schemaProblems(schema)) errors.push({ path: problem.path ? `${at}.${problem.path}` : at, message: problem.message });
    }
    version.additionalPrinterColumns.forEach((column, j) => {
      const problem = serving.jsonPathProblem(column.jsonPath);
      if (problem) errors.push({ path: `${path}.additionalPrinterColumns[${j}].jsonPath`, message: problem });
    });
    const scale = version.subresources.scale;
    if (scale) {
      // The paths apiextensions allows: replicas live under spec and status, the selector in either.
      const rules: [keyof typeof scale, string | undefined, readonly string[]][] = [
        ['specReplicasPath', scale.specReplicasPath, ['.spec.']],
        ['statusReplicasPath', scale.statusReplicasPath, ['.status.']],
        ['labelSelectorPath', scale.labelSelectorPath, ['.spec.', '.status.']],
      ];
      for (const [field, value, prefixes] of rules) {
        if (value === undefined) continue;
        // Dot notation only (validateSimpleJSONPath): the scale handler walks these field by field.
        const problem = !prefixes.some((p) => value.startsWith(p))
          ? `must start with ${prefixes.map((p) => `"${p}"`).join(' or ')}`
          : !/^(\.[^.[\]]+)+$/.test(value)
            ? 'must be a simple json path in dot notation, e.g. .spec.replicas'
            : serving.jsonPathProblem(value);
        if (problem) errors.push({ path: `${path}.subresources.scale.${field}`, message: problem });
      }
    }
  });
  const storage = versions.filter((v) => v.storage).length;
  if (storage !== 1) {
    errors.push({
      path: at,
      message: `must have exactly one version with storage: true, found ${storage}` +
        (storage === 0 && versions.length > 1 ? ' (storage defaults to true only when there is one version)' : ''),
    });
  }
  if (!versions.some((v) => v.served)) errors.push({ path: at, message: 'must have at least one version with served: true' });
}

function checkBackend(kind: KindDefinition, at: string, resolvePlugin: ResolvePlugin, errors: ConfigError[]): void {
  const plugin = resolvePlugin(kind.backend.plugin);
  if (!plugin) {
    errors.push({ path: `${at}.plugin`, message: `unknown storage plugin "${kind.backend.plugin}"` });
    return;
  }
  let validate: ValidateFunction;
  try {
    validate = optionsValidator(plugin);
  } catch (error) {
    // A plugin bug, but it makes this kind unusable: report it where the plugin is named.
    errors.push({
      path: `${at}.plugin`,
      message: `storage plugin "${plugin.name}" has an invalid options schema: ${(error as Error).message}`,
    });
    return;
  }
  if (!validate(kind.backend.options)) {
    for (const error of validate.errors ?? []) errors.push(toConfigError(error, kind.backend.options, `${at}.options`));
  }
}

const validators = new WeakMap<object, ValidateFunction>();

/**
 * One ajv per plugin schema, so that two plugins using the same `$id` cannot clash.
 * Not strict: a plugin's schema is the plugin's business, only the options are ours to check.
 */
function optionsValidator(plugin: StoragePlugin): ValidateFunction {
  let validate = validators.get(plugin.optionsSchema);
  if (!validate) {
    const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, logger: false });
    addFormats(ajv);
    validate = ajv.compile(plugin.optionsSchema);
    validators.set(plugin.optionsSchema, validate);
  }
  return validate;
}

/**
 * The naming controller's rules within one group: plural, singular and short names share
 * one namespace (kubectl resolves any of them to a resource), kind and listKind another.
 * The later kind gets the error.
 */
function checkConflicts(kinds: readonly IndexedKind[], errors: ConfigError[]): void {
  const resourceNames = new Map<string, string>(); // `${group}/${name}` → who holds it
  const kindNames = new Map<string, string>();
  for (const { index, kind } of kinds) {
    const at = `resources[${index}]`;
    const owner = `resources[${index}] (${kind.names.kind})`;
    const claim = (table: Map<string, string>, name: string, path: string) => {
      const key = `${kind.group}/${name}`;
      const holder = table.get(key);
      if (holder === undefined) table.set(key, owner);
      else if (holder !== owner) {
        errors.push({ path, message: `"${name}" is already used in group ${kind.group} by ${holder}` });
      }
    };
    claim(resourceNames, kind.names.plural, `${at}.names.plural`);
    claim(resourceNames, kind.names.singular, `${at}.names.singular`);
    kind.names.shortNames.forEach((name, i) => claim(resourceNames, name, `${at}.names.shortNames[${i}]`));
    claim(kindNames, kind.names.kind, `${at}.names.kind`);
    claim(kindNames, kind.names.listKind, `${at}.names.listKind`);
  }
}

const isLabel = isDns1035Label;

function isKind(value: string): boolean {
  return value.length <= 63 && KIND.test(value);
}
