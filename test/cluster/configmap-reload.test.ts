/**
 * `--config-configmap`: kindred reads its config from a ConfigMap in a real kube-apiserver,
 * follows its changes, and records a Warning Event on it when a change is rejected.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { startKindred, type RunningKindred } from '../../app/startup.ts';
import { CONFIG_REJECTED_REASON } from '../../config/configmap-source.ts';
import { configYaml } from '../app/reload/fixtures.ts';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { clusterTestOptions } from './require.ts';
import { eventually } from '../support/eventually.ts';

const NAME = 'kindred-config';
const NAMESPACE = 'default';


describe('config from a ConfigMap', clusterTestOptions(), () => {
  let cp: ControlPlane;
  let api: CoreV1Api;
  let kindred: RunningKindred;
  let dir: string;
  const served = () => (kindred.reloader.generation?.kinds ?? []).map((k) => k.names.kind).sort();
  const setConfig = (data: Record<string, string>) =>
    api.replaceNamespacedConfigMap({ name: NAME, namespace: NAMESPACE, body: { metadata: { name: NAME, namespace: NAMESPACE }, data } });

  before(async () => {
    cp = await startControlPlane();
    const kc = new KubeConfig();
    kc.loadFromFile(cp.adminKubeconfigPath);
    api = kc.makeApiClient(CoreV1Api);
    await api.createNamespacedConfigMap({
      namespace: NAMESPACE,
      body: { metadata: { name: NAME }, data: { 'a.yaml': configYaml({ kind: 'Alpha' }), 'notes.txt': 'not config' } },
    });
    dir = await mkdtemp(join(tmpdir(), 'kindred-cm-'));
    kindred = await startKindred({
      configConfigMap: { namespace: NAMESPACE, name: NAME },
      kubeconfig: cp.adminKubeconfigPath,
      port: 0,
      host: '127.0.0.1',
      log: pino({ level: process.env.KINDRED_TEST_LOG ?? 'silent' }),
      kubeconfigPath: join(dir, 'kubeconfig'),
      configDebounceMs: 20,
    });
  });
  after(async () => {
    await kindred?.stop();
    await cp?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves the kinds of every .yaml key', () => {
    assert.deepEqual(served(), ['Alpha']);
  });

  it('serves a kind added to the ConfigMap', async () => {
    await setConfig({ 'a.yaml': configYaml({ kind: 'Alpha' }), 'b.yaml': configYaml({ kind: 'Beta' }) });
    await eventually('Beta', async () => (served().includes('Beta') ? true : undefined));
    assert.deepEqual(served(), ['Alpha', 'Beta']);
  });

  it('keeps the previous kinds after a bad change and records a Warning Event on the ConfigMap', async () => {
    const hash = kindred.reloader.generation!.hash;
    await setConfig({ 'a.yaml': configYaml({ kind: 'Alpha' }), 'b.yaml': configYaml({ kind: 'Beta', plugin: 'no-such-plugin' }) });
    const event = await eventually('the Event', async () => {
      const events = await api.listNamespacedEvent({ namespace: NAMESPACE, fieldSelector: `involvedObject.name=${NAME},reason=${CONFIG_REJECTED_REASON}` });
      return events.items[0];
    });
    assert.equal(event.type, 'Warning');
    assert.equal(event.involvedObject.kind, 'ConfigMap');
    assert.match(event.message ?? '', /b\.yaml: resources\[0\]\.backend\.plugin: unknown storage plugin "no-such-plugin"/);
    assert.equal(kindred.reloader.generation!.hash, hash);
    assert.deepEqual(served(), ['Alpha', 'Beta']);
  });

  it('recovers with the next good change', async () => {
    await setConfig({ 'b.yaml': configYaml({ kind: 'Beta' }) });
    await eventually('only Beta', async () => (served().join() === 'Beta' ? true : undefined));
    assert.equal(kindred.reloader.lastFailure, undefined);
  });
});
