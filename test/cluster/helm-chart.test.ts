/**
 * deploy/helm/kindred rendered by a real helm (built from its Go module by build-helm.sh)
 * and applied to a real kube-apiserver; the kustomize base is applied the same way. The
 * cert-manager objects are left out of what is applied: the test control plane has no
 * cert-manager CRDs.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { helmBinary } from './binaries.ts';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { clusterTestOptions } from './require.ts';
import { mustKubectl } from '../support/tools.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const chart = join(root, 'deploy/helm/kindred');
type Doc = Record<string, any>;

const kubeBackedConfig = {
  resources: [
    {
      group: 'apps.example.com',
      names: { kind: 'Postgres', plural: 'postgreses' },
      scope: 'Namespaced',
      versions: [{ name: 'v1alpha1', served: true, storage: true }],
      backend: { plugin: 'helmrelease', options: { chart: { name: 'postgres', sourceRef: { kind: 'HelmRepository', name: 'charts' } } } },
    },
    {
      group: 'secrets.example.com',
      names: { kind: 'Credential', plural: 'credentials' },
      scope: 'Namespaced',
      versions: [
        { name: 'v1', served: true, storage: true },
        { name: 'v1beta1', served: false, storage: false },
      ],
      backend: { plugin: 'secret' },
    },
  ],
};

describe('the Helm chart and the kustomize base', clusterTestOptions(), () => {
  let helm: string;
  let dir: string;
  let cp: ControlPlane;
  const kubectl = (...args: string[]) => run(mustKubectl('1.33'), ['--kubeconfig', cp.adminKubeconfigPath, ...args], { maxBuffer: 16 << 20 });

  const render = async (values: Doc, namespace = 'kindred-system'): Promise<Doc[]> => {
    const file = join(dir, `values-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, stringify(values));
    const { stdout } = await run(helm, ['template', 'kindred', chart, '--namespace', namespace, '-f', file], { maxBuffer: 16 << 20 });
    return parseAllDocuments(stdout).map((d) => d.toJSON() as Doc).filter((d) => d);
  };
  const byKind = (docs: Doc[], kind: string) => docs.filter((d) => d.kind === kind);
  const clusterRules = (docs: Doc[]) => byKind(docs, 'ClusterRole').find((r) => r.metadata.name === 'kindred')!.rules as Doc[];
  /** Applies what the test control plane can hold (all but cert-manager's kinds). */
  const apply = async (docs: Doc[]) => {
    const file = join(dir, `apply-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, docs.filter((d) => !String(d.apiVersion).startsWith('cert-manager.io/')).map((d) => stringify(d)).join('---\n'));
    return kubectl('apply', '--server-side', '-f', file);
  };

  before(async () => {
    const found = await helmBinary();
    assert.ok(found, 'helm is not built; run test/cluster/build-helm.sh');
    helm = found;
    dir = await mkdtemp(join(tmpdir(), 'kindred-chart-'));
    cp = await startControlPlane();
    await kubectl('create', 'namespace', 'kindred-system');
  });
  after(async () => {
    await cp?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs the default config (an embedded kind) as one StatefulSet pod with a data volume and least-privilege RBAC', async () => {
    const docs = await render({});
    const [sts] = byKind(docs, 'StatefulSet');
    assert.ok(sts, 'an embedded store runs as a StatefulSet');
    assert.equal(byKind(docs, 'Deployment').length, 0);
    assert.equal(sts.spec.replicas, 1);
    assert.equal(sts.spec.volumeClaimTemplates[0].metadata.name, 'data');
    const args: string[] = sts.spec.template.spec.containers[0].args;
    assert.ok(args.includes('--data-dir=/var/lib/kindred'));
    assert.ok(args.includes('--replicas=1'), 'kindred is told its replica count');
    assert.ok(args.includes('--config-configmap=kindred-system/kindred-config'));
    assert.equal(sts.spec.template.spec.containers[0].image, 'kindred:0.1.0', 'no placeholder registry');
    assert.deepEqual(byKind(docs, 'APIService').map((a) => a.metadata.name), ['v1alpha1.apps.example.com']);
    const resources = clusterRules(docs).flatMap((r) => r.resources);
    assert.ok(!resources.includes('secrets'), 'no Secret access without a secret kind');
    assert.ok(!resources.includes('helmreleases'));
    assert.equal(byKind(docs, 'PodDisruptionBudget').length, 0);
    await apply(docs);
    const got = JSON.parse((await kubectl('get', 'statefulset,configmap,apiservice', '-A', '-l', 'app.kubernetes.io/instance=kindred', '-o', 'json')).stdout);
    assert.deepEqual(got.items.map((i: Doc) => i.kind).sort(), ['APIService', 'ConfigMap', 'StatefulSet']);
  });

  it('refuses two replicas of a process-local config, naming the store', async () => {
    await assert.rejects(render({ replicas: 2 }), /replicas: 2 pods cannot share kinds on a process-local store \(embedded\)/);
  });

  it('scales a Kubernetes-backed config out as a Deployment and grants exactly the plugins it uses', async () => {
    const docs = await render({ replicas: 3, config: kubeBackedConfig }, 'platform');
    const [deployment] = byKind(docs, 'Deployment');
    assert.equal(deployment?.spec.replicas, 3);
    assert.ok(deployment?.spec.template.spec.containers[0].args.includes('--replicas=3'));
    assert.equal(byKind(docs, 'StatefulSet').length, 0);
    assert.equal(byKind(docs, 'PodDisruptionBudget').length, 1);
    const rules = clusterRules(docs);
    assert.deepEqual(rules.find((r) => r.resources.includes('secrets'))?.verbs, ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']);
    assert.ok(rules.some((r) => r.resources.includes('helmreleases')));
    assert.ok(!rules.some((r) => r.resources.includes('apiservices')), 'cert-manager mode does not manage APIServices');
    assert.deepEqual(byKind(docs, 'APIService').map((a) => a.metadata.name), ['v1.secrets.example.com', 'v1alpha1.apps.example.com']);
    const apiService = byKind(docs, 'APIService')[0]!;
    assert.deepEqual(apiService.spec.service, { namespace: 'platform', name: 'kindred', port: 443 });
    assert.equal(apiService.metadata.annotations['cert-manager.io/inject-ca-from'], 'platform/kindred-serving');
    await kubectl('create', 'namespace', 'platform');
    await apply(docs);
    assert.match((await kubectl('get', 'deployment', 'kindred', '-n', 'platform')).stdout, /kindred/);
  });

  it('in self-signed mode lets kindred manage its APIServices and makes no cert-manager objects', async () => {
    const docs = await render({ certificates: { mode: 'self-signed' }, config: kubeBackedConfig }, 'selfsigned');
    assert.equal(docs.filter((d) => String(d.apiVersion).startsWith('cert-manager.io/')).length, 0);
    assert.equal(byKind(docs, 'APIService').length, 0);
    const args: string[] = byKind(docs, 'Deployment')[0]!.spec.template.spec.containers[0].args;
    assert.ok(args.includes('--manage-apiservices'));
    assert.ok(!args.some((a) => a.startsWith('--tls-cert-file')));
    assert.ok(clusterRules(docs).some((r) => r.resources.includes('apiservices')));
  });

  it('refuses to scale out with self-made certificates, which no single APIService caBundle could trust', async () => {
    await assert.rejects(render({ certificates: { mode: 'self-signed' }, replicas: 2, config: kubeBackedConfig }), /each make their own serving certificate/);
  });

  it('uses an existing ConfigMap with the group-versions and plugins it is told', async () => {
    const docs = await render({ existingConfigMap: 'my-kinds', groupVersions: ['v2.zones.example.com'], plugins: ['http'] });
    assert.equal(byKind(docs, 'ConfigMap').length, 0);
    assert.deepEqual(byKind(docs, 'APIService').map((a) => a.metadata.name), ['v2.zones.example.com']);
    assert.ok(byKind(docs, 'Deployment')[0]!.spec.template.spec.containers[0].args.includes('--config-configmap=kindred-system/my-kinds'));
    assert.deepEqual(clusterRules(docs).find((r) => r.resources.includes('secrets'))?.verbs, ['get', 'list', 'watch']);
  });

  it('applies the kustomize base as kubectl renders it', async () => {
    const { stdout } = await kubectl('kustomize', join(root, 'deploy/kustomize/base'));
    const docs = parseAllDocuments(stdout).map((d) => d.toJSON() as Doc).filter((d) => d);
    // Both install a StatefulSet `kindred` in kindred-system, and a StatefulSet's volume claims
    // cannot change in place: the chart's (from the first test) goes first, as it would when
    // switching from one to the other.
    await kubectl('delete', 'statefulset', 'kindred', '-n', 'kindred-system', '--ignore-not-found');
    await apply(docs.filter((d) => d.kind !== 'Namespace'));
    const got = JSON.parse((await kubectl('get', 'serviceaccount,service,configmap', '-n', 'kindred-system', '-l', 'app.kubernetes.io/name=kindred', '-o', 'json')).stdout);
    assert.ok(got.items.some((i: Doc) => i.kind === 'Service' && i.metadata.name === 'kindred'));
  });
});
