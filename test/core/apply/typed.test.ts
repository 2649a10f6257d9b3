import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { objectTypeOf } from '../../../core/apply/schema.ts';
import { compare, merge, removeFields, toFieldSet } from '../../../core/apply/typed.ts';
import { FieldSet } from '../../../core/apply/fieldset.ts';

const type = objectTypeOf({
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        size: { type: 'integer' },
        tags: { type: 'array', items: { type: 'string' } },
        flavours: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['port', 'protocol'],
          items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string' }, name: { type: 'string' } } },
        },
        selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', additionalProperties: { type: 'string' } },
      },
    },
  },
});

describe('toFieldSet', () => {
  it('owns leaves, atomic lists and maps whole, and list-map items by their keys', () => {
    const set = toFieldSet(
      { spec: { size: 1, tags: ['a'], flavours: ['x'], ports: [{ port: 80, protocol: 'TCP', name: 'http' }], selector: { a: 'b' } } },
      type,
    );
    assert.deepEqual(set.toFieldsV1(), {
      'f:spec': {
        'f:flavours': { 'v:"x"': {} },
        'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {}, 'f:protocol': {} } },
        'f:selector': {},
        'f:size': {},
        'f:tags': {},
      },
    });
  });

  it('owns an empty map as a leaf', () => {
    assert.deepEqual(toFieldSet({ spec: {} }, type).paths(), [['f:spec']]);
  });
});

describe('compare', () => {
  it('reports added maps and their fields, modified leaves and removed fields', () => {
    const c = compare({ spec: { size: 1, tags: ['a'] } }, { spec: { size: 2 }, status: { phase: 'Up' } }, type);
    assert.deepEqual(c.added.paths(), [['f:status'], ['f:status', 'f:phase']]);
    assert.deepEqual(c.modified.paths(), [['f:spec', 'f:size']]);
    assert.deepEqual(c.removed.paths(), [['f:spec', 'f:tags']]);
  });

  it('compares list-map items by key, whatever their order', () => {
    const a = { spec: { ports: [{ port: 1, protocol: 'TCP' }, { port: 2, protocol: 'TCP', name: 'x' }] } };
    const b = { spec: { ports: [{ port: 2, protocol: 'TCP', name: 'y' }, { port: 1, protocol: 'TCP' }] } };
    const c = compare(a, b, type);
    assert.deepEqual(c.modified.paths(), [['f:spec', 'f:ports', 'k:{"port":2,"protocol":"TCP"}', 'f:name']]);
    assert.ok(c.added.isEmpty() && c.removed.isEmpty());
  });
});

describe('merge', () => {
  it('merges list-map items by key and keeps live-only items', () => {
    const live = { spec: { size: 1, ports: [{ port: 1, protocol: 'TCP', name: 'a' }, { port: 2, protocol: 'TCP' }] } };
    const config = { spec: { ports: [{ port: 2, protocol: 'TCP', name: 'b' }, { port: 3, protocol: 'UDP' }] } };
    assert.deepEqual(merge(live, config, type), {
      spec: { size: 1, ports: [{ port: 1, protocol: 'TCP', name: 'a' }, { port: 2, protocol: 'TCP', name: 'b' }, { port: 3, protocol: 'UDP' }] },
    });
  });

  it('unions sets and replaces atomic lists and maps', () => {
    const live = { spec: { tags: ['a', 'b'], flavours: ['a', 'b'], selector: { x: '1', y: '2' } } };
    const config = { spec: { tags: ['c'], flavours: ['c'], selector: { z: '3' } } };
    assert.deepEqual(merge(live, config, type), { spec: { tags: ['c'], flavours: ['a', 'b', 'c'], selector: { z: '3' } } });
  });
});

describe('removeFields', () => {
  it('removes fields nobody keeps and drops maps it leaves empty', () => {
    const value = { spec: { size: 1 }, other: 1 };
    assert.deepEqual(removeFields(value, FieldSet.of(['f:spec', 'f:size']), new FieldSet(), type), { other: 1 });
  });

  it('keeps list items others own part of, removing only the rest', () => {
    const value = { spec: { ports: [{ port: 1, protocol: 'TCP', name: 'a' }] } };
    const item = 'k:{"port":1,"protocol":"TCP"}';
    const remove = FieldSet.of(['f:spec', 'f:ports', item], ['f:spec', 'f:ports', item, 'f:name']);
    const keep = FieldSet.of(['f:spec', 'f:ports', item, 'f:port'], ['f:spec', 'f:ports', item, 'f:protocol']);
    assert.deepEqual(removeFields(value, remove, keep, type), { spec: { ports: [{ port: 1, protocol: 'TCP' }] } });
  });
});
