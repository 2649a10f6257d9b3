/**
 * Every write verb over HTTP/1.1 to the Kubernetes-backed plugins, through
 * @kubernetes/client-node (HTTP/1.1 only, as curl, python and Go clients with HTTP/2 off).
 * On Node 20 an HTTP/1.1 request emits 'close' once its body is read; kindred once took that
 * for a client going away and aborted every such write before it reached kube-apiserver
 * (503 "the backing Kubernetes API is unavailable"), while kubectl (HTTP/2) worked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { HELM_RELEASES } from './fixtures/kube-backend.ts';
import { startPlatform, type Platform } from './fixtures/platform.ts';
import { clusterTestOptions } from './require.ts';

const group = 'apps.example.com';
const version = 'v1alpha1';
const namespace = 'http1';

const kinds = [
  {
    plugin: 'helmrelease',
    kind: 'Postgres',
    plural: 'postgreses',
    spec: { version: '16', replicas: 1 },
    changed: { replicas: 2 },
    backing: (name: string) => `${HELM_RELEASES}/namespaces/${namespace}/helmreleases/postgres-${name}`,
  },
  {
    plugin: 'secret',
    kind: 'Credential',
    plural: 'credentials',
    spec: { username: 'app', password: 'first' },
    changed: { password: 'second' },
    backing: (name: string) => `/api/v1/namespaces/${namespace}/secrets/cred-${name}`,
  },
] as const;

describe('writes over HTTP/1.1 to Kubernetes-backed kinds (client-node)', clusterTestOptions(), () => {
  let p: Platform;
  let api: CustomObjectsApi;

  before(async () => {
    p = await startPlatform([namespace]);
    const kc = new KubeConfig();
    kc.loadFromFile(p.kindred.kubeconfigPath);
    api = kc.makeApiClient(CustomObjectsApi);
  });
  after(async () => {
    await p?.stop();
  });

  for (const k of kinds) {
    const plural = k.plural;
    const object = (name: string, spec: Record<string, unknown>) => ({ apiVersion: `${group}/${version}`, kind: k.kind, metadata: { name, namespace }, spec });
    const backingStatus = async (name: string) => (await p.backend.admin.request('GET', k.backing(name))).status;

    it(`${k.plugin}: create, replace, merge patch, server-side apply, delete and deletecollection reach kube-apiserver`, async () => {
      const created = await api.createNamespacedCustomObject({ group, version, namespace, plural, body: object('one', k.spec) });
      assert.equal(created.metadata.name, 'one');
      assert.equal(await backingStatus('one'), 200, 'the backing object exists');

      const replaced = await api.replaceNamespacedCustomObject({
        group, version, namespace, plural, name: 'one',
        body: { ...object('one', { ...k.spec, ...k.changed }), metadata: { name: 'one', namespace, resourceVersion: created.metadata.resourceVersion } },
      });
      assert.notEqual(replaced.metadata.resourceVersion, created.metadata.resourceVersion);

      const patched = await api.patchNamespacedCustomObject(
        { group, version, namespace, plural, name: 'one', body: { metadata: { labels: { via: 'merge-patch' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      assert.equal(patched.metadata.labels.via, 'merge-patch');

      const applied = await api.patchNamespacedCustomObject(
        { group, version, namespace, plural, name: 'two', body: object('two', k.spec), fieldManager: 'http1-test', force: true },
        setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
      );
      assert.equal(applied.metadata.name, 'two');
      assert.equal(await backingStatus('two'), 200);

      await api.deleteNamespacedCustomObject({ group, version, namespace, plural, name: 'one' });
      assert.equal(await backingStatus('one'), 404, 'the backing object is gone');

      await api.deleteCollectionNamespacedCustomObject({ group, version, namespace, plural });
      assert.equal(await backingStatus('two'), 404);
      const left = await api.listNamespacedCustomObject({ group, version, namespace, plural });
      assert.deepEqual(left.items, []);
    });
  }
});
