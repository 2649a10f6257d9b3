import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_NESTING_DEPTH, nestingDepthExceeds, yamlNestingDepthExceeds } from '../../core/nesting.ts';

const nested = (levels: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = i % 2 ? { a: value } : [value];
  return value;
};

describe('nestingDepthExceeds(value, limit)', () => {
  it('counts each object and array as a level, scalars as none', () => {
    assert.equal(nestingDepthExceeds('x', 0), false);
    assert.equal(nestingDepthExceeds({}, 0), true);
    assert.equal(nestingDepthExceeds({ a: [1] }, 2), false);
    assert.equal(nestingDepthExceeds({ a: [{}] }, 2), true);
  });
  it(`allows ${MAX_NESTING_DEPTH} levels by default and no more`, () => {
    assert.equal(nestingDepthExceeds(nested(MAX_NESTING_DEPTH)), false);
    assert.equal(nestingDepthExceeds(nested(MAX_NESTING_DEPTH + 1)), true);
  });
  it('measures 100,000 levels without overflowing its own stack', () => {
    assert.equal(nestingDepthExceeds(nested(100_000)), true);
  });
  it('stops at a cycle, and at aliases that would be walked without end', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = [cycle, cycle];
    assert.equal(nestingDepthExceeds(cycle), true);
  });
});

describe('yamlNestingDepthExceeds(text, limit)', () => {
  it('measures flow and block collections without composing them', () => {
    assert.equal(yamlNestingDepthExceeds('a: {b: [1]}', 3), false);
    assert.equal(yamlNestingDepthExceeds('a: {b: [[1]]}', 3), true);
    assert.equal(yamlNestingDepthExceeds('a:\n  b:\n    - c: 1\n', 4), false);
    assert.equal(yamlNestingDepthExceeds('a:\n  b:\n    - c: [1]\n', 4), true);
  });
  it('handles 100,000 levels of flow and of compact sequences', () => {
    assert.equal(yamlNestingDepthExceeds('['.repeat(100_000) + ']'.repeat(100_000)), true);
    assert.equal(yamlNestingDepthExceeds('- '.repeat(100_000) + '1\n'), true);
  });
});
