/**
 * The secret plugin end to end: a Credential kind (config/examples/platform.yaml) kept in
 * Secrets of a real kube-apiserver, and no secret value in kindred's logs.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { KubeObject } from '../../core/types/object.ts';
import { GROUP_LABEL, KIND_LABEL } from '../../lib/kube/mapping.ts';
import { must } from './fixtures/kube-backend.ts';
import { startPlatform, type Platform } from './fixtures/platform.ts';
import { clusterTestOptions } from './require.ts';

const K = '1.33';
const NS = 'team-s';
const secretPath = (name: string) => `/api/v1/namespaces/${NS}/secrets/${name}`;
const decode = (value: unknown) => Buffer.from(String(value), 'base64').toString('utf8');

describe('secret plugin with kubectl', clusterTestOptions(), () => {
  let p: Platform;
  const logged: string[] = [];
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const kubectl = async (...args: string[]) => {
    const result = await p.kindred.kubectl(K, args);
    assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  const credential = (name: string, spec: Record<string, unknown>) =>
    JSON.stringify({ apiVersion: 'apps.example.com/v1alpha1', kind: 'Credential', metadata: { name, namespace: NS }, spec });

  before(async () => {
    const log = pino({ level: 'trace' }, { write: (line: string) => void logged.push(line) });
    p = await startPlatform([NS], { log });
  });
  after(async () => {
    await p?.stop();
  });

  it('creates, reads, updates and deletes a Credential as a Secret with one data key per field', async () => {
    await kubectl('create', '-f', await p.kindred.file('c.json', credential('db', { username: 'app', password, host: 'pg', port: 5432 })));
    const secret = await must(p.backend.admin, 'GET', secretPath('cred-db'));
    const data = secret.data as Record<string, string>;
    assert.equal(decode(data.username), 'app');
    assert.equal(decode(data.password), password);
    assert.equal(decode(data.port), '5432');
    assert.equal(secret.type, 'Opaque');
    const labels = (secret.metadata as { labels: Record<string, string> }).labels;
    assert.equal(labels[GROUP_LABEL], 'apps.example.com');
    assert.equal(labels[KIND_LABEL], 'Credential');

    const got = JSON.parse(await kubectl('get', 'credential', 'db', '-n', NS, '-o', 'json')) as KubeObject;
    assert.deepEqual(got.spec, { username: 'app', password, host: 'pg', port: 5432 });
    assert.match(await kubectl('get', 'cred', '-n', NS), /db\s+app\s+pg/);

    await kubectl('patch', 'cred', 'db', '-n', NS, '--type=merge', '-p', '{"spec":{"host":"pg.internal"}}');
    assert.equal(decode(((await must(p.backend.admin, 'GET', secretPath('cred-db'))).data as Record<string, string>).host), 'pg.internal');
    const patched = JSON.parse(await kubectl('get', 'cred', 'db', '-n', NS, '-o', 'json')) as KubeObject;
    assert.equal(patched.metadata.generation, 2, 'generation moves with spec, kept in an annotation');

    // A failing write, whose error must not quote the value back either.
    const again = await p.kindred.kubectl(K, ['create', '-f', await p.kindred.file('c2.json', credential('db', { username: 'x', password }))]);
    assert.match(again.stderr, /AlreadyExists/);
    assert.doesNotMatch(again.stderr, new RegExp(password));

    await kubectl('delete', 'cred', 'db', '-n', NS);
    assert.equal((await p.backend.admin.request('GET', secretPath('cred-db'))).status, 404);
  });

  it('never writes a secret value into its logs', () => {
    assert.ok(logged.length > 0, 'the test captured kindred logs');
    const text = logged.join('');
    assert.ok(!text.includes(password), 'the password appears in the logs');
    assert.ok(!text.includes(Buffer.from(password).toString('base64')), 'the base64 password appears in the logs');
  });
});
