import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileJsonPath, printerCellValue } from '../../core/jsonpath.ts';

const widget = {
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w', labels: { app: 'web' }, annotations: { 'example.com/x': 'annotated' } },
  spec: {
    size: 3,
    ratio: 0.5,
    enabled: true,
    nothing: null,
    selector: { tier: 'web', app: '<a&b>' },
    items: [{ name: 'a', n: 1 }, { name: 'b', n: 2 }, { name: 'c' }],
    empty: [],
  },
  status: {
    conditions: [
      { type: 'Available', status: 'False' },
      { type: 'Ready', status: 'True' },
    ],
  },
};

describe('compileJsonPath(path).evaluate(obj)', () => {
  const cases: [path: string, results: unknown[]][] = [
    ['.spec.size', [3]],
    ['{.spec.size}', [3]],
    ['$.spec.size', [3]],
    ['.metadata.labels.app', ['web']],
    ['.metadata.annotations.example\\.com/x', ['annotated']],
    ['.status.conditions[0].type', ['Available']],
    ['.status.conditions[-1].type', ['Ready']],
    ['.spec.items[*].name', ['a', 'b', 'c']],
    ['.spec.items[1:].name', ['b', 'c']],
    ['.spec.items[0:3:2].name', ['a', 'c']],
    ['.spec.items[0,2].name', ['a', 'c']],
    [".spec['size']", [3]],
    ['.status.conditions[?(@.type=="Ready")].status', ['True']],
    [".status.conditions[?(@.type!='Ready')].type", ['Available']],
    ['.spec.items[?(@.n>1)].name', ['b']],
    ['.spec.items[?(@.n<=1)].name', ['a']],
    ['.spec.items[?(@.n)].name', ['a', 'b']],
    ['.spec.nothing', [null]],
    ['.spec.selector.*', ['web', '<a&b>']],
    ['..type', ['Available', 'Ready']],
    // Missing keys are allowed, as the table convertor sets AllowMissingKeys(true).
    ['.spec.missing', []],
    ['.spec.size.deeper', []],
    ['.status.conditions[?(@.type=="Gone")].status', []],
    // Where client-go's evaluation fails, the cell is empty: no results.
    ['.status.conditions[5].type', []],
    ['.spec.empty[0]', []],
    ['.spec.size[0]', []],
    ['.spec.items[?(@.n==1.0)].name', []],
    // Go re-parses ['a.b'] as .a.b, so brackets do not protect a dot.
    [".metadata.annotations['example.com/x']", []],
  ];
  for (const [path, results] of cases) {
    it(`${path} → ${JSON.stringify(results)}`, () => {
      assert.deepEqual(compileJsonPath(path).evaluate(widget), results);
    });
  }

  it('evaluates against anything, including undefined and scalars', () => {
    assert.deepEqual(compileJsonPath('.a').evaluate(undefined), []);
    assert.deepEqual(compileJsonPath('.a').evaluate(5), []);
  });
});

describe('compileJsonPath(path) rejects invalid syntax', () => {
  const cases: [path: string, reason: RegExp][] = [
    ['', /empty/],
    ['spec.size', /unrecognized identifier spec/],
    ['{range .items[*]}{.name}{end}', /unrecognized/],
    ['.spec[', /unterminated array/],
    ['.spec.items[x]', /invalid array index x/],
    ['.spec.items[1:2:3:4]', /invalid array index/],
    ['.a[?(@.x=="a")', /unclosed array expect ]/],
    ['.a[?(@.x', /unterminated filter/],
    ['.a[?(@.x=~"a")]', /unrecognized filter operator/],
    ['.....a', /invalid multiple recursive descent/],
    ['.a{b', /unrecognized character in action: U\+007B '\{'/],
    ['.a "b', /unterminated quoted string/],
    ['.a[?(@.x==1.2.3)]', /cannot parse number 1.2.3/],
  ];
  for (const [path, reason] of cases) {
    it(JSON.stringify(path), () => {
      assert.throws(() => compileJsonPath(path), reason);
    });
  }
});

describe('printerCellValue(results, type)', () => {
  const cases: [results: unknown[], type: 'string' | 'integer' | 'number' | 'boolean' | 'date', cell: unknown][] = [
    [[], 'string', null],
    [[], 'integer', null],
    [['a', 'b'], 'string', 'a'],
    [[3], 'string', '3'],
    [[0.5], 'string', '0.5'],
    [[1234567.5], 'string', '1.2345675e+06'],
    [[0.00001], 'string', '1e-05'],
    [[true], 'string', 'true'],
    [[null], 'string', '<no value>'],
    [[{ b: 1, a: '<x>' }], 'string', '{"a":"\\u003cx\\u003e","b":1}'],
    [[[1, 'x']], 'string', '[1,"x"]'],
    [[3], 'integer', 3],
    [[3.9], 'integer', 3],
    [['3'], 'integer', null],
    [[null], 'integer', null],
    [[3], 'number', 3],
    [[0.5], 'number', 0.5],
    [['0.5'], 'number', null],
    [[true], 'boolean', true],
    [['true'], 'boolean', null],
    [['2024-01-01T00:00:00Z'], 'date', '2024-01-01T00:00:00Z'],
    [[5], 'date', null],
  ];
  for (const [results, type, cell] of cases) {
    it(`${JSON.stringify(results)} as ${type} is ${JSON.stringify(cell)}`, () => {
      assert.deepEqual(printerCellValue(results, type), cell);
    });
  }
});
