/**
 * `--manage-apiservices` on a real control plane: kindred, with a serving certificate it made
 * itself, registers an APIService per served group-version (caBundle included), and a kind
 * added in a new group is served through kube-apiserver with no manual step. APIServices it
 * does not own are never touched.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startKindred, type RunningKindred } from '../../app/startup.ts';
import { OWNER_LABEL } from '../../app/apiservices.ts';
import { startControlPlane, type ControlPlane } from './control-plane.ts';
import { clusterTestOptions } from './require.ts';
import { KINDRED_NAMESPACE, KINDRED_SERVICE, KINDRED_USER, apply, availability, kubectl, loopbackService, renderManifests, templateManifests, waitFor } from './aggregation-setup.ts';

function kindYaml(group: string, kind: string, plural: string): string {
  return `
  - group: ${group}
    names: {kind: ${kind}, plural: ${plural}}
    scope: Namespaced
    versions:
      - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
    backend: {plugin: memory}`;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('--manage-apiservices', clusterTestOptions(), () => {
  let cp: ControlPlane;
  let dir: string;
  let configFile: string;
  let kindred: RunningKindred | undefined;
  const admin = (...args: string[]) => kubectl(dir, ['--kubeconfig', cp.adminKubeconfigPath, ...args]);
  const writeConfig = (...kinds: string[]) => writeFile(configFile, `resources:${kinds.join('')}\n`);
  const apiService = async (name: string) => {
    const result = await admin('get', 'apiservice', name, '-o', 'json');
    return result.code === 0 ? (JSON.parse(result.stdout) as { metadata: { labels?: Record<string, string> }; spec: { caBundle?: string } }) : undefined;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kindred-manage-'));
    configFile = join(dir, 'kindred.yaml');
    cp = await startControlPlane();
    const { setup } = templateManifests(await renderManifests(dir), { port: 0, caPem: '' });
    await apply(dir, cp.adminKubeconfigPath, [...setup, loopbackService()]);
    // Someone else's APIService, in a group kindred will be configured to serve later.
    await apply(dir, cp.adminKubeconfigPath, [
      {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: 'v1.foreign.example.com' },
        spec: { group: 'foreign.example.com', version: 'v1', groupPriorityMinimum: 100, versionPriority: 10, service: { namespace: 'elsewhere', name: 'other', port: 443 } },
      },
    ]);
    await writeConfig(kindYaml('first.example.com', 'Widget', 'widgets'));
    const port = await freePort();
    kindred = await startKindred({
      configPath: configFile,
      configDebounceMs: 20,
      port,
      host: '127.0.0.1',
      log: pino({ level: process.env.KINDRED_TEST_LOG ?? 'silent' }),
      kubeconfig: await cp.kubeconfigFor(KINDRED_USER, ['system:serviceaccounts', `system:serviceaccounts:${KINDRED_NAMESPACE}`]),
      manageApiServices: { service: { namespace: KINDRED_NAMESPACE, name: KINDRED_SERVICE, port } },
    });
  });
  after(async () => {
    await kindred?.stop();
    await cp?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('registers its group-version with its own CA, and the aggregator serves the kind', async () => {
    await waitFor('v1.first.example.com Available', async () => (await availability(dir, cp, 'v1.first.example.com')) === 'True', 60_000);
    const registered = await apiService('v1.first.example.com');
    assert.equal(registered?.metadata.labels?.[OWNER_LABEL], `${KINDRED_NAMESPACE}.${KINDRED_SERVICE}`);
    assert.match(Buffer.from(registered?.spec.caBundle ?? '', 'base64').toString(), /BEGIN CERTIFICATE/);
    const result = await admin('get', 'widgets', '-A');
    assert.equal(result.code, 0, result.stderr);
  });

  it('serves a kind added in a new group through kube-apiserver with no manual step, and removes a group that leaves', async () => {
    await writeConfig(kindYaml('second.example.com', 'Gizmo', 'gizmos'), kindYaml('foreign.example.com', 'Thing', 'things'));
    const available = await waitFor('v1.second.example.com Available', async () => (await availability(dir, cp, 'v1.second.example.com')) === 'True', 60_000);
    const served = available + (await waitFor('gizmos served through kube-apiserver', async () => (await admin('get', 'gizmos', '-A')).code === 0, 60_000));
    console.log(`# new group: APIService Available after ${available} ms, kubectl get works after ${served} ms`);
    await waitFor('v1.first.example.com removed', async () => (await apiService('v1.first.example.com')) === undefined, 30_000);
  });

  it('leaves an APIService it does not own alone', async () => {
    const foreign = await apiService('v1.foreign.example.com');
    assert.equal(foreign?.metadata.labels?.[OWNER_LABEL], undefined);
    assert.equal(foreign?.spec.caBundle, undefined);
    assert.match(JSON.stringify(foreign), /"namespace":"elsewhere"/);
  });
});
