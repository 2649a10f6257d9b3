/**
 * What the server tells authenticators and stores about the connection: the same socket
 * object for every request on one connection (authenticators remember what they checked per
 * connection, core/auth/x509.ts), a signal that aborts when the client goes away, and a 504
 * for a request that outlives the request timeout.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type ClientHttp2Session } from 'node:http2';
import { Agent, request } from 'node:https';
import { pino } from 'pino';
import { KindredServer } from '../../core/server.ts';
import { buildSnapshot, kindKey } from '../../core/snapshot.ts';
import { allowAll, type Authenticator } from '../../core/auth/types.ts';
import type { KindDefinition } from '../../core/types/kind.ts';
import type { KubeObject } from '../../core/types/object.ts';
import type { RequestContext, Storage } from '../../core/types/storage.ts';
import { createStandaloneCertificates, type StandaloneCertificates } from '../../core/tls/standalone.ts';

const kind: KindDefinition = {
  group: 'test.example.com',
  names: { kind: 'Probe', plural: 'probes', singular: 'probe', listKind: 'ProbeList', shortNames: [], categories: [] },
  scope: 'Namespaced',
  versions: [{ name: 'v1', served: true, storage: true, additionalPrinterColumns: [], subresources: {} }],
  backend: { plugin: 'test', options: {} },
};

/** A store whose get waits for its request's signal to abort, and says so. */
function waitingStore() {
  let called!: () => void;
  let aborted!: () => void;
  const store = {
    verbs: new Set(['get']),
    calledGet: new Promise<void>((r) => (called = r)),
    sawAbort: new Promise<void>((r) => (aborted = r)),
    get(_ns: string | undefined, _name: string, req: RequestContext): Promise<KubeObject> {
      called();
      return new Promise((_, reject) => req.signal.addEventListener('abort', () => (aborted(), reject(new Error('client gone')))));
    },
  };
  return store;
}

describe('KindredServer and the connection', () => {
  let server: KindredServer;
  let url: string;
  let certs: StandaloneCertificates;
  const seen: unknown[] = [];
  let authenticate: Authenticator = async ({ socket }) => (seen.push(socket), { username: 'someone', groups: [] });
  const store = waitingStore();
  const h2 = () => connect(url, { ca: certs.ca.certPem, cert: certs.admin.certPem, key: certs.admin.keyPem });
  const get = (session: ClientHttp2Session, path: string) =>
    new Promise<number>((resolve, reject) => {
      const stream = session.request({ ':path': path });
      let status = 0;
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.resume();
      stream.on('end', () => resolve(status));
      stream.on('error', reject);
    });

  before(async () => {
    certs = await createStandaloneCertificates();
    server = new KindredServer(buildSnapshot([kind], new Map([[kindKey(kind), store as unknown as Storage]])), {
      tls: { certPem: certs.serving.certPem, keyPem: certs.serving.keyPem, clientCaPems: [certs.ca.certPem] },
      authenticate: (input) => authenticate(input),
      authorize: allowAll,
      log: pino({ level: 'silent' }),
      requestTimeoutMs: 200,
    });
    const address = await server.listen(0, '127.0.0.1');
    url = `https://127.0.0.1:${address.port}`;
  });
  after(async () => server?.close());

  it('gives authenticators one socket object for every stream of one HTTP/2 connection, another for the next', async () => {
    seen.length = 0;
    const first = h2();
    await get(first, '/version');
    await get(first, '/version');
    const second = h2();
    await get(second, '/version');
    first.close();
    second.close();
    assert.equal(seen.length, 3);
    assert.ok(seen[0]);
    assert.equal(seen[0], seen[1]);
    assert.notEqual(seen[0], seen[2]);
  });

  it('gives authenticators one socket object for every request of one HTTP/1.1 keep-alive connection', async () => {
    seen.length = 0;
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: certs.ca.certPem, cert: certs.admin.certPem, key: certs.admin.keyPem });
    const once = () =>
      new Promise<void>((resolve, reject) => {
        const req = request(`${url}/version`, { agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
    await once();
    await once();
    agent.destroy();
    assert.equal(seen.length, 2);
    assert.equal(seen[0], seen[1]);
  });

  it("aborts the store's signal when the client goes away mid-request", async () => {
    const session = h2();
    const stream = session.request({ ':path': '/apis/test.example.com/v1/namespaces/default/probes/a' });
    stream.on('error', () => {});
    await store.calledGet;
    stream.close();
    await store.sawAbort;
    session.close();
  });

  it('answers 504 to a request still running at the request timeout', async () => {
    const saved = authenticate;
    authenticate = () => new Promise(() => {});
    const session = h2();
    try {
      assert.equal(await get(session, '/version'), 504);
    } finally {
      authenticate = saved;
      session.close();
    }
  });
});
