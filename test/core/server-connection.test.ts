/**
 * What the server tells authenticators about the connection: the same socket object for
 * every request on one connection, over HTTP/2 and HTTP/1.1, so they can remember what they
 * checked per connection (core/auth/x509.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:http2';
import { Agent, request } from 'node:https';
import { pino } from 'pino';
import { KindredServer } from '../../core/server.ts';
import { buildSnapshot } from '../../core/registry.ts';
import { allowAll } from '../../core/auth/types.ts';
import { createStandaloneCertificates, type StandaloneCertificates } from '../../core/tls/standalone.ts';

describe('KindredServer: the socket authenticators see', () => {
  let server: KindredServer;
  let url: string;
  let certs: StandaloneCertificates;
  const seen: unknown[] = [];

  before(async () => {
    certs = await createStandaloneCertificates();
    server = new KindredServer(buildSnapshot([], new Map()), {
      tls: { certPem: certs.serving.certPem, keyPem: certs.serving.keyPem, clientCaPems: [certs.ca.certPem] },
      authenticate: async ({ socket }) => (seen.push(socket), { username: 'someone', groups: [] }),
      authorize: allowAll,
      log: pino({ level: 'silent' }),
    });
    const address = await server.listen(0, '127.0.0.1');
    url = `https://127.0.0.1:${address.port}`;
  });
  after(async () => server?.close());

  it('is one object for every stream of one HTTP/2 connection, and another for the next connection', async () => {
    seen.length = 0;
    const get = (session: ReturnType<typeof connect>) =>
      new Promise<void>((resolve, reject) => {
        const stream = session.request({ ':path': '/version' });
        stream.on('response', (h) => assert.equal(h[':status'], 200));
        stream.resume();
        stream.on('end', resolve);
        stream.on('error', reject);
      });
    const tls = { ca: certs.ca.certPem, cert: certs.admin.certPem, key: certs.admin.keyPem };
    const first = connect(url, tls);
    await get(first);
    await get(first);
    const second = connect(url, tls);
    await get(second);
    first.close();
    second.close();
    assert.equal(seen.length, 3);
    assert.ok(seen[0]);
    assert.equal(seen[0], seen[1]);
    assert.notEqual(seen[0], seen[2]);
  });

  it('is one object for every request of one HTTP/1.1 keep-alive connection', async () => {
    seen.length = 0;
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: certs.ca.certPem, cert: certs.admin.certPem, key: certs.admin.keyPem });
    const get = () =>
      new Promise<void>((resolve, reject) => {
        const req = request(`${url}/version`, { agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
    await get();
    await get();
    agent.destroy();
    assert.equal(seen.length, 2);
    assert.equal(seen[0], seen[1]);
  });
});
