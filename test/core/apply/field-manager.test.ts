import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../core/types/object.ts';
import { objectTypeOf } from '../../../core/apply/schema.ts';
import { applyConfiguration, managedFieldsAfterUpdate, type FieldManagerContext } from '../../../core/apply/field-manager.ts';
import { StatusError } from '../../../core/status.ts';

const type = objectTypeOf({
  type: 'object',
  properties: {
    spec: { type: 'object', properties: { replicas: { type: 'integer' }, color: { type: 'string' }, size: { type: 'integer' } } },
    status: { type: 'object', properties: { phase: { type: 'string' } } },
  },
});
const apiVersion = 'example.com/v1';

function ctx(manager: string, more: Partial<FieldManagerContext> = {}): FieldManagerContext {
  return { type, apiVersion, subresource: '', manager, now: '2024-01-02T03:04:05Z', tracked: 'exceptStatus', ...more };
}

function object(spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): KubeObject {
  return { apiVersion, kind: 'Widget', metadata: { name: 'w', namespace: 'default', ...metadata }, spec };
}

const entries = (o: KubeObject) => o.metadata.managedFields as Record<string, unknown>[];

describe('managedFieldsAfterUpdate', () => {
  it('gives a creating manager the fields it set, never name, namespace or status', () => {
    const created = { ...object({ size: 1 }), status: { phase: 'x' } };
    assert.deepEqual(managedFieldsAfterUpdate(ctx('kubectl-create'), undefined, undefined, created), [
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion,
        time: '2024-01-02T03:04:05Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': { '.': {}, 'f:size': {} } },
      },
    ]);
  });

  it('moves a changed field from its previous manager to the writer', () => {
    const live = object({ size: 1, color: 'red' });
    live.metadata.managedFields = managedFieldsAfterUpdate(ctx('a'), undefined, undefined, live);
    const fields = managedFieldsAfterUpdate(ctx('b'), live, live.metadata.managedFields, object({ size: 2, color: 'red' }))!;
    assert.deepEqual(
      fields.map((e) => [e.manager, e.fieldsV1]),
      [
        ['a', { 'f:spec': { '.': {}, 'f:color': {} } }],
        ['b', { 'f:spec': { 'f:size': {} } }],
      ],
    );
  });

  it('starts afresh when the client sends an empty list or [{}]', () => {
    const live = object({ size: 1 });
    live.metadata.managedFields = managedFieldsAfterUpdate(ctx('a'), undefined, undefined, live);
    assert.equal(managedFieldsAfterUpdate(ctx('b'), live, [], object({ size: 1 })), undefined);
    assert.equal(managedFieldsAfterUpdate(ctx('b'), live, [{}], object({ size: 1 })), undefined);
  });

  it('keeps the live managedFields when the client sends none or garbage', () => {
    const live = object({ size: 1 });
    live.metadata.managedFields = managedFieldsAfterUpdate(ctx('a'), undefined, undefined, live);
    assert.deepEqual(managedFieldsAfterUpdate(ctx('b'), live, undefined, object({ size: 1 })), live.metadata.managedFields);
    assert.deepEqual(managedFieldsAfterUpdate(ctx('b'), live, [{ nonsense: true }], object({ size: 1 })), live.metadata.managedFields);
  });

  it('records a status write with its subresource', () => {
    const live = object({ size: 1 });
    const updated = { ...live, status: { phase: 'Up' } };
    const [entry] = managedFieldsAfterUpdate(ctx('ctl', { subresource: 'status', tracked: 'onlyStatus' }), live, undefined, updated)!;
    assert.equal(entry!.subresource, 'status');
    assert.deepEqual(entry!.fieldsV1, { 'f:status': { '.': {}, 'f:phase': {} } });
  });
});

describe('applyConfiguration', () => {
  const empty: KubeObject = { apiVersion, kind: 'Widget', metadata: {} };

  it('records an Apply entry with exactly the applied fields', () => {
    const applied = applyConfiguration(ctx('a'), empty, object({ replicas: 1 }), false);
    assert.equal(applied.spec && (applied.spec as { replicas: number }).replicas, 1);
    assert.deepEqual(entries(applied), [
      { manager: 'a', operation: 'Apply', apiVersion, time: '2024-01-02T03:04:05Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } },
    ]);
  });

  it('fails with a conflict naming the field and the manager when another applier owns it', () => {
    const live = applyConfiguration(ctx('a'), empty, object({ replicas: 1 }), false);
    assert.throws(
      () => applyConfiguration(ctx('b'), live, object({ replicas: 2 }), false),
      (error: StatusError) => {
        assert.equal(error.status.code, 409);
        assert.equal(error.status.reason, 'Conflict');
        assert.equal(error.message, 'Apply failed with 1 conflict: conflict with "a": .spec.replicas');
        assert.deepEqual(error.status.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "a"', field: '.spec.replicas' }]);
        return true;
      },
    );
  });

  it('names an Update manager with its apiVersion and lists several conflicts', () => {
    const live = object({ replicas: 1, color: 'red' });
    live.metadata.managedFields = managedFieldsAfterUpdate(ctx('kubectl-edit'), undefined, undefined, live);
    assert.throws(
      () => applyConfiguration(ctx('b'), live, object({ replicas: 2, color: 'blue' }), false),
      { message: `Apply failed with 2 conflicts: conflicts with "kubectl-edit" using ${apiVersion}:\n- .spec.color\n- .spec.replicas` },
    );
  });

  it('takes the field over with force, and the other manager loses it', () => {
    const live = applyConfiguration(ctx('a'), empty, object({ replicas: 1, color: 'red' }), false);
    const forced = applyConfiguration(ctx('b'), live, object({ replicas: 2 }), true);
    assert.deepEqual((forced.spec as Record<string, unknown>).replicas, 2);
    assert.deepEqual(
      entries(forced).map((e) => [e.manager, e.fieldsV1]),
      [
        ['a', { 'f:spec': { 'f:color': {} } }],
        ['b', { 'f:spec': { 'f:replicas': {} } }],
      ],
    );
  });

  it('shares a field applied with the same value, without conflict', () => {
    const live = applyConfiguration(ctx('a'), empty, object({ replicas: 1 }), false);
    const shared = applyConfiguration(ctx('b'), live, object({ replicas: 1 }), false);
    assert.deepEqual(entries(shared).map((e) => e.manager), ['a', 'b']);
  });

  it('removes a field the applier stops applying when nobody else owns it', () => {
    const live = applyConfiguration(ctx('a'), empty, object({ replicas: 1, color: 'red' }), false);
    const next = applyConfiguration(ctx('a'), live, object({ replicas: 1 }), false);
    assert.deepEqual(next.spec, { replicas: 1 });
  });

  it('keeps a field the applier stops applying when another manager owns it', () => {
    const live = applyConfiguration(ctx('a'), empty, object({ replicas: 1, color: 'red' }), false);
    const shared = applyConfiguration(ctx('b'), live, object({ color: 'red' }), false);
    const next = applyConfiguration(ctx('a'), shared, object({ replicas: 1 }), false);
    assert.deepEqual(next.spec, { replicas: 1, color: 'red' });
  });

  it('does not own or conflict on status through the main resource', () => {
    const live = { ...object({}), status: { phase: 'Up' } };
    live.metadata.managedFields = managedFieldsAfterUpdate(ctx('ctl', { subresource: 'status', tracked: 'onlyStatus' }), object({}), undefined, live);
    const applied = applyConfiguration(ctx('a'), live, { ...object({ replicas: 1 }), status: { phase: 'Down' } }, false);
    assert.deepEqual(entries(applied).find((e) => e.manager === 'a')?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  });
});

describe('the cap of ten Update managers', () => {
  it('folds the oldest into one ancient-changes entry once an eleventh manager writes', () => {
    let live = object({ size: 0 });
    // Eleven managers, each labelling the object at a later second.
    for (let i = 0; i < 11; i++) {
      const next = object({ size: 0 }, { labels: { ...(live.metadata.labels ?? {}), [`l${i}`]: 'x' } });
      const now = `2024-01-02T03:04:${String(10 + i).padStart(2, '0')}Z`;
      next.metadata.managedFields = managedFieldsAfterUpdate(ctx(`m${i}`, { now }), i === 0 ? undefined : live, live.metadata.managedFields, next);
      live = next;
    }
    const managers = entries(live).map((e) => e.manager);
    assert.equal(managers.length, 10);
    assert.deepEqual(managers.slice(0, 1), ['ancient-changes']);
    assert.ok(!managers.includes('m0') && !managers.includes('m1'), 'the two oldest are folded');
    const ancient = entries(live)[0]!;
    assert.equal(ancient.time, '2024-01-02T03:04:11Z', 'the bucket carries the newer time');
    assert.deepEqual(Object.keys((ancient.fieldsV1 as { 'f:metadata': { 'f:labels': object } })['f:metadata']['f:labels']).sort(), ['.', 'f:l0', 'f:l1']);
  });
});

describe('the client-side apply upgrade (lastAppliedManager)', () => {
  const lastApplied = (spec: Record<string, unknown>) => JSON.stringify({ apiVersion, kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec });
  function clientSideApplied(): KubeObject {
    const live = object({ replicas: 1, color: 'red' }, { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied({ replicas: 1 }) } });
    live.metadata.managedFields = managedFieldsAfterUpdate(ctx('kubectl-client-side-apply'), undefined, undefined, live);
    return live;
  }

  it("lets manager kubectl take over fields of the last client-side apply without a conflict", () => {
    const applied = applyConfiguration(ctx('kubectl'), clientSideApplied(), object({ replicas: 3 }), false);
    assert.equal((applied.spec as { replicas: number }).replicas, 3);
  });

  it('still reports fields outside the last client-side apply as conflicts', () => {
    assert.throws(() => applyConfiguration(ctx('kubectl'), clientSideApplied(), object({ replicas: 3, color: 'blue' }), false), {
      message: `Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using ${apiVersion}: .spec.color`,
    });
  });

  it('exempts no other manager name', () => {
    assert.throws(() => applyConfiguration(ctx('my-tool'), clientSideApplied(), object({ replicas: 3 }), false), /1 conflict/);
  });
});
