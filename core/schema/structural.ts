/**
 * The structural-schema rules apiextensions-apiserver enforces on a CRD's schema
 * (k8s.io/apiextensions-apiserver `pkg/apis/apiextensions/validation/validation.go` and
 * `pkg/apiserver/schema/validation.go`): every field has a type unless unknown fields are
 * preserved there or it is int-or-string; `properties` and `additionalProperties` exclude each
 * other; arrays have `items`; the extensions are used where they make sense; the root
 * `metadata` may only restrict `name` and `generateName`.
 *
 * Paths are relative to the schema root, dotted (`properties.spec.properties.size.type`), so
 * config/check.ts can put `resources[0].versions[0].schema.openAPIV3Schema` in front.
 */
import { isObject } from '../../lib/json.ts';
import {
  additionalPropertiesOf, isEmbedded, isIntOrString, itemsOf, listMapKeysOf, listTypeOf, preservesUnknown,
  propertiesOf, typeOf, type SchemaNode,
} from './node.ts';

export interface SchemaProblem {
  path: string;
  message: string;
}

const TYPES = ['object', 'array', 'string', 'integer', 'number', 'boolean'];
const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

export function structuralProblems(schema: SchemaNode): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  if (typeOf(schema) !== 'object') problems.push({ path: 'type', message: 'must be object at the root' });
  checkNode(schema, '', false, problems);
  checkRootMetadata(schema, problems);
  return problems;
}

/** `underLogic`: inside allOf/anyOf/oneOf/not, which only add value validations and need no types. */
function checkNode(s: SchemaNode, path: string, underLogic: boolean, problems: SchemaProblem[]): void {
  const type = typeOf(s);
  const add = (key: string, message: string) => problems.push({ path: join(path, key), message });
  if (s.type !== undefined && (type === undefined || !TYPES.includes(type))) {
    add('type', `Unsupported value: ${JSON.stringify(s.type)}: supported values: ${TYPES.map((t) => `"${t}"`).join(', ')}`);
  }
  if (isIntOrString(s)) {
    if (type !== undefined) add('type', 'Forbidden: must be empty when x-kubernetes-int-or-string is true');
  } else if (type === undefined && !preservesUnknown(s) && !underLogic) {
    add('type', 'Required value: must not be empty for specified object fields');
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === false) add('x-kubernetes-preserve-unknown-fields', 'Invalid value: false: must be true or undefined');
  if (s.additionalProperties === false) {
    add('additionalProperties', 'Forbidden: must not be false; fields the schema does not declare are pruned anyway');
  }
  if (s.properties !== undefined && s.additionalProperties !== undefined) {
    add('additionalProperties', 'Forbidden: additionalProperties and properties are mutual exclusive');
  }
  if ((s.properties !== undefined || s.additionalProperties !== undefined) && type !== undefined && type !== 'object') {
    add('type', `Invalid value: ${JSON.stringify(type)}: must be object when properties or additionalProperties are specified`);
  }
  if (type === 'array' && s.items === undefined && !underLogic) add('items', 'Required value: must be specified');
  if (s.items !== undefined && !isObject(s.items)) add('items', 'Forbidden: items must be a schema object and not an array');
  if (isEmbedded(s)) {
    if (type !== 'object') add('type', 'Invalid value: must be object if x-kubernetes-embedded-resource is true');
    if (s.properties === undefined && !preservesUnknown(s)) {
      add('properties', 'Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields');
    }
  }
  for (const key of ['$ref', 'uniqueItems', 'patternProperties', 'dependencies', 'additionalItems', 'definitions', 'id', '$schema']) {
    if (key === 'uniqueItems' ? s.uniqueItems === true : s[key] !== undefined) {
      add(key, key === 'uniqueItems' ? 'Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic' : 'Forbidden: must not be set');
    }
  }
  checkListType(s, type, add);
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined) {
    if (mapType !== 'granular' && mapType !== 'atomic') add('x-kubernetes-map-type', `Unsupported value: ${JSON.stringify(mapType)}: supported values: "granular", "atomic"`);
    else if (type !== 'object') add('x-kubernetes-map-type', 'Invalid value: must only be used if type is object');
  }
  const properties = propertiesOf(s);
  if (properties) {
    for (const [name, child] of Object.entries(properties)) {
      if (isObject(child)) checkNode(child, join(path, `properties.${name}`), false, problems);
    }
  }
  const additional = additionalPropertiesOf(s);
  if (additional) checkNode(additional, join(path, 'additionalProperties'), false, problems);
  const items = itemsOf(s);
  if (items) checkNode(items, join(path, 'items'), false, problems);
  for (const logic of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = s[logic];
    if (Array.isArray(list)) list.forEach((child, i) => isObject(child) && checkNode(child, join(path, `${logic}[${i}]`), true, problems));
  }
  if (isObject(s.not)) checkNode(s.not, join(path, 'not'), true, problems);
}

function checkListType(s: SchemaNode, type: string | undefined, add: (key: string, message: string) => void): void {
  const listType = listTypeOf(s);
  if (s['x-kubernetes-list-type'] === undefined) {
    if (s['x-kubernetes-list-map-keys'] !== undefined) add('x-kubernetes-list-map-keys', 'Forbidden: must only be set if x-kubernetes-list-type is map');
    return;
  }
  if (listType !== 'atomic' && listType !== 'set' && listType !== 'map') {
    add('x-kubernetes-list-type', `Unsupported value: ${JSON.stringify(s['x-kubernetes-list-type'])}: supported values: "atomic", "set", "map"`);
    return;
  }
  if (type !== 'array') add('x-kubernetes-list-type', 'Invalid value: must only be used if type is array');
  const items = itemsOf(s);
  if (listType === 'map') {
    const keys = listMapKeysOf(s);
    if (keys.length === 0) add('x-kubernetes-list-map-keys', 'Required value: must not be empty if x-kubernetes-list-type is map');
    if (items && typeOf(items) !== 'object') add('items.type', 'Invalid value: must be object if parent array\'s x-kubernetes-list-type is map');
    const props = items ? propertiesOf(items) ?? {} : {};
    const required = items && Array.isArray(items.required) ? items.required : [];
    keys.forEach((key, i) => {
      const prop = props[key];
      if (!prop) add(`x-kubernetes-list-map-keys[${i}]`, `Invalid value: ${JSON.stringify(key)}: entries must all be names of item properties`);
      else {
        if (!['string', 'integer', 'number', 'boolean'].includes(typeOf(prop) ?? '') && !isIntOrString(prop)) {
          add(`items.properties.${key}.type`, 'Invalid value: must be a scalar type if parent array\'s x-kubernetes-list-type is map');
        }
        if (!required.includes(key) && prop.default === undefined) {
          add(`items.properties.${key}`, 'Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property');
        }
      }
    });
  } else if (s['x-kubernetes-list-map-keys'] !== undefined) {
    add('x-kubernetes-list-map-keys', 'Forbidden: must only be set if x-kubernetes-list-type is map');
  }
  if (listType === 'set' && items && typeOf(items) === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
    add('items.x-kubernetes-map-type', 'Invalid value: must be atomic as item of a list with x-kubernetes-list-type=set');
  }
}

/** The root `metadata` may only restrict name and generateName to strings (ObjectMeta is core's). */
function checkRootMetadata(schema: SchemaNode, problems: SchemaProblem[]): void {
  const meta = propertiesOf(schema)?.metadata;
  if (!isObject(meta)) return;
  const at = 'properties.metadata';
  for (const key of Object.keys(meta)) {
    if (!['type', 'properties', 'description', 'nullable'].includes(key)) problems.push({ path: `${at}.${key}`, message: 'Forbidden: must not be specified' });
  }
  const props = propertiesOf(meta) ?? {};
  for (const [name, prop] of Object.entries(props)) {
    if (name !== 'name' && name !== 'generateName') {
      problems.push({ path: `${at}.properties.${name}`, message: 'Forbidden: must not be specified' });
    } else if (!isObject(prop) || typeOf(prop) !== 'string') {
      problems.push({ path: `${at}.properties.${name}.type`, message: 'Invalid value: must be string' });
    }
  }
}
