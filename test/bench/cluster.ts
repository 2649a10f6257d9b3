/**
 * The real control plane the Kubernetes-backed scenarios run on: etcd and kube-apiserver
 * with the HelmRelease CRD (test/cluster/fixtures/kube-backend.ts), and kindred in its own
 * process in aggregated mode, registered with an APIService for bench.example.com/v1 so
 * that kube-apiserver's aggregator proxies to it. kindred serves the bench Widget (memory
 * store) and a Database kind backed by the helmrelease plugin.
 *
 * Authorization is the same on every side: each identity is in `system:masters`, which
 * kube-apiserver and kindred's delegated authorizer both allow without a
 * SubjectAccessReview, as standalone kindred allows every authenticated user.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { binariesDir, binaryFolder } from '../cluster/binaries.ts';
import { KINDRED_NAMESPACE, KINDRED_SERVICE, servingCertificate } from '../cluster/aggregation-setup.ts';
import { startKubeBackend, must, type KubeBackend } from '../cluster/fixtures/kube-backend.ts';
import { credentialsFromKubeconfig } from '../support/http.ts';
import { eventually } from '../support/eventually.ts';
import { processCpuMs, startServer, type ServerProcess } from './servers.ts';
import { NAMESPACE } from './requests.ts';
import type { Side } from './compare.ts';
import { benchKind } from './kinds.ts';

export const DATABASES = `/apis/bench.example.com/v1/namespaces/${NAMESPACE}/databases`;
export const HELM_RELEASES = `/apis/helm.toolkit.fluxcd.io/v2/namespaces/${NAMESPACE}/helmreleases`;
/** The helmrelease plugin's name prefix: Database `x` is HelmRelease `db-x`. */
export const RELEASE_PREFIX = 'db-';

const DATABASE_KIND = benchKind({
  group: 'bench.example.com',
  kind: 'Database',
  plural: 'databases',
  backend: `{plugin: helmrelease, options: {prefix: ${RELEASE_PREFIX}, chart: {name: postgres, version: 1.x, sourceRef: {kind: HelmRepository, name: charts, namespace: flux-system}}}}`,
});

export interface BenchCluster {
  backend: KubeBackend;
  kindred: ServerProcess;
  /** kindred direct, as the aggregator reaches it: front-proxy certificate and X-Remote-* headers. */
  kindredViaFrontProxy: Side;
  /** kindred direct with the admin client certificate (delegated client-CA authentication). */
  kindredClientCert: Side;
  /** kube-apiserver with the admin client certificate; its cost is kube-apiserver's and etcd's CPU. */
  apiServer: Side;
  /** The same, for kindred's kinds through the aggregator: kube-apiserver's, etcd's and kindred's CPU. */
  aggregator: Side;
  stop(): Promise<void>;
}

/** Why the cluster scenarios cannot run here, or undefined when they can (KINDRED_REQUIRE_CLUSTER builds or throws). */
export async function clusterUnavailable(): Promise<string | undefined> {
  return (await binariesDir()) ? undefined : `skipped: no control-plane binaries in ${binaryFolder()} (test/cluster/build.sh)`;
}

export async function startBenchCluster(): Promise<BenchCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'kindred-bench-cluster-'));
  const backend = await startKubeBackend([NAMESPACE, KINDRED_NAMESPACE]);
  let kindred: ServerProcess | undefined;
  try {
    const files = await servingCertificate(dir);
    kindred = await startServer('kindred', {
      extraResources: DATABASE_KIND,
      aggregated: { tlsCertFile: files.certFile, tlsPrivateKeyFile: files.keyFile, kubeconfig: backend.cp.adminKubeconfigPath },
    });
    const { cp, admin } = backend;
    await must(admin, 'POST', `/api/v1/namespaces/${KINDRED_NAMESPACE}/services`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: KINDRED_SERVICE, namespace: KINDRED_NAMESPACE },
      // The aggregator's loopback route (control-plane-notes.md §5).
      spec: { type: 'ExternalName', externalName: '127.0.0.1' },
    });
    await must(admin, 'POST', '/apis/apiregistration.k8s.io/v1/apiservices', {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1.bench.example.com' },
      spec: {
        group: 'bench.example.com',
        version: 'v1',
        service: { namespace: KINDRED_NAMESPACE, name: KINDRED_SERVICE, port: Number(new URL(kindred.target.url).port) },
        caBundle: Buffer.from(files.ca.certPem).toString('base64'),
        groupPriorityMinimum: 1000,
        versionPriority: 15,
      },
    });
    const adminCreds = credentialsFromKubeconfig(cp.adminKubeconfigPath);
    const kindredSide = (cert: string, key: string, headers?: Record<string, string>): Side => ({
      target: { url: kindred!.target.url, ca: files.ca.certPem, cert, key },
      ...(headers ? { headers } : {}),
      cpuMs: () => kindred!.cpuMs(),
    });
    const pids = cp.processIds();
    const controlPlaneCpu = () => processCpuMs(pids['kube-apiserver']!) + processCpuMs(pids['etcd']!);
    const adminTarget = { url: cp.apiServerUrl, ca: cp.caPem, cert: adminCreds.cert!, key: adminCreds.key! };
    const cluster: BenchCluster = {
      backend,
      kindred,
      // What kube-apiserver's proxy sends for the admin user (client-go SetAuthProxyHeaders).
      kindredViaFrontProxy: kindredSide(cp.frontProxy.clientCertPem, cp.frontProxy.clientKeyPem, { 'x-remote-user': 'admin', 'x-remote-group': 'system:masters' }),
      kindredClientCert: kindredSide(adminCreds.cert!, adminCreds.key!),
      apiServer: { target: adminTarget, cpuMs: controlPlaneCpu },
      aggregator: { target: adminTarget, cpuMs: () => controlPlaneCpu() + kindred!.cpuMs(), part: { name: 'kindred', cpuMs: () => kindred!.cpuMs() } },
      stop: async () => {
        await kindred?.stop();
        await backend.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
    // Available, and the proxy's TLS to kindred good (Available alone does not prove it).
    await eventually('bench.example.com/v1 through the aggregator', async () => (await admin.request('GET', `/apis/bench.example.com/v1/namespaces/${NAMESPACE}/widgets`)).status === 200, {
      timeoutMs: 90_000,
      intervalMs: 250,
    });
    return cluster;
  } catch (error) {
    await kindred?.stop();
    await backend.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
