import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_NESTING_DEPTH, jsonNestingDepthExceeds, nestingDepthExceeds, yamlNestingDepthExceeds } from '../../core/nesting.ts';

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

describe('jsonNestingDepthExceeds(text, limit)', () => {
  it('counts brackets outside strings, escaped quotes included', () => {
    assert.equal(jsonNestingDepthExceeds('{"a":[1]}', 2), false);
    assert.equal(jsonNestingDepthExceeds('{"a":[[1]]}', 2), true);
    assert.equal(jsonNestingDepthExceeds('{"[[[":"{{{\\"[[[\\\\","b":[]}', 2), false);
    assert.equal(jsonNestingDepthExceeds('{"x\\\\":[[1]]}', 2), true);
  });
  it('agrees with the value check at the limit', () => {
    const text = (n: number) => '[{"a":'.repeat(n / 2) + '1' + '}]'.repeat(n / 2);
    assert.equal(jsonNestingDepthExceeds(text(MAX_NESTING_DEPTH)), nestingDepthExceeds(JSON.parse(text(MAX_NESTING_DEPTH))));
    assert.equal(jsonNestingDepthExceeds(text(MAX_NESTING_DEPTH + 2)), true);
  });
});

describe('yamlNestingDepthExceeds(text, limit)', () => {
  it('measures flow and block collections without composing them', () => {
    assert.equal(yamlNestingDepthExceeds('a: {b: [1]}', 3), false);
    assert.equal(yamlNestingDepthExceeds('a: {b: [[1]]}', 3), true);
    assert.equal(yamlNestingDepthExceeds('a:\n  b:\n    - c: 1\n', 4), false);
    assert.equal(yamlNestingDepthExceeds('a:\n  b:\n    - c: [1]\n', 4), true);
  });
  it(`allows ${MAX_NESTING_DEPTH} levels of flow, block and compact collections and no more`, () => {
    const flow = (n: number) => '{a: '.repeat(n - 1) + '[1]' + '}'.repeat(n - 1);
    const block = (n: number) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' 1\n';
    const compact = (n: number) => '- '.repeat(n) + '1\n';
    for (const make of [flow, block, compact]) {
      assert.equal(yamlNestingDepthExceeds(make(MAX_NESTING_DEPTH)), false, make(3));
      assert.equal(yamlNestingDepthExceeds(make(MAX_NESTING_DEPTH + 1)), true, make(3));
    }
  });
  it('handles 100,000 levels of flow and of compact sequences', () => {
    assert.equal(yamlNestingDepthExceeds('['.repeat(100_000) + ']'.repeat(100_000)), true);
    assert.equal(yamlNestingDepthExceeds('- '.repeat(100_000) + '1\n'), true);
  });
});
