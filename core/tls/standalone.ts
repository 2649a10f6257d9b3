/**
 * Standalone mode's certificates: a CA made at start-up, a serving certificate for
 * 127.0.0.1 and localhost, and an admin client certificate for the kubeconfig.
 */
import { createCertificateAuthority, issueCertificate, type KeyPairPem } from './certificates.ts';

export interface StandaloneCertificates {
  ca: KeyPairPem;
  serving: KeyPairPem;
  admin: KeyPairPem;
}

export async function createStandaloneCertificates(extraHosts: string[] = []): Promise<StandaloneCertificates> {
  const ca = await createCertificateAuthority('kindred-standalone-ca');
  const ips = ['127.0.0.1', '::1', ...extraHosts.filter((h) => /^[\d.:]+$/.test(h))];
  const dns = ['localhost', ...extraHosts.filter((h) => !/^[\d.:]+$/.test(h))];
  const serving = await issueCertificate(ca, { commonName: 'kindred', dnsNames: dns, ipAddresses: ips, usage: 'server' });
  const admin = await issueCertificate(ca, { commonName: 'kindred-admin', organizations: ['system:masters'], usage: 'client' });
  return { ca, serving, admin };
}
