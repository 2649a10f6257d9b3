/**
 * How kindred secures its port: the serving certificate, who a request is (authentication)
 * and what it may do (authorization).
 *
 * - Standalone mode (no `--tls-cert-file`): kindred makes its own CA, trusts client
 *   certificates it signed and allows every authenticated user.
 * - Aggregated mode (`--tls-cert-file`): the serving certificate comes from files and is
 *   reloaded when they change; authentication and authorization are delegated to
 *   kube-apiserver (core/auth/delegated.ts).
 * - Aggregated mode with a certificate of its own (`--manage-apiservices` without
 *   `--tls-cert-file`): as above, but kindred makes a CA and a serving certificate for its
 *   Service's names at start, and the APIServices it manages carry that CA.
 */
import { createSecureContext } from 'node:tls';
import type { Logger } from 'pino';
import type { Authenticator, Authorizer } from '../core/auth/types.ts';
import { allowAll } from '../core/auth/types.ts';
import { clientCertificateAuthenticator } from '../core/auth/client-certificate.ts';
import type { RequestHeaderFlags } from '../core/auth/delegated.ts';
import { watchFiles } from '../core/auth/file-watch.ts';
import type { KubeClient } from '../lib/kube/client.ts';
import { createStandaloneCertificates } from '../core/tls/standalone.ts';
import { createCertificateAuthority, issueCertificate, type KeyPairPem } from '../core/tls/certificates.ts';

export interface SecurityOptions {
  host: string;
  /** Serving certificate files; without them kindred makes its own CA (standalone mode). */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** Aggregated mode without certificate files: make a serving certificate for these DNS names. */
  selfSignedServing?: { dnsNames: string[] };
  /** Needed in aggregated mode for warnings about reloads and delegation. */
  log?: Logger;
  /** `--kubeconfig`: the cluster to delegate to (else in-cluster), unless the two below say otherwise. */
  kubeconfig?: string;
  authenticationKubeconfig?: string;
  authorizationKubeconfig?: string;
  /** `--client-ca-file`; else the `client-ca-file` of extension-apiserver-authentication. */
  clientCaFile?: string;
  requestHeader?: RequestHeaderFlags;
  /** `--anonymous-auth`: requests without credentials become system:anonymous instead of 401. */
  anonymousAuth?: boolean;
  tokenCacheTtlMs?: number;
  authorizationAllowTtlMs?: number;
  authorizationDenyTtlMs?: number;
  /** How often certificate and CA files are re-read (default 10 s). */
  fileIntervalMs?: number;
}

export interface ServingTls {
  certPem: string;
  keyPem: string;
  /** Offered as acceptable client CAs in the handshake. */
  clientCaPems: string[];
}

export interface Security {
  /** The TLS material now; `onTlsChange` tells when it changes. */
  tls: ServingTls;
  /** Registers the one listener for TLS changes (the server's secure-context swap). */
  onTlsChange(listener: (tls: ServingTls) => void): void;
  authenticate: Authenticator;
  authorize: Authorizer;
  /** Standalone mode: the CA and an admin client certificate, for the kubeconfig. */
  standalone?: { caPem: string; admin: KeyPairPem; issueClientCertificate(user: string, groups: string[]): Promise<KeyPairPem> };
  /** Aggregated mode: the cluster kindred delegates to (namespace admission reads it too). */
  cluster?: KubeClient;
  /** The CA of a serving certificate kindred made itself (selfSignedServing), for APIService caBundles. */
  servingCaPem?: string;
  /** Stops whatever the security setup watches (certificate files, ConfigMaps). */
  stop(): Promise<void>;
}

export async function createSecurity(options: SecurityOptions): Promise<Security> {
  if (options.tlsCertFile === undefined && !options.selfSignedServing) return standalone(options.host);
  if (!options.log) throw new Error('createSecurity: aggregated mode needs a logger');
  const log = options.log;
  let listener: (tls: ServingTls) => void = () => {};
  // Set once everything is built; changes reported before then are in the initial state.
  let security: Security | undefined;
  const serving = options.tlsCertFile === undefined ? await selfSigned(options.selfSignedServing!.dnsNames) : await servingFiles();
  // Loaded here: it brings the Kubernetes client, which a standalone kindred never needs.
  const { createDelegated } = await import('../core/auth/delegated.ts');
  const delegated = await createDelegated({
    log,
    ...pick(options, ['kubeconfig', 'authenticationKubeconfig', 'authorizationKubeconfig', 'clientCaFile', 'requestHeader']),
    ...pick(options, ['anonymousAuth', 'tokenCacheTtlMs', 'authorizationAllowTtlMs', 'authorizationDenyTtlMs', 'fileIntervalMs']),
    onClientCasChange: (pems) => {
      if (!security || sameList(pems, security.tls.clientCaPems)) return;
      security.tls = { ...security.tls, clientCaPems: pems };
      log.info({ cas: pems.length }, 'client CAs changed');
      listener(security.tls);
    },
  });
  const [certPem, keyPem] = serving.current();
  security = {
    tls: { certPem, keyPem, clientCaPems: delegated.clientCaPems() },
    onTlsChange: (l) => void (listener = l),
    authenticate: delegated.authenticate,
    authorize: delegated.authorize,
    cluster: delegated.api,
    ...(serving.caPem ? { servingCaPem: serving.caPem } : {}),
    stop: async () => {
      serving.stop();
      await delegated.stop();
    },
  };
  return security;

  async function servingFiles(): Promise<{ current(): [string, string]; caPem?: string; stop(): void }> {
    if (!options.tlsPrivateKeyFile) throw new Error('--tls-cert-file needs --tls-private-key-file');
    const files = await watchFiles([options.tlsCertFile!, options.tlsPrivateKeyFile], {
      ...(options.fileIntervalMs === undefined ? {} : { intervalMs: options.fileIntervalMs }),
      // Throws when the key does not match the certificate: mid-rotation, keep the old pair.
      validate: ([cert, key]) => void createSecureContext({ cert: cert!, key: key! }),
      onChange: ([cert, key]) => {
        if (!security) return;
        security.tls = { ...security.tls, certPem: cert!, keyPem: key! };
        log.info({ file: options.tlsCertFile }, 'serving certificate reloaded');
        listener(security.tls);
      },
      onError: (err) => log.warn({ err, file: options.tlsCertFile }, 'serving certificate not reloaded'),
    });
    return { current: () => files.current() as [string, string], stop: () => files.stop() };
  }
}

/** A CA and a serving certificate for `dnsNames`, made now and kept for the life of the process. */
async function selfSigned(dnsNames: string[]): Promise<{ current(): [string, string]; caPem: string; stop(): void }> {
  const ca = await createCertificateAuthority('kindred-serving-ca');
  const serving = await issueCertificate(ca, { commonName: dnsNames[0] ?? 'kindred', dnsNames, usage: 'server' });
  return { current: () => [serving.certPem, serving.keyPem], caPem: ca.certPem, stop: () => {} };
}

async function standalone(host: string): Promise<Security> {
  const local = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  const certs = await createStandaloneCertificates(local ? [] : [host]);
  return {
    tls: { certPem: certs.serving.certPem, keyPem: certs.serving.keyPem, clientCaPems: [certs.ca.certPem] },
    onTlsChange: () => {},
    authenticate: clientCertificateAuthenticator([certs.ca.certPem]),
    authorize: allowAll,
    standalone: {
      caPem: certs.ca.certPem,
      admin: certs.admin,
      issueClientCertificate: (user, groups) => issueCertificate(certs.ca, { commonName: user, organizations: groups, usage: 'client' }),
    },
    stop: async () => {},
  };
}

/** The options that are set, without undefined values (exactOptionalPropertyTypes). */
function pick<T extends object, K extends keyof T>(from: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key];
  return out;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
