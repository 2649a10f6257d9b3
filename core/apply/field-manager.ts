/**
 * Field ownership on every write, after k8s.io/apiserver's field manager and
 * structured-merge-diff's `merge.Updater`:
 *
 * - An **Update** (create, update, patch) gives its manager every field it added or changed;
 *   other managers lose those fields, and everyone loses fields that were removed.
 * - An **Apply** merges the applied configuration into the live object, then removes the
 *   fields this manager applied last time and no longer applies, unless another manager
 *   owns them. A field another manager owns whose value the apply changes is a conflict
 *   (409) unless `force`, which takes it over.
 *
 * All served versions of a kind share one store and one set of fields (CRD conversion
 * "None"), so entries of other apiVersions are compared as they are.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../types/object.ts';
import { StatusError } from '../status.ts';
import { FieldSet, pathString, type PathElement } from './fieldset.ts';
import type { MapType } from './schema.ts';
import { capUpdateManagers } from './cap-managers.ts';
import { compare, merge, removeFields, toFieldSet, type Comparison } from './typed.ts';
import {
  decodeManagedFields,
  encodeManagedFields,
  isResetManagedFields,
  ManagedFieldsError,
  managerKey,
  type ManagerEntry,
  type Managers,
} from './managed-fields.ts';

export interface FieldManagerContext {
  /** The type of a whole object of the kind (objectTypeOf its schema). */
  readonly type: MapType;
  /** The apiVersion of the endpoint written through. */
  readonly apiVersion: string;
  /** '' for the main resource, 'status' for /status. */
  readonly subresource: string;
  readonly manager: string;
  /** RFC 3339 time of this write. */
  readonly now: string;
  /**
   * Which top-level fields this endpoint writes: with a status subresource the main resource
   * does not own `status` and /status owns nothing else (the strategies' ResetFields).
   */
  readonly tracked: 'all' | 'exceptStatus' | 'onlyStatus';
}

// Fields the server owns or that identify the object: nobody manages them (stripmeta.go).
const STRIPPED = FieldSet.of(
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f): PathElement[] => ['f:metadata', `f:${f}`],
  ),
);

function tracked(ctx: FieldManagerContext, set: FieldSet): FieldSet {
  if (ctx.tracked === 'exceptStatus') return set.selectTop((pe) => pe !== 'f:status');
  if (ctx.tracked === 'onlyStatus') return set.selectTop((pe) => pe === 'f:status');
  return set;
}

function withoutManagedFields(object: KubeObject): KubeObject {
  const { managedFields: _m, ...metadata } = object.metadata;
  return { ...object, metadata };
}

function changes(ctx: FieldManagerContext, lhs: KubeObject, rhs: KubeObject): Comparison {
  const c = compare(withoutManagedFields(lhs), withoutManagedFields(rhs), ctx.type);
  return { added: tracked(ctx, c.added), modified: tracked(ctx, c.modified), removed: tracked(ctx, c.removed) };
}

function decodeOrEmpty(value: unknown): Managers {
  try {
    return decodeManagedFields(value);
  } catch (error) {
    if (error instanceof ManagedFieldsError) return new Map();
    throw error;
  }
}

/**
 * The managers an update starts from (decodeLiveOrNew): the ones the client sent, so that
 * clients may rewrite managedFields (kubectl's client-side to server-side apply migration
 * does); `[]` or `[{}]` to start afresh; the live ones when the client sent none, sent
 * something unreadable, or writes a subresource.
 */
function startingManagers(ctx: FieldManagerContext, live: KubeObject | undefined, sent: unknown): Managers {
  const fromLive = () => decodeOrEmpty(live?.metadata.managedFields);
  if (ctx.subresource !== '') return fromLive();
  if (isResetManagedFields(sent)) return new Map();
  const fromClient = decodeOrEmpty(sent);
  return fromClient.size > 0 ? fromClient : fromLive();
}

/** Takes `lost` away from each manager but `self`. */
function subtract(managers: Managers, self: string, lost: FieldSet): void {
  for (const [key, entry] of managers) {
    if (key !== self) entry.fields = entry.fields.difference(lost);
  }
}

function encodeOrNone(managers: Managers): Record<string, unknown>[] | undefined {
  const encoded = encodeManagedFields(managers);
  return encoded.length > 0 ? encoded : undefined;
}

/**
 * The managedFields after an Update operation that turned `live` (undefined on create) into
 * `updated`. `sent` is the managedFields the client's object carried. Undefined means none.
 */
export function managedFieldsAfterUpdate(
  ctx: FieldManagerContext,
  live: KubeObject | undefined,
  sent: unknown,
  updated: KubeObject,
): Record<string, unknown>[] | undefined {
  const managers = startingManagers(ctx, live, sent);
  const before = live ?? { apiVersion: updated.apiVersion, kind: updated.kind, metadata: {} };
  const c = changes(ctx, before, updated);
  const changed = c.added.union(c.modified);
  // An update never conflicts: it takes what it changed from everyone (force), and removed
  // fields are owned by nobody.
  subtract(managers, '', changed.union(c.removed));
  const mine = changed.difference(STRIPPED);
  if (!mine.isEmpty()) {
    const entry: ManagerEntry = { manager: ctx.manager, operation: 'Update', apiVersion: ctx.apiVersion, subresource: ctx.subresource, fields: mine };
    const key = managerKey(entry);
    const previous = managers.get(key);
    if (previous) entry.fields = previous.fields.union(mine);
    entry.time = ctx.now;
    managers.set(key, entry);
  }
  capUpdateManagers(managers);
  return encodeOrNone(managers);
}

/**
 * Applies `config` to `live` for ctx.manager and returns the object to store, managedFields
 * included. Throws a 409 Conflict StatusError listing every conflict unless `force`.
 */
export function applyConfiguration(ctx: FieldManagerContext, live: KubeObject, config: KubeObject, force: boolean): KubeObject {
  let managers: Managers;
  try {
    managers = decodeManagedFields(live.metadata.managedFields);
  } catch (error) {
    // A stored object whose managedFields we cannot read: start tracking afresh rather than fail every apply.
    if (!(error instanceof ManagedFieldsError)) throw error;
    managers = new Map();
  }
  const liveObject = withoutManagedFields(live);
  let merged = merge(liveObject, config, ctx.type) as KubeObject;
  const self: ManagerEntry = { manager: ctx.manager, operation: 'Apply', apiVersion: ctx.apiVersion, subresource: ctx.subresource, fields: new FieldSet() };
  const key = managerKey(self);
  const last = managers.get(key);
  self.fields = tracked(ctx, toFieldSet(config, ctx.type)).difference(STRIPPED);
  if (last?.time !== undefined) self.time = last.time;
  managers.set(key, self);

  if (last && !last.fields.isEmpty()) {
    // Fields applied last time and not now go, unless some manager (this one included) owns them.
    let owned = new FieldSet();
    for (const entry of managers.values()) owned = owned.union(entry.fields);
    merged = (removeFields(merged, last.fields.difference(self.fields), owned, ctx.type) ?? {}) as KubeObject;
  }

  const c = changes(ctx, liveObject, merged);
  const changed = c.added.union(c.modified);
  // kubectl's move from client-side to server-side apply: fields its last client-side apply
  // set are not conflicts for manager "kubectl" (apimachinery lastappliedmanager.go).
  const allowed = force ? new FieldSet() : lastAppliedFields(ctx, live);
  const conflicts: { entry: ManagerEntry; fields: FieldSet }[] = [];
  for (const [k, entry] of managers) {
    if (k === key) continue;
    const fields = entry.fields.intersection(changed).difference(allowed);
    if (!fields.isEmpty()) conflicts.push({ entry, fields });
  }
  if (conflicts.length > 0 && !force) throw conflictError(conflicts);
  subtract(managers, key, changed.union(c.removed));

  if (self.time === undefined || !isDeepStrictEqual(liveObject, merged)) self.time = ctx.now;
  capUpdateManagers(managers);
  const managedFields = encodeOrNone(managers);
  merged.metadata = { ...merged.metadata };
  if (managedFields) merged.metadata.managedFields = managedFields;
  else delete merged.metadata.managedFields;
  return merged;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The fields of the live object's client-side apply annotation, when the applier is
 * `kubectl` (only kubectl's own server-side apply upgrades; another manager name opts out).
 */
function lastAppliedFields(ctx: FieldManagerContext, live: KubeObject): FieldSet {
  const annotation = live.metadata.annotations?.[LAST_APPLIED];
  if (ctx.manager !== 'kubectl' || annotation === undefined) return new FieldSet();
  try {
    return tracked(ctx, toFieldSet(JSON.parse(annotation) as KubeObject, ctx.type));
  } catch {
    // An annotation that is not the object's JSON allows nothing.
    return new FieldSet();
  }
}

/** How a conflict names a manager (printManager in apimachinery's managedfields conflict.go). */
function describeManager(entry: ManagerEntry): string {
  let text = JSON.stringify(entry.manager);
  if (entry.subresource) text += ` with subresource ${JSON.stringify(entry.subresource)}`;
  if (entry.operation === 'Update') text += ` using ${entry.apiVersion}`;
  return text;
}

/** The 409 of a failed apply, worded as NewConflictError words it. */
export function conflictError(conflicts: { entry: ManagerEntry; fields: FieldSet }[]): StatusError {
  const sorted = [...conflicts].sort((a, b) => (a.entry.manager < b.entry.manager ? -1 : a.entry.manager > b.entry.manager ? 1 : 0));
  const causes = sorted.flatMap(({ entry, fields }) =>
    fields.paths().map((p) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(entry)}`, field: pathString(p) })),
  );
  let message: string;
  if (causes.length === 1) {
    const [only] = causes;
    message = `Apply failed with 1 conflict: ${only!.message}: ${only!.field}`;
  } else {
    const lines = sorted.flatMap(({ entry, fields }) => [`conflicts with ${describeManager(entry)}:`, ...fields.paths().map((p) => `- ${pathString(p)}`)]);
    message = `Apply failed with ${causes.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}
