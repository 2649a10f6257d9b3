import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from '../../../core/patch/merge-patch.ts';

describe('applyMergePatch(target, patch)', () => {
  // RFC 7386 appendix A, plus the evanphx behaviour kube-apiserver has.
  const cases: [name: string, target: unknown, patch: unknown, result: unknown][] = [
    ['replaces a member', { a: 'b' }, { a: 'c' }, { a: 'c' }],
    ['adds a member', { a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    ['deletes a member with null', { a: 'b' }, { a: null }, {}],
    ['deletes only the member named', { a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    ['replaces an array whole', { a: ['b'] }, { a: 'c' }, { a: 'c' }],
    ['replaces a scalar with an array', { a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    ['merges nested objects', { a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    ['replaces arrays of objects', { a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    ['replaces the target with an array patch', ['a', 'b'], ['c', 'd'], ['c', 'd']],
    ['turns a non-object target into an object', ['a'], { a: 'b' }, { a: 'b' }],
    ['keeps a member set to an object with nulls pruned', {}, { a: { b: null, c: 1 } }, { a: { c: 1 } }],
    ['prunes nulls of objects inside arrays', {}, { a: [{ b: null, c: 1 }, null] }, { a: [{ c: 1 }, null] }],
    ['replaces a scalar member with an object', { a: 1 }, { a: { b: 2 } }, { a: { b: 2 } }],
    ['deleting a missing member is a no-op', { a: 1 }, { b: null }, { a: 1 }],
    ['an empty patch changes nothing', { a: 1 }, {}, { a: 1 }],
    ['merges into metadata.labels', { metadata: { labels: { a: '1', b: '2' } } }, { metadata: { labels: { b: null, c: '3' } } }, { metadata: { labels: { a: '1', c: '3' } } }],
  ];
  for (const [name, target, patch, result] of cases) {
    it(name, () => {
      assert.deepEqual(applyMergePatch(target, patch), result);
    });
  }

  it('does not mutate its inputs, and the result shares nothing with them', () => {
    const target = { spec: { size: 1, items: [1] }, metadata: { name: 'a' } };
    const patch = { spec: { size: 2, list: [{ x: 1 }] } };
    const before = structuredClone({ target, patch });
    const result = applyMergePatch(target, patch) as typeof target & { spec: { list: { x: number }[] } };
    assert.deepEqual({ target, patch }, before);
    result.metadata.name = 'changed';
    result.spec.list[0]!.x = 9;
    assert.equal(target.metadata.name, 'a');
    assert.equal(patch.spec.list[0]!.x, 1);
  });

  it('treats a __proto__ member as data, not as a prototype', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
    const result = applyMergePatch({}, patch) as Record<string, unknown>;
    assert.deepEqual(Object.keys(result), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
  });
});
