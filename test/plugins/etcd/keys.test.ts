/** Where the etcd plugin keeps objects: kube-apiserver's layout under kindred's prefix. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KeyLayout, prefixEnd } from '../../../plugins/etcd/keys.ts';
import etcdPlugin from '../../../plugins/etcd/index.ts';
import type { KindDefinition } from '../../../core/types/kind.ts';

function kind(scope: 'Namespaced' | 'Cluster'): KindDefinition {
  return {
    group: 'apps.example.com',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList', shortNames: [], categories: [] },
    scope,
    versions: [{ name: 'v1', served: true, storage: true, additionalPrinterColumns: [], subresources: {} }],
    backend: { plugin: 'etcd', options: {} },
  };
}

describe('KeyLayout', () => {
  it('keys a namespaced object as <prefix>/<group>/<plural>/<namespace>/<name>', () => {
    const keys = new KeyLayout('/kindred', kind('Namespaced'));
    assert.equal(keys.object('team-a', 'w1').toString(), '/kindred/apps.example.com/widgets/team-a/w1');
    assert.equal(keys.range('team-a').key.toString(), '/kindred/apps.example.com/widgets/team-a/');
    assert.equal(keys.range(undefined).key.toString(), '/kindred/apps.example.com/widgets/');
  });

  it('keys a cluster-scoped object without a namespace segment, whatever namespace it is given', () => {
    const keys = new KeyLayout('/kindred/', kind('Cluster'));
    assert.equal(keys.object('ignored', 'w1').toString(), '/kindred/apps.example.com/widgets/w1');
    assert.equal(keys.range('ignored').key.toString(), '/kindred/apps.example.com/widgets/');
  });

  it('ends a range right after its prefix, so `widgets/` does not take in `widgetsets/`', () => {
    const { key, range_end } = new KeyLayout('/k', kind('Namespaced')).range(undefined);
    assert.equal(range_end.toString(), '/k/apps.example.com/widgets0');
    assert.ok(Buffer.compare(Buffer.from('/k/apps.example.com/widgetsets/x'), range_end) > 0);
    assert.ok(Buffer.compare(key, Buffer.from('/k/apps.example.com/widgets/zz/zz')) < 0);
    assert.deepEqual(prefixEnd(Buffer.from([0x61, 0xff])), Buffer.from([0x62]));
    assert.deepEqual(prefixEnd(Buffer.from([0xff])), Buffer.from([0]));
  });
});

describe('KeyLayout.parse', () => {
  const namespaced = new KeyLayout('/kindred', kind('Namespaced'));
  const cluster = new KeyLayout('/kindred', kind('Cluster'));
  const cases: [string, KeyLayout, string, { namespace: string | undefined; name: string } | undefined][] = [
    ['a namespaced key', namespaced, '/kindred/apps.example.com/widgets/team-a/w1', { namespace: 'team-a', name: 'w1' }],
    ['a cluster-scoped key', cluster, '/kindred/apps.example.com/widgets/w1', { namespace: undefined, name: 'w1' }],
    ['a key of another kind', namespaced, '/kindred/apps.example.com/widgetsets/team-a/w1', undefined],
    ['a namespaced key missing its name', namespaced, '/kindred/apps.example.com/widgets/team-a/', undefined],
    ['a cluster-scoped key with a namespace', cluster, '/kindred/apps.example.com/widgets/team-a/w1', undefined],
  ];
  for (const [what, keys, key, expected] of cases) {
    it(`reads ${what}`, () => assert.deepEqual(keys.parse(Buffer.from(key)), expected));
  }
  it('reads back every key it makes', () => {
    assert.deepEqual(namespaced.parse(namespaced.object('ns', 'n')), { namespace: 'ns', name: 'n' });
    assert.deepEqual(cluster.parse(cluster.object(undefined, 'n')), { namespace: undefined, name: 'n' });
  });
});

describe('etcdPlugin.create', () => {
  it('fails with a clear reason when kindred has no --etcd-servers', async () => {
    const log = { info() {}, warn() {}, error() {}, debug() {} };
    await assert.rejects(etcdPlugin.create(kind('Namespaced'), {}, { configDir: '/', log }), /needs kindred started with --etcd-servers/);
  });
});
