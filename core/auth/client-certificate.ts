/**
 * Client-certificate authentication: a certificate that chains to the client CA names the
 * user in its CN and the groups in its O fields (as kube-apiserver's x509 authenticator).
 */
import type { X509Certificate } from 'node:crypto';
import type { Authenticator } from './types.ts';
import { parseCertificateBundle, verifiedPeer } from './x509.ts';

/**
 * `cas` are the CAs trusted for client certificates: PEMs, or a function returning the
 * current set (`--client-ca-file` reloaded, or the `client-ca-file` key of
 * `kube-system/extension-apiserver-authentication`). Returns groups without
 * `system:authenticated`; the union adds it.
 */
export function clientCertificateAuthenticator(cas: string[] | (() => readonly X509Certificate[])): Authenticator {
  const fixed = Array.isArray(cas) ? cas.flatMap(parseCertificateBundle) : undefined;
  const current = fixed ? () => fixed : (cas as () => readonly X509Certificate[]);
  return ({ socket }) => {
    const peer = verifiedPeer(socket, current());
    if (!peer?.commonName) return undefined;
    return { username: peer.commonName, groups: [...peer.organizations, 'system:authenticated'] };
  };
}
