import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { clientCertificateAuthenticator } from '../../../core/auth/client-certificate.ts';
import { parseCertificateBundle } from '../../../core/auth/x509.ts';
import { input, pki, type Pki } from './fixtures.ts';

describe('clientCertificateAuthenticator(cas)', () => {
  let certs: Pki;
  before(async () => (certs = await pki()));

  it('names the user by CN and the groups by O', async () => {
    const user = await clientCertificateAuthenticator([certs.clientCa.certPem])(input({ cert: certs.alice }));
    assert.deepEqual(user, { username: 'alice', groups: ['team-a', 'team-b', 'system:authenticated'] });
  });

  it('refuses a certificate from another CA (a front-proxy certificate is no user)', async () => {
    assert.equal(await clientCertificateAuthenticator([certs.clientCa.certPem])(input({ cert: certs.proxyClient })), undefined);
  });

  it('reads the current CAs on every request when given a function', async () => {
    let cas = parseCertificateBundle(certs.proxyCa.certPem);
    const authenticate = clientCertificateAuthenticator(() => cas);
    assert.equal(await authenticate(input({ cert: certs.alice })), undefined);
    cas = parseCertificateBundle(certs.proxyCa.certPem + certs.clientCa.certPem);
    assert.equal((await authenticate(input({ cert: certs.alice })))?.username, 'alice');
  });
});
