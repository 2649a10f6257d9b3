/**
 * Server-side apply as users drive it: real kubectl (`apply --server-side`, two field
 * managers, `--force-conflicts`, `--show-managed-fields`, the migration from client-side
 * apply) and @kubernetes/client-node's KubernetesObjectApi.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { requireKubectl } from '../support/tools.ts';
import { E2E_CONFIG, gadget } from '../support/gadget-config.ts';

// Every kind names its backend, so these tests do not lean on a default.
const CONFIG = E2E_CONFIG.replaceAll(/scope: (Namespaced|Cluster)/g, 'scope: $1\n    backend: {plugin: memory}');

interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  subresource?: string;
  fieldsV1: Record<string, unknown>;
}

for (const version of ['1.29', '1.33']) {
  describe(`kubectl ${version} apply --server-side`, requireKubectl(version), () => {
    let k: TestKindred;
    const kubectl = (args: string[], input?: string) => k.kubectl(version, args, input === undefined ? {} : { input });
    const ok = async (args: string[], input?: string) => {
      const r = await kubectl(args, input);
      assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
      return r.stdout;
    };
    // kubectl hides managedFields unless asked.
    const getJson = async (name: string) => JSON.parse(await ok(['get', 'gadget', name, '-o', 'json', '--show-managed-fields']));
    const managers = async (name: string) => ((await getJson(name)).metadata.managedFields ?? []) as ManagedFieldsEntry[];
    const ssa = (manager: string, manifest: string, ...more: string[]) =>
      kubectl(['apply', '--server-side', `--field-manager=${manager}`, '-f', '-', ...more], manifest);

    before(async () => {
      k = await startTestKindred(CONFIG);
    });
    after(async () => {
      await k?.stop();
    });

    it('creates an object and records kubectl as its Apply manager', async () => {
      const out = await ok(['apply', '--server-side', '-f', '-'], gadget('ssa-create', { size: 1, color: 'red' }));
      assert.match(out, /gadget\.fleet\.example\.net\/ssa-create serverside-applied/);
      const [entry, ...rest] = await managers('ssa-create');
      assert.equal(rest.length, 0);
      assert.equal(entry?.manager, 'kubectl');
      assert.equal(entry?.operation, 'Apply');
      assert.deepEqual(entry?.fieldsV1, { 'f:spec': { 'f:color': {}, 'f:size': {} } });
    });

    it('refuses a second manager changing a field the first applied, naming the field and the manager', async () => {
      assert.equal((await ssa('a', gadget('ssa-two', { size: 1 }))).code, 0);
      const r = await ssa('b', gadget('ssa-two', { size: 2 }));
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, /conflict with "a"/);
      assert.match(r.stderr, /\.spec\.size/);
      assert.equal((await getJson('ssa-two')).spec.size, 1);
    });

    it('lets the second manager take the field with --force-conflicts', async () => {
      await ok(['apply', '--server-side', '--field-manager=b', '--force-conflicts', '-f', '-'], gadget('ssa-two', { size: 2, color: 'blue' }));
      assert.equal((await getJson('ssa-two')).spec.size, 2);
      // The first manager kept nothing, so only b is left.
      assert.deepEqual((await managers('ssa-two')).map((m) => m.manager), ['b']);
    });

    it('shows each manager in get -o yaml --show-managed-fields', async () => {
      await ok(['apply', '--server-side', '--field-manager=a', '-f', '-'], gadget('ssa-two', { size: 2, tags: ['x'] }));
      const yaml = await ok(['get', 'gadget', 'ssa-two', '-o', 'yaml', '--show-managed-fields']);
      assert.match(yaml, /manager: a\n\s+operation: Apply/);
      assert.match(yaml, /manager: b\n\s+operation: Apply/);
      assert.match(yaml, /f:tags: \{\}/);
      assert.doesNotMatch(await ok(['get', 'gadget', 'ssa-two', '-o', 'yaml']), /managedFields/);
    });

    it('removes a field the manager no longer applies', async () => {
      await ok(['apply', '--server-side', '-f', '-'], gadget('ssa-remove', { size: 3, color: 'green' }));
      await ok(['apply', '--server-side', '-f', '-'], gadget('ssa-remove', { size: 3 }));
      assert.deepEqual((await getJson('ssa-remove')).spec, { size: 3 });
    });

    it('changes nothing with --dry-run=server', async () => {
      const out = await ok(['apply', '--server-side', '--dry-run=server', '-o', 'json', '-f', '-'], gadget('ssa-remove', { size: 9 }));
      assert.equal(JSON.parse(out).spec.size, 9);
      assert.equal((await getJson('ssa-remove')).spec.size, 3);
    });

    it('takes over from a client-side apply of the same manifest', async () => {
      const manifest = gadget('ssa-migrate', { size: 4, color: 'red' });
      await ok(['apply', '-f', '-'], manifest);
      assert.deepEqual((await managers('ssa-migrate')).map((m) => m.manager), ['kubectl-client-side-apply']);
      await ok(['apply', '--server-side', '-f', '-'], manifest);
      const after = await managers('ssa-migrate');
      // kubectl rewrites managedFields so that its apply owns what client-side apply did.
      assert.ok(after.some((m) => m.manager === 'kubectl' && m.operation === 'Apply'), JSON.stringify(after));
      await ok(['apply', '--server-side', '-f', '-'], gadget('ssa-migrate', { size: 5 }));
      assert.deepEqual((await getJson('ssa-migrate')).spec, { size: 5 });
    });

    it('records a status write as an Update of the status subresource', async () => {
      await ok(['patch', 'gadget', 'ssa-create', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Up"}}']);
      const entry = (await managers('ssa-create')).find((m) => m.subresource === 'status');
      assert.equal(entry?.operation, 'Update');
      assert.deepEqual(entry?.fieldsV1, { 'f:status': { '.': {}, 'f:phase': {} } });
    });
  });
}

describe('@kubernetes/client-node server-side apply', () => {
  let k: TestKindred;
  let api: KubernetesObjectApi;
  const spec = (size: number, name = 'cn-ssa') =>
    ({ apiVersion: 'fleet.example.net/v1', kind: 'Gadget', metadata: { name, namespace: 'default' }, spec: { size } }) as KubernetesObject;

  before(async () => {
    k = await startTestKindred(CONFIG);
    const kc = new KubeConfig();
    kc.loadFromFile(k.kubeconfigPath);
    api = KubernetesObjectApi.makeApiClient(kc);
  });
  after(async () => {
    await k?.stop();
  });

  it('creates and then updates an object with PatchStrategy.ServerSideApply', async () => {
    const created = await api.patch(spec(1), undefined, undefined, 'node-controller', undefined, PatchStrategy.ServerSideApply);
    assert.equal((created as { spec: { size: number } }).spec.size, 1);
    const updated = await api.patch(spec(2), undefined, undefined, 'node-controller', undefined, PatchStrategy.ServerSideApply);
    assert.equal((updated as { spec: { size: number } }).spec.size, 2);
    assert.deepEqual(updated.metadata?.managedFields?.map((m) => [m.manager, m.operation]), [['node-controller', 'Apply']]);
  });

  it('gets a 409 from a conflicting manager, and wins with force', async () => {
    await assert.rejects(
      api.patch(spec(3), undefined, undefined, 'other', undefined, PatchStrategy.ServerSideApply),
      (error: { code?: number; body?: string }) => {
        assert.equal(error.code, 409);
        assert.match(String(error.body), /conflict with \\"node-controller\\"/);
        return true;
      },
    );
    const forced = await api.patch(spec(3), undefined, undefined, 'other', true, PatchStrategy.ServerSideApply);
    assert.equal((forced as { spec: { size: number } }).spec.size, 3);
  });
});
