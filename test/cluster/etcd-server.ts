/**
 * A lone real etcd for the etcd plugin's tests: the binary test/cluster/build.sh builds, on
 * free loopback ports, in a temporary folder. It can be stopped and started again on the
 * same ports and data, to test what kindred does while etcd is down and after it is back.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCertificateAuthority, issueCertificate } from '../../core/tls/certificates.ts';
import { binariesDir } from './binaries.ts';
import { freePorts } from './control-plane.ts';
import { get, waitUntil } from './probe.ts';
import { killAll, startProcess, type ManagedProcess } from './process.ts';

export interface EtcdServer {
  /** `http(s)://127.0.0.1:PORT`, for `--etcd-servers`. */
  url: string;
  /** With `tls`: the files for `--etcd-cafile`, `--etcd-certfile`, `--etcd-keyfile` (a client certificate etcd trusts). */
  tls?: { caFile: string; certFile: string; keyFile: string };
  /** Stops etcd (SIGKILL when `kill`); its data stays. */
  stop(options?: { kill?: boolean }): Promise<void>;
  /** Starts it again on the same ports and data; resolves once it is healthy. */
  start(): Promise<void>;
  /** Stops it for good and removes its data. */
  remove(): Promise<void>;
}

/** `tls`: serve clients over TLS and require a client certificate (`--client-cert-auth`). */
export async function startEtcd(options: { tls?: boolean } = {}): Promise<EtcdServer> {
  const bin = await binariesDir();
  if (!bin) throw new Error('control-plane binaries are missing; run test/cluster/build.sh');
  const dir = await mkdtemp(join(tmpdir(), 'kindred-etcd-'));
  const removeOnExit = () => {
    killAll();
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  process.on('exit', removeOnExit);
  const { client, peer } = await freePorts(['client', 'peer']);
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${client}`;
  const tls = options.tls ? await writeTlsFiles(dir) : undefined;
  const args = [
    ...(tls
      ? [`--cert-file=${tls.server.certFile}`, `--key-file=${tls.server.keyFile}`, `--trusted-ca-file=${tls.client.caFile}`, '--client-cert-auth']
      : []),
    '--name=default',
    `--data-dir=${join(dir, 'data')}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-cluster=default=http://127.0.0.1:${peer}`,
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
  let etcd: ManagedProcess | undefined;
  const start = async (): Promise<void> => {
    const child = await startProcess('etcd', join(bin, 'etcd'), args, { logPath: join(dir, 'etcd.log') });
    etcd = child;
    const credentials = tls ? { ca: tls.pem.ca, cert: tls.pem.cert, key: tls.pem.key } : {};
    await waitUntil('etcd /health', async () => (await get(`${url}/health`, credentials)).body.includes('"health":"true"'), {
      process: child,
      timeoutMs: 30_000,
      intervalMs: 100,
    });
  };
  const stop = async (options: { kill?: boolean } = {}): Promise<void> => {
    await etcd?.stop(options.kill ? 0 : 10_000);
  };
  try {
    await start();
  } catch (error) {
    await stop({ kill: true });
    removeOnExit();
    throw error;
  }
  return {
    url,
    ...(tls ? { tls: tls.client } : {}),
    stop,
    start,
    async remove() {
      await stop();
      await rm(dir, { recursive: true, force: true });
      process.removeListener('exit', removeOnExit);
    },
  };
}

/** A CA, etcd's serving certificate for 127.0.0.1 and a client certificate, as files in `dir`. */
async function writeTlsFiles(dir: string) {
  const ca = await createCertificateAuthority('kindred-test-etcd-ca', 1);
  const server = await issueCertificate(ca, { commonName: 'etcd', ipAddresses: ['127.0.0.1'], usage: 'server', validDays: 1 });
  const client = await issueCertificate(ca, { commonName: 'kindred', usage: 'client', validDays: 1 });
  const files = {
    caFile: join(dir, 'ca.crt'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
  };
  await writeFile(files.caFile, ca.certPem);
  await writeFile(files.serverCert, server.certPem);
  await writeFile(files.serverKey, server.keyPem, { mode: 0o600 });
  await writeFile(files.clientCert, client.certPem);
  await writeFile(files.clientKey, client.keyPem, { mode: 0o600 });
  return {
    server: { certFile: files.serverCert, keyFile: files.serverKey },
    client: { caFile: files.caFile, certFile: files.clientCert, keyFile: files.clientKey },
    pem: { ca: ca.certPem, cert: client.certPem, key: client.keyPem },
  };
}
