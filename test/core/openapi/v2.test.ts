import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildOpenAPIV2 } from '../../../core/openapi/v2.ts';
import { findAll, kind, postgres, postgresSchema, report, schemaNodes, served, version, widget } from './fixtures.ts';

type Json = Record<string, any>;
const doc = buildOpenAPIV2([postgres(), widget(), report()]) as Json;
const definitions = doc.definitions as Json;
const NS = '/apis/apps.example.com/v1alpha1/namespaces/{namespace}/postgreses';

describe('buildOpenAPIV2(kinds)', () => {
  it('is one Swagger 2.0 document for every served kind', () => {
    assert.equal(doc.swagger, '2.0');
    for (const path of [NS, '/apis/apps.example.com/v1/widgets/{name}/scale', '/apis/apps.example.com/v1alpha1/reports']) {
      assert.ok(doc.paths[path], path);
    }
  });

  it('names every model with dots and resolves every $ref in #/definitions/', () => {
    for (const name of Object.keys(definitions)) assert.match(name, /^[A-Za-z0-9_.]+$/);
    const refs = findAll(doc, '$ref') as string[];
    assert.ok(refs.length > 0);
    for (const ref of refs) {
      assert.ok(ref.startsWith('#/definitions/'), ref);
      assert.ok(definitions[ref.slice('#/definitions/'.length)], `${ref} resolves`);
    }
  });

  it('has no anyOf, oneOf, allOf, not, nullable or boolean additionalProperties in any model', () => {
    for (const [name, model] of Object.entries(definitions)) {
      for (const node of schemaNodes(model)) {
        for (const keyword of ['anyOf', 'oneOf', 'allOf', 'not', 'nullable']) assert.equal(node[keyword], undefined, `${name} has no ${keyword}`);
        assert.notEqual(typeof node['additionalProperties'], 'boolean', `${name} has no boolean additionalProperties`);
      }
    }
  });

  it('keeps descriptions, enums and x-kubernetes-int-or-string', () => {
    const spec = definitions['com.example.apps.v1alpha1.Postgres'].properties.spec;
    assert.equal(spec.description, 'The desired state of the database.');
    assert.deepEqual(spec.properties.version.enum, ['15', '16', 'yes']);
    assert.equal(spec.properties.storage['x-kubernetes-int-or-string'], true);
    assert.equal(spec.properties.users.items.properties.name.description, 'The role name.');
  });

  it('makes a nullable field untyped and no longer required', () => {
    const spec = definitions['com.example.apps.v1alpha1.Postgres'].properties.spec;
    assert.equal(spec.properties.backup.type, undefined);
    assert.equal(spec.properties.backup.properties, undefined);
    assert.deepEqual(spec.required, ['version']);
  });

  it('lists no fields of an object that keeps unknown fields', () => {
    const extra = definitions['com.example.apps.v1alpha1.Postgres'].properties.spec.properties.extra;
    assert.deepEqual(extra, { 'x-kubernetes-preserve-unknown-fields': true });
  });

  it('adds apiVersion, kind and metadata with a plain $ref, and the GVK as an array', () => {
    const model = definitions['com.example.apps.v1alpha1.Postgres'];
    assert.deepEqual(model.properties.metadata.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    assert.ok(model.properties.apiVersion.description);
    assert.deepEqual(model['x-kubernetes-group-version-kind'], [{ group: 'apps.example.com', version: 'v1alpha1', kind: 'Postgres' }]);
  });

  it('makes a kind that keeps unknown fields at its root a bare object', () => {
    const v = version({ schema: { openAPIV3Schema: { ...postgresSchema, 'x-kubernetes-preserve-unknown-fields': true } } });
    const loose = buildOpenAPIV2([served(kind({ versions: [v] }), v)]) as Json;
    assert.deepEqual(loose.definitions['com.example.apps.v1alpha1.Postgres'], {
      type: 'object',
      'x-kubernetes-group-version-kind': [{ group: 'apps.example.com', version: 'v1alpha1', kind: 'Postgres' }],
    });
  });

  it('declares what each operation consumes and produces, never strategic merge patch', () => {
    const item = doc.paths[`${NS}/{name}`];
    assert.deepEqual(item.patch.consumes, ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
    assert.deepEqual(item.put.consumes, ['application/json', 'application/yaml']);
    assert.deepEqual(item.get.produces, ['application/json', 'application/yaml']);
    assert.ok(!JSON.stringify(doc).includes('strategic-merge-patch'));
  });

  it('writes parameters inline, the body as a body parameter', () => {
    const patch = doc.paths[`${NS}/{name}`].patch;
    assert.deepEqual(patch.parameters[0], { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } });
    assert.deepEqual(patch.parameters.find((p: Json) => p.name === 'fieldValidation'), {
      uniqueItems: true, type: 'string', name: 'fieldValidation', in: 'query',
      description: patch.parameters.find((p: Json) => p.name === 'fieldValidation').description,
    });
    assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps.example.com', version: 'v1alpha1', kind: 'Postgres' });
    assert.equal(patch['x-kubernetes-action'], 'patch');
    assert.equal(patch.responses['200'].schema.$ref, '#/definitions/com.example.apps.v1alpha1.Postgres');
  });

  it('gives a read-only kind only get operations', () => {
    const reportPaths = Object.entries(doc.paths as Json).filter(([p]) => p.includes('/reports'));
    const methods = reportPaths.flatMap(([, item]) => Object.keys(item).filter((k) => k !== 'parameters'));
    assert.deepEqual([...new Set(methods)], ['get']);
  });
});
