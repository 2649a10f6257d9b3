/**
 * The http plugin's bearer token kept in a Kubernetes Secret of a real kube-apiserver: read
 * through `--kubeconfig`, and read again when the service refuses it after the Secret was
 * rotated, with no request failing and the token in no error or log line.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { defaultObject, request, write } from '../../lib/testing/index.ts';
import { startJsonServer, type JsonServer } from '../support/json-server.ts';
import { startFaultProxy, type FaultProxy } from '../plugins/http/fault-proxy.ts';
import { httpStore, pluginContext, recordingLog, zoneKind } from '../plugins/http/fixtures.ts';
import { must, startKubeBackend, type KubeBackend } from './fixtures/kube-backend.ts';
import { clusterTestOptions } from './require.ts';

const NS = 'kindred-system';
const secret = (token: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'zones-api', namespace: NS }, stringData: { token } });

describe('http plugin credentials from a Secret', clusterTestOptions(), () => {
  let backend: KubeBackend;
  let service: JsonServer;
  let proxy: FaultProxy;

  before(async () => {
    backend = await startKubeBackend([NS]);
    service = await startJsonServer({ zones: [] });
    proxy = await startFaultProxy(service.origin);
  });
  after(async () => {
    await proxy?.close();
    await service?.dispose();
    await backend?.stop();
  });

  it('sends the token from the Secret, and the new one once the Secret is rotated', async () => {
    await must(backend.admin, 'POST', `/api/v1/namespaces/${NS}/secrets`, secret('first-token-1234'));
    proxy.requireHeader('authorization', 'Bearer first-token-1234');
    const log = recordingLog();
    const kind = zoneKind('Namespaced');
    const store = await httpStore(
      kind,
      { url: `${proxy.origin}/zones`, auth: { bearerToken: { secret: { namespace: NS, name: 'zones-api', key: 'token' } } } },
      { ...pluginContext(log), kubeconfigPath: backend.cp.adminKubeconfigPath },
    );
    try {
      await store.create(defaultObject(kind, 'a', 'ops'), write());

      await must(backend.admin, 'PUT', `/api/v1/namespaces/${NS}/secrets/zones-api`, secret('second-token-5678'));
      proxy.requireHeader('authorization', 'Bearer second-token-5678');
      assert.deepEqual((await store.list(undefined, {}, request())).items.map((o) => o.metadata.name), ['a']);
      const sent = proxy.seen.slice(-2).map((r) => r.headers.authorization);
      assert.deepEqual(sent, ['Bearer first-token-1234', 'Bearer second-token-5678']);

      // A token the service does not take: the error names no token.
      await must(backend.admin, 'PUT', `/api/v1/namespaces/${NS}/secrets/zones-api`, secret('third-token-9012'));
      proxy.requireHeader('authorization', 'Bearer something-else');
      await assert.rejects(store.get('ops', 'a', request()), (e: Error) => !/token-/.test(e.message) && /credentials \(HTTP 401\)/.test(e.message));
      assert.ok(log.lines.every((l) => !/token-/.test(l)), log.lines.join('\n'));
    } finally {
      await store.close();
    }
  });
});
