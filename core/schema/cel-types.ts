/**
 * CEL types of schema nodes, as apiextensions-apiserver declares them for `self`
 * (apiserver/schema/cel/model: SchemaDeclType): an object with properties is an object type
 * whose fields are those properties, an object with additionalProperties a map, an array a
 * list, `format: date-time` a timestamp, `format: duration` a duration, int-or-string and
 * preserved unknown objects `dyn`. Each type carries the largest size a request can give it
 * (maxItems, maxProperties, maxLength, or what fits in the 3 MiB request limit), which the
 * cost estimate multiplies by.
 */
import { additionalPropertiesOf, isIntOrString, itemsOf, preservesUnknown, propertiesOf, typeOf, type SchemaNode } from './node.ts';

export type CelType =
  | { kind: 'object'; fields: ReadonlyMap<string, CelType>; open: boolean; maxSize: number }
  | { kind: 'map'; value: CelType; maxSize: number }
  | { kind: 'list'; elem: CelType; maxSize: number }
  | { kind: 'string'; maxSize: number }
  | { kind: 'bytes'; maxSize: number }
  | { kind: 'int' | 'uint' | 'double' | 'bool' | 'null' | 'timestamp' | 'duration' | 'dyn' | 'type' };

/** kube's request size limit, from which unbounded sizes are estimated (apiextensions-apiserver). */
const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

export const DYN: CelType = { kind: 'dyn' };
export const BOOL: CelType = { kind: 'bool' };
export const INT: CelType = { kind: 'int' };
export const UNBOUNDED_STRING: CelType = { kind: 'string', maxSize: MAX_REQUEST_BYTES - 2 };

/** The smallest JSON a value of this type takes, for estimating how many fit in a request. */
function minSerializedSize(type: CelType): number {
  switch (type.kind) {
    case 'string':
    case 'bytes':
    case 'object':
    case 'map':
    case 'list':
    case 'timestamp':
    case 'duration':
      return 2; // "", {}, []
    default:
      return 1;
  }
}

const bound = (declared: unknown, estimate: number): number => (typeof declared === 'number' && declared >= 0 ? declared : estimate);

export function celTypeOf(node: SchemaNode | undefined): CelType {
  if (!node || isIntOrString(node)) return DYN;
  switch (typeOf(node)) {
    case 'boolean':
      return BOOL;
    case 'integer':
      return INT;
    case 'number':
      return { kind: 'double' };
    case 'string': {
      if (node.format === 'date-time') return { kind: 'timestamp' };
      if (node.format === 'duration') return { kind: 'duration' };
      if (node.format === 'byte') return { kind: 'bytes', maxSize: bound(node.maxLength, MAX_REQUEST_BYTES - 2) };
      return { kind: 'string', maxSize: bound(node.maxLength, MAX_REQUEST_BYTES - 2) };
    }
    case 'array': {
      const elem = celTypeOf(itemsOf(node));
      return { kind: 'list', elem, maxSize: bound(node.maxItems, Math.floor((MAX_REQUEST_BYTES - 2) / (minSerializedSize(elem) + 1))) };
    }
    case 'object': {
      const additional = additionalPropertiesOf(node);
      const properties = propertiesOf(node);
      if (additional && !properties) {
        const value = celTypeOf(additional);
        // Each entry is at least `"":<value>,`.
        return { kind: 'map', value, maxSize: bound(node.maxProperties, Math.floor((MAX_REQUEST_BYTES - 2) / (minSerializedSize(value) + 4))) };
      }
      if (!properties) return preservesUnknown(node) ? DYN : { kind: 'object', fields: new Map(), open: false, maxSize: 0 };
      const fields = new Map(Object.entries(properties).map(([name, child]) => [name, celTypeOf(child)]));
      // An embedded resource always has these, whatever its schema lists.
      if (node['x-kubernetes-embedded-resource'] === true) {
        for (const name of ['apiVersion', 'kind']) if (!fields.has(name)) fields.set(name, UNBOUNDED_STRING);
        if (!fields.has('metadata')) fields.set('metadata', DYN);
      }
      return { kind: 'object', fields, open: preservesUnknown(node), maxSize: fields.size };
    }
    default:
      return DYN;
  }
}

/** How CEL names a type in an error (`int`, `string`, `list(string)`, `map(string, int)`). */
export function typeName(type: CelType): string {
  switch (type.kind) {
    case 'object':
      return 'object';
    case 'map':
      return `map(string, ${typeName(type.value)})`;
    case 'list':
      return `list(${typeName(type.elem)})`;
    case 'timestamp':
      return 'google.protobuf.Timestamp';
    case 'duration':
      return 'google.protobuf.Duration';
    default:
      return type.kind;
  }
}

/** How many values a node can hold per instance of its parent: list items or map entries. */
export function cardinalityOf(type: CelType): number {
  return type.kind === 'list' || type.kind === 'map' ? type.maxSize : 1;
}
