import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, JsonPatchError, type JsonPatchErrorKind } from '../../../core/patch/json-patch.ts';
import { MAX_NESTING_DEPTH } from '../../../core/nesting.ts';

describe('applyJsonPatch(document, operations)', () => {
  describe('applies operations', () => {
    const cases: [name: string, document: unknown, operations: unknown, result: unknown][] = [
      ['adds a member', { a: 1 }, [{ op: 'add', path: '/b', value: 2 }], { a: 1, b: 2 }],
      ['add replaces an existing member', { a: 1 }, [{ op: 'add', path: '/a', value: 2 }], { a: 2 }],
      ['adds without a value as null', {}, [{ op: 'add', path: '/a' }], { a: null }],
      ['inserts into an array', { a: [1, 3] }, [{ op: 'add', path: '/a/1', value: 2 }], { a: [1, 2, 3] }],
      ['appends with -', { a: [1] }, [{ op: 'add', path: '/a/-', value: 2 }], { a: [1, 2] }],
      ['appends at the length', { a: [1] }, [{ op: 'add', path: '/a/1', value: 2 }], { a: [1, 2] }],
      ['inserts at a negative index', { a: [1, 2] }, [{ op: 'add', path: '/a/-1', value: 9 }], { a: [1, 2, 9] }],
      ['removes a member', { a: 1, b: 2 }, [{ op: 'remove', path: '/a' }], { b: 2 }],
      ['removes an item', { a: [1, 2, 3] }, [{ op: 'remove', path: '/a/1' }], { a: [1, 3] }],
      ['removes the last item with -1', { a: [1, 2, 3] }, [{ op: 'remove', path: '/a/-1' }], { a: [1, 2] }],
      ['replaces a member', { a: 1 }, [{ op: 'replace', path: '/a', value: { b: 2 } }], { a: { b: 2 } }],
      ['replaces a missing member by adding it (evanphx v4)', {}, [{ op: 'replace', path: '/a', value: 1 }], { a: 1 }],
      ['replaces an item', { a: [1, 2] }, [{ op: 'replace', path: '/a/0', value: 0 }], { a: [0, 2] }],
      ['replaces the whole document', { a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }], { b: 2 }],
      ['moves a member', { a: { b: 1 } }, [{ op: 'move', from: '/a/b', path: '/c' }], { a: {}, c: 1 }],
      ['moves an item', { a: [1, 2, 3] }, [{ op: 'move', from: '/a/0', path: '/a/-' }], { a: [2, 3, 1] }],
      ['copies a member', { a: { b: 1 } }, [{ op: 'copy', from: '/a', path: '/c' }], { a: { b: 1 }, c: { b: 1 } }],
      ['copies a missing member as null (evanphx v4)', {}, [{ op: 'copy', from: '/x', path: '/c' }], { c: null }],
      ['passes a test', { a: [1, { b: 'c' }] }, [{ op: 'test', path: '/a', value: [1, { b: 'c' }] }], { a: [1, { b: 'c' }] }],
      ['passes a test of a missing member against null', { a: 1 }, [{ op: 'test', path: '/x', value: null }], { a: 1 }],
      ['tests the whole document', { a: 1 }, [{ op: 'test', path: '', value: { a: 1 } }], { a: 1 }],
      ['decodes ~1 and ~0 in pointers', { 'a/b': 1, 'm~n': 2 }, [{ op: 'remove', path: '/a~1b' }, { op: 'replace', path: '/m~0n', value: 3 }], { 'm~n': 3 }],
      ['decodes ~01 as ~1, not /', { '~1': 1 }, [{ op: 'remove', path: '/~01' }], {}],
      [
        'sets a label with an escaped key',
        { metadata: { labels: {} } },
        [{ op: 'add', path: '/metadata/labels/example.com~1tier', value: 'web' }],
        { metadata: { labels: { 'example.com/tier': 'web' } } },
      ],
      ['applies operations in order', { a: 1 }, [{ op: 'add', path: '/b', value: {} }, { op: 'add', path: '/b/c', value: 2 }], { a: 1, b: { c: 2 } }],
      ['does nothing for an empty patch', { a: 1 }, [], { a: 1 }],
      ['does nothing for a null patch (Go decodes it as empty)', { a: 1 }, null, { a: 1 }],
    ];
    for (const [name, document, operations, result] of cases) {
      it(name, () => {
        assert.deepEqual(applyJsonPatch(document, operations), result);
      });
    }
  });

  describe('fails with evanphx/json-patch’s messages', () => {
    const cases: [document: unknown, operations: unknown, kind: JsonPatchErrorKind, message: string][] = [
      [{}, { op: 'add' }, 'malformed', 'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp'],
      [{}, ['add'], 'malformed', 'error decoding patch: json: cannot unmarshal string into Go value of type handlers.jsonPatchOp'],
      [{}, [{ op: 1, path: '/a' }], 'malformed', 'error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string'],
      [{}, [{ op: 'add', path: ['a'] }], 'malformed', 'error decoding patch: json: cannot unmarshal array into Go struct field jsonPatchOp.path of type string'],
      [{}, [{ op: 'frobnicate', path: '/a' }], 'apply', 'Unexpected kind: frobnicate'],
      [{}, [{ path: '/a' }], 'apply', 'Unexpected kind: unknown'],
      [{}, [null], 'apply', 'Unexpected kind: unknown'],
      [{}, [{ op: 'add', value: 1 }], 'apply', 'add operation failed to decode path: missing value'],
      [{}, [{ op: 'replace', value: 1 }], 'apply', 'replace operation failed to decode path: operation missing path field: missing value'],
      [{}, [{ op: 'move', path: '/a' }], 'apply', 'move operation failed to decode from: operation, missing from field: missing value'],
      [{}, [{ op: 'add', path: '/a/b', value: 1 }], 'apply', 'add operation does not apply: doc is missing path: "/a/b": missing value'],
      [{ a: 1 }, [{ op: 'add', path: '/a/b', value: 1 }], 'apply', 'add operation does not apply: doc is missing path: "/a/b": missing value'],
      [{}, [{ op: 'add', path: '', value: {} }], 'apply', 'add operation does not apply: doc is missing path: "": missing value'],
      [{ a: [] }, [{ op: 'add', path: '/a/2', value: 1 }], 'apply', "error in add for path: '/a/2': Unable to access invalid index: 2: invalid index referenced"],
      [{ a: [] }, [{ op: 'add', path: '/a/x', value: 1 }], 'apply', `error in add for path: '/a/x': value was not a proper array index: 'x': strconv.Atoi: parsing "x": invalid syntax`],
      [{}, [{ op: 'remove', path: '/a' }], 'apply', "error in remove for path: '/a': Unable to remove nonexistent key: a: missing value"],
      [{ a: [1] }, [{ op: 'remove', path: '/a/1' }], 'apply', "error in remove for path: '/a/1': Unable to access invalid index: 1: invalid index referenced"],
      [{ a: [1] }, [{ op: 'replace', path: '/a/5', value: 1 }], 'apply', 'replace operation does not apply: doc is missing key: /a/5: missing value'],
      [{}, [{ op: 'replace', path: '/x/y', value: 1 }], 'apply', 'replace operation does not apply: doc is missing path: /x/y: missing value'],
      [{}, [{ op: 'replace', path: '', value: 1 }], 'apply', 'replace operation value must be object or array'],
      [{}, [{ op: 'move', from: '/a', path: '/b' }], 'apply', "error in move for path: 'a': Unable to remove nonexistent key: a: missing value"],
      [{ a: 1 }, [{ op: 'move', from: '/a', path: '/x/y' }], 'apply', 'move operation does not apply: doc is missing destination path: /x/y: missing value'],
      [{ a: 1 }, [{ op: 'copy', from: '/a', path: '/x/y' }], 'apply', 'copy operation does not apply: doc is missing destination path: /x/y: missing value'],
      [{ a: 1 }, [{ op: 'test', path: '/a', value: 2 }], 'apply', 'testing value /a failed: test failed'],
      [{ a: 1 }, [{ op: 'test', path: '/a' }], 'apply', 'testing value /a failed: test failed'],
      [{ a: 1 }, [{ op: 'test', path: '/b', value: 1 }], 'apply', 'testing value /b failed: test failed'],
      [{ a: 1 }, [{ op: 'test', path: '', value: {} }], 'apply', 'testing value  failed: test failed'],
      [{ a: [] }, [{ op: 'test', path: '/a/0', value: 1 }], 'apply', "error in test for path: '/a/0': Unable to access invalid index: 0: invalid index referenced"],
      [{}, [{ op: 'test', path: '/x/y', value: 1 }], 'apply', 'test operation does not apply: is missing path: /x/y: missing value'],
      ['scalar', [], 'apply', 'json: cannot unmarshal string into Go value of type jsonpatch.partialDoc'],
    ];
    for (const [document, operations, kind, message] of cases) {
      it(`${kind}: ${message}`, () => {
        assert.throws(() => applyJsonPatch(document, operations), (error: unknown) => {
          assert.ok(error instanceof JsonPatchError);
          assert.equal(error.name, 'JsonPatchError');
          assert.equal(error.kind, kind);
          assert.equal(error.message, message);
          return true;
        });
      });
    }
  });

  it('rejects a malformed operation before applying any', () => {
    assert.throws(() => applyJsonPatch({}, [{ op: 'frobnicate' }, 5]), { kind: 'malformed' });
  });

  it('does not mutate its inputs, and the result shares nothing with them', () => {
    const document = { a: { b: [1] } };
    const value = { deep: [1] };
    const operations = [
      { op: 'add', path: '/a/b/-', value },
      { op: 'remove', path: '/a/b/0' },
    ];
    const before = structuredClone({ document, operations });
    const result = applyJsonPatch(document, operations) as { a: { b: { deep: number[] }[] } };
    assert.deepEqual({ document, operations }, before);
    result.a.b[0]!.deep.push(2);
    assert.deepEqual(value, { deep: [1] });
  });

  it('gives up at the first failing operation without touching the input', () => {
    const document = { a: 1 };
    assert.throws(() => applyJsonPatch(document, [{ op: 'remove', path: '/a' }, { op: 'test', path: '/a', value: 1 }]));
    assert.deepEqual(document, { a: 1 });
  });

  describe('bounds growth', () => {
    const applyError = (document: unknown, operations: unknown, maxCopyBytes?: number): string => {
      try {
        applyJsonPatch(document, operations, maxCopyBytes);
      } catch (error) {
        assert.ok(error instanceof JsonPatchError);
        assert.equal(error.kind, 'apply');
        return error.message;
      }
      return assert.fail('the patch applied');
    };
    it('counts the JSON bytes of every copy against the limit, as evanphx AccumulatedCopySizeLimit', () => {
      const copy = { op: 'copy', from: '/a', path: '/b' };
      assert.deepEqual(applyJsonPatch({ a: 'xx' }, [copy, copy], 8), { a: 'xx', b: 'xx' });
      assert.equal(applyError({ a: 'xx' }, [copy, copy, copy], 8), 'Unable to complete the copy, the accumulated size increase of copy is 12, exceeding the limit 8');
    });
    it('refuses a list doubled by copies before it grows past 3 MiB', () => {
      const ops = Array.from({ length: 40 }, () => ({ op: 'copy', from: '/a', path: '/a/-' }));
      assert.match(applyError({ a: ['x'.repeat(1024)] }, ops), /exceeding the limit 3145728$/);
    });
    it('refuses a value placed deeper than the nesting limit', () => {
      let value: unknown = 1;
      for (let i = 0; i < MAX_NESTING_DEPTH - 1; i++) value = { a: value };
      assert.doesNotThrow(() => applyJsonPatch({}, [{ op: 'add', path: '/x', value }]));
      assert.match(applyError({ y: {} }, [{ op: 'add', path: '/y/x', value }]), /^add operation does not apply: the value at \/y\/x would exceed the max depth of 512 levels$/);
      assert.match(applyError({ x: value, y: {} }, [{ op: 'copy', from: '/x', path: '/y/x' }]), /^copy operation does not apply/);
    });
  });
});

