/**
 * How kindred secures its port: the serving certificate, who a request is (authentication)
 * and what it may do (authorization). Standalone mode makes its own CA, trusts client
 * certificates it signed and allows every authenticated user.
 */
import { readFile } from 'node:fs/promises';
import type { Authenticator, Authorizer } from './auth/types.ts';
import { allowAll } from './auth/types.ts';
import { clientCertificateAuthenticator } from './auth/client-certificate.ts';
import { createStandaloneCertificates } from './tls/standalone.ts';
import type { KeyPairPem } from './tls/certificates.ts';

export interface SecurityOptions {
  host: string;
  /** Serving certificate files; without them kindred makes its own CA (standalone mode). */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
}

export interface Security {
  tls: { certPem: string; keyPem: string; clientCaPems: string[] };
  authenticate: Authenticator;
  authorize: Authorizer;
  /** Standalone mode: the CA and an admin client certificate, for the kubeconfig. */
  standalone?: { caPem: string; admin: KeyPairPem };
  /** Stops whatever the security setup watches (certificate files, ConfigMaps). */
  stop(): Promise<void>;
}

export async function createSecurity(options: SecurityOptions): Promise<Security> {
  if (options.tlsCertFile === undefined) {
    const local = options.host === '127.0.0.1' || options.host === 'localhost' || options.host === '::1';
    const certs = await createStandaloneCertificates(local ? [] : [options.host]);
    return {
      tls: { certPem: certs.serving.certPem, keyPem: certs.serving.keyPem, clientCaPems: [certs.ca.certPem] },
      authenticate: clientCertificateAuthenticator([certs.ca.certPem]),
      authorize: allowAll,
      standalone: { caPem: certs.ca.certPem, admin: certs.admin },
      stop: async () => {},
    };
  }
  return {
    tls: {
      certPem: await readFile(options.tlsCertFile, 'utf8'),
      keyPem: await readFile(options.tlsPrivateKeyFile!, 'utf8'),
      clientCaPems: [],
    },
    authenticate: clientCertificateAuthenticator([]),
    authorize: allowAll,
    stop: async () => {},
  };
}
