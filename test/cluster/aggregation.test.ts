/**
 * kindred behind a real kube-apiserver's aggregator: registered with the shipped APIService
 * and RBAC manifests, reached by real kubectl through kube-apiserver, with authentication
 * and authorization delegated back to kube-apiserver. One control plane for the whole file.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningKindred } from '../../app/startup.ts';
import { issueCertificate } from '../../core/tls/certificates.ts';
import { KubeClient } from '../../lib/kube/client.ts';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { clusterTestOptions } from './require.ts';
import {
  GROUP_VERSIONS, KINDRED_NAMESPACE, KINDRED_USER, apply, availability, direct, kubectl, loopbackService,
  renderManifests, servingCertificate, startAggregatedKindred, templateManifests, waitFor, type ServingFiles,
} from './aggregation-setup.ts';

const postgres = (name: string, namespace: string) =>
  JSON.stringify({ apiVersion: 'apps.example.com/v1alpha1', kind: 'Postgres', metadata: { name, namespace }, spec: { version: '16', size: 1 } });

/** Watches open on kindred's stores (the memory store counts them). */
function openWatches(running: RunningKindred): number {
  const stores = running.reloader.generation?.snapshot.stores.values() ?? [];
  return [...stores].reduce((n, store) => n + ((store as { openWatches?: number }).openWatches ?? 0), 0);
}

describe('kindred behind the aggregator', clusterTestOptions(), () => {
  let cp: ControlPlane;
  let dir: string;
  let files: ServingFiles;
  let kindred: RunningKindred | undefined;
  let kindredKubeconfig: string;
  let port: number;
  const admin = () => ['--kubeconfig', cp.adminKubeconfigPath];
  const k = (args: string[], input?: string) => kubectl(dir, args, input);

  before(async () => {
    const started = Date.now();
    dir = await mkdtemp(join(tmpdir(), 'kindred-aggregation-'));
    cp = await startControlPlane();
    const controllers = cp.startControllerManager();
    files = await servingCertificate(dir);
    const manifests = await renderManifests(dir);
    const { setup } = templateManifests(manifests, { port: 0, caPem: files.ca.certPem });
    await apply(dir, cp.adminKubeconfigPath, [...setup, loopbackService()]);
    // kindred's identity is its ServiceAccount's user name, so the shipped RBAC applies to it.
    kindredKubeconfig = await cp.kubeconfigFor(KINDRED_USER, ['system:serviceaccounts', `system:serviceaccounts:${KINDRED_NAMESPACE}`]);
    kindred = await startAggregatedKindred({ port: 0, files, kubeconfig: kindredKubeconfig });
    port = kindred.port;
    await apply(dir, cp.adminKubeconfigPath, templateManifests(manifests, { port, caPem: files.ca.certPem }).apiServices);
    await controllers;
    for (const name of GROUP_VERSIONS) await waitFor(`${name} Available`, async () => (await availability(dir, cp, name)) === 'True');
    console.log(`# aggregation setup ${Date.now() - started} ms`);
  });

  after(async () => {
    await kindred?.stop();
    await cp?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reports every shipped APIService Available', async () => {
    for (const name of GROUP_VERSIONS) assert.equal(await availability(dir, cp, name), 'True');
  });

  it('lists its kinds in kubectl api-resources through kube-apiserver', async () => {
    const result = await k([...admin(), 'api-resources', '--api-group=apps.example.com', '-o', 'name']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^postgreses\.apps\.example\.com$/m);
    assert.match(result.stdout, /^buckets\.apps\.example\.com$/m);
    const cluster = await k([...admin(), 'api-resources', '--api-group=platform.example.com', '--namespaced=false', '-o', 'name']);
    assert.match(cluster.stdout, /^tenants\.platform\.example\.com$/m);
  });

  it("leaves kube-apiserver's merged /openapi/v2 with one definition per kind, so GVK parsers (Argo CD's) accept it", async () => {
    type Definitions = Record<string, { 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[] }>;
    let definitions: Definitions = {};
    // The aggregator downloads kindred's document in the background: wait until it is merged.
    await waitFor('kindred kinds in the merged /openapi/v2', async () => {
      const got = await new KubeClient(cp.adminKubeconfigPath).request('GET', '/openapi/v2');
      definitions = (got.body as { definitions?: Definitions } | undefined)?.definitions ?? {};
      return Object.keys(definitions).some((name) => name.endsWith('.Postgres'));
    }, 60_000, 1000);
    const renamed = Object.keys(definitions).filter((name) => /_v\d+$/.test(name) && name.startsWith('io.k8s.'));
    assert.deepEqual(renamed, [], 'shared definitions published differently from kube-apiserver get renamed copies');
    const owners = new Map<string, string[]>();
    for (const [name, definition] of Object.entries(definitions)) {
      for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
        const key = `${gvk.group}/${gvk.version}, Kind=${gvk.kind}`;
        owners.set(key, [...(owners.get(key) ?? []), name]);
      }
    }
    const duplicated = [...owners].filter(([, names]) => names.length > 1);
    assert.deepEqual(duplicated, [], 'every GVK is claimed by exactly one definition');
    // kindred's own document, with the cluster's models in it, still encodes as protobuf (kubectl 1.27 reads that).
    const protobuf = await direct(`https://127.0.0.1:${port}/openapi/v2`, {
      caPem: files.ca.certPem,
      headers: { authorization: `Bearer ${cp.tokens.admin}`, accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' },
    });
    assert.equal(protobuf.status, 200, protobuf.body);
  });

  it('creates, reads, patches, watches and deletes through the aggregator', async () => {
    assert.equal((await k([...admin(), 'create', 'namespace', 'crud'])).code, 0);
    const watch = k([...admin(), 'get', 'postgreses', '-n', 'crud', '-w', '--request-timeout=8s', '-o', 'name']);
    // The create must come after the watch has reached kindred, or the watch would not see it.
    await waitFor('the watch to reach kindred', async () => openWatches(kindred!) > 0, 30_000, 50);
    const created = await k([...admin(), 'apply', '-f', '-'], postgres('db1', 'crud'));
    assert.equal(created.code, 0, created.stderr);
    const got = await k([...admin(), 'get', 'pg', 'db1', '-n', 'crud', '-o', 'jsonpath={.spec.version}']);
    assert.equal(got.stdout, '16', got.stderr);
    const patched = await k([...admin(), 'patch', 'postgres', 'db1', '-n', 'crud', '--type=merge', '-p', '{"spec":{"size":3}}']);
    assert.equal(patched.code, 0, patched.stderr);
    const table = await k([...admin(), 'get', 'postgreses', '-n', 'crud']);
    assert.match(table.stdout, /db1\s+16\s+3/);
    assert.match((await watch).stdout, /postgres\.apps\.example\.com\/db1/);
    const explained = await k([...admin(), 'explain', 'postgres.spec.size']);
    assert.match(explained.stdout, /number of instances/, explained.stderr);
    assert.equal((await k([...admin(), 'delete', 'postgres', 'db1', '-n', 'crud'])).code, 0);
    assert.match((await k([...admin(), 'get', 'postgres', 'db1', '-n', 'crud'])).stderr, /NotFound/);
  });

  it('refuses creates in a namespace that does not exist', async () => {
    const result = await k([...admin(), 'apply', '-f', '-'], postgres('db1', 'nowhere'));
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /namespaces "nowhere" not found/);
  });

  it('answers 403 to a user without RBAC, and allows exactly what a Role grants', async () => {
    await k([...admin(), 'create', 'namespace', 'rbac']);
    const dave = await cp.kubeconfigFor('dave');
    const denied = await k(['--kubeconfig', dave, 'get', 'postgreses', '-n', 'rbac']);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, /Forbidden|forbidden/);
    await k([...admin(), 'create', 'role', 'pg-editor', '-n', 'rbac', '--verb=get,list,watch,create,delete', '--resource=postgreses.apps.example.com']);
    await k([...admin(), 'create', 'rolebinding', 'erin-pg', '-n', 'rbac', '--role=pg-editor', '--user=erin']);
    const erin = await cp.kubeconfigFor('erin');
    const created = await k(['--kubeconfig', erin, 'create', '-f', '-'], postgres('erins', 'rbac'));
    assert.equal(created.code, 0, created.stderr);
    assert.equal((await k(['--kubeconfig', erin, 'get', 'postgreses', '-n', 'rbac', '-o', 'name'])).stdout.trim(), 'postgres.apps.example.com/erins');
    const buckets = await k(['--kubeconfig', erin, 'get', 'buckets', '-n', 'rbac']);
    assert.match(buckets.stderr, /forbidden/i);
    const canI = async (what: string) => (await k(['--kubeconfig', erin, 'auth', 'can-i', 'list', what, '-n', 'rbac'])).stdout.trim();
    assert.equal(await canI('postgreses.apps.example.com'), 'yes');
    assert.equal(await canI('pg'), 'yes');
    assert.equal(await canI('buckets.apps.example.com'), 'no');
  });

  it('authorizes direct bearer-token requests with TokenReview and SubjectAccessReview', async () => {
    const url = `https://127.0.0.1:${port}/apis/apps.example.com/v1alpha1/namespaces/rbac/postgreses`;
    const asAdmin = await direct(url, { caPem: files.ca.certPem, headers: { authorization: `Bearer ${cp.tokens.admin}` } });
    assert.equal(asAdmin.status, 200, asAdmin.body);
    const asBob = await direct(url, { caPem: files.ca.certPem, headers: { authorization: `Bearer ${cp.tokens.bob}` } });
    assert.equal(asBob.status, 403, asBob.body);
    assert.match(asBob.body, /User \\"bob\\" cannot list resource \\"postgreses\\"/);
    const invalid = await direct(url, { caPem: files.ca.certPem, headers: { authorization: 'Bearer not-a-token' } });
    assert.equal(invalid.status, 401);
  });

  it('ignores a forged X-Remote-User without the front-proxy certificate', async () => {
    const url = `https://127.0.0.1:${port}/apis/apps.example.com/v1alpha1/postgreses`;
    const forged = { 'x-remote-user': 'admin', 'x-remote-group': ['system:masters'] };
    const noCert = await direct(url, { caPem: files.ca.certPem, headers: forged });
    assert.equal(noCert.status, 401, noCert.body);
    // A client certificate from the client CA is a user of its own, never a proxy.
    const clientCert = await issueCertificate(cp.clientCa, { commonName: 'mallory', usage: 'client' });
    const asMallory = await direct(url, { caPem: files.ca.certPem, cert: clientCert.certPem, key: clientCert.keyPem, headers: forged });
    assert.equal(asMallory.status, 403, asMallory.body);
    assert.match(asMallory.body, /mallory/);
    // The real front-proxy certificate is believed.
    const proxied = await direct(url, { caPem: files.ca.certPem, cert: cp.frontProxy.clientCertPem, key: cp.frontProxy.clientKeyPem, headers: forged });
    assert.equal(proxied.status, 200, proxied.body);
  });

  it('refuses creates in a terminating namespace, and finishes deleting a namespace holding its objects', async () => {
    await k([...admin(), 'create', 'namespace', 'doomed']);
    assert.equal((await k([...admin(), 'create', '-f', '-'], postgres('db', 'doomed'))).code, 0);
    // A finalizer on a core object holds the namespace in Terminating while we try.
    await k([...admin(), 'create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hold', namespace: 'doomed', finalizers: ['kindred.test/hold'] } }));
    await k([...admin(), 'delete', 'namespace', 'doomed', '--wait=false']);
    await waitFor('a create refused as terminating', async () => {
      const result = await k([...admin(), 'create', '-f', '-'], postgres('late', 'doomed'));
      return /being terminated/.test(result.stderr);
    }, 30_000);
    await k([...admin(), 'patch', 'configmap', 'hold', '-n', 'doomed', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    const deleted = await waitFor('namespace doomed gone', async () => /NotFound/.test((await k([...admin(), 'get', 'namespace', 'doomed'])).stderr), 120_000, 1000);
    console.log(`# namespace deletion finished in ${deleted} ms`);
    const left = await direct(`https://127.0.0.1:${port}/apis/apps.example.com/v1alpha1/namespaces/doomed/postgreses`, {
      caPem: files.ca.certPem, headers: { authorization: `Bearer ${cp.tokens.admin}` },
    });
    assert.equal((JSON.parse(left.body) as { items: unknown[] }).items.length, 0);
  });

  it('turns unavailable when stopped, keeps core APIs working, and recovers when restarted', async () => {
    await kindred!.stop();
    kindred = undefined;
    const down = await waitFor('APIService unavailable', async () => (await availability(dir, cp, GROUP_VERSIONS[0]!)) === 'False', 120_000, 1000);
    console.log(`# unavailable after ${down} ms`);
    const core = await k([...admin(), 'get', 'namespace', 'default', '-o', 'name']);
    assert.equal(core.stdout.trim(), 'namespace/default', core.stderr);
    kindred = await startAggregatedKindred({ port, files, kubeconfig: kindredKubeconfig });
    const up = await waitFor('APIService available again', async () => (await availability(dir, cp, GROUP_VERSIONS[0]!)) === 'True', 120_000, 1000);
    console.log(`# available again after ${up} ms`);
    const listed = await k([...admin(), 'get', 'postgreses', '-A']);
    assert.equal(listed.code, 0, listed.stderr);
  });
});
