/**
 * The scale subresource as kubectl and an autoscaler use it: `kubectl scale` (a merge patch
 * to /scale), `kubectl get --subresource=scale` (a Table of the Scale), and the GET/PUT of an
 * autoscaling/v1 Scale an HPA does.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { requireKubectl } from '../support/tools.ts';
import { credentialsFromKubeconfig, httpRequest, type Credentials } from '../support/http.ts';

const CONFIG = `
resources:
  - group: pools.example.com
    names: {kind: Pool, plural: pools, singular: pool}
    scope: Namespaced
    versions:
      - name: v1
        served: true
        storage: true
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec:
                type: object
                properties:
                  replicas: {type: integer}
                  selector: {type: string}
              status:
                type: object
                properties:
                  replicas: {type: integer}
        subresources:
          status: {}
          scale: {specReplicasPath: .spec.replicas, statusReplicasPath: .status.replicas, labelSelectorPath: .spec.selector}
`;

const pool = (name: string, replicas: number) =>
  JSON.stringify({ apiVersion: 'pools.example.com/v1', kind: 'Pool', metadata: { name }, spec: { replicas, selector: 'app=db' } });

for (const version of ['1.27', '1.33']) {
  describe(`the scale subresource with kubectl ${version}`, requireKubectl(version), () => {
    let k: TestKindred;
    let creds: Credentials;
    const ok = async (...args: string[]) => {
      const r = await k.kubectl(version, args);
      assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
      return r.stdout;
    };
    const scalePath = (name: string) => `/apis/pools.example.com/v1/namespaces/default/pools/${name}/scale`;
    const call = (method: string, path: string, body?: unknown) =>
      httpRequest(k.url, method, path, {
        credentials: creds,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });

    before(async () => {
      k = await startTestKindred(CONFIG);
      creds = credentialsFromKubeconfig(k.kubeconfigPath);
      const r = await k.kubectl(version, ['create', '-f', '-'], { input: pool('db', 1) });
      assert.equal(r.code, 0, r.stderr);
    });
    after(async () => {
      await k?.stop();
    });

    it('kubectl scale sets spec.replicas through /scale and bumps the generation', async () => {
      assert.match(await ok('scale', 'pool', 'db', '--replicas=3'), /pool\.pools\.example\.com\/db scaled/);
      const object = JSON.parse(await ok('get', 'pool', 'db', '-o', 'json'));
      assert.equal(object.spec.replicas, 3);
      assert.equal(object.spec.selector, 'app=db');
      assert.equal(object.metadata.generation, 2);
    });

    it('kubectl scale --current-replicas refuses when the count has moved', async () => {
      const r = await k.kubectl(version, ['scale', 'pool', 'db', '--current-replicas=7', '--replicas=4']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Expected replicas to be 7, was 3|precondition/i);
    });

    it('kubectl get --subresource=scale prints the desired and available replicas', async () => {
      const r = await k.kubectl(version, ['get', 'pool', 'db', '--subresource=scale']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^NAME\s+DESIRED\s+AVAILABLE\s+AGE$/m);
      assert.match(r.stdout, /^db\s+3\s+0\s+\S+$/m);
      const scale = JSON.parse(await ok('get', 'pool', 'db', '--subresource=scale', '-o', 'json'));
      assert.equal(scale.apiVersion, 'autoscaling/v1');
      assert.equal(scale.kind, 'Scale');
      assert.deepEqual(scale.spec, { replicas: 3 });
      assert.deepEqual(scale.status, { replicas: 0, selector: 'app=db' });
    });

    it('an autoscaler reads the Scale and writes it back with PUT, its resourceVersion a precondition', async () => {
      const read = await call('GET', scalePath('db'));
      assert.equal(read.status, 200);
      const scale = read.json();
      assert.equal(scale.metadata.name, 'db');
      const written = await call('PUT', scalePath('db'), { ...scale, spec: { replicas: 5 } });
      assert.equal(written.status, 200, written.text);
      assert.equal(written.json().spec.replicas, 5);
      assert.notEqual(written.json().metadata.resourceVersion, scale.metadata.resourceVersion);
      const stale = await call('PUT', scalePath('db'), { ...scale, spec: { replicas: 6 } });
      assert.equal(stale.status, 409);
      assert.equal(stale.json().reason, 'Conflict');
    });

    it('refuses a negative replica count with a 422 naming spec.replicas', async () => {
      const r = await call('PUT', scalePath('db'), { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'db' }, spec: { replicas: -1 } });
      assert.equal(r.status, 422);
      assert.equal(r.json().details.causes[0].field, 'spec.replicas');
    });

    it('answers 404 for the scale of an object that does not exist', async () => {
      const r = await call('GET', scalePath('missing'));
      assert.equal(r.status, 404);
      assert.equal(r.json().reason, 'NotFound');
    });
  });
}
