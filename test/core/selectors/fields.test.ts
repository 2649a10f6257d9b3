import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { objectFields, parseFieldSelector } from '../../../core/selectors/fields.ts';
import { SelectorError } from '../../../core/selectors/errors.ts';

const supported = ['metadata.name', 'metadata.namespace'] as const;

describe('parseFieldSelector(text, supported)', () => {
  describe('parses requirements (terms sorted as Go sorts them)', () => {
    const cases: [input: string, requirements: { field: string; operator: '=' | '!='; value: string }[]][] = [
      ['', []],
      [',', []],
      ['metadata.name=a', [{ field: 'metadata.name', operator: '=', value: 'a' }]],
      ['metadata.name==a', [{ field: 'metadata.name', operator: '=', value: 'a' }]],
      ['metadata.name!=a', [{ field: 'metadata.name', operator: '!=', value: 'a' }]],
      ['metadata.name=', [{ field: 'metadata.name', operator: '=', value: '' }]],
      [
        'metadata.namespace=ns,metadata.name!=b',
        [
          { field: 'metadata.name', operator: '!=', value: 'b' },
          { field: 'metadata.namespace', operator: '=', value: 'ns' },
        ],
      ],
      ['metadata.name=a\\,b', [{ field: 'metadata.name', operator: '=', value: 'a,b' }]],
      ['metadata.name=a\\=b\\\\c', [{ field: 'metadata.name', operator: '=', value: 'a=b\\c' }]],
    ];
    for (const [input, requirements] of cases) {
      it(JSON.stringify(input), () => {
        assert.deepEqual(parseFieldSelector(input, supported).requirements, requirements);
      });
    }
  });

  describe('rejects bad selectors with kube-apiserver’s message', () => {
    const cases: [input: string, message: string][] = [
      ['metadata.name', "invalid selector: 'metadata.name'; can't understand 'metadata.name'"],
      ['metadata.name=a,b', "invalid selector: 'metadata.name=a,b'; can't understand 'b'"],
      ['metadata.name=a=b', 'invalid field selector: unescaped character in value: 61'],
      ['metadata.name=a\\b', 'invalid field selector: invalid escape sequence: \\b'],
      ['metadata.name=a\\', 'invalid field selector: invalid escape sequence: \\'],
      ['spec.size=3', 'field label not supported: spec.size'],
      ['=x', 'field label not supported: '],
      ['status.phase=a,spec.size=3', 'field label not supported: spec.size'],
      ['spec.size=3,metadata.name', "invalid selector: 'spec.size=3,metadata.name'; can't understand 'metadata.name'"],
    ];
    for (const [input, message] of cases) {
      it(JSON.stringify(input), () => {
        assert.throws(() => parseFieldSelector(input, supported), new SelectorError(message));
      });
    }
  });

  describe('matches fields, an absent field reading as ""', () => {
    const fields = { 'metadata.name': 'a', 'metadata.namespace': 'ns' };
    const cases: [selector: string, matches: boolean][] = [
      ['', true],
      ['metadata.name=a', true],
      ['metadata.name==b', false],
      ['metadata.name!=b', true],
      ['metadata.name!=a', false],
      ['metadata.name=a,metadata.namespace=ns', true],
      ['metadata.name=a,metadata.namespace=other', false],
    ];
    for (const [selector, matches] of cases) {
      it(`${JSON.stringify(selector)} ${matches ? 'matches' : 'does not match'}`, () => {
        assert.equal(parseFieldSelector(selector, supported).matches(fields), matches);
      });
    }
    it('treats a missing field as the empty string', () => {
      assert.equal(parseFieldSelector('metadata.namespace=', supported).matches({ 'metadata.name': 'a' }), true);
    });
  });

  it('gives the value a field is pinned to with = or ==, and nothing for !=', () => {
    const selector = parseFieldSelector('metadata.name==web,metadata.namespace!=kube-system', supported);
    assert.equal(selector.exactValue('metadata.name'), 'web');
    assert.equal(selector.exactValue('metadata.namespace'), undefined);
  });

  it('is empty without requirements and prints values escaped', () => {
    assert.equal(parseFieldSelector('', supported).empty, true);
    const selector = parseFieldSelector('metadata.name==a\\,b', supported);
    assert.equal(selector.empty, false);
    assert.equal(selector.toString(), 'metadata.name=a\\,b');
  });
});

describe('objectFields(obj, namespaced)', () => {
  const obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'ns' } };

  it('gives metadata.name and metadata.namespace for a namespaced kind', () => {
    assert.deepEqual(objectFields(obj, true), { 'metadata.name': 'w', 'metadata.namespace': 'ns' });
  });

  it('gives an empty metadata.namespace for a cluster-scoped kind', () => {
    assert.deepEqual(objectFields(obj, false), { 'metadata.name': 'w', 'metadata.namespace': '' });
  });
});
