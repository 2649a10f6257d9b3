/**
 * The subset of gnostic's `openapi.v2` protobuf schema that kindred's Swagger 2.0 document
 * uses, as a protobufjs reflection root. Field names and numbers are those of
 * google/gnostic-models `openapiv2/OpenAPIv2.proto` (the file client-go and kubectl compile
 * in); fields we never write (security, XML, form-data and file schemas, ...) are left out,
 * which the wire format allows. Names stay snake_case as in the .proto, to make checking
 * them against it easy.
 */
import protobuf from 'protobufjs';

type FieldSpec = readonly [name: string, id: number, type: string, rule?: 'repeated'];

function message(fields: readonly FieldSpec[], oneof?: readonly string[]): protobuf.INamespace & protobuf.IType {
  return {
    fields: Object.fromEntries(fields.map(([name, id, type, rule]) => [name, rule ? { id, type, rule } : { id, type }])),
    ...(oneof ? { oneofs: { oneof: { oneof: [...oneof] } } } : {}),
  };
}

const R = 'repeated';

/**
 * The validation fields shared, in this order and numbered consecutively, by
 * QueryParameterSubSchema, PathParameterSubSchema, HeaderParameterSubSchema and
 * PrimitivesItems, starting at `items`.
 */
function primitiveValidation(firstId: number): FieldSpec[] {
  const tail: [string, string, ('repeated' | undefined)?][] = [
    ['items', 'PrimitivesItems'], ['collection_format', 'string'], ['default', 'Any'],
    ['maximum', 'double'], ['exclusive_maximum', 'bool'], ['minimum', 'double'], ['exclusive_minimum', 'bool'],
    ['max_length', 'int64'], ['min_length', 'int64'], ['pattern', 'string'],
    ['max_items', 'int64'], ['min_items', 'int64'], ['unique_items', 'bool'],
    ['enum', 'Any', R], ['multiple_of', 'double'], ['vendor_extension', 'NamedAny', R],
  ];
  return tail.map(([name, type, rule], i) => (rule ? [name, firstId + i, type, rule] : [name, firstId + i, type]));
}

const parameterHead: FieldSpec[] = [['required', 1, 'bool'], ['in', 2, 'string'], ['description', 3, 'string'], ['name', 4, 'string']];

const DESCRIPTOR: protobuf.INamespace = {
  nested: {
    google: { nested: { protobuf: { nested: { Any: message([['type_url', 1, 'string'], ['value', 2, 'bytes']]) } } } },
    openapi: {
      nested: {
        v2: {
          nested: {
            AdditionalPropertiesItem: message([['schema', 1, 'Schema'], ['boolean', 2, 'bool']], ['schema', 'boolean']),
            Any: message([['value', 1, 'google.protobuf.Any'], ['yaml', 2, 'string']]),
            BodyParameter: message([
              ['description', 1, 'string'], ['name', 2, 'string'], ['in', 3, 'string'], ['required', 4, 'bool'],
              ['schema', 5, 'Schema'], ['vendor_extension', 6, 'NamedAny', R],
            ]),
            Definitions: message([['additional_properties', 1, 'NamedSchema', R]]),
            Document: message([
              ['swagger', 1, 'string'], ['info', 2, 'Info'], ['host', 3, 'string'], ['base_path', 4, 'string'],
              ['schemes', 5, 'string', R], ['consumes', 6, 'string', R], ['produces', 7, 'string', R],
              ['paths', 8, 'Paths'], ['definitions', 9, 'Definitions'],
              ['tags', 14, 'Tag', R], ['external_docs', 15, 'ExternalDocs'], ['vendor_extension', 16, 'NamedAny', R],
            ]),
            ExternalDocs: message([['description', 1, 'string'], ['url', 2, 'string'], ['vendor_extension', 3, 'NamedAny', R]]),
            HeaderParameterSubSchema: message([...parameterHead, ['type', 5, 'string'], ['format', 6, 'string'], ...primitiveValidation(7)]),
            Info: message([
              ['title', 1, 'string'], ['version', 2, 'string'], ['description', 3, 'string'],
              ['terms_of_service', 4, 'string'], ['vendor_extension', 7, 'NamedAny', R],
            ]),
            ItemsItem: message([['schema', 1, 'Schema', R]]),
            JsonReference: message([['_ref', 1, 'string'], ['description', 2, 'string']]),
            NamedAny: message([['name', 1, 'string'], ['value', 2, 'Any']]),
            NamedPathItem: message([['name', 1, 'string'], ['value', 2, 'PathItem']]),
            NamedResponseValue: message([['name', 1, 'string'], ['value', 2, 'ResponseValue']]),
            NamedSchema: message([['name', 1, 'string'], ['value', 2, 'Schema']]),
            NonBodyParameter: message(
              [
                ['header_parameter_sub_schema', 1, 'HeaderParameterSubSchema'],
                ['query_parameter_sub_schema', 3, 'QueryParameterSubSchema'],
                ['path_parameter_sub_schema', 4, 'PathParameterSubSchema'],
              ],
              ['header_parameter_sub_schema', 'query_parameter_sub_schema', 'path_parameter_sub_schema'],
            ),
            Operation: message([
              ['tags', 1, 'string', R], ['summary', 2, 'string'], ['description', 3, 'string'],
              ['external_docs', 4, 'ExternalDocs'], ['operation_id', 5, 'string'],
              ['produces', 6, 'string', R], ['consumes', 7, 'string', R], ['parameters', 8, 'ParametersItem', R],
              ['responses', 9, 'Responses'], ['schemes', 10, 'string', R], ['deprecated', 11, 'bool'],
              ['vendor_extension', 13, 'NamedAny', R],
            ]),
            Parameter: message([['body_parameter', 1, 'BodyParameter'], ['non_body_parameter', 2, 'NonBodyParameter']], ['body_parameter', 'non_body_parameter']),
            ParametersItem: message([['parameter', 1, 'Parameter'], ['json_reference', 2, 'JsonReference']], ['parameter', 'json_reference']),
            PathItem: message([
              ['_ref', 1, 'string'], ['get', 2, 'Operation'], ['put', 3, 'Operation'], ['post', 4, 'Operation'],
              ['delete', 5, 'Operation'], ['options', 6, 'Operation'], ['head', 7, 'Operation'], ['patch', 8, 'Operation'],
              ['parameters', 9, 'ParametersItem', R], ['vendor_extension', 10, 'NamedAny', R],
            ]),
            PathParameterSubSchema: message([...parameterHead, ['type', 5, 'string'], ['format', 6, 'string'], ...primitiveValidation(7)]),
            Paths: message([['vendor_extension', 1, 'NamedAny', R], ['path', 2, 'NamedPathItem', R]]),
            PrimitivesItems: message([['type', 1, 'string'], ['format', 2, 'string'], ...primitiveValidation(3)]),
            Properties: message([['additional_properties', 1, 'NamedSchema', R]]),
            QueryParameterSubSchema: message([
              ...parameterHead, ['allow_empty_value', 5, 'bool'], ['type', 6, 'string'], ['format', 7, 'string'], ...primitiveValidation(8),
            ]),
            Response: message([['description', 1, 'string'], ['schema', 2, 'SchemaItem'], ['vendor_extension', 5, 'NamedAny', R]]),
            Responses: message([['response_code', 1, 'NamedResponseValue', R], ['vendor_extension', 2, 'NamedAny', R]]),
            ResponseValue: message([['response', 1, 'Response'], ['json_reference', 2, 'JsonReference']], ['response', 'json_reference']),
            Schema: message([
              ['_ref', 1, 'string'], ['format', 2, 'string'], ['title', 3, 'string'], ['description', 4, 'string'],
              ['default', 5, 'Any'], ['multiple_of', 6, 'double'], ['maximum', 7, 'double'], ['exclusive_maximum', 8, 'bool'],
              ['minimum', 9, 'double'], ['exclusive_minimum', 10, 'bool'], ['max_length', 11, 'int64'], ['min_length', 12, 'int64'],
              ['pattern', 13, 'string'], ['max_items', 14, 'int64'], ['min_items', 15, 'int64'], ['unique_items', 16, 'bool'],
              ['max_properties', 17, 'int64'], ['min_properties', 18, 'int64'], ['required', 19, 'string', R],
              ['enum', 20, 'Any', R], ['additional_properties', 21, 'AdditionalPropertiesItem'], ['type', 22, 'TypeItem'],
              ['items', 23, 'ItemsItem'], ['all_of', 24, 'Schema', R], ['properties', 25, 'Properties'],
              ['discriminator', 26, 'string'], ['read_only', 27, 'bool'], ['external_docs', 29, 'ExternalDocs'],
              ['example', 30, 'Any'], ['vendor_extension', 31, 'NamedAny', R],
            ]),
            SchemaItem: message([['schema', 1, 'Schema']], ['schema']),
            Tag: message([
              ['name', 1, 'string'], ['description', 2, 'string'], ['external_docs', 3, 'ExternalDocs'], ['vendor_extension', 4, 'NamedAny', R],
            ]),
            TypeItem: message([['value', 1, 'string', R]]),
          },
        },
      },
    },
  },
};

/** The reflection root; look messages up as `openapi.v2.<Name>`. */
export const gnosticV2 = protobuf.Root.fromJSON(DESCRIPTOR).resolveAll();

/** `openapi.v2.Document`, what client-go's `OpenAPISchema()` unmarshals. */
export const DocumentType = gnosticV2.lookupType('openapi.v2.Document');
