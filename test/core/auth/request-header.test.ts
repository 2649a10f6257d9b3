import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_REQUEST_HEADERS, requestHeaderAuthenticator, type RequestHeaderConfig } from '../../../core/auth/request-header.ts';
import { parseCertificateBundle } from '../../../core/auth/x509.ts';
import { input, pki, type Pki } from './fixtures.ts';

describe('requestHeaderAuthenticator(config)', () => {
  let certs: Pki;
  let config: RequestHeaderConfig;
  const forged = { 'x-remote-user': 'admin', 'x-remote-group': ['system:masters', 'ops'], 'x-remote-uid': 'u-1', 'x-remote-extra-scopes': ['a', 'b'], 'x-remote-extra-acme.com%2fproject': 'p' };

  before(async () => {
    certs = await pki();
    config = { caCertificates: parseCertificateBundle(certs.proxyCa.certPem), allowedNames: ['front-proxy-client'], ...DEFAULT_REQUEST_HEADERS };
  });

  it('believes the headers on a connection with the front-proxy certificate', async () => {
    const user = await requestHeaderAuthenticator(() => config)(input({ cert: certs.proxyClient, headers: forged }));
    assert.deepEqual(user, {
      username: 'admin',
      uid: 'u-1',
      groups: ['system:masters', 'ops', 'system:authenticated'],
      extra: { scopes: ['a', 'b'], 'acme.com/project': ['p'] },
    });
  });

  it('ignores the headers without a client certificate', async () => {
    assert.equal(await requestHeaderAuthenticator(() => config)(input({ headers: forged })), undefined);
  });

  it('ignores the headers with a certificate from another CA', async () => {
    assert.equal(await requestHeaderAuthenticator(() => config)(input({ cert: certs.alice, headers: forged })), undefined);
  });

  it('ignores the headers when the certificate CN is not an allowed name', async () => {
    assert.equal(await requestHeaderAuthenticator(() => config)(input({ cert: certs.otherProxy, headers: forged })), undefined);
  });

  it('accepts any certificate of the CA when allowed names are empty', async () => {
    const user = await requestHeaderAuthenticator(() => ({ ...config, allowedNames: [] }))(input({ cert: certs.otherProxy, headers: forged }));
    assert.equal(user?.username, 'admin');
  });

  it('authenticates nobody when the proxy names no user, or before the config is known', async () => {
    assert.equal(await requestHeaderAuthenticator(() => config)(input({ cert: certs.proxyClient, headers: {} })), undefined);
    assert.equal(await requestHeaderAuthenticator(() => undefined)(input({ cert: certs.proxyClient, headers: forged })), undefined);
  });
});
