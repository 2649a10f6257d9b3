/**
 * The audit log with a real Secret-backed kind: under a policy that asks for request and
 * response bodies of everything, the Secret-backed kind's events carry metadata only, and no
 * password reaches the file at any stage, while another kind's bodies are there.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestKindred, type TestKindred } from '../support/kindred.ts';
import { startKubeBackend, type KubeBackend } from './fixtures/kube-backend.ts';
import { PLATFORM_CONFIG } from './fixtures/platform.ts';
import { clusterTestOptions } from './require.ts';

const NS = 'audited';
const PASSWORD = 's3cr3t-never-logged';

describe('audit log with a Secret-backed kind', clusterTestOptions(), () => {
  let backend: KubeBackend;
  let k: TestKindred;
  let auditFile: string;
  let dir: string;

  before(async () => {
    backend = await startKubeBackend([NS]);
    const config = await readFile(PLATFORM_CONFIG, 'utf8');
    dir = await mkdtemp(join(tmpdir(), 'kindred-audit-'));
    const policyFile = join(dir, 'audit-policy.yaml');
    auditFile = join(dir, 'audit.log');
    await writeFile(policyFile, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: RequestResponse\n');
    k = await startTestKindred(config, { clusterKubeconfig: backend.cp.adminKubeconfigPath, start: { audit: { path: auditFile, policyFile } } });
  });
  after(async () => {
    await k?.stop();
    await backend?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps Secret-backed values out of every event and records other kinds in full', async () => {
    const credential = { apiVersion: 'apps.example.com/v1alpha1', kind: 'Credential', metadata: { name: 'db', namespace: NS }, spec: { username: 'app', password: PASSWORD } };
    const postgres = { apiVersion: 'apps.example.com/v1alpha1', kind: 'Postgres', metadata: { name: 'db', namespace: NS }, spec: { version: '16' } };
    for (const object of [credential, postgres]) {
      const r = await k.kubectl('1.33', ['create', '-f', await k.file(`${object.kind}.json`, JSON.stringify(object))]);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal((await k.kubectl('1.33', ['get', 'credentials', 'db', '-n', NS, '-o', 'json'])).code, 0);
    await k.stop();
    const events = (await readFile(auditFile, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    assert.ok(!(await readFile(auditFile, 'utf8')).includes(PASSWORD), 'the password appears nowhere in the audit log');
    const credentialEvents = events.filter((e) => e.objectRef?.resource === 'credentials');
    assert.ok(credentialEvents.length >= 2);
    for (const e of credentialEvents) assert.equal(e.level, 'Metadata');
    const created = events.find((e) => e.objectRef?.resource === 'postgreses' && e.verb === 'create' && e.stage === 'ResponseComplete');
    assert.equal(created?.level, 'RequestResponse');
    assert.equal(created?.requestObject?.spec?.version, '16');
    assert.equal(created?.responseStatus?.code, 201);
    assert.match(String(created?.auditID), /^[0-9a-f-]{36}$/);
  });
});
