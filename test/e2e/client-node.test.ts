/** The same everyday operations through @kubernetes/client-node, as a Node program would use kindred. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CustomObjectsApi, KubeConfig, PatchStrategy, Watch, setHeaderOptions } from '@kubernetes/client-node';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { E2E_CONFIG } from '../support/gadget-config.ts';

const group = 'fleet.example.net';
const version = 'v1';
const plural = 'gadgets';
const namespace = 'default';

describe('@kubernetes/client-node', () => {
  let k: TestKindred;
  let kc: KubeConfig;
  let api: CustomObjectsApi;

  before(async () => {
    k = await startTestKindred(E2E_CONFIG);
    kc = new KubeConfig();
    kc.loadFromFile(k.kubeconfigPath);
    api = kc.makeApiClient(CustomObjectsApi);
  });
  after(async () => {
    await k?.stop();
  });

  it('creates an object and gets it back with server-set metadata', async () => {
    const body = { apiVersion: `${group}/${version}`, kind: 'Gadget', metadata: { name: 'cn-1' }, spec: { size: 1 } };
    const created = await api.createNamespacedCustomObject({ group, version, namespace, plural, body });
    assert.equal(created.metadata.name, 'cn-1');
    assert.ok(created.metadata.uid);
    const got = await api.getNamespacedCustomObject({ group, version, namespace, plural, name: 'cn-1' });
    assert.equal(got.spec.size, 1);
  });

  it('lists objects as a GadgetList', async () => {
    const list = await api.listNamespacedCustomObject({ group, version, namespace, plural });
    assert.equal(list.kind, 'GadgetList');
    assert.equal(list.apiVersion, `${group}/${version}`);
    assert.deepEqual(
      list.items.map((i: { metadata: { name: string } }) => i.metadata.name),
      ['cn-1'],
    );
    assert.match(list.metadata.resourceVersion, /^\d+$/);
  });

  it('applies a merge patch', async () => {
    const patched = await api.patchNamespacedCustomObject(
      { group, version, namespace, plural, name: 'cn-1', body: { spec: { size: 5 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    assert.equal(patched.spec.size, 5);
    assert.equal(patched.metadata.generation, 2);
  });

  it('watches: its Watch class receives ADDED, MODIFIED and DELETED events in order', async () => {
    const list = await api.listNamespacedCustomObject({ group, version, namespace, plural });
    const events: string[] = [];
    let sawDelete!: () => void;
    const deleted = new Promise<void>((resolve) => (sawDelete = resolve));
    const watch = new Watch(kc);
    const controller = await watch.watch(
      `/apis/${group}/${version}/namespaces/${namespace}/${plural}`,
      { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true },
      (type, object) => {
        events.push(`${type} ${object.metadata.name}`);
        if (type === 'DELETED') sawDelete();
      },
      () => {},
    );
    try {
      const body = { apiVersion: `${group}/${version}`, kind: 'Gadget', metadata: { name: 'cn-2' }, spec: { size: 1 } };
      await api.createNamespacedCustomObject({ group, version, namespace, plural, body });
      await api.patchNamespacedCustomObject(
        { group, version, namespace, plural, name: 'cn-2', body: { spec: { size: 2 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await api.deleteNamespacedCustomObject({ group, version, namespace, plural, name: 'cn-2' });
      await deleted;
      assert.deepEqual(events, ['ADDED cn-2', 'MODIFIED cn-2', 'DELETED cn-2']);
    } finally {
      controller.abort();
    }
  });

  it('replaces, server-side applies and deletes a collection over HTTP/1.1', async () => {
    const body = { apiVersion: `${group}/${version}`, kind: 'Gadget', metadata: { name: 'cn-3' }, spec: { size: 1 } };
    const created = await api.createNamespacedCustomObject({ group, version, namespace, plural, body });
    const replaced = await api.replaceNamespacedCustomObject({
      group, version, namespace, plural, name: 'cn-3',
      body: { ...body, metadata: { name: 'cn-3', resourceVersion: created.metadata.resourceVersion }, spec: { size: 3 } },
    });
    assert.equal(replaced.spec.size, 3);
    const applied = await api.patchNamespacedCustomObject(
      { group, version, namespace, plural, name: 'cn-4', body: { ...body, metadata: { name: 'cn-4' } }, fieldManager: 'client-node-test' },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    assert.equal(applied.metadata.managedFields[0].manager, 'client-node-test');
    await api.deleteCollectionNamespacedCustomObject({ group, version, namespace, plural });
    const left = await api.listNamespacedCustomObject({ group, version, namespace, plural });
    assert.deepEqual(left.items, []);
  });

  it('reports a missing object as a 404', async () => {
    await assert.rejects(api.getNamespacedCustomObject({ group, version, namespace, plural, name: 'nope' }), (e: { code?: number }) => e.code === 404);
  });
});
