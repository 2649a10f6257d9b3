/**
 * kindred registered behind a real kube-apiserver, for the aggregation tests: the shipped
 * deploy/ manifests (Namespace, RBAC, APIServices) rendered with `kubectl kustomize` and
 * templated with this run's values, an ExternalName Service to 127.0.0.1 (the aggregator's
 * loopback route, control-plane-notes.md §5), a serving certificate for
 * `kindred.kindred-system.svc` whose CA goes into each APIService's caBundle, and kindred
 * started in-process in aggregated mode as its ServiceAccount.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import https from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { parseAllDocuments } from 'yaml';
import { startKindred, type RunningKindred } from '../../app/startup.ts';
import { createCertificateAuthority, issueCertificate, type KeyPairPem } from '../../core/tls/certificates.ts';
import { mustKubectl } from '../support/tools.ts';
import type { ControlPlane } from './control-plane.ts';
import { eventually } from '../support/eventually.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const KINDRED_NAMESPACE = 'kindred-system';
export const KINDRED_SERVICE = 'kindred';
export const KINDRED_USER = `system:serviceaccount:${KINDRED_NAMESPACE}:kindred`;
/** The example config the manifests' APIServices are written for. */
export const CONFIG_PATH = join(root, 'config/examples/apps.yaml');
export const GROUP_VERSIONS = ['v1alpha1.apps.example.com', 'v1alpha1.platform.example.com'];

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> } } & Record<string, unknown>;

/** Runs kubectl 1.33 with its own discovery cache under `dir`; never throws on a non-zero exit. */
export function kubectl(dir: string, args: string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      mustKubectl('1.33'),
      args,
      { env: { ...process.env, KUBECACHEDIR: join(dir, 'kubectl-cache'), HOME: dir }, timeout: 120_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The kustomize base as kubectl renders it. */
export async function renderManifests(dir: string): Promise<Manifest[]> {
  const rendered = await kubectl(dir, ['kustomize', join(root, 'deploy/kustomize/base')]);
  if (rendered.code !== 0) throw new Error(`kubectl kustomize failed: ${rendered.stderr}`);
  return parseAllDocuments(rendered.stdout).map((d) => d.toJSON() as Manifest).filter(Boolean);
}

/**
 * The shipped objects this test applies: Namespace, RBAC, and the APIServices with the
 * loopback port and the test CA (cert-manager's injection annotation dropped: no cainjector).
 */
export function templateManifests(manifests: Manifest[], values: { port: number; caPem: string }): { setup: Manifest[]; apiServices: Manifest[] } {
  const rbac = new Set(['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ServiceAccount', 'Namespace']);
  const setup = manifests.filter((m) => rbac.has(m.kind));
  const apiServices = manifests
    .filter((m) => m.kind === 'APIService')
    .map((m) => {
      const spec = structuredClone(m.spec) as { service: { port: number }; caBundle?: string };
      spec.service.port = values.port;
      spec.caBundle = Buffer.from(values.caPem).toString('base64');
      const { annotations: _dropped, ...metadata } = m.metadata;
      return { ...m, metadata, spec };
    });
  return { setup, apiServices };
}

export async function apply(dir: string, kubeconfig: string, objects: Manifest[]): Promise<void> {
  const input = objects.map((o) => JSON.stringify(o)).join('\n');
  const result = await kubectl(dir, ['--kubeconfig', kubeconfig, 'apply', '-f', '-'], input);
  if (result.code !== 0) throw new Error(`kubectl apply failed: ${result.stderr}`);
}

/** The ExternalName Service the aggregator resolves to 127.0.0.1 (its ports are ignored). */
export function loopbackService(): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: KINDRED_SERVICE, namespace: KINDRED_NAMESPACE },
    spec: { type: 'ExternalName', externalName: '127.0.0.1' },
  };
}

export interface ServingFiles {
  ca: KeyPairPem;
  serving: KeyPairPem;
  certFile: string;
  keyFile: string;
}

/** A CA and a serving certificate for the name the aggregator verifies, written to `dir`. */
export async function servingCertificate(dir: string): Promise<ServingFiles> {
  const ca = await createCertificateAuthority('kindred-test-serving-ca');
  const serving = await issueCertificate(ca, {
    commonName: 'kindred',
    dnsNames: [`${KINDRED_SERVICE}.${KINDRED_NAMESPACE}.svc`],
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
  });
  const certFile = join(dir, 'kindred-tls.crt');
  const keyFile = join(dir, 'kindred-tls.key');
  await writeFile(certFile, serving.certPem);
  await writeFile(keyFile, serving.keyPem, { mode: 0o600 });
  return { ca, serving, certFile, keyFile };
}

/** kindred in aggregated mode, authenticating to kube-apiserver as its ServiceAccount. */
export async function startAggregatedKindred(options: { port: number; files: ServingFiles; kubeconfig: string }): Promise<RunningKindred> {
  return startKindred({
    configPath: CONFIG_PATH,
    port: options.port,
    host: '127.0.0.1',
    log: pino({ level: process.env.KINDRED_TEST_LOG ?? 'silent' }),
    tlsCertFile: options.files.certFile,
    tlsPrivateKeyFile: options.files.keyFile,
    kubeconfig: options.kubeconfig,
    // Beside the serving certificate, in the test's own folder.
    dataDir: join(dirname(options.files.certFile), 'data'),
    watchConfig: false,
  });
}

/** The APIService's Available condition status ('True', 'False', or '' when not reported). */
export async function availability(dir: string, cp: ControlPlane, name: string): Promise<string> {
  const result = await kubectl(dir, ['--kubeconfig', cp.adminKubeconfigPath, 'get', 'apiservice', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Available")].status}']);
  return result.stdout.trim();
}

/** Waits for `check` (see eventually); returns how long it took, for the log. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 90_000, intervalMs = 500): Promise<number> {
  const started = Date.now();
  await eventually(what, check, { timeoutMs, intervalMs });
  return Date.now() - started;
}

/** One request straight to kindred (not through the aggregator), with optional client cert and headers. */
export function direct(
  url: string,
  options: { caPem: string; cert?: string; key?: string; headers?: Record<string, string | string[]>; method?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: options.method ?? 'GET',
        ca: options.caPem,
        servername: `${KINDRED_SERVICE}.${KINDRED_NAMESPACE}.svc`,
        agent: false,
        ...(options.cert ? { cert: options.cert, key: options.key } : {}),
        headers: options.headers ?? {},
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
