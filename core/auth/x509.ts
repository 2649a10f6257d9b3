/**
 * Client certificate checks shared by the client-certificate and front-proxy authenticators.
 *
 * The TLS server asks for a certificate but does not reject connections without a valid one
 * (tokens and anonymous requests need no certificate), so the chain is checked here against
 * the CA set that authenticator trusts. Checking against one explicit set matters: a
 * certificate from the client CA must not pass as a front-proxy certificate.
 *
 * A connection's certificate cannot change (the server refuses renegotiation), so the
 * signature check, the costliest step of a request (issue 15), runs once per connection and
 * CA set; validity dates are still checked on every request.
 */
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

/** Every certificate in a PEM bundle (a CA file may hold several, e.g. during CA rotation). */
export function parseCertificateBundle(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}

export interface VerifiedPeer {
  readonly commonName: string | undefined;
  readonly organizations: readonly string[];
}

/** What checking one connection's certificate against one CA set found, apart from the time. */
interface CheckedPeer {
  /** Undefined when there is no certificate, or it is not from the CA set or not for clients. */
  peer: VerifiedPeer | undefined;
  validFrom: number;
  validTo: number;
}

/**
 * Per CA set, by identity (a rotated set is a new array, so it starts empty), the check of
 * each connection, by its socket. Both levels are weak: a closed connection or a replaced
 * CA set takes its entries with it.
 */
const checkedByCaSet = new WeakMap<readonly X509Certificate[], WeakMap<object, CheckedPeer>>();

/**
 * The peer's subject when its certificate is valid now and was issued and signed by one of
 * `cas`; undefined otherwise. Only certificates issued directly by a trusted CA are accepted
 * (as the front-proxy and client CAs of kubeadm clusters issue them).
 *
 * `socket` must be the same object for every request of one connection (the server passes
 * the connection's socket, not an HTTP/2 stream's per-request proxy), and `cas` the same
 * array until the set changes: the outcome is remembered per (cas, socket).
 */
export function verifiedPeer(socket: TLSSocket | undefined, cas: readonly X509Certificate[], now = Date.now()): VerifiedPeer | undefined {
  if (!socket || cas.length === 0) return undefined;
  let checked = checkedByCaSet.get(cas);
  if (!checked) checkedByCaSet.set(cas, (checked = new WeakMap()));
  let result = checked.get(socket);
  if (!result) checked.set(socket, (result = checkPeer(socket, cas)));
  if (!result.peer || result.validFrom > now || result.validTo < now) return undefined;
  return result.peer;
}

function checkPeer(socket: TLSSocket, cas: readonly X509Certificate[]): CheckedPeer {
  const peer = socket.getPeerX509Certificate?.();
  if (!peer) return { peer: undefined, validFrom: 0, validTo: 0 };
  const validity = { validFrom: Date.parse(peer.validFrom), validTo: Date.parse(peer.validTo) };
  if (!cas.some((ca) => peer.checkIssued(ca) && peer.verify(ca.publicKey))) return { peer: undefined, ...validity };
  // A certificate usable only for serving must not log anyone in.
  if (peer.keyUsage !== undefined && !peer.keyUsage.includes('1.3.6.1.5.5.7.3.2')) return { peer: undefined, ...validity };
  const subject = parseSubject(peer.subject);
  const verified: VerifiedPeer = Object.freeze({ commonName: subject.CN?.[0], organizations: Object.freeze(subject.O ?? []) });
  return { peer: verified, ...validity };
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
