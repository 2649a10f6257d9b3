import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStoreError } from '../../../core/types/errors.ts';
import type { KubeObject } from '../../../core/types/object.ts';
import { helmReleaseProjection } from '../../../plugins/helmrelease/index.ts';
import { postgresKind } from '../../lib/kube/kinds.ts';

const chart = { name: 'postgres', version: '1.x', sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'flux-system' } };
const pg = (name: string, spec: Record<string, unknown> = { replicas: 2 }): KubeObject => ({
  apiVersion: 'apps.example.com/v1alpha1',
  kind: 'Postgres',
  metadata: { name, namespace: 'a', generation: 1 },
  spec,
});

describe('helmReleaseProjection(kind, options)', () => {
  it('makes a HelmRelease of the configured chart whose values are the spec', () => {
    const hr = helmReleaseProjection(postgresKind(), { prefix: 'pg-', chart, install: { timeout: '5m' } }).toBacking(pg('main'), undefined);
    assert.equal(hr.apiVersion, 'helm.toolkit.fluxcd.io/v2');
    assert.equal(hr.metadata.name, 'pg-main');
    assert.deepEqual(hr.spec, {
      interval: '5m',
      values: { replicas: 2 },
      chart: { spec: { chart: 'postgres', version: '1.x', sourceRef: chart.sourceRef } },
      install: { timeout: '5m' },
    });
  });

  it('places the spec under valuesPath and reads it back from there', () => {
    const projection = helmReleaseProjection(postgresKind(), { chart, valuesPath: 'db.settings' });
    const hr = projection.toBacking(pg('main'), undefined);
    assert.deepEqual((hr.spec as { values: unknown }).values, { db: { settings: { replicas: 2 } } });
    assert.deepEqual(projection.fromBacking(hr)?.spec, { replicas: 2 });
  });

  it('derives status from the HelmRelease: conditions, last attempted revision, observedGeneration', () => {
    const projection = helmReleaseProjection(postgresKind(), { chart });
    const hr = projection.toBacking(pg('main'), undefined);
    hr.status = {
      observedGeneration: 4,
      lastAttemptedRevision: '1.2.3',
      history: [{ secret: 'hidden' }],
      conditions: [{ type: 'Ready', status: 'False', reason: 'InstallFailed', message: 'boom', lastTransitionTime: 't' }],
    };
    assert.deepEqual(projection.fromBacking(hr)?.status, {
      observedGeneration: 4,
      version: '1.2.3',
      conditions: [{ type: 'Ready', status: 'False', reason: 'InstallFailed', message: 'boom', lastTransitionTime: 't' }],
    });
  });

  it('rejects a name whose release name would exceed 53 characters as Invalid on metadata.name', () => {
    const projection = helmReleaseProjection(postgresKind(), { prefix: 'postgres-', chart });
    projection.check?.(pg('x'.repeat(44)));
    assert.throws(
      () => projection.check?.(pg('x'.repeat(45))),
      (error: unknown) => isStoreError(error) && error.reason === 'Invalid' && error.causes[0]?.field === 'metadata.name' && /53/.test(error.causes[0].message),
    );
  });

  it('does not project a HelmRelease without the identity labels', () => {
    const projection = helmReleaseProjection(postgresKind(), { chart });
    const hr = projection.toBacking(pg('main'), undefined);
    delete hr.metadata.labels;
    assert.equal(projection.fromBacking(hr), undefined);
  });
});
