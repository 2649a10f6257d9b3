import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileSchema, schemaProblems, SchemaError } from '../../../core/schema/index.ts';
import { fieldErrorText, toCause } from '../../../core/field-errors.ts';

const obj = (spec: unknown, extra: Record<string, unknown> = {}) => ({ apiVersion: 'x.example.com/v1', kind: 'Thing', metadata: { name: 'a' }, spec, ...extra });
const root = (spec: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ type: 'object', properties: { spec, ...extra } });
const texts = (schema: Record<string, unknown>, object: Record<string, unknown>, old?: Record<string, unknown>) =>
  compileSchema(schema).validate(object, old).map(fieldErrorText);

describe('prune(object)', () => {
  const cases: { name: string; schema: Record<string, unknown>; spec: unknown; pruned: string[]; after: unknown }[] = [
    {
      name: 'drops unknown fields and reports their paths, inside list items too',
      schema: root({ type: 'object', properties: { a: { type: 'string' }, items: { type: 'array', items: { type: 'object', properties: { n: { type: 'integer' } } } } } }),
      spec: { a: 'x', foo: 1, items: [{ n: 1, bar: 2 }] },
      pruned: ['spec.foo', 'spec.items[0].bar'],
      after: { a: 'x', items: [{ n: 1 }] },
    },
    {
      name: 'keeps unknown fields under x-kubernetes-preserve-unknown-fields but prunes inside known ones',
      schema: root({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { x: { type: 'string' } } } } }),
      spec: { free: { any: 1 }, known: { x: 'a', y: 'b' } },
      pruned: ['spec.known.y'],
      after: { free: { any: 1 }, known: { x: 'a' } },
    },
    {
      name: 'keeps apiVersion, kind and ObjectMeta of an embedded resource',
      schema: root({ type: 'object', properties: { template: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } }),
      spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', bogus: 1 }, spec: { c: 1 }, other: 2 } },
      pruned: ['spec.template.metadata.bogus', 'spec.template.other'],
      after: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { c: 1 } } },
    },
    {
      name: 'prunes map values by additionalProperties',
      schema: root({ type: 'object', properties: { m: { type: 'object', additionalProperties: { type: 'object', properties: { v: { type: 'string' } } } } } }),
      spec: { m: { one: { v: 'a', w: 'b' } } },
      pruned: ['spec.m.one.w'],
      after: { m: { one: { v: 'a' } } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const object = obj(c.spec, { unknownTop: true });
      const pruned = compileSchema(c.schema).prune(object);
      assert.deepEqual(pruned, [...c.pruned, 'unknownTop']);
      assert.deepEqual(object.spec, c.after);
    });
  }

  it('never prunes the root metadata', () => {
    const object = obj({}, { metadata: { name: 'a', labels: { x: 'y' } } });
    assert.deepEqual(compileSchema(root({ type: 'object' })).prune(object), []);
    assert.deepEqual(object.metadata, { name: 'a', labels: { x: 'y' } });
  });
});

describe('applyDefaults(object)', () => {
  it('fills defaults in nested objects, list items and map values, then defaults inside defaults', () => {
    const schema = root({
      type: 'object',
      properties: {
        size: { type: 'integer', default: 1 },
        storage: { type: 'object', default: {}, properties: { class: { type: 'string', default: 'standard' } } },
        ports: { type: 'array', items: { type: 'object', properties: { protocol: { type: 'string', default: 'TCP' }, port: { type: 'integer' } } } },
        users: { type: 'object', additionalProperties: { type: 'object', properties: { role: { type: 'string', default: 'reader' } } } },
        keep: { type: 'string', default: 'd' },
      },
    });
    const object = obj({ ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }], users: { ann: {} }, keep: 'mine' });
    compileSchema(schema).applyDefaults(object);
    assert.deepEqual(object.spec, {
      size: 1,
      storage: { class: 'standard' },
      ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }],
      users: { ann: { role: 'reader' } },
      keep: 'mine',
    });
  });

  it('replaces a null of a non-nullable field with its default and drops other such nulls', () => {
    const schema = root({ type: 'object', properties: { a: { type: 'string', default: 'x' }, b: { type: 'string' }, c: { type: 'string', nullable: true } } });
    const object = obj({ a: null, b: null, c: null });
    compileSchema(schema).applyDefaults(object);
    assert.deepEqual(object.spec, { a: 'x', c: null });
  });
});

describe('validate(object, old)', () => {
  const spec = root(
    {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', pattern: '^[a-z]+$', maxLength: 5 },
        size: { type: 'integer', minimum: 1, maximum: 10 },
        version: { type: 'string', enum: ['15', '16', '17'] },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', maxItems: 3, 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer' } } },
        },
        when: { type: 'string', format: 'date-time' },
        odd: { type: 'string', format: 'no-such-format' },
      },
    },
  );
  const cases: { name: string; spec: unknown; errors: string[] }[] = [
    { name: 'accepts a valid object', spec: { name: 'abc', size: 3, version: '16', port: 'http', tags: ['a', 'b'], when: '2024-01-02T03:04:05Z', odd: 'whatever' }, errors: [] },
    { name: 'reports a value above maximum', spec: { name: 'a', size: 11 }, errors: ['spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10'] },
    { name: 'reports a value below minimum', spec: { name: 'a', size: 0 }, errors: ['spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1'] },
    { name: 'reports an enum miss as Unsupported value', spec: { name: 'a', version: '14' }, errors: ['spec.version: Unsupported value: "14": supported values: "15", "16", "17"'] },
    { name: 'reports a missing required field', spec: {}, errors: ['spec.name: Required value'] },
    { name: 'reports a wrong type', spec: { name: 'a', size: 'big' }, errors: ['spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"'] },
    { name: 'reports a pattern miss', spec: { name: 'ABC' }, errors: ["spec.name: Invalid value: \"ABC\": spec.name in body should match '^[a-z]+$'"] },
    { name: 'reports a string too long', spec: { name: 'abcdefg' }, errors: ['spec.name: Too long: may not be more than 5 bytes'] },
    { name: 'reports too many items', spec: { name: 'a', tags: ['a', 'b', 'c', 'd'] }, errors: ['spec.tags: Too many: 4: must have at most 3 items'] },
    { name: 'accepts an integer as int-or-string', spec: { name: 'a', port: 80 }, errors: [] },
    { name: 'rejects a boolean as int-or-string', spec: { name: 'a', port: true }, errors: ['spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"'] },
    { name: 'reports a duplicate in a set', spec: { name: 'a', tags: ['a', 'b', 'a'] }, errors: ['spec.tags[2]: Duplicate value: "a"'] },
    { name: 'reports a duplicate key in a map list', spec: { name: 'a', ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81 }] }, errors: ['spec.ports[1]: Duplicate value: {"name":"http"}'] },
    { name: 'reports a bad date-time', spec: { name: 'a', when: 'yesterday' }, errors: ['spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(texts(spec, obj(c.spec)), c.errors));
  it('gives a wrong JSON type the reason FieldValueTypeInvalid, as field.TypeInvalid does', () => {
    const errors = compileSchema(spec).validate(obj({ name: 'a', size: 'big', port: true }), undefined);
    assert.deepEqual(errors.map((e) => toCause(e).reason), ['FieldValueTypeInvalid', 'FieldValueTypeInvalid']);
  });
});

describe('x-kubernetes-validations', () => {
  const schema = root({
    type: 'object',
    'x-kubernetes-validations': [
      { rule: 'self.minReplicas <= self.maxReplicas', message: 'minReplicas must not exceed maxReplicas' },
      { rule: 'self.mode == oldSelf.mode', message: 'mode is immutable', reason: 'FieldValueForbidden', fieldPath: '.mode' },
      { rule: "!has(self.name) || self.name.startsWith('x')", messageExpression: "'name ' + self.name + ' must start with x'" },
    ],
    properties: {
      minReplicas: { type: 'integer' },
      maxReplicas: { type: 'integer' },
      mode: { type: 'string' },
      name: { type: 'string' },
      ratio: { type: 'number', 'x-kubernetes-validations': [{ rule: 'self < 1.0' }] },
    },
  });

  it('accepts an object that satisfies every rule', () => {
    assert.deepEqual(texts(schema, obj({ minReplicas: 1, maxReplicas: 2, mode: 'a', name: 'xy' })), []);
  });
  it('reports the message of a failed rule at the node', () => {
    assert.deepEqual(texts(schema, obj({ minReplicas: 3, maxReplicas: 2 })), ['spec: Invalid value: "object": minReplicas must not exceed maxReplicas']);
  });
  it('words a rule without message as failed rule', () => {
    assert.deepEqual(texts(schema, obj({ minReplicas: 1, maxReplicas: 1, ratio: 1.5 })), ['spec.ratio: Invalid value: "number": failed rule: self < 1.0']);
  });
  it('uses the string a messageExpression yields', () => {
    assert.deepEqual(texts(schema, obj({ minReplicas: 1, maxReplicas: 1, name: 'ab' })), ['spec: Invalid value: "object": name ab must start with x']);
  });
  it('runs transition rules only when there is a stored value, with reason and fieldPath', () => {
    assert.deepEqual(texts(schema, obj({ minReplicas: 1, maxReplicas: 1, mode: 'b' })), []);
    assert.deepEqual(texts(schema, obj({ minReplicas: 1, maxReplicas: 1, mode: 'b' }), obj({ minReplicas: 1, maxReplicas: 1, mode: 'a' })), [
      'spec.mode: Forbidden: mode is immutable',
    ]);
  });
  it('correlates map-list items with their stored item by key for oldSelf', () => {
    const s = root({
      type: 'object',
      properties: {
        disks: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name'], 'x-kubernetes-validations': [{ rule: 'self.size >= oldSelf.size', message: 'disks cannot shrink' }], properties: { name: { type: 'string' }, size: { type: 'integer' } } },
        },
      },
    });
    const old = obj({ disks: [{ name: 'a', size: 10 }, { name: 'b', size: 5 }] });
    assert.deepEqual(texts(s, obj({ disks: [{ name: 'b', size: 4 }, { name: 'c', size: 1 }, { name: 'a', size: 10 }] }), old), [
      'spec.disks[0]: Invalid value: "object": disks cannot shrink',
    ]);
  });
  it('reports a runtime error of a rule as an invalid value', () => {
    const s = root({ type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a == "x"' }], properties: { a: { type: 'string' } } });
    const [error] = texts(s, obj({}));
    assert.match(error ?? '', /^spec: Invalid value: "object": .* evaluating rule: self.a == "x"$/);
  });
});

describe('CEL rules checked at load, as kube checks them when a CRD is created', () => {
  const problemsOf = (rule: string, spec: Record<string, unknown>) =>
    schemaProblems(root({ type: 'object', 'x-kubernetes-validations': [{ rule }], ...spec })).map((p) => `${p.path}: ${p.message}`);
  const at = 'properties.spec.x-kubernetes-validations[0].rule';
  const fields = { properties: { color: { type: 'string' }, items: { type: 'array', items: { type: 'string' } } } };
  const cases: { rule: string; spec?: Record<string, unknown>; problems: string[] }[] = [
    { rule: "self.colr == 'red'", problems: [`${at}: compilation failed: ERROR: <input>:1:5: undefined field 'colr'`] },
    { rule: "self.color.size() > 'a'", problems: [`${at}: compilation failed: ERROR: <input>:1:19: found no matching overload for '_>_' applied to '(int, string)'`] },
    { rule: 'self.color', problems: [`${at}: cel expression must evaluate to a bool`] },
    { rule: "has(self.color) && self.items.all(i, i.startsWith('a'))", problems: [] },
    {
      rule: 'self.items.all(x, self.items.all(y, x != y || true))',
      problems: [
        `${at}: Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`,
        ': Forbidden: total CRD cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)',
      ],
    },
    {
      rule: 'self.items.all(x, self.items.all(y, x != y || true))',
      spec: { properties: { color: { type: 'string' }, items: { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 64 } } } },
      problems: [],
    },
  ];
  for (const c of cases) it(c.problems.length ? `refuses ${c.rule}` : `accepts ${c.rule}${c.spec ? ' with maxItems' : ''}`, () => assert.deepEqual(problemsOf(c.rule, c.spec ?? fields), c.problems));

  it('evaluates date-time strings as timestamps and duration strings as durations', () => {
    const s = root({
      type: 'object',
      'x-kubernetes-validations': [{ rule: "self.start + self.window > timestamp('2024-01-01T00:00:00Z')", message: 'ends too early' }],
      properties: { start: { type: 'string', format: 'date-time' }, window: { type: 'string', format: 'duration' } },
    });
    assert.deepEqual(schemaProblems(s), []);
    assert.deepEqual(texts(s, obj({ start: '2023-12-31T23:00:00Z', window: '2h' })), []);
    assert.deepEqual(texts(s, obj({ start: '2023-12-31T23:00:00Z', window: '30m' })), ['spec: Invalid value: "object": ends too early']);
  });

  it('refuses a kind whose rules together exceed the per-CRD budget', () => {
    const perItem = { type: 'object', 'x-kubernetes-validations': [{ rule: "self.name.matches('^[a-z]+$')" }], properties: { name: { type: 'string' } } };
    const problems = schemaProblems(root({ type: 'object', properties: { list: { type: 'array', items: perItem } } }));
    assert.ok(problems.some((p) => p.path === '' && /^Forbidden: total CRD cost exceeds budget by factor of/.test(p.message)), JSON.stringify(problems));
  });
});

describe('schemaProblems(schema)', () => {
  const cases: { name: string; schema: Record<string, unknown>; problems: string[] }[] = [
    { name: 'finds nothing wrong with a structural schema', schema: root({ type: 'object', properties: { a: { type: 'string' } } }), problems: [] },
    { name: 'requires a type on every field', schema: root({ type: 'object', properties: { a: { description: 'no type' } } }), problems: ['properties.spec.properties.a.type'] },
    { name: 'forbids properties beside additionalProperties', schema: root({ type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } }), problems: ['properties.spec.additionalProperties'] },
    { name: 'requires items on arrays', schema: root({ type: 'array' }), problems: ['properties.spec.items'] },
    { name: 'requires list-map keys to be required or defaulted', schema: root({ type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['k'], items: { type: 'object', properties: { k: { type: 'string' } } } }), problems: ['properties.spec.items.properties.k'] },
    { name: 'reports a CEL rule that does not parse', schema: root({ type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a +' }] }), problems: ['properties.spec.x-kubernetes-validations[0].rule'] },
    { name: 'reports a CEL rule naming an unknown function', schema: root({ type: 'object', 'x-kubernetes-validations': [{ rule: 'frobnicate(self)' }] }), problems: ['properties.spec.x-kubernetes-validations[0].rule'] },
    { name: 'ignores keywords a CRD schema does not have, as decoding a CRD drops them', schema: root({ type: 'string', minimumLength: 3 }), problems: [] },
    { name: 'reports a keyword ajv cannot compile', schema: root({ type: 'string', pattern: '([' }), problems: [''] },
    { name: 'limits the root metadata to name and generateName', schema: root({ type: 'object' }, { metadata: { type: 'object', properties: { labels: { type: 'object' } } } }), problems: ['properties.metadata.properties.labels'] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(schemaProblems(c.schema).map((p) => p.path), c.problems));

  it('makes compileSchema throw a SchemaError listing the problems', () => {
    assert.throws(() => compileSchema(root({ type: 'array' })), (error: unknown) => error instanceof SchemaError && error.errors[0]?.path === 'properties.spec.items');
  });
});

describe('validation ratcheting (updates)', () => {
  const schema = root({
    type: 'object',
    properties: {
      size: { type: 'integer', maximum: 3 },
      name: { type: 'string', 'x-kubernetes-validations': [{ rule: "self.startsWith('x')", message: 'must start with x' }] },
      ports: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer', maximum: 100 } } },
      },
      tags: { type: 'array', items: { type: 'string', maxLength: 2 } },
    },
  });
  const old = obj({ size: 9, name: 'legacy', ports: [{ name: 'a', port: 500 }, { name: 'b', port: 1 }], tags: ['long'] });

  it('drops errors about values the update left unchanged, CEL rules included', () => {
    assert.deepEqual(texts(schema, obj({ size: 9, name: 'legacy', ports: [{ name: 'b', port: 2 }, { name: 'a', port: 500 }], tags: ['long'] }), old), []);
  });
  it('still reports a changed value, and everything on a create', () => {
    assert.deepEqual(texts(schema, obj({ size: 8, name: 'legacy', ports: [{ name: 'a', port: 501 }], tags: ['long', 'x'] }), old), [
      'spec.size: Invalid value: 8: spec.size in body should be less than or equal to 3',
      'spec.ports[0].port: Invalid value: 501: spec.ports[0].port in body should be less than or equal to 100',
      'spec.tags[0]: Too long: may not be more than 2 bytes',
    ]);
    assert.equal(texts(schema, old).length, 4);
  });
});

describe("Kubernetes' CEL libraries", () => {
  const schema = (rule: string) =>
    root({
      type: 'object',
      'x-kubernetes-validations': [{ rule }],
      properties: { sizes: { type: 'array', maxItems: 10, items: { type: 'integer' } }, name: { type: 'string', maxLength: 63 } },
    });
  const cases: { rule: string; spec: Record<string, unknown>; valid: boolean }[] = [
    { rule: 'self.sizes.isSorted()', spec: { sizes: [1, 2, 3] }, valid: true },
    { rule: 'self.sizes.isSorted()', spec: { sizes: [3, 1] }, valid: false },
    { rule: 'self.sizes.sum() == 6 && self.sizes.min() == 1 && self.sizes.max() == 3', spec: { sizes: [3, 1, 2] }, valid: true },
    { rule: 'self.sizes.indexOf(2) == 1 && self.sizes.lastIndexOf(2) == 3', spec: { sizes: [1, 2, 3, 2] }, valid: true },
    { rule: "self.name.find('[0-9]+') == '42' && self.name.findAll('[a-z]').size() == 3", spec: { name: 'abc42' }, valid: true },
    { rule: "self.name.lowerAscii().startsWith('ab')", spec: { name: 'ABC' }, valid: true },
  ];
  for (const c of cases) {
    it(`${c.valid ? 'passes' : 'fails'} ${c.rule}`, () => {
      assert.deepEqual(schemaProblems(schema(c.rule)), []);
      assert.equal(texts(schema(c.rule), obj(c.spec)).length, c.valid ? 0 : 1);
    });
  }
});

describe("Kubernetes' quantity, ip/cidr and url libraries", () => {
  const schema = (rule: string) =>
    root({
      type: 'object',
      'x-kubernetes-validations': [{ rule }],
      properties: { memory: { type: 'string', maxLength: 32 }, address: { type: 'string', maxLength: 64 }, endpoint: { type: 'string', maxLength: 256 } },
    });
  const cases: { rule: string; spec: Record<string, unknown>; valid: boolean }[] = [
    { rule: "quantity(self.memory).isLessThan(quantity('2Gi'))", spec: { memory: '1536Mi' }, valid: true },
    { rule: "quantity(self.memory).isLessThan(quantity('2Gi'))", spec: { memory: '3G' }, valid: false },
    { rule: "quantity(self.memory).compareTo(quantity('500m')) == 0 && !quantity(self.memory).isInteger()", spec: { memory: '0.5' }, valid: true },
    { rule: "quantity(self.memory).add(1).asInteger() == 1025", spec: { memory: '1Ki' }, valid: true },
    { rule: 'isQuantity(self.memory)', spec: { memory: '1.5Xi' }, valid: false },
    { rule: "cidr('10.0.0.0/8').containsIP(self.address) && ip(self.address).family() == 4", spec: { address: '10.1.2.3' }, valid: true },
    { rule: "cidr('10.0.0.0/8').containsIP(self.address)", spec: { address: '192.168.0.1' }, valid: false },
    { rule: 'isIP(self.address) && ip(self.address).isLoopback()', spec: { address: '::1' }, valid: true },
    { rule: "cidr('192.168.1.7/24').masked().containsCIDR('192.168.1.0/25')", spec: {}, valid: true },
    { rule: "url(self.endpoint).getScheme() == 'https' && url(self.endpoint).getHostname() == 'db.example.com' && url(self.endpoint).getQuery()['a'][0] == 'b'", spec: { endpoint: 'https://db.example.com:5432/x?a=b' }, valid: true },
    { rule: 'isURL(self.endpoint)', spec: { endpoint: 'not a url' }, valid: false },
  ];
  for (const c of cases) {
    it(`${c.valid ? 'passes' : 'fails'} ${c.rule} for ${JSON.stringify(c.spec)}`, () => {
      assert.deepEqual(schemaProblems(schema(c.rule)), []);
      assert.equal(texts(schema(c.rule), obj(c.spec)).length, c.valid ? 0 : 1, JSON.stringify(texts(schema(c.rule), obj(c.spec))));
    });
  }
});
