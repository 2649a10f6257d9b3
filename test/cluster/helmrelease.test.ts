/**
 * The helmrelease plugin end to end: kubectl against kindred serving
 * config/examples/platform.yaml, HelmReleases checked in a real kube-apiserver.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GROUP_LABEL, KIND_LABEL } from '../../lib/kube/mapping.ts';
import type { KubeObject } from '../../core/types/object.ts';
import { HELM_RELEASES, must } from './fixtures/kube-backend.ts';
import { startPlatform, type Platform } from './fixtures/platform.ts';
import { clusterTestOptions } from './require.ts';

const K = '1.33';
const NS = 'team-a';
const hrPath = (name = '') => `${HELM_RELEASES}/namespaces/${NS}/helmreleases${name ? `/${name}` : ''}`;
const identity = { [GROUP_LABEL]: 'apps.example.com', [KIND_LABEL]: 'Postgres' };

function postgres(name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}): string {
  return JSON.stringify({ apiVersion: 'apps.example.com/v1alpha1', kind: 'Postgres', metadata: { name, namespace: NS, labels }, spec });
}

describe('helmrelease plugin with kubectl', clusterTestOptions(), () => {
  let p: Platform;
  const kubectl = async (...args: string[]) => {
    const result = await p.kindred.kubectl(K, args);
    assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const helmRelease = async (name: string) => (await must(p.backend.admin, 'GET', hrPath(name))) as unknown as KubeObject & { spec: Record<string, any> };

  before(async () => {
    p = await startPlatform([NS]);
  });
  after(async () => {
    await p?.stop();
  });

  it('creates, reads, patches and deletes a Postgres as a HelmRelease of the configured chart', async () => {
    await kubectl('apply', '-f', await p.kindred.file('pg.json', postgres('main', { version: '16', replicas: 2 }, { team: 'a' })));
    const hr = await helmRelease('postgres-main');
    assert.deepEqual(hr.spec.chart, {
      spec: { chart: 'postgres', version: '>=1.0.0 <2.0.0', sourceRef: { kind: 'HelmRepository', name: 'platform-charts', namespace: 'flux-system' } },
    });
    assert.deepEqual(hr.spec.values, { version: '16', replicas: 2, storage: '10Gi' });
    assert.equal(hr.spec.interval, '5m');
    assert.deepEqual(hr.spec.install, { timeout: '10m', remediation: { retries: 3 } });
    assert.deepEqual(hr.metadata.labels, { ...identity, 'platform.example.com/offering': 'postgres', team: 'a' });

    const got = JSON.parse(await kubectl('get', 'postgres', 'main', '-n', NS, '-o', 'json')) as KubeObject;
    assert.deepEqual(got.spec, { version: '16', replicas: 2, storage: '10Gi' });
    assert.deepEqual(got.metadata.labels, { team: 'a' }, 'identity and fixed labels are hidden');
    assert.equal(got.metadata.resourceVersion, hr.metadata.resourceVersion, 'resourceVersion passes through');
    assert.equal(got.metadata.uid, hr.metadata.uid);

    await kubectl('patch', 'pg', 'main', '-n', NS, '--type=merge', '-p', '{"spec":{"replicas":3}}');
    assert.equal((await helmRelease('postgres-main')).spec.values.replicas, 3, 'changing spec changes values');
    assert.match(await kubectl('get', 'pg', '-n', NS), /main\s+16\s+3/);

    await kubectl('delete', 'pg', 'main', '-n', NS);
    assert.equal((await p.backend.admin.request('GET', hrPath('postgres-main'))).status, 404);
    assert.match((await p.kindred.kubectl(K, ['get', 'pg', 'main', '-n', NS])).stderr, /NotFound|not found/);
  });

  it('puts Redis spec under the configured values path and Bucket on a chartRef with server-fixed valuesFrom', async () => {
    const redis = { apiVersion: 'apps.example.com/v1alpha1', kind: 'Redis', metadata: { name: 'cache', namespace: NS }, spec: { memory: '2Gi' } };
    const bucket = { apiVersion: 'apps.example.com/v1alpha1', kind: 'Bucket', metadata: { name: 'media', namespace: NS }, spec: { region: 'eu' } };
    await kubectl('create', '-f', await p.kindred.file('rb.yaml', `${JSON.stringify(redis)}\n---\n${JSON.stringify(bucket)}\n`));
    assert.deepEqual((await helmRelease('redis-cache')).spec.values, { redis: { memory: '2Gi', replicas: 1 } });
    const hr = await helmRelease('bucket-media');
    assert.deepEqual(hr.spec.chartRef, { kind: 'OCIRepository', name: 'bucket-chart', namespace: 'flux-system' });
    assert.equal(hr.spec.chart, undefined);
    assert.equal(hr.spec.valuesFrom[0].name, 'platform-defaults');
    assert.match(await kubectl('get', 'redis', 'cache', '-n', NS, '-o', 'jsonpath={.spec.memory}'), /^2Gi$/);
  });

  it('rejects a name whose Helm release name would exceed 53 characters with a 422 naming the limit', async () => {
    const name = 'x'.repeat(53 - 'postgres-'.length + 1);
    const result = await p.kindred.kubectl(K, ['create', '-f', await p.kindred.file('long.json', postgres(name, {}))]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /is invalid/);
    assert.match(result.stderr, /metadata\.name/);
    assert.match(result.stderr, /53/);
  });

  it('lists a hand-made HelmRelease with the identity labels as a Postgres, and never one without them', async () => {
    const hr = (name: string, labels: Record<string, string>) => ({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name, namespace: NS, labels },
      spec: { interval: '1m', chart: { spec: { chart: 'postgres', sourceRef: { kind: 'HelmRepository', name: 'x' } } }, values: { version: '15' } },
    });
    await must(p.backend.admin, 'POST', hrPath(), hr('postgres-byhand', identity));
    await must(p.backend.admin, 'POST', hrPath(), hr('postgres-foreign', { team: 'a' }));
    const waiting = p.kindred.kubectl(K, ['wait', '--for=condition=Ready', 'pg/byhand', '-n', NS, '--timeout=30s']);

    const names = await kubectl('get', 'pg', '-n', NS, '-o', 'name');
    assert.match(names, /postgres\.apps\.example\.com\/byhand/);
    assert.doesNotMatch(names, /foreign/);
    assert.match((await p.kindred.kubectl(K, ['get', 'pg', 'foreign', '-n', NS])).stderr, /NotFound/);

    // No helm-controller runs: write the status as it would, through the /status subresource.
    const current = await helmRelease('postgres-byhand');
    await must(p.backend.admin, 'PUT', `${hrPath('postgres-byhand')}/status`, {
      ...current,
      status: {
        observedGeneration: 1,
        lastAttemptedRevision: '1.2.3',
        conditions: [
          { type: 'Ready', status: 'True', reason: 'InstallSucceeded', message: 'Helm install succeeded', lastTransitionTime: '2025-01-01T00:00:00Z' },
          { type: 'Released', status: 'True', reason: 'InstallSucceeded', message: 'installed', lastTransitionTime: '2025-01-01T00:00:00Z' },
        ],
      },
    });
    const waited = await waiting;
    assert.equal(waited.code, 0, waited.stderr);
    assert.match(waited.stdout, /condition met/);
    // REPLICAS shows the schema's default (1): defaults apply on read, as kube-apiserver applies them.
    assert.match(await kubectl('get', 'pg', 'byhand', '-n', NS), /byhand\s+15\s+1\s+True/);
    assert.match(await kubectl('get', 'pg', 'byhand', '-n', NS, '-o', 'wide'), /True\s+1\.2\.3/);
    const status = JSON.parse(await kubectl('get', 'pg', 'byhand', '-n', NS, '-o', 'json')).status;
    assert.equal(status.version, '1.2.3');
    assert.equal(status.observedGeneration, 1);
    assert.deepEqual(status.conditions.map((c: { type: string }) => c.type), ['Ready', 'Released']);
  });

  it('answers a stale writer with 409 Conflict instead of retrying', async () => {
    await kubectl('create', '-f', await p.kindred.file('c.json', postgres('contended', { replicas: 1 })));
    const stale = JSON.parse(await kubectl('get', 'pg', 'contended', '-n', NS, '-o', 'json')) as KubeObject;
    await kubectl('patch', 'pg', 'contended', '-n', NS, '--type=merge', '-p', '{"spec":{"replicas":2}}');
    (stale.spec as Record<string, unknown>).replicas = 5;
    const result = await p.kindred.kubectl(K, ['replace', '-f', await p.kindred.file('stale.json', JSON.stringify(stale))]);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Conflict|the object has been modified/);
    assert.equal((await helmRelease('postgres-contended')).spec.values.replicas, 2);
  });
});
