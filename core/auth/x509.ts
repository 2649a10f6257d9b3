/**
 * Client certificate checks shared by the client-certificate and front-proxy authenticators.
 *
 * The TLS server asks for a certificate but does not reject connections without a valid one
 * (tokens and anonymous requests need no certificate), so the chain is checked here, per
 * request, against the CA set that authenticator trusts. Checking against one explicit set
 * matters: a certificate from the client CA must not pass as a front-proxy certificate.
 */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

/** Every certificate in a PEM bundle (a CA file may hold several, e.g. during CA rotation). */
export function parseCertificateBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

export interface VerifiedPeer {
  commonName: string | undefined;
  organizations: string[];
}

/**
 * The peer's subject when its certificate is valid now and was issued and signed by one of
 * `cas`; undefined otherwise. Only certificates issued directly by a trusted CA are accepted
 * (as the front-proxy and client CAs of kubeadm clusters issue them).
 */
export function verifiedPeer(socket: TLSSocket | undefined, cas: readonly X509Certificate[], now = Date.now()): VerifiedPeer | undefined {
  const peer = socket?.getPeerX509Certificate?.();
  if (!peer || cas.length === 0) return undefined;
  if (Date.parse(peer.validFrom) > now || Date.parse(peer.validTo) < now) return undefined;
  if (!cas.some((ca) => peer.checkIssued(ca) && peer.verify(ca.publicKey))) return undefined;
  // A certificate usable only for serving must not log anyone in.
  if (peer.keyUsage !== undefined && !peer.keyUsage.includes('1.3.6.1.5.5.7.3.2')) return undefined;
  const subject = parseSubject(peer.subject);
  return { commonName: subject.CN?.[0], organizations: subject.O ?? [] };
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
