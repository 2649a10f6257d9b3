import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { parseCertificateBundle, verifiedPeer } from '../../../core/auth/x509.ts';
import { pki, type Pki } from './fixtures.ts';

/** A connection whose certificate reads are counted: each read means a fresh check. */
function connection(certPem: string): { socket: TLSSocket; reads: () => number } {
  const peer = new X509Certificate(certPem);
  let reads = 0;
  const socket = { getPeerX509Certificate: () => (reads++, peer) } as unknown as TLSSocket;
  return { socket, reads: () => reads };
}

describe('verifiedPeer(socket, cas, now)', () => {
  let certs: Pki;
  before(async () => (certs = await pki()));

  it('checks a connection once per CA set and answers its later requests from that check', () => {
    const cas = parseCertificateBundle(certs.clientCa.certPem);
    const alice = connection(certs.alice.certPem);
    assert.equal(verifiedPeer(alice.socket, cas)?.commonName, 'alice');
    assert.deepEqual(verifiedPeer(alice.socket, cas)?.organizations, ['team-a', 'team-b']);
    assert.equal(alice.reads(), 1);
  });

  it('checks the connection again when the CA set rotates, and refuses it when its CA is gone', () => {
    const alice = connection(certs.alice.certPem);
    assert.equal(verifiedPeer(alice.socket, parseCertificateBundle(certs.clientCa.certPem))?.commonName, 'alice');
    assert.equal(verifiedPeer(alice.socket, parseCertificateBundle(certs.proxyCa.certPem)), undefined);
    assert.equal(alice.reads(), 2);
  });

  it('keeps the CA sets apart: a front-proxy certificate on the same connection is no client-CA user', () => {
    const clientCas = parseCertificateBundle(certs.clientCa.certPem);
    const proxyCas = parseCertificateBundle(certs.proxyCa.certPem);
    const proxy = connection(certs.proxyClient.certPem);
    assert.equal(verifiedPeer(proxy.socket, proxyCas)?.commonName, 'front-proxy-client');
    assert.equal(verifiedPeer(proxy.socket, clientCas), undefined);
    assert.equal(verifiedPeer(proxy.socket, proxyCas)?.commonName, 'front-proxy-client');
  });

  it('still checks the validity dates on every request of a checked connection', () => {
    const cas = parseCertificateBundle(certs.clientCa.certPem);
    const alice = connection(certs.alice.certPem);
    const validTo = Date.parse(new X509Certificate(certs.alice.certPem).validTo);
    assert.equal(verifiedPeer(alice.socket, cas)?.commonName, 'alice');
    assert.equal(verifiedPeer(alice.socket, cas, validTo + 1000), undefined);
    assert.equal(verifiedPeer(alice.socket, cas, Date.parse('2000-01-01T00:00:00Z')), undefined);
  });

  it('finds nobody on a connection without a certificate', () => {
    const socket = { getPeerX509Certificate: () => undefined } as unknown as TLSSocket;
    assert.equal(verifiedPeer(socket, parseCertificateBundle(certs.clientCa.certPem)), undefined);
  });
});
