/**
 * Client-certificate authentication: a certificate that chains to the client CA names the
 * user in its CN and the groups in its O fields (as kube-apiserver's x509 authenticator).
 */
import { X509Certificate } from 'node:crypto';
import type { Authenticator } from './types.ts';

/**
 * `caPems` are the CAs trusted for client certificates. The TLS server is configured with
 * requestCert and without rejecting, so the chain is checked here, per request.
 */
export function clientCertificateAuthenticator(caPems: string[]): Authenticator {
  const cas = caPems.map((pem) => new X509Certificate(pem));
  return async ({ socket }) => {
    const peer = socket?.getPeerX509Certificate?.();
    if (!peer) return undefined;
    const now = Date.now();
    if (Date.parse(peer.validFrom) > now || Date.parse(peer.validTo) < now) return undefined;
    if (!cas.some((ca) => peer.checkIssued(ca) && peer.verify(ca.publicKey))) return undefined;
    const subject = parseSubject(peer.subject);
    const username = subject.CN?.[0];
    if (!username) return undefined;
    return { username, groups: [...(subject.O ?? []), 'system:authenticated'] };
  };
}

/** Node prints a subject as `KEY=value` lines; a key may repeat (several O). */
function parseSubject(subject: string): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const line of subject.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    (fields[key] ??= []).push(line.slice(eq + 1));
  }
  return fields;
}
