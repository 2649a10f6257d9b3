/**
 * Server-side apply and managedFields through the handlers, in process, as kube-apiserver
 * answers them for a CRD. (kubectl's apply is in test/e2e/apply.test.ts.) Each case makes
 * what it needs in a store of its own.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../core/types/object.ts';
import { harness, widget, widgets, GROUP } from '../../support/resource-request.ts';

const APPLY = 'application/apply-patch+yaml';
const yaml = (name: string, spec: string) => `apiVersion: ${GROUP}/v1\nkind: Widget\nmetadata:\n  name: ${name}\nspec:\n${spec}\n`;
const apply = (name: string, query: string, body: string) => ({ method: 'PATCH', url: `${widgets()}/${name}?${query}`, body, contentType: APPLY });
const managed = (object: unknown) => (object as KubeObject).metadata.managedFields as { manager: string; operation: string; fieldsV1: unknown }[] | undefined;

describe('server-side apply', () => {
  it('answers 422 when an apply names no fieldManager', async () => {
    const r = await harness().call(apply('h-1', '', yaml('h-1', '  size: 1')));
    assert.equal(r.status, 422);
    assert.deepEqual((r.body as { details: { causes: unknown } }).details.causes, [
      { reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' },
    ]);
  });

  it('stores nothing for a dry-run apply of an absent object', async () => {
    const h = harness();
    assert.equal((await h.call(apply('h-1', 'fieldManager=m&dryRun=All', yaml('h-1', '  size: 1')))).status, 201);
    assert.equal((await h.call({ method: 'GET', url: `${widgets()}/h-1` })).status, 404);
  });

  it('creates with 201 from a YAML body, then answers 200', async () => {
    const h = harness();
    const created = await h.call(apply('h-1', 'fieldManager=m', yaml('h-1', '  size: 1')));
    assert.equal(created.status, 201);
    assert.equal(managed(created.body)?.[0]?.manager, 'm');
    const again = await h.call(apply('h-1', 'fieldManager=m', yaml('h-1', '  size: 2')));
    assert.equal(again.status, 200);
    assert.deepEqual((again.body as KubeObject).spec, { size: 2 });
    assert.equal((again.body as KubeObject).metadata.generation, 2);
  });

  it('answers a conflict with 409 and one FieldManagerConflict cause per field', async () => {
    const h = harness();
    await h.call(apply('h-1', 'fieldManager=m', yaml('h-1', '  size: 1')));
    const r = await h.call(apply('h-1', 'fieldManager=other', yaml('h-1', '  size: 3')));
    assert.equal(r.status, 409);
    assert.deepEqual(r.body, {
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
    const r = await harness().call(apply('h-1', 'fieldManager=m', yaml('h-1', '  size: 1').replace('metadata:\n', 'metadata:\n  managedFields: []\n')));
    assert.equal(r.status, 400);
  });
});

describe('managedFields of other writes', () => {
  const mergePatch = (body: unknown, userAgent?: string) => ({
    method: 'PATCH',
    url: `${widgets()}/h-1`,
    body,
    contentType: 'application/merge-patch+json',
    ...(userAgent ? { userAgent } : {}),
  });

  it('names an Update manager after the User-Agent when no fieldManager is given', async () => {
    const h = harness();
    await h.call({ method: 'POST', url: widgets(), body: widget('h-1', {}) });
    const r = await h.call(mergePatch({ spec: { size: 3 } }, 'my-controller/v0.1 (linux/amd64)'));
    const entry = managed(r.body)?.find((e) => e.manager === 'my-controller');
    assert.deepEqual(entry?.fieldsV1, { 'f:spec': { 'f:size': {} } });
    assert.equal(entry?.operation, 'Update');
  });

  it('lets a client reset managedFields with an empty list', async () => {
    const h = harness();
    await h.call({ method: 'POST', url: widgets(), body: widget('h-1') });
    const r = await h.call(mergePatch({ metadata: { managedFields: [{}] } }));
    assert.equal(r.status, 200);
    assert.equal(managed(r.body), undefined);
  });
});
