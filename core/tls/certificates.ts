/**
 * Certificate authorities and certificates for standalone mode and the test
 * control plane: ECDSA P-256 keys, SHA-256 signatures, PEM in and out.
 *
 * Everything issued here must be accepted by Go's crypto/tls (kube-apiserver,
 * kubectl) and by Node's tls, so the extensions are the ones Go checks:
 * a CA needs basicConstraints CA:true and keyCertSign; a leaf needs the right
 * extKeyUsage and its names in subjectAltName (Go ignores the CN for hosts).
 */
import { randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
// Must precede @peculiar/x509: its tsyringe dependency checks for Reflect metadata at load.
import './reflect-metadata.ts';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

/**
 * A certificate and its private key, both PEM ending in a newline (safe to
 * concatenate into bundles). `keyPem` is PKCS#8 ("BEGIN PRIVATE KEY").
 */
export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

/** What to put into an issued certificate. */
export interface CertificateRequest {
  /** Subject CN: the user name for client certificates. */
  commonName: string;
  /** Subject O values: the groups for client certificates. */
  organizations?: string[];
  /** DNS subjectAltNames. */
  dnsNames?: string[];
  /** IP subjectAltNames (IPv4 or IPv6 literals). */
  ipAddresses?: string[];
  /** Which extKeyUsage values the certificate carries. */
  usage: 'server' | 'client' | 'server-and-client';
  /** Validity in days from now; default 365. */
  validDays?: number;
}

const algorithm: webcrypto.EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const signingAlgorithm: webcrypto.EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const dayMs = 24 * 60 * 60 * 1000;
// Backdated so a peer whose clock runs a little behind ours still accepts it.
const clockSkewMs = 60 * 60 * 1000;

/**
 * Creates a self-signed CA: basicConstraints CA:true (critical), keyUsage
 * keyCertSign|cRLSign|digitalSignature, and a subject key identifier that
 * issued certificates reference as their authority key identifier.
 */
export async function createCertificateAuthority(commonName: string, validDays = 3650): Promise<KeyPairPem> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [commonName] }],
    notBefore: new Date(Date.now() - clockSkewMs),
    notAfter: new Date(Date.now() + validDays * dayMs),
    keys,
    signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: withNewline(cert.toString('pem')), keyPem: await exportKey(keys.privateKey) };
}

/**
 * Issues a leaf certificate signed by `ca`, with a fresh key pair: keyUsage
 * digitalSignature|keyEncipherment, extKeyUsage per `request.usage`, the
 * requested SANs, an authority key identifier and a random serial.
 * Throws if an entry of `ipAddresses` is not an IP literal.
 */
export async function issueCertificate(ca: KeyPairPem, request: CertificateRequest): Promise<KeyPairPem> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    x509.PemConverter.decodeFirst(ca.keyPem),
    algorithm,
    false,
    ['sign'],
  );
  const keys = await generateKeys();
  const subject: x509.JsonName = [{ CN: [request.commonName] }];
  for (const org of request.organizations ?? []) subject.push({ O: [org] });

  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
      true,
    ),
    new x509.ExtendedKeyUsageExtension(extendedKeyUsages(request.usage)),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    await authorityKeyIdentifier(caCert),
  ];
  const names = subjectAltNames(request);
  if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));

  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject,
    // The issuer must equal the CA's subject byte for byte, so reuse its Name.
    issuer: caCert.subjectName,
    notBefore: new Date(Date.now() - clockSkewMs),
    notAfter: new Date(Date.now() + (request.validDays ?? 365) * dayMs),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm,
    extensions,
  });
  return { certPem: withNewline(cert.toString('pem')), keyPem: await exportKey(keys.privateKey) };
}

function extendedKeyUsages(usage: CertificateRequest['usage']): string[] {
  switch (usage) {
    case 'server':
      return [x509.ExtendedKeyUsage.serverAuth];
    case 'client':
      return [x509.ExtendedKeyUsage.clientAuth];
    case 'server-and-client':
      return [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth];
  }
}

function subjectAltNames(request: CertificateRequest): x509.JsonGeneralName[] {
  const names: x509.JsonGeneralName[] = [];
  for (const dns of request.dnsNames ?? []) names.push({ type: 'dns', value: dns });
  for (const ip of request.ipAddresses ?? []) {
    if (isIP(ip) === 0) throw new Error(`issueCertificate: "${ip}" is not an IP address`);
    names.push({ type: 'ip', value: ip });
  }
  return names;
}

/** Uses the CA's own subject key identifier, so chain builders match it exactly. */
async function authorityKeyIdentifier(caCert: x509.X509Certificate): Promise<x509.AuthorityKeyIdentifierExtension> {
  const ski = caCert.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
  return x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey);
}

async function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

async function exportKey(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return withNewline(x509.PemConverter.encode(der, 'PRIVATE KEY'));
}

/** PEM files end with a newline, so that concatenating them (CA bundles) stays valid. */
function withNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

/** 128 random bits; the top bit is cleared because a serial must be a positive INTEGER (RFC 5280 §4.1.2.2). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f | 0x01;
  return bytes.toString('hex');
}
