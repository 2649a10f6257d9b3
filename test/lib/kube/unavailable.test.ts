import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isStoreError } from '../../../core/types/errors.ts';
import { helmReleaseProjection } from '../../../plugins/helmrelease/index.ts';
import { ProjectedStore } from '../../../lib/kube/store.ts';
import { request, write } from '../../../lib/testing/index.ts';
import { postgresKind } from './kinds.ts';

const quiet = { info() {}, warn() {}, error() {}, debug() {} };

describe('ProjectedStore when kube-apiserver cannot be reached', () => {
  let dir = '';
  let store: ProjectedStore;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kindred-unreachable-'));
    const kubeconfig = join(dir, 'kubeconfig');
    // Port 1 on loopback: connection refused, at once.
    await writeFile(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]\n` +
        `users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
    );
    const kind = postgresKind();
    const projection = helmReleaseProjection(kind, { chart: { name: 'pg', sourceRef: { kind: 'HelmRepository', name: 'r' } } });
    store = new ProjectedStore(kind, projection, { kubeconfigPath: kubeconfig, log: quiet, syncWaitMs: 200 });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const unavailable = (error: unknown) => isStoreError(error) && error.reason === 'ServiceUnavailable' && (error.retryAfterSeconds ?? 0) > 0;

  it('answers reads with ServiceUnavailable and a retry-after', async () => {
    await assert.rejects(store.list('a', {}, request()), unavailable);
    await assert.rejects(store.get('a', 'x', request()), unavailable);
  });

  it('answers writes with ServiceUnavailable and a retry-after', async () => {
    const object = { apiVersion: 'apps.example.com/v1alpha1', kind: 'Postgres', metadata: { name: 'x', namespace: 'a' }, spec: {} };
    await assert.rejects(store.create(object, write()), unavailable);
  });
});
