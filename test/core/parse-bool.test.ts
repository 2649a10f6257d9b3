import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseBool } from '../../core/parse-bool.ts';

describe('parseBool(text)', () => {
  // Go's strconv.ParseBool.
  const cases: [text: string, value: boolean | undefined][] = [
    ['1', true],
    ['t', true],
    ['T', true],
    ['TRUE', true],
    ['true', true],
    ['True', true],
    ['0', false],
    ['f', false],
    ['F', false],
    ['FALSE', false],
    ['false', false],
    ['False', false],
    ['', undefined],
    ['tRuE', undefined],
    ['yes', undefined],
    [' true', undefined],
    ['2', undefined],
  ];
  for (const [text, value] of cases) {
    it(`${JSON.stringify(text)} is ${String(value)}`, () => {
      assert.equal(parseBool(text), value);
    });
  }
});
