/** Reading a config directory or ConfigMap documents as one config: merge order and error paths. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeConfigTexts, isConfigDocumentName } from '../../config/sources.ts';

describe('mergeConfigTexts', () => {
  it('lists the resources of every document, in document-name order', () => {
    const read = mergeConfigTexts([
      { name: 'b.yaml', text: 'resources: [{n: 3}]' },
      { name: 'a.yaml', text: 'resources: [{n: 1}, {n: 2}]' },
      { name: 'empty.yaml', text: '' },
    ]);
    assert.ok(read.ok);
    assert.deepEqual(read.raw, { resources: [{ n: 1 }, { n: 2 }, { n: 3 }] });
  });

  it('names the document and its own resource index in an error of the merged config', () => {
    const read = mergeConfigTexts([
      { name: 'a.yaml', text: 'resources: [{n: 1}, {n: 2}]' },
      { name: 'b.yaml', text: 'resources: [{n: 3}]' },
    ]);
    assert.ok(read.ok);
    assert.deepEqual(read.locate({ path: 'resources[2].names.plural', message: 'm' }), { path: 'b.yaml: resources[0].names.plural', message: 'm' });
    assert.deepEqual(read.locate({ path: 'resources[1]', message: 'm' }), { path: 'a.yaml: resources[1]', message: 'm' });
    assert.deepEqual(read.locate({ path: '', message: 'm' }), { path: '', message: 'm' });
    // A duplicate across files names the other file too.
    assert.deepEqual(read.locate({ path: 'resources[2].names.plural', message: '"x" is already used in group g by resources[0] (X)' }), {
      path: 'b.yaml: resources[0].names.plural',
      message: '"x" is already used in group g by a.yaml resources[0] (X)',
    });
  });

  it('reports YAML errors and misshapen documents by document', () => {
    const read = mergeConfigTexts([
      { name: 'a.yaml', text: 'resources: [' },
      { name: 'b.yaml', text: '- 1' },
      { name: 'c.yaml', text: 'resources: []\nextra: 1' },
    ]);
    assert.equal(read.ok, false);
    const lines = read.ok ? [] : read.errors.map((e) => `${e.path} ${e.message}`);
    assert.match(lines[0]!, /^a\.yaml: YAML error at line/);
    assert.match(lines.join('\n'), /^b\.yaml: must be a mapping with a "resources" list$/m);
    assert.match(lines.join('\n'), /^c\.yaml: extra unknown field/m);
  });
});

describe('isConfigDocumentName', () => {
  for (const [name, expected] of [
    ['apps.yaml', true],
    ['apps.yml', true],
    ['apps.json', true],
    ['..data', false],
    ['.apps.yaml.tmp', false],
    ['README.md', false],
  ] as const) {
    it(`${expected ? 'takes' : 'skips'} ${name}`, () => assert.equal(isConfigDocumentName(name), expected));
  }
});
