import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildSnapshot, kindKey } from '../../core/snapshot.ts';
import { userClusterRoles } from '../../app/rbac.ts';
import { MemoryStore } from '../../plugins/memory/store.ts';
import type { KindDefinition } from '../../core/types/kind.ts';
import type { Storage } from '../../core/types/storage.ts';

function kind(name: string, plural: string, subresources: KindDefinition['versions'][number]['subresources'] = {}): KindDefinition {
  return {
    group: 'rbac.example.com',
    names: { kind: name, plural, singular: name.toLowerCase(), listKind: `${name}List`, shortNames: [], categories: [] },
    scope: 'Namespaced',
    versions: ['v1', 'v2'].map((v, i) => ({ name: v, served: true, storage: i === 0, additionalPrinterColumns: [], subresources })),
    backend: { plugin: 'memory', options: {} },
  };
}

describe('userClusterRoles(snapshot)', () => {
  it('grants what each kind serves, once per resource, with status writes left to controllers', () => {
    const pools = kind('Pool', 'pools', { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } });
    const reports = kind('Report', 'reports');
    const memory = new MemoryStore(reports);
    // A read-only store: only what it implements is granted.
    const readOnly: Storage = { close: async () => {}, get: memory.get.bind(memory), list: memory.list.bind(memory), watch: memory.watch.bind(memory) };
    const snapshot = buildSnapshot([pools, reports], new Map<string, Storage>([[kindKey(pools), new MemoryStore(pools)], [kindKey(reports), readOnly]]));
    const [view, edit] = userClusterRoles(snapshot) as { metadata: { name: string; labels: Record<string, string> }; rules: unknown[] }[];
    assert.equal(view?.metadata.name, 'kindred-view');
    assert.deepEqual(Object.keys(view!.metadata.labels), [
      'rbac.authorization.k8s.io/aggregate-to-view', 'rbac.authorization.k8s.io/aggregate-to-edit', 'rbac.authorization.k8s.io/aggregate-to-admin',
    ]);
    const g = ['rbac.example.com'];
    assert.deepEqual(view!.rules, [
      { apiGroups: g, resources: ['pools'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: g, resources: ['pools/scale', 'pools/status'], verbs: ['get'] },
      { apiGroups: g, resources: ['reports'], verbs: ['get', 'list', 'watch'] },
    ]);
    assert.deepEqual(edit!.rules, [
      { apiGroups: g, resources: ['pools'], verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] },
      { apiGroups: g, resources: ['pools/scale'], verbs: ['get', 'patch', 'update'] },
      { apiGroups: g, resources: ['pools/status'], verbs: ['get'] },
      { apiGroups: g, resources: ['reports'], verbs: ['get', 'list', 'watch'] },
    ]);
  });
});
