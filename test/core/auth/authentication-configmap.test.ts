import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { parseAuthenticationConfigMap } from '../../../core/auth/authentication-configmap.ts';
import { pki, type Pki } from './fixtures.ts';

describe('parseAuthenticationConfigMap(data)', () => {
  let certs: Pki;
  before(async () => (certs = await pki()));

  it('reads the CAs and the JSON-encoded header settings kube-apiserver publishes', () => {
    const published = parseAuthenticationConfigMap({
      'client-ca-file': certs.clientCa.certPem,
      'requestheader-client-ca-file': certs.proxyCa.certPem,
      'requestheader-allowed-names': '["front-proxy-client"]',
      'requestheader-username-headers': '["X-Remote-User"]',
      'requestheader-group-headers': '["X-Remote-Group"]',
      'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
    });
    assert.equal(published.clientCaCertificates?.length, 1);
    assert.equal(published.clientCaPem, certs.clientCa.certPem);
    assert.equal(published.requestHeaderCaPem, certs.proxyCa.certPem);
    assert.deepEqual(published.requestHeader?.allowedNames, ['front-proxy-client']);
    assert.deepEqual(published.requestHeader?.uidHeaders, ['X-Remote-Uid']);
  });

  it('leaves out front-proxy authentication when no request-header CA is published', () => {
    assert.equal(parseAuthenticationConfigMap({ 'client-ca-file': certs.clientCa.certPem }).requestHeader, undefined);
  });

  it('throws on a list that is not a JSON array of strings', () => {
    assert.throws(
      () => parseAuthenticationConfigMap({ 'requestheader-client-ca-file': certs.proxyCa.certPem, 'requestheader-allowed-names': 'front-proxy-client' }),
    );
    assert.throws(
      () => parseAuthenticationConfigMap({ 'requestheader-client-ca-file': certs.proxyCa.certPem, 'requestheader-allowed-names': '[1]' }),
      /requestheader-allowed-names/,
    );
  });
});
