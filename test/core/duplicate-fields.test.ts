import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { duplicateFields } from '../../core/duplicate-fields.ts';

describe('duplicateFields(text)', () => {
  const cases: { text: string; found: string[] }[] = [
    { text: '{"a":1,"b":2}', found: [] },
    { text: '{"a":1,"a":2}', found: ['a'] },
    { text: '{"spec":{"size":1,"color":"red","size":2}}', found: ['spec.size'] },
    { text: '{"spec":{"items":[{"n":1,"n":2},{"n":3}]}}', found: ['spec.items.n'] },
    { text: '{"a":{"x":1},"b":{"x":1}}', found: [] },
    { text: '{"s":"a \\" \\"s\\":1","s2":["s","s"]}', found: [] },
  ];
  for (const c of cases) it(`finds ${JSON.stringify(c.found)} in ${c.text}`, () => assert.deepEqual(duplicateFields(c.text), c.found));
});
