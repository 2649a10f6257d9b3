/**
 * A Kubernetes-backed kind whose cluster cannot be reached: its requests answer 503 with a
 * Retry-After within seconds, /readyz stays ready and says which backend is down, and
 * discovery keeps serving. Without any cluster config, the start fails at once, in one line.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { credentialsFromKubeconfig, httpRequest } from '../support/http.ts';
import { KubeClient } from '../../lib/kube/client.ts';

const platform = new URL('../../config/examples/platform.yaml', import.meta.url);

describe('a backend that cannot be reached', () => {
  let dir: string;
  let k: TestKindred;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kindred-unreachable-'));
    const kubeconfig = join(dir, 'kubeconfig');
    // Port 1 on loopback: connection refused at once.
    await writeFile(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]\n' +
        'users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
    );
    k = await startTestKindred(await readFile(platform, 'utf8'), { clusterKubeconfig: kubeconfig });
  });
  after(async () => {
    await k?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers its kinds with 503 and Retry-After within seconds, stays ready and names the backend', async () => {
    const creds = credentialsFromKubeconfig(k.kubeconfigPath);
    const started = Date.now();
    const list = await httpRequest(k.url, 'GET', '/apis/apps.example.com/v1alpha1/namespaces/a/postgreses', { credentials: creds });
    assert.equal(list.status, 503);
    assert.equal(list.json().reason, 'ServiceUnavailable');
    assert.ok(Number(list.headers['retry-after']) > 0);
    assert.ok(Date.now() - started < 15_000, `answered after ${Date.now() - started} ms`);
    const ready = await httpRequest(k.url, 'GET', '/readyz?verbose', { credentials: creds });
    assert.equal(ready.status, 200);
    assert.match(ready.text, /^\[\+\]backend:apps\.example\.com\/Postgres ok: backend unavailable, its requests answer 503: /m);
    const discovery = await httpRequest(k.url, 'GET', '/apis/apps.example.com/v1alpha1', { credentials: creds });
    assert.equal(discovery.status, 200);
  });

  it('refuses, in one line, a cluster plugin with neither a kubeconfig nor a pod to run in', () => {
    const saved = process.env['KUBERNETES_SERVICE_HOST'];
    delete process.env['KUBERNETES_SERVICE_HOST'];
    try {
      assert.throws(() => new KubeClient(undefined), { message: 'needs --kubeconfig or in-cluster config (not running in a pod: KUBERNETES_SERVICE_HOST is not set)' });
    } finally {
      if (saved !== undefined) process.env['KUBERNETES_SERVICE_HOST'] = saved;
    }
  });
});
