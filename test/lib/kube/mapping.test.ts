import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../../core/types/object.ts';
import {
  fromBackingMetadata,
  GENERATION_ANNOTATION,
  GROUP_LABEL,
  isProjectionOf,
  KIND_LABEL,
  kindName,
  MANAGED_FIELDS_ANNOTATION,
  toBackingMetadata,
  type MetadataMapping,
} from '../../../lib/kube/mapping.ts';
import { postgresKind } from './kinds.ts';

const mapping: MetadataMapping = { kind: postgresKind(), prefix: 'pg-', fixedLabels: { offering: 'postgres' }, generation: 'backing' };

const object: KubeObject = {
  apiVersion: 'apps.example.com/v1alpha1',
  kind: 'Postgres',
  metadata: {
    name: 'main',
    namespace: 'team-a',
    resourceVersion: '42',
    generation: 3,
    labels: { team: 'a', offering: 'mine', [KIND_LABEL]: 'Spoofed' },
    annotations: { note: 'hi', 'x.kindred.dev/user': 'kept' },
    managedFields: [{ manager: 'kubectl', operation: 'Update' }],
  },
};

describe('kindName(mapping, backingName)', () => {
  it('strips the prefix, and refuses names without it or with nothing after it', () => {
    assert.equal(kindName(mapping, 'pg-main'), 'main');
    assert.equal(kindName(mapping, 'main'), undefined);
    assert.equal(kindName(mapping, 'pg-'), undefined);
  });
});

describe('toBackingMetadata(mapping, object, current)', () => {
  it('prefixes the name, sets identity and fixed labels over the user’s, and carries managedFields', () => {
    const meta = toBackingMetadata(mapping, object);
    assert.equal(meta.name, 'pg-main');
    assert.equal(meta.namespace, 'team-a');
    assert.equal(meta.resourceVersion, '42');
    assert.deepEqual(meta.labels, { team: 'a', offering: 'postgres', [GROUP_LABEL]: 'apps.example.com', [KIND_LABEL]: 'Postgres' });
    assert.equal(meta.annotations?.note, 'hi');
    assert.equal(meta.annotations?.['x.kindred.dev/user'], 'kept');
    assert.deepEqual(JSON.parse(meta.annotations?.[MANAGED_FIELDS_ANNOTATION] ?? ''), object.metadata.managedFields);
  });

  it('keeps the hidden owner references and finalizers of the object it replaces', () => {
    const current: KubeObject = {
      apiVersion: 'v1',
      kind: 'X',
      metadata: { name: 'pg-main', finalizers: ['finalizers.fluxcd.io'], ownerReferences: [{ apiVersion: 'v1', kind: 'Y', name: 'y', uid: 'u' }] },
    };
    const meta = toBackingMetadata(mapping, object, current);
    assert.deepEqual(meta.finalizers, ['finalizers.fluxcd.io']);
    assert.equal(meta.ownerReferences?.[0]?.name, 'y');
  });

  it('puts the generation in an annotation when the backing resource keeps none', () => {
    const meta = toBackingMetadata({ ...mapping, generation: 'annotation' }, object);
    assert.equal(meta.annotations?.[GENERATION_ANNOTATION], '3');
  });
});

describe('fromBackingMetadata(mapping, backing)', () => {
  it('round-trips what toBackingMetadata wrote, hiding identity, fixed and owner fields', () => {
    const backing: KubeObject = { apiVersion: 'v1', kind: 'X', metadata: { ...toBackingMetadata(mapping, object), uid: 'u1', generation: 3, finalizers: ['f'] } };
    assert.ok(isProjectionOf(mapping, backing));
    const meta = fromBackingMetadata(mapping, backing);
    assert.deepEqual(meta, {
      name: 'main',
      namespace: 'team-a',
      uid: 'u1',
      resourceVersion: '42',
      generation: 3,
      labels: { team: 'a' },
      annotations: { note: 'hi', 'x.kindred.dev/user': 'kept' },
      managedFields: object.metadata.managedFields,
    });
  });
});

describe('isProjectionOf(mapping, backing)', () => {
  it('needs both identity labels of this kind and the prefix', () => {
    const labelled = (labels: Record<string, string>, name = 'pg-a'): KubeObject => ({ apiVersion: 'v1', kind: 'X', metadata: { name, labels } });
    assert.ok(isProjectionOf(mapping, labelled({ [GROUP_LABEL]: 'apps.example.com', [KIND_LABEL]: 'Postgres' })));
    assert.ok(!isProjectionOf(mapping, labelled({ [KIND_LABEL]: 'Postgres' })));
    assert.ok(!isProjectionOf(mapping, labelled({ [GROUP_LABEL]: 'other.example.com', [KIND_LABEL]: 'Postgres' })));
    assert.ok(!isProjectionOf(mapping, labelled({ [GROUP_LABEL]: 'apps.example.com', [KIND_LABEL]: 'Postgres' }, 'a')));
  });
});
