/**
 * A real control plane for tests: etcd, kube-apiserver (aggregation layer and
 * RBAC on) and, on demand, kube-controller-manager, all on random loopback
 * ports, with certificates generated per run in a temp folder.
 *
 * The flags follow /work/shared/reference/control-plane-notes.md §3–§4; the
 * surprising ones carry their reason inline. Startup order is etcd /health →
 * kube-apiserver /readyz → `default` namespace (envtest waits for it too).
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueCertificate } from '../../core/tls/certificates.ts';
import type { KeyPairPem } from '../../core/tls/certificates.ts';
import { binariesDir } from './binaries.ts';
import { createPki, frontProxyClientName, writeKubeconfig } from './pki.ts';
import { get, waitUntil } from './probe.ts';
import { killAll, startProcess } from './process.ts';
import type { ManagedProcess } from './process.ts';

export { binariesDir } from './binaries.ts';

/** Bearer tokens accepted through --token-auth-file. */
export interface ControlPlaneTokens {
  /** User `admin`, group system:masters. */
  admin: string;
  /** User `alice`, group `team-a`, no RBAC bindings. */
  alice: string;
  /** User `bob`, no groups, no RBAC bindings. */
  bob: string;
}

export interface ControlPlane {
  /** https://127.0.0.1:<port> */
  apiServerUrl: string;
  /** http://127.0.0.1:<port> */
  etcdUrl: string;
  /** Temp folder with all certs, keys, kubeconfigs, data and process logs. */
  dir: string;
  /** The CA that signed kube-apiserver's serving cert. */
  caPem: string;
  /** Client cert `admin` in group system:masters. */
  adminKubeconfigPath: string;
  tokens: ControlPlaneTokens;
  /** Writes a kubeconfig with a client cert for `user` in `groups` (signed by the client CA); returns its path. */
  kubeconfigFor(user: string, groups?: string[]): Promise<string>;
  /** The aggregator-side identity, so a test can play it or check that others are refused. */
  frontProxy: { caPem: string; clientCertPem: string; clientKeyPem: string; allowedNames: string[] };
  /** Signs extra client certs that kube-apiserver accepts. */
  clientCa: KeyPairPem;
  /** Starts the namespace and garbage-collector controllers; resolves once /healthz answers. Idempotent. */
  startControllerManager(): Promise<void>;
  /** Stops kube-apiserver and starts it again with the same flags and port; resolves once /readyz is ok. */
  restartApiServer(): Promise<void>;
  /** PIDs of the processes currently running, by name. */
  processIds(): Record<string, number>;
  /** Kills every process (SIGTERM, then SIGKILL) and removes `dir`. */
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** Receives every output line of every process, prefixed with its name. */
  log?: (line: string) => void;
}

const apiServerReadyTimeoutMs = 90_000; // 2 cores: post-start hooks can take a minute (k/k PR #93398)

/** Starts etcd and kube-apiserver; throws (after cleaning up) with the failing process's log tail. */
export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const bin = await binariesDir();
  if (!bin) throw new Error('control-plane binaries are missing; run test/cluster/build.sh');
  const dir = await mkdtemp(join(tmpdir(), 'kindred-control-plane-'));
  // On exit, kill the children first (exit listeners run in registration order),
  // then remove their ~120 MB of files (etcd preallocates its WAL). Best effort:
  // a SIGKILLed child may still be dying.
  const removeDirOnExit = () => {
    killAll();
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  process.on('exit', removeDirOnExit);
  const processes = new Map<string, ManagedProcess>();
  const stopAll = async () => {
    for (const name of ['kube-controller-manager', 'kube-apiserver', 'etcd']) await processes.get(name)?.stop();
    await rm(dir, { recursive: true, force: true });
    process.removeListener('exit', removeDirOnExit);
  };
  try {
    return await boot(bin, dir, processes, stopAll, options);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function boot(
  bin: string,
  dir: string,
  processes: Map<string, ManagedProcess>,
  stopAll: () => Promise<void>,
  options: ControlPlaneOptions,
): Promise<ControlPlane> {
  const { etcdPort, etcdPeerPort, apiPort, kcmPort } = await freePorts(['etcdPort', 'etcdPeerPort', 'apiPort', 'kcmPort']);
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const apiServerUrl = `https://127.0.0.1:${apiPort}`;
  const pki = await createPki(dir);
  const caPem = pki.servingCa.certPem;
  const tokens: ControlPlaneTokens = { admin: token(), alice: token(), bob: token() };
  const tokenFile = join(dir, 'tokens.csv');
  // Rows are token,user,uid,"groups" (apiserver/pkg/authentication/token/tokenfile).
  await writeFile(
    tokenFile,
    `${tokens.admin},admin,admin-uid,"system:masters"\n${tokens.alice},alice,alice-uid,"team-a"\n${tokens.bob},bob,bob-uid\n`,
    { mode: 0o600 },
  );
  const start = async (name: string, args: string[]) => {
    const child = await startProcess(name, join(bin, name), args, { logPath: join(dir, `${name}.log`), log: options.log });
    processes.set(name, child);
    return child;
  };

  const etcd = await start('etcd', [
    '--name=default',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${etcdUrl}`,
    `--advertise-client-urls=${etcdUrl}`,
    // The default peer port 2380 collides between parallel runs.
    `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
    `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ]);
  await waitUntil('etcd /health', async () => (await get(`${etcdUrl}/health`)).body.includes('"health":"true"'), {
    process: etcd,
    timeoutMs: 30_000,
    intervalMs: 100,
  });

  const apiServerArgs = [
    `--etcd-servers=${etcdUrl}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${apiPort}`,
    // Unset, a loopback bind address makes it look for the default-route interface.
    '--advertise-address=127.0.0.1',
    // Loopback is not a valid Endpoints address (k/k #28723): do not reconcile it.
    '--endpoint-reconciler-type=none',
    '--service-cluster-ip-range=10.0.0.0/24',
    `--cert-dir=${join(dir, 'apiserver-certs')}`,
    `--tls-cert-file=${pki.files.servingCert}`,
    `--tls-private-key-file=${pki.files.servingKey}`,
    `--client-ca-file=${pki.files.clientCa}`,
    `--token-auth-file=${tokenFile}`,
    '--authorization-mode=RBAC',
    `--service-account-issuer=${apiServerUrl}`,
    `--service-account-signing-key-file=${pki.files.serviceAccountKey}`,
    `--service-account-key-file=${pki.files.serviceAccountPublicKey}`,
    `--requestheader-client-ca-file=${pki.files.frontProxyCa}`,
    `--requestheader-allowed-names=${frontProxyClientName}`,
    // No defaults in kube-apiserver; client-go hard-codes these names.
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    '--requestheader-uid-headers=X-Remote-Uid',
    `--proxy-client-cert-file=${pki.files.frontProxyClientCert}`,
    `--proxy-client-key-file=${pki.files.frontProxyClientKey}`,
    // ExternalName Services (our loopback APIService target) only resolve with routing off.
    '--enable-aggregator-routing=false',
    // No service-account controller runs, so there is no `default` ServiceAccount.
    '--disable-admission-plugins=ServiceAccount',
  ];
  const admin = await issueCertificate(pki.clientCa, { commonName: 'admin', organizations: ['system:masters'], usage: 'client' });
  const adminTls = { ca: caPem, cert: admin.certPem, key: admin.keyPem };
  const startApiServer = async () => {
    const apiServer = await start('kube-apiserver', apiServerArgs);
    await waitUntil('kube-apiserver /readyz', async () => (await get(`${apiServerUrl}/readyz`, { ca: caPem })).status === 200, {
      process: apiServer,
      timeoutMs: apiServerReadyTimeoutMs,
      intervalMs: 250,
    });
    await waitUntil(
      'the default namespace',
      async () => (await get(`${apiServerUrl}/api/v1/namespaces/default`, adminTls)).status === 200,
      { process: apiServer, timeoutMs: 30_000 },
    );
  };
  await startApiServer();

  let kubeconfigCount = 0;
  const kubeconfigFor = async (user: string, groups: string[] = []) => {
    const credentials = await issueCertificate(pki.clientCa, { commonName: user, organizations: groups, usage: 'client' });
    const path = join(dir, `kubeconfig-${user.replace(/[^A-Za-z0-9_.-]/g, '_')}-${++kubeconfigCount}.yaml`);
    await writeKubeconfig(path, { server: apiServerUrl, caPem, user, credentials });
    return path;
  };
  const adminKubeconfigPath = join(dir, 'admin.kubeconfig');
  await writeKubeconfig(adminKubeconfigPath, { server: apiServerUrl, caPem, user: 'admin', credentials: admin });

  let controllerManagerStarted: Promise<void> | undefined;
  const startControllerManager = async () => {
    const kubeconfig = join(dir, 'kube-controller-manager.kubeconfig');
    // system:masters: with --use-service-account-credentials=false every controller
    // acts as this user, and the namespace controller deletes any resource,
    // aggregated ones included.
    const credentials = await issueCertificate(pki.clientCa, {
      commonName: 'system:kube-controller-manager',
      organizations: ['system:masters'],
      usage: 'client',
    });
    await writeKubeconfig(kubeconfig, { server: apiServerUrl, caPem, user: 'kube-controller-manager', credentials });
    const kcm = await start('kube-controller-manager', [
      `--kubeconfig=${kubeconfig}`,
      '--controllers=namespace-controller,garbage-collector-controller',
      '--leader-elect=false',
      '--use-service-account-credentials=false',
      '--bind-address=127.0.0.1',
      `--secure-port=${kcmPort}`,
      `--cert-dir=${join(dir, 'kcm-certs')}`,
    ]);
    // Its serving cert is self-signed in --cert-dir; /healthz needs no identity.
    await waitUntil(
      'kube-controller-manager /healthz',
      async () => (await get(`https://127.0.0.1:${kcmPort}/healthz`, { insecure: true })).status === 200,
      { process: kcm, timeoutMs: 60_000, intervalMs: 250 },
    );
  };

  return {
    apiServerUrl,
    etcdUrl,
    dir,
    caPem,
    adminKubeconfigPath,
    tokens,
    kubeconfigFor,
    frontProxy: {
      caPem: pki.frontProxyCa.certPem,
      clientCertPem: pki.frontProxyClient.certPem,
      clientKeyPem: pki.frontProxyClient.keyPem,
      allowedNames: [frontProxyClientName],
    },
    clientCa: pki.clientCa,
    startControllerManager() {
      controllerManagerStarted ??= startControllerManager();
      return controllerManagerStarted;
    },
    async restartApiServer() {
      await processes.get('kube-apiserver')?.stop();
      await startApiServer();
    },
    processIds() {
      const ids: Record<string, number> = {};
      for (const [name, child] of processes) if (child.isRunning()) ids[name] = child.pid;
      return ids;
    },
    stop: stopAll,
  };
}

function token(): string {
  return randomBytes(24).toString('hex');
}

/**
 * Asks the kernel for one distinct free loopback port per name. All listeners
 * are held open until every port is known, so no port is handed out twice;
 * another process could still take one before we bind it (unlikely).
 */
export async function freePorts<Name extends string>(names: Name[]): Promise<Record<Name, number>> {
  const servers = await Promise.all(
    names.map(async () => {
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      return server;
    }),
  );
  const ports = {} as Record<Name, number>;
  names.forEach((name, i) => (ports[name] = (servers[i]?.address() as AddressInfo).port));
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
