/**
 * Schema validation with ajv, reported as kube-apiserver reports it: kube-openapi's messages
 * (`pkg/validation/errors/schema.go`: "spec.size in body should be less than or equal to 10")
 * wrapped in field errors the way apiextensions-apiserver's `kubeOpenAPIResultToFieldErrors`
 * (`pkg/apiserver/validation/validation.go`) does: Required, NotSupported for enums, TooLong,
 * TooMany, and Invalid for the rest.
 *
 * ajv sees a copy of the schema in the dialect it knows: OpenAPI's boolean
 * `exclusiveMaximum`/`exclusiveMinimum` become JSON Schema's numbers, formats kube does not
 * know are dropped (kube ignores them), `default` is left to defaulting, the root `metadata`
 * to core's ObjectMeta checks. The `x-kubernetes-*` keywords are declared, so ajv's strict
 * mode still rejects keywords nobody knows.
 */
import { Ajv, type ErrorObject } from 'ajv';
import type { FieldError } from '../field-errors.ts';
import { KUBE_FORMATS, NUMBER_FORMATS } from './formats.ts';
import { isObject } from '../../lib/json.ts';
import { childPath, indexPath, type SchemaNode } from './node.ts';

/** A schema error and where it is: the JSON Pointer of the value it is about (for ratcheting). */
export interface LocatedError {
  pointer: string;
  error: FieldError;
}

export type ValueValidator = (object: unknown) => LocatedError[];

const ANNOTATIONS = [
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-validations', 'example', 'externalDocs',
];

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, logger: false });
  for (const keyword of ANNOTATIONS) ajv.addKeyword({ keyword });
  ajv.addKeyword({
    keyword: 'x-kubernetes-int-or-string',
    errors: false,
    validate: (flag: unknown, data: unknown) => flag !== true || typeof data === 'string' || typeof data === 'bigint' || Number.isSafeInteger(data),
  });
  // A whole number beyond 2^53 is a float64 in kube (it did not decode as an int64), and kube-openapi
  // takes a float64 for an integer only up to 2^53 (swag.IsFloat64AJSONInteger).
  ajv.addKeyword({
    keyword: INT64,
    errors: true,
    validate: (_flag: unknown, data: unknown) => typeof data !== 'number' || !Number.isInteger(data) || Number.isSafeInteger(data),
  });
  for (const [name, validate] of Object.entries(KUBE_FORMATS)) ajv.addFormat(name, { type: 'string', validate });
  for (const name of NUMBER_FORMATS) ajv.addFormat(name, { type: 'number', validate: () => true });
  return ajv;
}

/** Compiles the validator; throws ajv's error when the schema uses something ajv cannot compile. */
export function compileValidator(schema: SchemaNode): ValueValidator {
  const validate = newAjv().compile(forAjv(schema, true));
  return (object) => {
    if (validate(object)) return [];
    // ajv knows no bigint (lib/json.ts decodes int64 values beyond 2^53 to one): validate again
    // with each as the safe integer of its sign, which keeps its type and its side of any bound.
    let data: unknown = object;
    if (holdsBigInt(object)) {
      data = clampBigInts(object);
      if (validate(data)) return [];
    }
    const located: LocatedError[] = [];
    for (const e of validate.errors ?? []) {
      const error = toFieldError(e, data);
      if (error) located.push({ pointer: e.instancePath, error });
    }
    return located;
  };
}

/** JSON.stringify throws on a bigint: only a failed validation pays for asking. */
function holdsBigInt(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return false;
  } catch (error) {
    return error instanceof TypeError && /BigInt/i.test(error.message);
  }
}

function clampBigInts(value: unknown): unknown {
  if (typeof value === 'bigint') return value > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  if (Array.isArray(value)) return value.map(clampBigInts);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clampBigInts(v)]));
  return value;
}

const INT64 = 'x-kindred-int64';

const knownFormat = (format: unknown): boolean =>
  typeof format === 'string' && (format in KUBE_FORMATS || NUMBER_FORMATS.includes(format));

const SUBSCHEMA_MAPS = ['properties', 'patternProperties', 'definitions'];
const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
const SUBSCHEMA_ONE = ['items', 'additionalProperties', 'not'];

// The fields of apiextensions' JSONSchemaProps. Anything else is dropped, as decoding a CRD
// drops unknown fields; ajv stays strict about what it is given.
const JSON_SCHEMA_PROPS = new Set([
  'id', '$schema', '$ref', 'description', 'type', 'format', 'title', 'default', 'maximum', 'exclusiveMaximum', 'minimum',
  'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'enum',
  'maxProperties', 'minProperties', 'required', 'items', 'allOf', 'oneOf', 'anyOf', 'not', 'properties',
  'additionalProperties', 'patternProperties', 'dependencies', 'additionalItems', 'definitions', 'externalDocs',
  'example', 'nullable', 'x-kubernetes-int-or-string', ...ANNOTATIONS,
]);

/** The copy of a schema node ajv compiles (see the module comment). */
function forAjv(node: SchemaNode, root = false): SchemaNode {
  const out: SchemaNode = {};
  for (const [key, value] of Object.entries(node)) {
    if (!JSON_SCHEMA_PROPS.has(key) || key === 'default' || key === 'description' || key === 'title') continue;
    if (key === 'format' && !knownFormat(value)) continue;
    if (key === 'nullable' && typeof node.type !== 'string') continue; // ajv needs a type beside nullable
    if (SUBSCHEMA_MAPS.includes(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isObject(v) ? forAjv(v) : v]));
    } else if (SUBSCHEMA_LISTS.includes(key) && Array.isArray(value)) {
      out[key] = value.map((v: unknown) => (isObject(v) ? forAjv(v) : v));
    } else if (SUBSCHEMA_ONE.includes(key) && isObject(value)) {
      out[key] = forAjv(value);
    } else {
      out[key] = value;
    }
  }
  if (out.type === 'integer') out[INT64] = true;
  // OpenAPI 3.0: a boolean beside maximum/minimum; JSON Schema: the bound itself.
  for (const [exclusive, bound] of [['exclusiveMaximum', 'maximum'], ['exclusiveMinimum', 'minimum']] as const) {
    if (typeof out[exclusive] === 'boolean') {
      if (out[exclusive] === true && typeof out[bound] === 'number') {
        out[exclusive] = out[bound];
        delete out[bound];
      } else delete out[exclusive];
    }
  }
  if (root && isObject(out.properties) && out.properties.metadata !== undefined) {
    out.properties = { ...out.properties, metadata: { type: 'object' } };
  }
  return out;
}

const typeName = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'integer' : 'number';
  if (typeof value === 'bigint') return 'integer';
  return typeof value;
};

/**
 * Turns ajv's JSON Pointer into the path kube-openapi names: `[i]` for list items, `.key` for
 * every object key, map keys included (slice_validator.go, object_validator.go).
 */
function fieldPath(pointer: string, data: unknown): { path: string; value: unknown } {
  let path = '';
  let value = data;
  if (pointer === '') return { path, value };
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(value)) {
      path = indexPath(path, Number(segment));
      value = value[Number(segment)];
    } else {
      path = childPath(path, segment);
      value = isObject(value) ? value[segment] : undefined;
    }
  }
  return { path, value };
}

function toFieldError(error: ErrorObject, data: unknown): FieldError | undefined {
  const { path, value } = fieldPath(error.instancePath, data);
  const name = path || '<nil>';
  const p = error.params as Record<string, unknown>;
  const invalid = (detail: string, shown: unknown = value): FieldError => ({ type: 'Invalid', field: path, value: shown, detail });
  const typeInvalid = (detail: string): FieldError => ({ type: 'TypeInvalid', field: path, value: typeName(value), detail });
  switch (error.keyword) {
    case 'type':
      return typeInvalid(`${name} in body must be of type ${String(p.type)}: "${typeName(value)}"`);
    case INT64:
      return typeInvalid(`${name} in body must be of type integer: "number"`);
    case 'x-kubernetes-int-or-string':
      return typeInvalid(`${name} in body must be of type integer,string: "${typeName(value)}"`);
    case 'required': {
      const missing = String(p.missingProperty);
      return { type: 'Required', field: childPath(path, missing) };
    }
    case 'enum':
      return {
        type: 'NotSupported',
        field: path,
        value,
        supported: (p.allowedValues as unknown[]).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))),
      };
    case 'maximum':
      return invalid(`${name} in body should be less than or equal to ${String(p.limit)}`);
    case 'exclusiveMaximum':
      return invalid(`${name} in body should be less than ${String(p.limit)}`);
    case 'minimum':
      return invalid(`${name} in body should be greater than or equal to ${String(p.limit)}`);
    case 'exclusiveMinimum':
      return invalid(`${name} in body should be greater than ${String(p.limit)}`);
    case 'multipleOf':
      return invalid(`${name} in body should be a multiple of ${String(p.multipleOf)}`);
    case 'maxLength':
      return { type: 'TooLong', field: path, value, detail: `may not be more than ${String(p.limit)} bytes` };
    case 'minLength':
      return invalid(`${name} in body should be at least ${String(p.limit)} chars long`);
    case 'pattern':
      return invalid(`${name} in body should match '${String(p.pattern)}'`);
    case 'format':
      return invalid(`${name} in body must be of type ${String(p.format)}: ${JSON.stringify(value)}`);
    case 'maxItems':
      return { type: 'TooMany', field: path, detail: `${Array.isArray(value) ? value.length : 0}: must have at most ${String(p.limit)} items` };
    case 'minItems':
      return invalid(`${name} in body should have at least ${String(p.limit)} items`, Array.isArray(value) ? value.length : value);
    case 'maxProperties':
      return { type: 'TooMany', field: path, detail: `${isObject(value) ? Object.keys(value).length : 0}: must have at most ${String(p.limit)} items` };
    case 'minProperties':
      return invalid(`${name} in body should have at least ${String(p.limit)} properties`, isObject(value) ? Object.keys(value).length : value);
    case 'anyOf':
      return invalid(`"${name}" must validate at least one schema (anyOf)`, '');
    case 'oneOf':
      return invalid(`"${name}" must validate one and only one schema (oneOf)`, '');
    case 'not':
      return invalid(`"${name}" must not validate the schema (not)`, '');
    case 'uniqueItems':
      return invalid(`${name} in body shouldn't contain duplicates`);
    case 'additionalProperties':
      return invalid(`${name}.${String(p.additionalProperty)} in body is a forbidden property`, '');
    default:
      return invalid(`${name} in body ${error.message ?? 'is invalid'}`);
  }
}
