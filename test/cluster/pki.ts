/**
 * The certificates and keys a throwaway kube-apiserver needs, written into its
 * temp folder, and kubeconfig files for client-certificate users.
 *
 * Three separate CAs, as kubeadm lays them out: the serving CA (trusted by
 * clients), the client CA (--client-ca-file, signs users) and the front-proxy CA
 * (--requestheader-client-ca-file). The front-proxy CA must not be the client
 * CA, or client-cert users whose CN is not an allowed name are rejected
 * (kubernetes.io, "Configure the Aggregation Layer", CA reusage).
 */
import { generateKeyPair } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createCertificateAuthority, issueCertificate } from '../../core/tls/certificates.ts';
import type { KeyPairPem } from '../../core/tls/certificates.ts';

/** The CN kube-apiserver's aggregator presents to extension servers. */
export const frontProxyClientName = 'front-proxy-client';

export interface ControlPlanePki {
  servingCa: KeyPairPem;
  clientCa: KeyPairPem;
  frontProxyCa: KeyPairPem;
  frontProxyClient: KeyPairPem;
  /** Paths of the files kube-apiserver flags point at. */
  files: {
    servingCert: string;
    servingKey: string;
    clientCa: string;
    frontProxyCa: string;
    frontProxyClientCert: string;
    frontProxyClientKey: string;
    serviceAccountKey: string;
    serviceAccountPublicKey: string;
  };
}

/** Creates every CA, certificate and key, and writes them into `dir` (mode 0600 for keys). */
export async function createPki(dir: string): Promise<ControlPlanePki> {
  const [servingCa, clientCa, frontProxyCa] = await Promise.all([
    createCertificateAuthority('kindred-test-serving-ca', 7),
    createCertificateAuthority('kindred-test-client-ca', 7),
    createCertificateAuthority('kindred-test-front-proxy-ca', 7),
  ]);
  // Go checks SANs only; 10.0.0.1 and kubernetes.default.svc are the in-cluster names.
  const serving = await issueCertificate(servingCa, {
    commonName: 'kube-apiserver',
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
    ipAddresses: ['127.0.0.1', '10.0.0.1'],
    usage: 'server',
    validDays: 7,
  });
  const frontProxyClient = await issueCertificate(frontProxyCa, {
    commonName: frontProxyClientName,
    usage: 'client',
    validDays: 7,
  });
  const serviceAccount = await generateServiceAccountKey();

  const files = {
    servingCert: join(dir, 'apiserver.crt'),
    servingKey: join(dir, 'apiserver.key'),
    clientCa: join(dir, 'client-ca.crt'),
    frontProxyCa: join(dir, 'front-proxy-ca.crt'),
    frontProxyClientCert: join(dir, 'front-proxy-client.crt'),
    frontProxyClientKey: join(dir, 'front-proxy-client.key'),
    serviceAccountKey: join(dir, 'sa.key'),
    serviceAccountPublicKey: join(dir, 'sa.pub'),
  };
  await Promise.all([
    writeFile(join(dir, 'serving-ca.crt'), servingCa.certPem),
    writeFile(files.servingCert, serving.certPem),
    writeFile(files.servingKey, serving.keyPem, { mode: 0o600 }),
    writeFile(files.clientCa, clientCa.certPem),
    writeFile(files.frontProxyCa, frontProxyCa.certPem),
    writeFile(files.frontProxyClientCert, frontProxyClient.certPem),
    writeFile(files.frontProxyClientKey, frontProxyClient.keyPem, { mode: 0o600 }),
    writeFile(files.serviceAccountKey, serviceAccount.privateKey, { mode: 0o600 }),
    writeFile(files.serviceAccountPublicKey, serviceAccount.publicKey),
  ]);
  return { servingCa, clientCa, frontProxyCa, frontProxyClient, files };
}

/** ECDSA P-256, as envtest uses; kube-apiserver signs service-account tokens with it (ES256). */
async function generateServiceAccountKey(): Promise<{ privateKey: string; publicKey: string }> {
  return promisify(generateKeyPair)('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
}

export interface KubeconfigOptions {
  server: string;
  caPem: string;
  user: string;
  credentials: KeyPairPem;
}

/** Writes a one-context kubeconfig with embedded CA and client cert (JSON is valid kubeconfig YAML). */
export async function writeKubeconfig(path: string, options: KubeconfigOptions): Promise<void> {
  const base64 = (pem: string) => Buffer.from(pem).toString('base64');
  const kubeconfig = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'kindred-test', cluster: { server: options.server, 'certificate-authority-data': base64(options.caPem) } }],
    users: [
      {
        name: options.user,
        user: {
          'client-certificate-data': base64(options.credentials.certPem),
          'client-key-data': base64(options.credentials.keyPem),
        },
      },
    ],
    contexts: [{ name: options.user, context: { cluster: 'kindred-test', user: options.user } }],
    'current-context': options.user,
  };
  await writeFile(path, `${JSON.stringify(kubeconfig, null, 2)}\n`, { mode: 0o600 });
}
