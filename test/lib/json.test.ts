import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cloneJson, encodeJson, narrowBigIntegers, parseJson } from '../../lib/json.ts';

describe('parseJson(text)', () => {
  const cases: [name: string, text: string, value: unknown][] = [
    ['decodes safe integers as numbers', '{"a":9007199254740991}', { a: 9007199254740991 }],
    ['decodes an unsafe int64 as a bigint', '{"a":123456789012345678}', { a: 123456789012345678n }],
    ['keeps both ends of int64 exact', '[9223372036854775807,-9223372036854775808]', [9223372036854775807n, -9223372036854775808n]],
    ['decodes an integer outside int64 as a float, as kube does', '[9223372036854775808]', [9223372036854775808]],
    ['leaves fractions and exponents to JSON.parse', '[12345678901234567.5,1e300]', [12345678901234567.5, 1e300]],
    ['does not read digits inside strings', '{"a":"12345678901234567890","b":"x\\"1234567890123456789"}', { a: '12345678901234567890', b: 'x"1234567890123456789' }],
  ];
  for (const [name, text, value] of cases) it(name, () => assert.deepEqual(parseJson(text), value));
  it('reports malformed JSON as JSON.parse does', () => {
    assert.throws(() => parseJson('{"a":1234567890123456789'), SyntaxError);
  });
  it('does not take a client string for a bigint', () => {
    assert.deepEqual(parseJson('{"a":"\\u0000int64:0:1","b":1234567890123456789}'), { a: '\u0000int64:0:1', b: 1234567890123456789n });
  });
});

describe('encodeJson(value)', () => {
  it('writes bigints as JSON integers', () => {
    assert.equal(encodeJson({ a: 123456789012345678n, b: [-9223372036854775808n], c: 'x' }), '{"a":123456789012345678,"b":[-9223372036854775808],"c":"x"}');
  });
  it('round-trips what parseJson decodes', () => {
    const text = '{"a":123456789012345678,"b":{"c":[1,2.5,"9223372036854775807"]}}';
    assert.equal(encodeJson(parseJson(text)), text);
  });
  it('is JSON.stringify for values without bigints', () => {
    const value = { a: 1, b: ['x', null, true], c: { d: 1.5 } };
    assert.equal(encodeJson(value), JSON.stringify(value));
  });
});

describe('narrowBigIntegers(value)', () => {
  it('turns safe and out-of-int64 bigints into numbers and keeps the rest', () => {
    assert.deepEqual(narrowBigIntegers({ a: 1n, b: [123456789012345678n, 2n ** 63n] }), { a: 1, b: [123456789012345678n, 2 ** 63] });
  });
});

describe('cloneJson(value)', () => {
  it('copies JSON data deeply, int64 bigints and own __proto__ keys included, sharing nothing', () => {
    const original = JSON.parse('{"a":[1,{"b":null}],"s":"x","__proto__":{"evil":true}}') as Record<string, unknown>;
    original.n = 12345678901234567890n;
    const copy = cloneJson(original);
    assert.deepEqual(copy, original);
    assert.notEqual(copy.a, original.a);
    assert.notEqual((copy.a as unknown[])[1], (original.a as unknown[])[1]);
    assert.equal(typeof copy.n, 'bigint');
    assert.ok(Object.hasOwn(copy, '__proto__'), 'an own __proto__ key stays a key');
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.equal(({} as Record<string, unknown>).evil, undefined);
  });
});
