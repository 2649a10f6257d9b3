/**
 * The managedFields bookkeeping of every write (create, update, patch, apply). The merge,
 * pruning and conflict rules live in core/apply/; this module ties them to a request: who
 * the manager is and which fields the endpoint owns.
 */
import type { KubeObject } from '../types/object.ts';
import type { KindVersion } from '../types/kind.ts';
import { timestamp } from '../metadata.ts';
import { objectTypeOf, type MapType } from '../apply/schema.ts';
import { managedFieldsAfterUpdate, type FieldManagerContext } from '../apply/field-manager.ts';
import type { RegistryRequest, WriteOptions } from './request.ts';

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

export function fieldManagerContext(req: RegistryRequest, manager: string): FieldManagerContext {
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
  req: RegistryRequest,
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
