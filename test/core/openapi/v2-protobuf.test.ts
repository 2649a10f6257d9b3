import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { buildOpenAPIV2 } from '../../../core/openapi/v2.ts';
import { encodeOpenAPIV2Protobuf } from '../../../core/openapi/v2-protobuf.ts';
import { DocumentType } from '../../../core/openapi/gnostic-v2.ts';
import { postgres, report, widget } from './fixtures.ts';

type Json = Record<string, any>;
const NS = '/apis/apps.example.com/v1alpha1/namespaces/{namespace}/postgreses';

const bytes = encodeOpenAPIV2Protobuf(buildOpenAPIV2([postgres(), widget(), report()]));
const decoded = DocumentType.toObject(DocumentType.decode(bytes), { longs: Number, oneofs: true }) as Json;

const named = (list: Json[] | undefined, name: string): Json | undefined => list?.find((entry) => entry.name === name)?.value;
/** A vendor extension's value, read as kube-openapi `VendorExtensionToMap` does: YAML text. */
const extension = (list: Json[] | undefined, name: string): unknown => {
  const any = named(list, name);
  return any === undefined ? undefined : parse(any.yaml, { version: '1.1' });
};

describe('encodeOpenAPIV2Protobuf(doc)', () => {
  it('writes the tags gnostic numbers them with', () => {
    // Document.swagger = 1, .paths = 8, .definitions = 9; NamedSchema.name = 1, .value = 2;
    // Schema.type = 22 (TypeItem.value = 1), Schema.vendor_extension = 31; NamedAny.value = 2; Any.yaml = 2.
    const tiny = encodeOpenAPIV2Protobuf({ swagger: '2.0', definitions: { A: { type: 'string', 'x-a': 1 } } });
    const expected = '0a03322e30' + '4200' + '4a20' + '0a1e' + '0a0141' + '1219' +
      'b201080a06737472696e67' + 'fa010b' + '0a03782d61' + '1204' + '1202310a';
    assert.equal(Buffer.from(tiny).toString('hex'), expected);
  });

  it('round-trips the swagger version and info', () => {
    assert.equal(decoded.swagger, '2.0');
    assert.equal(decoded.info.title, 'kindred');
  });

  it('round-trips a definition with its properties, descriptions and types', () => {
    const model = named(decoded.definitions.additional_properties, 'com.example.apps.v1alpha1.Postgres')!;
    assert.deepEqual(model.type.value, ['object']);
    const props = model.properties.additional_properties as Json[];
    assert.deepEqual(props.map((p) => p.name), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    assert.equal(named(props, 'metadata')!._ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    const spec = named(props, 'spec')!;
    assert.equal(spec.description, 'The desired state of the database.');
    assert.deepEqual(spec.required, ['version']);
    const fields = spec.properties.additional_properties as Json[];
    const versionField = named(fields, 'version')!;
    assert.deepEqual(versionField.type.value, ['string']);
    assert.deepEqual((versionField.enum as Json[]).map((a) => parse(a.yaml, { version: '1.1' })), ['15', '16', 'yes']);
    const users = named(fields, 'users')!;
    assert.deepEqual(users.type.value, ['array']);
    const role = users.items.schema[0];
    assert.equal(named(role.properties.additional_properties, 'name')!.description, 'The role name.');
    assert.equal(extension(named(fields, 'storage')!.vendor_extension, 'x-kubernetes-int-or-string'), true);
    const parameters = named(fields, 'parameters')!;
    assert.deepEqual(parameters.additional_properties.schema.type.value, ['string']);
  });

  it('carries x-kubernetes-group-version-kind as YAML in an Any, as kubectl explain reads it', () => {
    const model = named(decoded.definitions.additional_properties, 'com.example.apps.v1alpha1.Postgres')!;
    assert.deepEqual(extension(model.vendor_extension, 'x-kubernetes-group-version-kind'), [
      { group: 'apps.example.com', version: 'v1alpha1', kind: 'Postgres' },
    ]);
  });

  it('round-trips paths, operations and their parameters', () => {
    const item = named(decoded.paths.path, `${NS}/{name}`)!;
    const pathParams = (item.parameters as Json[]).map((p) => p.parameter.non_body_parameter.path_parameter_sub_schema?.name);
    assert.deepEqual(pathParams.slice(0, 2), ['name', 'namespace']);
    const patch = item.patch;
    assert.equal(patch.operation_id, 'patchAppsExampleComV1alpha1NamespacedPostgres');
    assert.deepEqual(patch.consumes, ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
    const body = patch.parameters[0].parameter.body_parameter;
    assert.equal(body.schema._ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
    const query = (patch.parameters as Json[]).slice(1).map((p) => p.parameter.non_body_parameter.query_parameter_sub_schema);
    const fieldValidation = query.find((q) => q.name === 'fieldValidation');
    assert.deepEqual([fieldValidation.in, fieldValidation.type, fieldValidation.unique_items], ['query', 'string', true]);
    assert.equal(extension(patch.vendor_extension, 'x-kubernetes-action'), 'patch');
    assert.deepEqual(extension(patch.vendor_extension, 'x-kubernetes-group-version-kind'), { group: 'apps.example.com', version: 'v1alpha1', kind: 'Postgres' });
    const ok = named(patch.responses.response_code, '200')!;
    assert.equal(ok.response.schema.schema._ref, '#/definitions/com.example.apps.v1alpha1.Postgres');
  });

  it('encodes int64 fields as numbers', () => {
    const encoded = encodeOpenAPIV2Protobuf({ swagger: '2.0', definitions: { A: { type: 'string', maxLength: 63 } } });
    const back = DocumentType.toObject(DocumentType.decode(encoded), { longs: Number }) as Json;
    assert.equal(back.definitions.additional_properties[0].value.max_length, 63);
  });
});
