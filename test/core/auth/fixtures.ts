/** Certificates and fake TLS sockets for the authenticator tests. */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { AuthenticationInput } from '../../../core/auth/types.ts';
import { createCertificateAuthority, issueCertificate, type KeyPairPem } from '../../../core/tls/certificates.ts';

export interface Pki {
  proxyCa: KeyPairPem;
  clientCa: KeyPairPem;
  proxyClient: KeyPairPem;
  otherProxy: KeyPairPem;
  alice: KeyPairPem;
}

let cached: Promise<Pki> | undefined;

/** Made once per test process: key generation is the slow part. */
export function pki(): Promise<Pki> {
  cached ??= (async () => {
    const proxyCa = await createCertificateAuthority('front-proxy-ca');
    const clientCa = await createCertificateAuthority('client-ca');
    return {
      proxyCa,
      clientCa,
      proxyClient: await issueCertificate(proxyCa, { commonName: 'front-proxy-client', usage: 'client' }),
      otherProxy: await issueCertificate(proxyCa, { commonName: 'someone-else', usage: 'client' }),
      alice: await issueCertificate(clientCa, { commonName: 'alice', organizations: ['team-a', 'team-b'], usage: 'client' }),
    };
  })();
  return cached;
}

/** An authentication input as the server builds it: peer certificate, headers (lower-case names). */
export function input(options: { cert?: KeyPairPem; headers?: Record<string, string | string[]> } = {}): AuthenticationInput {
  const peer = options.cert ? new X509Certificate(options.cert.certPem) : undefined;
  const socket = { getPeerX509Certificate: () => peer } as unknown as TLSSocket;
  const distinct: Record<string, string[]> = {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    distinct[name.toLowerCase()] = Array.isArray(value) ? value : [value];
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { socket, headers, headerValues: (name) => distinct[name.toLowerCase()] ?? [] };
}
