import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateConfig } from '../../config/index.ts';
import type { ConfigError } from '../../config/index.ts';
import { resolvePlugin } from './fake-plugins.ts';
import { servingChecks } from '../../core/serving-checks.ts';

type Json = Record<string, unknown>;

/** A valid kind; each case breaks a fresh copy. */
function widget(overrides: Json = {}): Json {
  return {
    group: 'things.example.com',
    names: { kind: 'Widget', plural: 'widgets', shortNames: ['wd'] },
    versions: [
      {
        name: 'v1',
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object' } } } },
        additionalPrinterColumns: [{ name: 'Size', type: 'integer', jsonPath: '.spec.size' }],
      },
    ],
    ...overrides,
  };
}

function gadget(overrides: Json = {}): Json {
  return widget({ names: { kind: 'Gadget', plural: 'gadgets' }, ...overrides });
}

function errorsOf(config: unknown): ConfigError[] {
  const result = validateConfig(config, resolvePlugin, servingChecks);
  assert.equal(result.ok, false, 'expected the config to be rejected');
  return result.ok ? [] : result.errors;
}

const cases: { when: string; config: Json; errors: [path: string, message: RegExp][] }[] = [
  // The schema: shapes, unknown fields, required fields.
  { when: 'the file has an unknown top-level field', config: { resources: [], kinds: [] }, errors: [['kinds', /unknown field/]] },
  { when: 'resources is missing', config: {}, errors: [['resources', /is required/]] },
  { when: 'a kind has an unknown field', config: { resources: [widget({ spec: {} })] }, errors: [['resources[0].spec', /unknown field/]] },
  {
    when: 'names has an unknown field',
    config: { resources: [widget({ names: { kind: 'Widget', plural: 'widgets', plurals: 'x' } })] },
    errors: [['resources[0].names.plurals', /unknown field/]],
  },
  {
    when: 'names.plural is missing',
    config: { resources: [widget({ names: { kind: 'Widget' } })] },
    errors: [['resources[0].names.plural', /is required/]],
  },
  { when: 'versions is empty', config: { resources: [widget({ versions: [] })] }, errors: [['resources[0].versions', /fewer than 1/]] },
  { when: 'scope is not Namespaced or Cluster', config: { resources: [widget({ scope: 'Global' })] }, errors: [['resources[0].scope', /one of "Namespaced", "Cluster"/]] },
  {
    when: 'openAPIV3Schema does not describe an object',
    config: { resources: [widget({ versions: [{ name: 'v1', schema: { openAPIV3Schema: { type: 'string' } } }] })] },
    errors: [['resources[0].versions[0].schema.openAPIV3Schema.type', /must be "object"/]],
  },
  {
    when: 'a printer column has an unknown type, a negative priority and no name',
    config: {
      resources: [
        widget({ versions: [{ name: 'v1', additionalPrinterColumns: [{ type: 'float', priority: -1, jsonPath: '.spec.x' }] }] }),
      ],
    },
    errors: [
      ['resources[0].versions[0].additionalPrinterColumns[0].name', /is required/],
      ['resources[0].versions[0].additionalPrinterColumns[0].type', /must be one of "string", "integer"/],
      ['resources[0].versions[0].additionalPrinterColumns[0].priority', /must be >= 0/],
    ],
  },
  {
    when: 'the status subresource has fields',
    config: { resources: [widget({ versions: [{ name: 'v1', subresources: { status: { enabled: true } } }] })] },
    errors: [['resources[0].versions[0].subresources.status.enabled', /unknown field/]],
  },
  {
    when: 'backend names no plugin',
    config: { resources: [widget({ backend: { options: {} } })] },
    errors: [['resources[0].backend.plugin', /is required/]],
  },

  // Names, as apiextensions validates them.
  { when: 'the group has no dot', config: { resources: [widget({ group: 'things' })] }, errors: [['resources[0].group', /at least one dot/]] },
  { when: 'the group is not a DNS subdomain', config: { resources: [widget({ group: 'Things.example.com' })] }, errors: [['resources[0].group', /DNS-1123 subdomain/]] },
  {
    when: 'plural, singular and a short name are not DNS labels',
    config: { resources: [widget({ names: { kind: 'Widget', plural: 'Widgets', singular: '1widget', shortNames: ['w_d'] } })] },
    errors: [
      ['resources[0].names.plural', /DNS-1035 label/],
      ['resources[0].names.singular', /DNS-1035 label/],
      ['resources[0].names.shortNames[0]', /DNS-1035 label/],
    ],
  },
  {
    when: 'kind starts lower case and listKind has a dash',
    config: { resources: [widget({ names: { kind: 'widget', plural: 'widgets', listKind: 'Widget-List' } })] },
    errors: [
      ['resources[0].names.kind', /CamelCase/],
      ['resources[0].names.listKind', /CamelCase/],
    ],
  },
  {
    when: 'listKind equals kind',
    config: { resources: [widget({ names: { kind: 'Widget', plural: 'widgets', listKind: 'Widget' } })] },
    errors: [['resources[0].names.listKind', /must differ from kind/]],
  },

  // Versions.
  { when: 'a version name is not a DNS label', config: { resources: [widget({ versions: [{ name: 'V1' }] })] }, errors: [['resources[0].versions[0].name', /DNS-1035 label/]] },
  {
    when: 'two versions share a name',
    config: { resources: [widget({ versions: [{ name: 'v1', storage: true }, { name: 'v1' }] })] },
    errors: [['resources[0].versions[1].name', /duplicate version "v1"/]],
  },
  {
    when: 'no version of several is the storage version',
    config: { resources: [widget({ versions: [{ name: 'v1' }, { name: 'v2' }] })] },
    errors: [['resources[0].versions', /exactly one version with storage: true, found 0/]],
  },
  {
    when: 'two versions are storage versions',
    config: { resources: [widget({ versions: [{ name: 'v1', storage: true }, { name: 'v2', storage: true }] })] },
    errors: [['resources[0].versions', /found 2/]],
  },
  {
    when: 'no version is served',
    config: { resources: [widget({ versions: [{ name: 'v1', served: false }] })] },
    errors: [['resources[0].versions', /at least one version with served: true/]],
  },
  {
    when: 'a printer column JSONPath does not compile',
    config: { resources: [widget({ versions: [{ name: 'v1', additionalPrinterColumns: [{ name: 'X', type: 'string', jsonPath: '.spec[' }] }] })] },
    errors: [['resources[0].versions[0].additionalPrinterColumns[0].jsonPath', /invalid JSONPath/]],
  },
  {
    when: 'scale paths point outside spec and status',
    config: {
      resources: [
        widget({ versions: [{ name: 'v1', subresources: { scale: { specReplicasPath: '.status.replicas', statusReplicasPath: '.spec.replicas' } } }] }),
      ],
    },
    errors: [
      ['resources[0].versions[0].subresources.scale.specReplicasPath', /must start with ".spec."/],
      ['resources[0].versions[0].subresources.scale.statusReplicasPath', /must start with ".status."/],
    ],
  },
  {
    when: 'a scale path is not in dot notation',
    config: {
      resources: [
        widget({ versions: [{ name: 'v1', subresources: { scale: { specReplicasPath: '.spec.pools[0].size', statusReplicasPath: '.status.replicas' } } }] }),
      ],
    },
    errors: [['resources[0].versions[0].subresources.scale.specReplicasPath', /simple json path in dot notation/]],
  },

  // Backends.
  { when: 'the plugin is unknown', config: { resources: [widget({ backend: { plugin: 'nosuchplugin' } })] }, errors: [['resources[0].backend.plugin', /unknown storage plugin "nosuchplugin"/]] },
  {
    when: 'the options do not fit the plugin schema',
    config: { resources: [widget({ backend: { plugin: 'memory', options: { watchWindow: 0, ttl: 5 } } })] },
    errors: [
      ['resources[0].backend.options.ttl', /unknown field/],
      ['resources[0].backend.options.watchWindow', /must be >= 1/],
    ],
  },
  {
    when: "the plugin's options schema does not compile",
    config: { resources: [widget({ backend: { plugin: 'broken' } })] },
    errors: [['resources[0].backend.plugin', /"broken" has an invalid options schema/]],
  },

  // Conflicts within a group.
  {
    when: 'two kinds of a group share a plural',
    config: { resources: [widget(), gadget({ names: { kind: 'Gadget', plural: 'widgets' } })] },
    errors: [['resources[1].names.plural', /"widgets" is already used in group things.example.com by resources\[0\] \(Widget\)/]],
  },
  {
    when: "a short name equals another kind's singular",
    config: { resources: [widget(), gadget({ names: { kind: 'Gadget', plural: 'gadgets', shortNames: ['widget'] } })] },
    errors: [['resources[1].names.shortNames[0]', /"widget" is already used/]],
  },
  {
    when: "a plural equals another kind's short name",
    config: { resources: [widget(), gadget({ names: { kind: 'Gadget', plural: 'wd' } })] },
    errors: [['resources[1].names.plural', /"wd" is already used/]],
  },
  {
    when: 'two kinds of a group share a kind name',
    config: { resources: [widget(), widget({ names: { kind: 'Widget', plural: 'others' } })] },
    errors: [
      ['resources[1].names.singular', /"widget" is already used/],
      ['resources[1].names.kind', /"Widget" is already used/],
      ['resources[1].names.listKind', /"WidgetList" is already used/],
    ],
  },
];

describe('validateConfig', () => {
  for (const { when, config, errors } of cases) {
    it(`reports ${errors.map(([path]) => path || '(file)').join(', ')} when ${when}`, () => {
      const actual = errorsOf(config);
      assert.deepEqual(
        actual.map((e) => e.path),
        errors.map(([path]) => path),
        JSON.stringify(actual),
      );
      errors.forEach(([, message], i) => assert.match(actual[i]?.message ?? '', message));
    });
  }

  it('reports every error at once, schema and semantic ones together, in file order', () => {
    const config = {
      resources: [
        widget({ group: 'nodots' }),
        gadget({ names: { kind: 'Gadget', plural: 'gadgets', typo: 1 } }), // a shape error: left out of the semantic checks
        gadget({ names: { kind: 'Doohickey', plural: 'widgets' }, backend: { plugin: 'memory', options: { watchWindow: 'long' } } }),
      ],
    };
    assert.deepEqual(
      errorsOf(config).map((e) => e.path),
      ['resources[0].group', 'resources[1].names.typo', 'resources[2].backend.options.watchWindow'],
    );
  });

  for (const [what, raw] of [['an empty file', null], ['a list', ['resources']], ['a string', 'resources']] as const) {
    it(`reports ${what} as not a mapping`, () => {
      assert.deepEqual(errorsOf(raw), [{ path: '', message: 'must be a mapping with a "resources" list' }]);
    });
  }

  it('still checks the kinds when the file has an unknown top-level field', () => {
    assert.deepEqual(
      errorsOf({ resources: [widget({ group: 'nodots' })], extra: 1 }).map((e) => e.path),
      ['extra', 'resources[0].group'],
    );
  });

  it('allows the same names in different groups and any field inside openAPIV3Schema', () => {
    const schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, whatever: { nested: true } };
    const result = validateConfig(
      { resources: [widget(), widget({ group: 'other.example.com', versions: [{ name: 'v1', schema: { openAPIV3Schema: schema } }] })] },
      resolvePlugin,
      servingChecks,
    );
    assert.equal(result.ok, true, JSON.stringify(result));
  });

  it('fills in the defaults a CRD would get, and backend embedded', () => {
    const result = validateConfig({ resources: [widget()] }, resolvePlugin, servingChecks);
    assert.ok(result.ok);
    const [kind] = result.kinds;
    assert.deepEqual(kind?.names, { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList', shortNames: ['wd'], categories: [] });
    assert.equal(kind?.scope, 'Namespaced');
    assert.equal(kind?.versions[0]?.served, true);
    assert.equal(kind?.versions[0]?.storage, true);
    assert.deepEqual(kind?.versions[0]?.subresources, {});
    assert.equal(kind?.versions[0]?.additionalPrinterColumns[0]?.priority, 0);
    assert.deepEqual(kind?.backend, { plugin: 'embedded', options: {} });
  });

  it('completes backend options with the defaults of the plugin schema', () => {
    const result = validateConfig({ resources: [widget({ backend: { plugin: 'defaulted' } })] }, resolvePlugin, servingChecks);
    assert.ok(result.ok);
    assert.deepEqual(result.kinds[0]?.backend.options, { ttl: 60 });
  });

  it('returns deep-frozen kinds that share nothing with the input', () => {
    const input = widget();
    const result = validateConfig({ resources: [input] }, resolvePlugin, servingChecks);
    assert.ok(result.ok);
    assert.ok(Object.isFrozen(result.kinds));
    assert.ok(Object.isFrozen(result.kinds[0]?.versions[0]?.schema?.openAPIV3Schema?.properties));
    assert.ok(!Object.isFrozen(input.versions));
  });

  it('hashes equal configs equally whatever their key order, and different ones differently', () => {
    const hash = (config: unknown) => {
      const result = validateConfig(config, resolvePlugin, servingChecks);
      assert.ok(result.ok);
      return result.hash;
    };
    const reordered = { resources: [Object.fromEntries(Object.entries(widget()).reverse())] };
    assert.match(hash({ resources: [widget()] }), /^[0-9a-f]{64}$/);
    assert.equal(hash({ resources: [widget()] }), hash(reordered));
    assert.notEqual(hash({ resources: [widget()] }), hash({ resources: [widget({ scope: 'Cluster' })] }));
  });
});
