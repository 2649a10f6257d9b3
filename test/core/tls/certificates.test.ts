import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import { createCertificateAuthority, issueCertificate } from '../../../core/tls/certificates.ts';
import type { KeyPairPem } from '../../../core/tls/certificates.ts';

const run = promisify(execFile);

interface PeerIdentity {
  CN: unknown;
  O: unknown;
}

/** Starts an https server that requires a client cert from `clientCa`; it answers with the peer's subject. */
async function startServer(serving: KeyPairPem, clientCa: KeyPairPem): Promise<https.Server> {
  const server = https.createServer(
    { cert: serving.certPem, key: serving.keyPem, ca: clientCa.certPem, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      res.end(JSON.stringify({ CN: peer.subject.CN, O: peer.subject.O }));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

function request(port: number, serverCa: KeyPairPem, client: KeyPairPem): Promise<PeerIdentity> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: '127.0.0.1', port, path: '/', ca: serverCa.certPem, cert: client.certPem, key: client.keyPem, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(JSON.parse(body) as PeerIdentity));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

describe('createCertificateAuthority(commonName)', () => {
  it('creates a CA certificate with a PKCS#8 key', async () => {
    const ca = await createCertificateAuthority('kindred-test-ca');
    assert.match(ca.keyPem, /^-----BEGIN PRIVATE KEY-----/);
    const cert = new X509Certificate(ca.certPem);
    assert.equal(cert.ca, true);
    assert.equal(cert.subject, 'CN=kindred-test-ca');
    assert.ok(cert.checkIssued(cert), 'self-signed');
  });

  it('ends both PEMs with a newline, so they concatenate into valid bundles', async () => {
    const ca = await createCertificateAuthority('bundle-ca');
    assert.ok(ca.certPem.endsWith('-----END CERTIFICATE-----\n'));
    assert.ok(ca.keyPem.endsWith('-----END PRIVATE KEY-----\n'));
  });
});

describe('issueCertificate(ca, request)', () => {
  let serverCa: KeyPairPem;
  let clientCa: KeyPairPem;
  let server: https.Server;
  let port: number;
  let dir: string;

  before(async () => {
    serverCa = await createCertificateAuthority('serving-ca');
    clientCa = await createCertificateAuthority('client-ca');
    const serving = await issueCertificate(serverCa, {
      commonName: 'kindred',
      dnsNames: ['localhost', 'kindred.default.svc'],
      ipAddresses: ['127.0.0.1', '::1'],
      usage: 'server',
    });
    server = await startServer(serving, clientCa);
    port = (server.address() as AddressInfo).port;
    dir = await mkdtemp(join(tmpdir(), 'kindred-certs-'));
  });

  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('completes a mutual TLS handshake and carries the requested CN and O', async () => {
    const client = await issueCertificate(clientCa, {
      commonName: 'alice',
      organizations: ['system:masters', 'team-a'],
      usage: 'client',
    });
    const peer = await request(port, serverCa, client);
    assert.equal(peer.CN, 'alice');
    assert.deepEqual(peer.O, ['system:masters', 'team-a']);
  });

  it('is refused when the client certificate comes from another CA', async () => {
    const stranger = await createCertificateAuthority('stranger-ca');
    const client = await issueCertificate(stranger, { commonName: 'mallory', usage: 'client' });
    await assert.rejects(request(port, serverCa, client));
  });

  it('puts DNS and IP names into subjectAltName', async () => {
    const leaf = await issueCertificate(serverCa, {
      commonName: 'x',
      dnsNames: ['a.example'],
      ipAddresses: ['127.0.0.1'],
      usage: 'server-and-client',
    });
    const cert = new X509Certificate(leaf.certPem);
    assert.equal(cert.subjectAltName, 'DNS:a.example, IP Address:127.0.0.1');
    assert.equal(cert.ca, false);
    assert.ok(cert.checkIssued(new X509Certificate(serverCa.certPem)));
  });

  it('rejects an ipAddresses entry that is not an IP literal', async () => {
    await assert.rejects(
      issueCertificate(serverCa, { commonName: 'x', ipAddresses: ['localhost'], usage: 'server' }),
      /not an IP address/,
    );
  });

  it('passes openssl verify for the purpose each usage names', async () => {
    const cases = [
      { usage: 'server', purpose: 'sslserver' },
      { usage: 'client', purpose: 'sslclient' },
      { usage: 'server-and-client', purpose: 'sslserver' },
      { usage: 'server-and-client', purpose: 'sslclient' },
    ] as const;
    const caFile = join(dir, 'ca.crt');
    await writeFile(caFile, serverCa.certPem);
    for (const { usage, purpose } of cases) {
      const leaf = await issueCertificate(serverCa, { commonName: 'v', dnsNames: ['localhost'], usage });
      const leafFile = join(dir, `${usage}-${purpose}.crt`);
      await writeFile(leafFile, leaf.certPem);
      const { stdout } = await run('openssl', ['verify', '-x509_strict', '-purpose', purpose, '-CAfile', caFile, leafFile]);
      assert.match(stdout, /: OK$/m, `${usage} as ${purpose}`);
    }
  });

  it('fails openssl verify for a purpose the usage does not grant', async () => {
    const caFile = join(dir, 'ca.crt');
    await writeFile(caFile, serverCa.certPem);
    const leaf = await issueCertificate(serverCa, { commonName: 'c', usage: 'client' });
    const leafFile = join(dir, 'client-only.crt');
    await writeFile(leafFile, leaf.certPem);
    await assert.rejects(run('openssl', ['verify', '-purpose', 'sslserver', '-CAfile', caFile, leafFile]));
  });
});
