/**
 * Server-side apply (PATCH with `application/apply-patch+yaml`) and the managedFields
 * bookkeeping every other write does. The merge, pruning and conflict rules live in
 * core/apply/; this file ties them to requests: who the manager is, which fields the
 * endpoint owns, and the get → apply → update (or create) cycle.
 */
import type { KubeObject } from '../types/object.ts';
import { isStoreError } from '../types/errors.ts';
import type { KindVersion } from '../types/kind.ts';
import { badRequest, invalid } from '../status.ts';
import { negotiateResource } from '../negotiation.ts';
import { parseBool } from '../params.ts';
import { timestamp } from '../metadata.ts';
import { objectTypeOf, type MapType } from '../apply/schema.ts';
import { applyConfiguration, managedFieldsAfterUpdate, type FieldManagerContext } from '../apply/field-manager.ts';
import { asKubeObject, isPlainObject, parseJsonOrYaml } from './decode.ts';
import { parseWriteOptions, type WriteOptions } from './options.ts';
import { encodeOne, present } from './present.ts';
import { readModifyWrite } from './write.ts';
import { storeNewObject } from './create.ts';
import type { Reply, ResourceRequest } from './request.ts';

// kube-apiserver's limit on fieldManager (apimachinery validation.FieldManagerMaxLength).
const FIELD_MANAGER_MAX_LENGTH = 128;

/**
 * The manager of a write: the fieldManager parameter, else the program name at the head of
 * the User-Agent (`kubectl/v1.33.0 (linux/amd64) …` → `kubectl`), printable characters only
 * (handlers/rest.go prefixFromUserAgent).
 */
export function managerOf(options: WriteOptions, userAgent: string): string {
  if (options.fieldManager) return options.fieldManager;
  let out = '';
  for (const ch of userAgent.split('/')[0] ?? '') {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) continue;
    if (Buffer.byteLength(out + ch) > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
  }
  return out;
}

// One type per served version: the schema is frozen with the snapshot.
const types = new WeakMap<KindVersion, MapType>();

function typeOf(version: KindVersion): MapType {
  let type = types.get(version);
  if (!type) types.set(version, (type = objectTypeOf(version.schema?.openAPIV3Schema)));
  return type;
}

export function fieldManagerContext(req: ResourceRequest, manager: string): FieldManagerContext {
  const subresource = req.info.subresource ?? '';
  const hasStatus = req.resource.version.subresources.status !== undefined;
  return {
    type: typeOf(req.resource.version),
    apiVersion: req.resource.apiVersion,
    subresource,
    manager,
    now: timestamp(req.now()),
    tracked: subresource === 'status' ? 'onlyStatus' : hasStatus ? 'exceptStatus' : 'all',
  };
}

/**
 * Sets `written.metadata.managedFields` for a write about to be stored. For an Update
 * (create, update, patch) the writer becomes the owner of what it changed; `sent` is the
 * object the client sent, whose managedFields a client may use to rewrite them. After an
 * Apply, `sent` already carries the managedFields the apply computed.
 */
export function trackManagedFields(
  req: ResourceRequest,
  options: WriteOptions,
  operation: 'Update' | 'Apply',
  live: KubeObject | undefined,
  sent: KubeObject,
  written: KubeObject,
): void {
  const managedFields =
    operation === 'Apply'
      ? sent.metadata.managedFields
      : managedFieldsAfterUpdate(fieldManagerContext(req, managerOf(options, req.userAgent)), live, sent.metadata.managedFields, written);
  if (managedFields === undefined) delete written.metadata.managedFields;
  else written.metadata.managedFields = managedFields;
}

function patchOptionsInvalid(field: string, type: 'Required' | 'Forbidden', detail: string) {
  return invalid({ group: 'meta.k8s.io', kind: 'PatchOptions' }, [{ type, field, detail }]);
}

/** PATCH with application/apply-patch+yaml: 200 with the applied object, 201 when it created it. */
export async function applyObject(req: ResourceRequest): Promise<Reply> {
  const representation = negotiateResource(req.accept, { list: false, read: false });
  const options = parseWriteOptions(req.info.query, 'PatchOptions');
  // kubectl defaults fieldManager to "kubectl"; other clients must name themselves.
  if (!options.fieldManager) throw patchOptionsInvalid('fieldManager', 'Required', 'is required for apply patch');
  const rawForce = req.info.query.get('force');
  const force = rawForce === null ? false : parseBool(rawForce);
  if (force === undefined) throw badRequest(`invalid boolean value for force: ${JSON.stringify(rawForce)}`);
  // YAML is a superset of JSON: kubectl sends JSON, other clients YAML.
  const body = parseJsonOrYaml((await req.body()).toString('utf8'), true);
  if (!isPlainObject(body)) throw badRequest('the apply patch must be a YAML or JSON object');
  const config = asKubeObject(req, body, req.info.name);
  if (config.metadata.managedFields !== undefined) throw badRequest('metadata.managedFields must be nil');
  const ctx = fieldManagerContext(req, options.fieldManager);

  // Absent → create; a create racing with another falls back to applying to what it made.
  for (let attempt = 1; ; attempt++) {
    try {
      const written = await readModifyWrite(
        req,
        options,
        (stored) => applyConfiguration(ctx, present(req.resource, stored), config, force),
        'Apply',
      );
      return { status: 200, body: encodeOne(req, representation, written) };
    } catch (error) {
      const absent = isStoreError(error) && error.reason === 'NotFound';
      if (!absent || req.info.subresource !== undefined) throw error;
    }
    const empty: KubeObject = { apiVersion: config.apiVersion, kind: config.kind, metadata: {} };
    const applied = applyConfiguration(ctx, empty, config, force);
    try {
      const created = await storeNewObject(req, options, applied, 'Apply');
      return { status: 201, body: encodeOne(req, representation, created) };
    } catch (error) {
      const raced = error instanceof Error && 'status' in error && (error as { status: { reason?: string } }).status.reason === 'AlreadyExists';
      if (!raced || attempt >= 2) throw error;
    }
  }
}
