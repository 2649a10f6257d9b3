/**
 * Schema admission of a written object: prune unknown fields (how loudly depends on
 * `fieldValidation`), apply defaults, validate; as kube-apiserver does for a custom resource
 * (decode with the schema-coercing decoder, default, then the strategy's Validate).
 */
import type { KubeObject } from '../types/object.ts';
import { badRequest, invalid } from '../status.ts';
import { duplicateFields, duplicateYamlKeys } from '../duplicate-fields.ts';
import type { RegistryRequest, WriteOptions } from './request.ts';

/**
 * Prunes, defaults and validates `object` in place against the served version's schema.
 * `old` is the stored object on updates (for CEL transition rules). Throws a 400 for unknown
 * fields under `fieldValidation=Strict`, a 422 with one cause per problem when invalid.
 * Writes to `/status` change only status, so only status problems stop them: the rest
 * was accepted when it was written.
 */
export function admit(req: RegistryRequest, object: KubeObject, old: KubeObject | undefined, options: WriteOptions): void {
  const schema = req.resource.schema;
  if (!schema) return;
  const unknown = schema.prune(object);
  if (unknown.length > 0) reportFieldProblems(req, options, unknown.map((path) => `unknown field "${path}"`));
  schema.applyDefaults(object);
  let errors = schema.validate(object, old);
  if (req.info.subresource === 'status') errors = errors.filter((e) => e.field === 'status' || e.field.startsWith('status.') || e.field.startsWith('status['));
  if (errors.length > 0) {
    const resource = req.resource;
    throw invalid({ group: resource.group, kind: resource.kind.names.kind, name: object.metadata.name ?? req.info.name ?? '' }, errors);
  }
}

/**
 * Duplicate fields in a JSON body, which JSON.parse hides: a 400 under Strict, warnings under
 * Warn. Call after the body has been decoded (so it is known to be JSON that parses).
 */
export async function admitDuplicateFields(req: RegistryRequest & { contentType: string; body: () => Promise<Buffer> }, options: WriteOptions): Promise<void> {
  if (options.fieldValidation === 'Ignore') return;
  if (isYaml(req.contentType)) return admitDuplicateYamlKeys(req, options);
  if (!isJson(req.contentType)) return;
  const duplicates = duplicateFields((await req.body()).toString('utf8'));
  if (duplicates.length > 0) reportFieldProblems(req, options, duplicates.map((path) => `duplicate field "${path}"`));
}

/** The same for YAML bodies, worded as sigs.k8s.io/yaml's strict unmarshalling is (kube's apply patcher). */
async function admitDuplicateYamlKeys(req: RegistryRequest & { contentType: string; body: () => Promise<Buffer> }, options: WriteOptions): Promise<void> {
  const duplicates = duplicateYamlKeys((await req.body()).toString('utf8'));
  if (duplicates.length === 0) return;
  const problem = `error converting YAML to JSON: yaml: unmarshal errors:\n${duplicates.map((d) => `  ${d}`).join('\n')}`;
  if (options.fieldValidation === 'Strict') throw badRequest(`error strict decoding YAML: ${problem}`);
  req.warnings.push(problem);
}

const isYaml = (contentType: string): boolean => contentType === 'application/yaml' || contentType === 'application/apply-patch+yaml';

const isJson = (contentType: string): boolean => contentType === '' || contentType === 'application/json' || contentType.endsWith('+json');

/** Strict: one 400 naming them all, as kube's strict decoding error does. Warn: one warning each. */
function reportFieldProblems(req: RegistryRequest, options: WriteOptions, problems: string[]): void {
  if (options.fieldValidation === 'Strict') throw badRequest(`strict decoding error: ${problems.join(', ')}`);
  if (options.fieldValidation === 'Warn') req.warnings.push(...problems);
}
