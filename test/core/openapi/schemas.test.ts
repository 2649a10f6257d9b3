import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toOpenAPIV2Schema } from '../../../core/openapi/v2-conversion.ts';
import { definitionName, referencedDefinitions, toV3Refs } from '../../../core/openapi/refs.ts';
import { routesFor, toValidOperationID } from '../../../core/openapi/operations.ts';
import { postgres, served } from './fixtures.ts';

describe('definitionName(group, version, kind)', () => {
  it('reverses a dotted group, as kube-openapi ToRESTFriendlyName does', () => {
    assert.equal(definitionName('apps.example.com', 'v1alpha1', 'Postgres'), 'com.example.apps.v1alpha1.Postgres');
    assert.equal(definitionName('widgets', 'v1', 'Widget'), 'widgets.v1.Widget');
  });
});

describe('toValidOperationID(s, capitalizeFirst)', () => {
  const table: [string, boolean, string][] = [
    ['apps.example.com', true, 'AppsExampleCom'],
    ['apps.example.com', false, 'appsExampleCom'],
    ['v1alpha1', true, 'V1alpha1'],
    ['3scale.net', true, 'ScaleNet'],
    ['my-group.io', true, 'MyGroupIo'],
  ];
  for (const [input, capitalize, expected] of table) {
    it(`turns ${input} into ${expected}`, () => assert.equal(toValidOperationID(input, capitalize), expected));
  }
});

describe('toOpenAPIV2Schema(schema)', () => {
  const table: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['drops junctors', { type: 'string', anyOf: [{ pattern: 'a' }], oneOf: [{}], allOf: [{}], not: {} }, { type: 'string' }],
    ['makes a nullable value untyped', { type: 'array', nullable: true, items: { type: 'string' } }, {}],
    ['drops boolean additionalProperties', { type: 'object', additionalProperties: true }, { type: 'object' }],
    ['untypes an array without items', { type: 'array' }, {}],
    ['keeps int-or-string', { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] }, { 'x-kubernetes-int-or-string': true }],
    ['clears required when map values may be null', { type: 'object', required: ['a'], additionalProperties: { type: 'string', nullable: true } }, { type: 'object', additionalProperties: {} }],
  ];
  for (const [name, input, expected] of table) {
    it(name, () => assert.deepEqual(toOpenAPIV2Schema(input), expected));
  }

  it('does not change its input', () => {
    const input = { type: 'object', properties: { a: { type: 'string', nullable: true } }, required: ['a'] };
    const copy = structuredClone(input);
    toOpenAPIV2Schema(input);
    assert.deepEqual(input, copy);
  });
});

describe('toV3Refs(schema)', () => {
  it('points references into components and wraps one with siblings in allOf', () => {
    assert.deepEqual(toV3Refs({ properties: { a: { $ref: '#/definitions/X' }, b: { $ref: '#/definitions/X', description: 'd' } } }), {
      properties: { a: { $ref: '#/components/schemas/X' }, b: { description: 'd', allOf: [{ $ref: '#/components/schemas/X' }] } },
    });
  });
});

describe('referencedDefinitions(roots, available)', () => {
  it('follows references through the definitions and leaves the rest out', () => {
    const available = { A: { $ref: '#/definitions/B' }, B: { type: 'string' }, C: { type: 'string' } };
    assert.deepEqual(Object.keys(referencedDefinitions([{ $ref: '#/definitions/A' }], available)).sort(), ['A', 'B']);
  });
});

describe('routesFor(served)', () => {
  it('offers no status writes to a store that cannot update', () => {
    const p = postgres();
    const routes = routesFor(served(p.kind, p.version, ['get', 'list']));
    assert.deepEqual(routes.filter((r) => r.path.endsWith('/status')).map((r) => r.method), ['get']);
    assert.ok(!routes.some((r) => r.method === 'patch'));
  });
});
