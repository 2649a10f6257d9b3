/** Server-side apply and managedFields over HTTP, as kube-apiserver answers them for a CRD. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestKindred, type TestKindred } from '../../support/kindred.ts';
import { credentialsFromKubeconfig, httpRequest, type Credentials } from '../../support/http.ts';
import { E2E_CONFIG } from '../../support/gadget-config.ts';

const base = '/apis/fleet.example.net/v1/namespaces/default/gadgets';
const APPLY = 'application/apply-patch+yaml';
const config = E2E_CONFIG.replaceAll(/scope: (Namespaced|Cluster)/g, 'scope: $1\n    backend: {plugin: memory}');

describe('server-side apply over HTTP', () => {
  let k: TestKindred;
  let creds: Credentials;
  const call = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    httpRequest(k.url, method, path, { credentials: creds, headers, ...(body === undefined ? {} : { body }) });
  const apply = (name: string, query: string, yaml: string) => call('PATCH', `${base}/${name}?${query}`, yaml, { 'content-type': APPLY });
  const yaml = (name: string, spec: string) => `apiVersion: fleet.example.net/v1\nkind: Gadget\nmetadata:\n  name: ${name}\nspec:\n${spec}\n`;

  before(async () => {
    k = await startTestKindred(config);
    creds = credentialsFromKubeconfig(k.kubeconfigPath);
  });
  after(async () => {
    await k?.stop();
  });

  it('answers 422 when an apply names no fieldManager', async () => {
    const r = await apply('h-1', '', yaml('h-1', '  size: 1'));
    assert.equal(r.status, 422);
    assert.deepEqual(r.json().details.causes, [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }]);
  });

  it('stores nothing for a dry-run apply of an absent object', async () => {
    const r = await apply('h-1', 'fieldManager=m&dryRun=All', yaml('h-1', '  size: 1'));
    assert.equal(r.status, 201);
    assert.equal((await call('GET', `${base}/h-1`)).status, 404);
  });

  it('creates with 201 from a YAML body, then answers 200', async () => {
    const created = await apply('h-1', 'fieldManager=m', yaml('h-1', '  size: 1'));
    assert.equal(created.status, 201);
    assert.equal(created.json().metadata.managedFields[0].manager, 'm');
    const again = await apply('h-1', 'fieldManager=m', yaml('h-1', '  size: 2'));
    assert.equal(again.status, 200);
    assert.equal(again.json().spec.size, 2);
    assert.equal(again.json().metadata.generation, 2);
  });

  it('answers a conflict with 409 and one FieldManagerConflict cause per field', async () => {
    const r = await apply('h-1', 'fieldManager=other', yaml('h-1', '  size: 3'));
    assert.equal(r.status, 409);
    assert.deepEqual(r.json(), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Apply failed with 1 conflict: conflict with "m": .spec.size',
      reason: 'Conflict',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "m"', field: '.spec.size' }] },
      code: 409,
    });
  });

  it('refuses managedFields in the applied configuration', async () => {
    const r = await apply('h-1', 'fieldManager=m', yaml('h-1', '  size: 1').replace('metadata:\n', 'metadata:\n  managedFields: []\n'));
    assert.equal(r.status, 400);
  });

  it('names an Update manager after the User-Agent when no fieldManager is given', async () => {
    const r = await call('PATCH', `${base}/h-1`, '{"spec":{"color":"red"}}', {
      'content-type': 'application/merge-patch+json',
      'user-agent': 'my-controller/v0.1 (linux/amd64)',
    });
    const entry = r.json().metadata.managedFields.find((e: { manager: string }) => e.manager === 'my-controller');
    assert.deepEqual(entry.fieldsV1, { 'f:spec': { 'f:color': {} } });
    assert.equal(entry.operation, 'Update');
  });

  it('lets a client reset managedFields with an empty list', async () => {
    const r = await call('PATCH', `${base}/h-1`, '{"metadata":{"managedFields":[{}]}}', { 'content-type': 'application/merge-patch+json' });
    assert.equal(r.status, 200);
    assert.equal(r.json().metadata.managedFields, undefined);
  });
});
