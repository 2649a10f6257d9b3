/**
 * `/openapi/v2` as protobuf (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`):
 * a gnostic `openapi.v2.Document`, which kubectl 1.27/1.28 fetch and `proto.Unmarshal` for
 * `explain` and client-side validation (wire contract, section 2.1). The JSON document is
 * turned into that message the way gnostic's compiler does (`openapiv2/OpenAPIv2.go`):
 * `x-` keys become `vendor_extension` entries and `default`, `example` and `enum` values
 * become `Any` messages, both holding the value as YAML text, which kube-openapi
 * `pkg/util/proto` reads back with `yaml.Unmarshal` (e.g. `x-kubernetes-group-version-kind`).
 */
import type protobuf from 'protobufjs';
import { stringify } from 'yaml';
import { gnosticV2, DocumentType } from './gnostic-v2.ts';
import { isObject } from '../../lib/json.ts';

type Json = Record<string, unknown>;
type Message = Record<string, unknown>;

const typeOf = (name: string): protobuf.Type => gnosticV2.lookupType(`openapi.v2.${name}`);
const T = {
  Info: typeOf('Info'), Operation: typeOf('Operation'), PathItem: typeOf('PathItem'), Schema: typeOf('Schema'),
  BodyParameter: typeOf('BodyParameter'), Query: typeOf('QueryParameterSubSchema'), Path: typeOf('PathParameterSubSchema'),
  Header: typeOf('HeaderParameterSubSchema'), PrimitivesItems: typeOf('PrimitivesItems'), ExternalDocs: typeOf('ExternalDocs'),
  Tag: typeOf('Tag'), Response: typeOf('Response'),
};

const entries = (v: unknown): [string, unknown][] => (isObject(v) ? Object.entries(v) : []);

/**
 * YAML 1.1, because the reader is gopkg.in/yaml.v2: a string such as "yes" or "on" must be
 * quoted or it comes back as a boolean. No line folding, so every value stays on its lines.
 */
const asAny = (value: unknown): Message => ({ yaml: stringify(value, { version: '1.1', lineWidth: 0 }) });

const vendorExtensions = (json: Json): Message[] =>
  Object.entries(json).filter(([k]) => k.startsWith('x-')).map(([name, value]) => ({ name, value: asAny(value) }));

const snakeCase = (key: string): string => (key === '$ref' ? '_ref' : key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));

/**
 * The keys of `json` that map onto scalar (or repeated scalar) fields of `type`, with
 * their vendor extensions. Message-typed fields are the caller's to convert; keys the
 * message has no field for (v3-only keywords, for one) are dropped.
 */
function scalars(json: Json, type: protobuf.Type): Message {
  const out: Message = {};
  for (const [key, value] of Object.entries(json)) {
    const field = type.fields[snakeCase(key)];
    if (!field || field.resolvedType !== null || value === null) continue;
    if (field.repeated !== Array.isArray(value)) continue;
    out[field.name] = value;
  }
  if (type.fields['vendor_extension']) {
    const extensions = vendorExtensions(json);
    if (extensions.length > 0) out['vendor_extension'] = extensions;
  }
  return out;
}

/** default, example and enum: the fields whose values are arbitrary JSON, where `type` has them. */
function anyValues(json: Json, type: protobuf.Type, out: Message): Message {
  for (const name of ['default', 'example'] as const) {
    if (json[name] !== undefined && type.fields[name]) out[name] = asAny(json[name]);
  }
  if (Array.isArray(json['enum']) && type.fields['enum']) out['enum'] = json['enum'].map(asAny);
  return out;
}

function schema(json: Json): Message {
  const out = anyValues(json, T.Schema, scalars(json, T.Schema));
  const type = json['type'];
  if (typeof type === 'string' || Array.isArray(type)) out['type'] = { value: Array.isArray(type) ? type : [type] };
  const items = json['items'];
  if (isObject(items) || Array.isArray(items)) {
    out['items'] = { schema: (Array.isArray(items) ? items : [items]).filter(isObject).map(schema) };
  }
  if (Array.isArray(json['allOf'])) out['all_of'] = json['allOf'].filter(isObject).map(schema);
  if (isObject(json['properties'])) {
    out['properties'] = { additional_properties: entries(json['properties']).filter(([, v]) => isObject(v)).map(([name, v]) => ({ name, value: schema(v as Json) })) };
  }
  const additional = json['additionalProperties'];
  if (typeof additional === 'boolean') out['additional_properties'] = { boolean: additional };
  else if (isObject(additional)) out['additional_properties'] = { schema: schema(additional) };
  if (isObject(json['externalDocs'])) out['external_docs'] = scalars(json['externalDocs'], T.ExternalDocs);
  return out;
}

/** A query, path or header parameter, or the items of one: type, format and validation. */
function primitive(json: Json, type: protobuf.Type): Message {
  const out = anyValues(json, type, scalars(json, type));
  if (isObject(json['items'])) out['items'] = primitive(json['items'], T.PrimitivesItems);
  return out;
}

const SUB_SCHEMAS: Readonly<Record<string, [string, protobuf.Type]>> = {
  query: ['query_parameter_sub_schema', T.Query],
  path: ['path_parameter_sub_schema', T.Path],
  header: ['header_parameter_sub_schema', T.Header],
};

function parametersItem(json: Json): Message {
  if (typeof json['$ref'] === 'string') return { json_reference: { _ref: json['$ref'] } };
  if (json['in'] === 'body') {
    const body = scalars(json, T.BodyParameter);
    if (isObject(json['schema'])) body['schema'] = schema(json['schema']);
    return { parameter: { body_parameter: body } };
  }
  const sub = SUB_SCHEMAS[String(json['in'])];
  if (sub === undefined) throw new Error(`openapi v2 protobuf: parameter ${String(json['name'])} in ${String(json['in'])} is not supported`);
  const [field, type] = sub;
  return { parameter: { non_body_parameter: { [field]: primitive(json, type) } } };
}

const parameters = (value: unknown): Message[] => (Array.isArray(value) ? value.filter(isObject).map(parametersItem) : []);

function responses(json: Json): Message {
  const codes = entries(json).filter(([k, v]) => !k.startsWith('x-') && isObject(v)).map(([name, v]) => {
    const r = v as Json;
    if (typeof r['$ref'] === 'string') return { name, value: { json_reference: { _ref: r['$ref'] } } };
    const response = scalars(r, T.Response);
    if (isObject(r['schema'])) response['schema'] = { schema: schema(r['schema']) };
    return { name, value: { response } };
  });
  const out: Message = { response_code: codes };
  const extensions = vendorExtensions(json);
  if (extensions.length > 0) out['vendor_extension'] = extensions;
  return out;
}

function operation(json: Json): Message {
  const out = scalars(json, T.Operation);
  out['parameters'] = parameters(json['parameters']);
  if (isObject(json['responses'])) out['responses'] = responses(json['responses']);
  if (isObject(json['externalDocs'])) out['external_docs'] = scalars(json['externalDocs'], T.ExternalDocs);
  return out;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

function pathItem(json: Json): Message {
  const out = scalars(json, T.PathItem);
  for (const method of METHODS) if (isObject(json[method])) out[method] = operation(json[method]);
  out['parameters'] = parameters(json['parameters']);
  return out;
}

/** The gnostic message for a Swagger 2.0 document, as a plain object for `DocumentType.fromObject`. */
export function toGnosticDocument(doc: object): Message {
  const json = doc as Json;
  const out = scalars(json, DocumentType);
  if (isObject(json['info'])) out['info'] = scalars(json['info'], T.Info);
  const paths = entries(json['paths']);
  out['paths'] = {
    path: paths.filter(([k, v]) => !k.startsWith('x-') && isObject(v)).map(([name, v]) => ({ name, value: pathItem(v as Json) })),
    vendor_extension: isObject(json['paths']) ? vendorExtensions(json['paths']) : [],
  };
  out['definitions'] = {
    additional_properties: entries(json['definitions']).filter(([, v]) => isObject(v)).map(([name, v]) => ({ name, value: schema(v as Json) })),
  };
  if (Array.isArray(json['tags'])) {
    out['tags'] = json['tags'].filter(isObject).map((t) => ({
      ...scalars(t, T.Tag), ...(isObject(t['externalDocs']) ? { external_docs: scalars(t['externalDocs'], T.ExternalDocs) } : {}),
    }));
  }
  if (isObject(json['externalDocs'])) out['external_docs'] = scalars(json['externalDocs'], T.ExternalDocs);
  return out;
}

/** The protobuf encoding of a Swagger 2.0 document (`buildOpenAPIV2`'s output) as gnostic `openapi.v2.Document`. */
export function encodeOpenAPIV2Protobuf(doc: object): Uint8Array {
  return DocumentType.encode(DocumentType.fromObject(toGnosticDocument(doc))).finish();
}
