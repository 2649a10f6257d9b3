import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../core/types/object.ts';
import { secretProjection } from '../../../plugins/secret/index.ts';
import { postgresKind } from '../../lib/kube/kinds.ts';

const credential = (spec: Record<string, unknown>): KubeObject => ({
  apiVersion: 'apps.example.com/v1alpha1',
  kind: 'Postgres',
  metadata: { name: 'db', namespace: 'a', generation: 2 },
  spec,
});
const decoded = (data: unknown) => Object.fromEntries(Object.entries(data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));

describe('secretProjection(kind, options)', () => {
  it('layout spec: keeps all of spec as JSON under one key, and reads it back', () => {
    const projection = secretProjection(postgresKind('secret'), { prefix: 's-', key: 'config' });
    const secret = projection.toBacking(credential({ user: 'u', port: 5432 }), undefined);
    assert.equal(secret.metadata.name, 's-db');
    assert.equal(secret.type, 'Opaque');
    assert.deepEqual(decoded(secret.data), { config: '{"user":"u","port":5432}' });
    const back = projection.fromBacking(secret);
    assert.deepEqual(back?.spec, { user: 'u', port: 5432 });
    assert.equal(back?.metadata.generation, 2);
  });

  it('layout fields: one key per field, strings raw, others as JSON read back with their types', () => {
    const projection = secretProjection(postgresKind('secret'), { layout: 'fields' });
    const spec = { password: 'p', port: 5432, tls: { on: true } };
    const secret = projection.toBacking(credential(spec), undefined);
    assert.deepEqual(decoded(secret.data), { password: 'p', port: '5432', tls: '{"on":true}' });
    assert.deepEqual(projection.fromBacking(secret)?.spec, spec);
  });

  it('keeps the type of the Secret it replaces, which kube-apiserver will not change', () => {
    const projection = secretProjection(postgresKind('secret'), { type: 'Opaque' });
    const current: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'postgres-db' }, type: 'kubernetes.io/basic-auth' };
    assert.equal(projection.toBacking(credential({}), current).type, 'kubernetes.io/basic-auth');
  });
});
