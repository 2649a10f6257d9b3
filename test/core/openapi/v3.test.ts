import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildOpenAPIV3GroupVersion, buildOpenAPIV3Root } from '../../../core/openapi/v3.ts';
import { openAPIHash } from '../../../core/openapi/hash.ts';
import { findAll, postgres, report, widget } from './fixtures.ts';

type Json = Record<string, any>;
const build = (...args: Parameters<typeof buildOpenAPIV3GroupVersion>): Json => buildOpenAPIV3GroupVersion(...args) as Json;

const NS = '/apis/apps.example.com/v1alpha1/namespaces/{namespace}/postgreses';
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const operations = (doc: Json): [string, string, Json][] =>
  Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((m): [string, string, Json] => [path, m, item[m]]));

describe('buildOpenAPIV3Root(groupVersions)', () => {
  it('lists each group-version without a leading slash, with its hash in the URL', () => {
    assert.deepEqual(buildOpenAPIV3Root([{ group: 'apps.example.com', version: 'v1alpha1', hash: 'ABC' }]), {
      paths: { 'apis/apps.example.com/v1alpha1': { serverRelativeURL: '/openapi/v3/apis/apps.example.com/v1alpha1?hash=ABC' } },
    });
  });
});

describe('buildOpenAPIV3GroupVersion(group, version, kinds) for a namespaced kind with status', () => {
  const doc = build('apps.example.com', 'v1alpha1', [postgres()]);
  const schemas = doc.components.schemas as Json;

  it('is an OpenAPI 3.0 document', () => {
    assert.equal(doc.openapi, '3.0.0');
    assert.equal(typeof doc.info.title, 'string');
  });

  it('has the namespaced, all-namespaces, item and status paths with the operations of every verb', () => {
    const methodsOf = (path: string): string[] => METHODS.filter((m) => doc.paths[path]?.[m] !== undefined).sort();
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      '/apis/apps.example.com/v1alpha1/namespaces/{namespace}/postgreses',
      '/apis/apps.example.com/v1alpha1/namespaces/{namespace}/postgreses/{name}',
      '/apis/apps.example.com/v1alpha1/namespaces/{namespace}/postgreses/{name}/status',
      '/apis/apps.example.com/v1alpha1/postgreses',
    ]);
    assert.deepEqual(methodsOf(NS), ['delete', 'get', 'post']);
    assert.deepEqual(methodsOf(`${NS}/{name}`), ['delete', 'get', 'patch', 'put']);
    assert.deepEqual(methodsOf(`${NS}/{name}/status`), ['get', 'patch', 'put']);
    assert.deepEqual(methodsOf('/apis/apps.example.com/v1alpha1/postgreses'), ['get']);
  });

  it('names operations as kube-apiserver names them for CRDs', () => {
    const ids = operations(doc).map(([, , op]) => op.operationId).sort();
    assert.deepEqual(ids, [
      'createAppsExampleComV1alpha1NamespacedPostgres',
      'deleteAppsExampleComV1alpha1CollectionNamespacedPostgres',
      'deleteAppsExampleComV1alpha1NamespacedPostgres',
      'listAppsExampleComV1alpha1NamespacedPostgres',
      'listAppsExampleComV1alpha1PostgresForAllNamespaces',
      'patchAppsExampleComV1alpha1NamespacedPostgres',
      'patchAppsExampleComV1alpha1NamespacedPostgresStatus',
      'readAppsExampleComV1alpha1NamespacedPostgres',
      'readAppsExampleComV1alpha1NamespacedPostgresStatus',
      'replaceAppsExampleComV1alpha1NamespacedPostgres',
      'replaceAppsExampleComV1alpha1NamespacedPostgresStatus',
    ]);
  });

  it('gives every operation an action and an object-valued group-version-kind', () => {
    for (const [, , op] of operations(doc)) {
      assert.ok(['get', 'list', 'post', 'put', 'patch', 'delete', 'deletecollection'].includes(op['x-kubernetes-action']));
      assert.deepEqual(op['x-kubernetes-group-version-kind'], { group: 'apps.example.com', version: 'v1alpha1', kind: 'Postgres' });
    }
  });

  it('puts path parameters and pretty on the path, required where they are in the path', () => {
    const names = (doc.paths[`${NS}/{name}`].parameters as Json[]).map((p) => [p.name, p.in, p.required ?? false]);
    assert.deepEqual(names, [['name', 'path', true], ['namespace', 'path', true], ['pretty', 'query', false]]);
  });

  it('advertises fieldValidation inline (not as a $ref) on the PATCH operation, with force', () => {
    const params = doc.paths[`${NS}/{name}`].patch.parameters as Json[];
    const fieldValidation = params.find((p) => p.name === 'fieldValidation');
    assert.ok(fieldValidation, 'fieldValidation is a parameter of the patch operation');
    assert.equal(fieldValidation.in, 'query');
    assert.equal(fieldValidation.$ref, undefined);
    assert.deepEqual(params.map((p) => p.name), ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
  });

  it('gives list the ListOptions, create the CreateOptions and delete the DeleteOptions with a body', () => {
    const names = (op: Json): string[] => (op.parameters as Json[]).map((p) => p.name);
    assert.deepEqual(names(doc.paths[NS].get), [
      'allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion',
      'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch',
    ]);
    assert.deepEqual(names(doc.paths[NS].post), ['dryRun', 'fieldManager', 'fieldValidation']);
    const del = doc.paths[`${NS}/{name}`].delete;
    assert.deepEqual(names(del), ['dryRun', 'gracePeriodSeconds', 'orphanDependents', 'propagationPolicy']);
    assert.deepEqual(del.requestBody.content['application/json'].schema, { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions' });
  });

  it('accepts JSON patch, merge patch and apply patch, and never strategic merge patch', () => {
    const patch = doc.paths[`${NS}/{name}`].patch;
    assert.deepEqual(Object.keys(patch.requestBody.content), ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
    assert.ok(!JSON.stringify(doc).includes('strategic-merge-patch'));
  });

  it('answers in JSON and YAML with the kind, and a list watch with watch events', () => {
    const read = doc.paths[`${NS}/{name}`].get.responses['200'].content;
    assert.deepEqual(Object.keys(read), ['application/json', 'application/yaml']);
    assert.deepEqual(read['application/json'].schema, { $ref: '#/components/schemas/com.example.apps.v1alpha1.Postgres' });
    const list = doc.paths[NS].get.responses['200'].content;
    assert.deepEqual(list['application/yaml'].schema, { $ref: '#/components/schemas/com.example.apps.v1alpha1.PostgresList' });
    assert.deepEqual(list['application/json;stream=watch'].schema, { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent' });
  });

  it('resolves every $ref inside the document', () => {
    const refs = findAll(doc, '$ref') as string[];
    assert.ok(refs.length > 0);
    for (const ref of refs) {
      assert.ok(ref.startsWith('#/components/schemas/'), ref);
      assert.ok(schemas[ref.slice('#/components/schemas/'.length)], `${ref} resolves`);
    }
  });

  it('carries the kind and its list with array-valued group-version-kinds', () => {
    assert.deepEqual(schemas['com.example.apps.v1alpha1.Postgres']['x-kubernetes-group-version-kind'], [
      { group: 'apps.example.com', version: 'v1alpha1', kind: 'Postgres' },
    ]);
    const list = schemas['com.example.apps.v1alpha1.PostgresList'];
    assert.deepEqual(list['x-kubernetes-group-version-kind'], [{ group: 'apps.example.com', version: 'v1alpha1', kind: 'PostgresList' }]);
    assert.deepEqual(list.required, ['items']);
    assert.deepEqual(list.properties.items.items, { $ref: '#/components/schemas/com.example.apps.v1alpha1.Postgres' });
  });

  it('adds apiVersion, kind and metadata to the kind schema, the metadata reference wrapped in allOf', () => {
    const props = schemas['com.example.apps.v1alpha1.Postgres'].properties;
    assert.equal(props.apiVersion.type, 'string');
    assert.equal(props.kind.type, 'string');
    assert.ok(props.apiVersion.description && props.kind.description && props.metadata.description);
    assert.deepEqual(props.metadata.allOf, [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }]);
    assert.equal(props.metadata.$ref, undefined);
  });

  it("keeps the config's schema, with int-or-string spelled out as anyOf", () => {
    const spec = schemas['com.example.apps.v1alpha1.Postgres'].properties.spec;
    assert.equal(spec.description, 'The desired state of the database.');
    assert.deepEqual(spec.properties.version.enum, ['15', '16', 'yes']);
    assert.deepEqual(spec.properties.storage.anyOf, [{ type: 'integer' }, { type: 'string' }]);
    assert.equal(spec.properties.storage['x-kubernetes-int-or-string'], true);
    assert.equal(spec.properties.users.items.properties.name.description, 'The role name.');
    assert.equal(spec.properties.backup.nullable, true);
  });

  it('gives an embedded resource its own apiVersion, kind and metadata', () => {
    const template = schemas['com.example.apps.v1alpha1.Postgres'].properties.spec.properties.template;
    assert.ok(template.properties.apiVersion && template.properties.kind && template.properties.metadata);
    assert.deepEqual(template.required, ['kind', 'apiVersion']);
  });

  it('carries only the shared models the document refers to', () => {
    assert.ok(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
    assert.ok(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.Time']);
    assert.equal(schemas['io.k8s.api.autoscaling.v1.Scale'], undefined);
  });

  it('ignores kinds of other group-versions', () => {
    const other = build('apps.example.com', 'v1alpha1', [postgres(), widget()]);
    assert.deepEqual(Object.keys(other.paths), Object.keys(doc.paths));
  });

  it('is the same, with the same hash, when built again', () => {
    assert.equal(openAPIHash(build('apps.example.com', 'v1alpha1', [postgres()])), openAPIHash(doc));
  });
});

describe('buildOpenAPIV3GroupVersion(group, version, kinds) for a cluster-scoped kind with scale', () => {
  const doc = build('apps.example.com', 'v1', [widget()]);
  const schemas = doc.components.schemas as Json;

  it('has paths without namespaces and a scale subresource answering with Scale', () => {
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      '/apis/apps.example.com/v1/widgets',
      '/apis/apps.example.com/v1/widgets/{name}',
      '/apis/apps.example.com/v1/widgets/{name}/scale',
    ]);
    const scale = doc.paths['/apis/apps.example.com/v1/widgets/{name}/scale'];
    assert.deepEqual(scale.get.responses['200'].content['application/json'].schema, { $ref: '#/components/schemas/io.k8s.api.autoscaling.v1.Scale' });
    assert.equal(scale.patch.operationId, 'patchAppsExampleComV1WidgetScale');
    assert.ok(!(findAll(doc.paths, 'name') as string[]).includes('namespace'));
  });

  it('gives a kind without a schema a body that keeps every field', () => {
    const widgetSchema = schemas['com.example.apps.v1.Widget'];
    assert.equal(widgetSchema.type, 'object');
    assert.equal(widgetSchema['x-kubernetes-preserve-unknown-fields'], true);
    assert.deepEqual(widgetSchema['x-kubernetes-group-version-kind'], [{ group: 'apps.example.com', version: 'v1', kind: 'Widget' }]);
  });

  it('resolves every $ref, Scale and its parts included', () => {
    for (const ref of findAll(doc, '$ref') as string[]) assert.ok(schemas[ref.slice('#/components/schemas/'.length)], `${ref} resolves`);
    assert.ok(schemas['io.k8s.api.autoscaling.v1.ScaleSpec']);
  });
});

describe('buildOpenAPIV3GroupVersion(group, version, kinds) for a read-only kind', () => {
  const doc = build('apps.example.com', 'v1alpha1', [report()]);

  it('has no post, put, patch or delete operation', () => {
    const methods = operations(doc).map(([, m]) => m);
    assert.ok(methods.length > 0);
    assert.deepEqual([...new Set(methods)], ['get']);
  });

  it('still lists with the watch parameter', () => {
    const list = doc.paths['/apis/apps.example.com/v1alpha1/namespaces/{namespace}/reports'].get;
    assert.ok((list.parameters as Json[]).some((p) => p.name === 'watch'));
  });

  it('refers to no write-only model', () => {
    const names = Object.keys(doc.components.schemas);
    for (const unused of ['Patch', 'DeleteOptions', 'Status']) assert.ok(!names.includes(`io.k8s.apimachinery.pkg.apis.meta.v1.${unused}`), unused);
  });
});
