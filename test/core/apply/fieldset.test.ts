import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, FieldsV1Error, pathString } from '../../../core/apply/fieldset.ts';

describe('FieldSet', () => {
  it('encodes leaves as {} and members with children with a "." entry', () => {
    const set = FieldSet.of(['f:spec', 'f:size'], ['f:spec'], ['f:metadata', 'f:labels', 'f:app']);
    assert.deepEqual(set.toFieldsV1(), {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': { '.': {}, 'f:size': {} },
    });
  });

  it('orders field names before keys, values and indexes', () => {
    const set = FieldSet.of(['f:l', 'v:"b"'], ['f:l', 'k:{"name":"a"}'], ['f:l', 'f:z']);
    assert.deepEqual(Object.keys(set.toFieldsV1()['f:l'] as object), ['f:z', 'k:{"name":"a"}', 'v:"b"']);
  });

  it('decodes what it encodes', () => {
    const wire = { 'f:spec': { '.': {}, 'f:ports': { 'k:{"port":80}': { '.': {}, 'f:port': {} } } } };
    const set = FieldSet.fromFieldsV1(wire);
    assert.deepEqual(set.toFieldsV1(), wire);
    assert.ok(set.has(['f:spec']));
    assert.ok(set.has(['f:spec', 'f:ports', 'k:{"port":80}', 'f:port']));
    assert.ok(!set.has(['f:spec', 'f:ports']));
  });

  it('rejects FieldsV1 with unknown path elements', () => {
    assert.throws(() => FieldSet.fromFieldsV1({ 'x:spec': {} }), FieldsV1Error);
    assert.throws(() => FieldSet.fromFieldsV1([]), FieldsV1Error);
  });

  it('computes union, difference and intersection path by path', () => {
    const a = FieldSet.of(['f:spec', 'f:a'], ['f:spec', 'f:b']);
    const b = FieldSet.of(['f:spec', 'f:b'], ['f:spec', 'f:c']);
    assert.deepEqual(a.union(b).paths(), [['f:spec', 'f:a'], ['f:spec', 'f:b'], ['f:spec', 'f:c']]);
    assert.deepEqual(a.difference(b).paths(), [['f:spec', 'f:a']]);
    assert.deepEqual(a.intersection(b).paths(), [['f:spec', 'f:b']]);
    assert.ok(a.difference(a).isEmpty());
  });

  it('does not remove children when only their parent is subtracted', () => {
    const a = FieldSet.of(['f:spec'], ['f:spec', 'f:a']);
    assert.deepEqual(a.difference(FieldSet.of(['f:spec'])).paths(), [['f:spec', 'f:a']]);
  });

  it('prints paths as kube does in conflicts', () => {
    assert.equal(pathString(['f:spec', 'f:replicas']), '.spec.replicas');
    assert.equal(pathString(['f:spec', 'f:ports', 'k:{"name":"http","port":80}', 'f:target']), '.spec.ports[name="http",port=80].target');
    assert.equal(pathString(['f:spec', 'f:tags', 'v:"a"']), '.spec.tags[="a"]');
    assert.equal(pathString(['f:spec', 'f:list', 'i:2']), '.spec.list[2]');
  });
});
