/**
 * `metadata.managedFields` in and out: entries decoded into field sets keyed by manager
 * identity, and encoded back sorted as apimachinery's `managedfields` package sorts them
 * (operation, then time, manager, apiVersion, subresource).
 */
import { FieldSet, FieldsV1Error } from './fieldset.ts';
import { isObject } from '../../lib/json.ts';

export type Operation = 'Apply' | 'Update';

/** One manager's fields. Update managers are one per apiVersion; appliers one per subresource. */
export interface ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource: string;
  /** RFC 3339, seconds; absent when a client sent none. */
  time?: string;
  fields: FieldSet;
}

export type Managers = Map<string, ManagerEntry>;

/** Who a manager is, as BuildManagerIdentifier has it: appliers keep one entry whatever the apiVersion. */
export function managerKey(entry: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const apiVersion = entry.operation === 'Apply' ? '' : entry.apiVersion;
  return JSON.stringify([entry.manager, entry.operation, apiVersion, entry.subresource]);
}

export class ManagedFieldsError extends Error {}


/** Decodes managedFields; throws ManagedFieldsError when an entry is malformed or repeated. */
export function decodeManagedFields(value: unknown): Managers {
  const managers: Managers = new Map();
  if (value === undefined || value === null) return managers;
  if (!Array.isArray(value)) throw new ManagedFieldsError('managedFields must be a list');
  for (const [i, raw] of value.entries()) {
    if (!isObject(raw)) throw new ManagedFieldsError(`managedFields[${i}] must be an object`);
    const { manager = '', operation, apiVersion = '', subresource = '', time, fieldsType, fieldsV1 } = raw;
    if (operation !== 'Apply' && operation !== 'Update') throw new ManagedFieldsError(`managedFields[${i}].operation must be Apply or Update`);
    if (fieldsType !== 'FieldsV1') throw new ManagedFieldsError(`managedFields[${i}].fieldsType must be FieldsV1`);
    if (typeof manager !== 'string' || typeof apiVersion !== 'string' || typeof subresource !== 'string') {
      throw new ManagedFieldsError(`managedFields[${i}]: manager, apiVersion and subresource must be strings`);
    }
    let fields: FieldSet;
    try {
      fields = FieldSet.fromFieldsV1(fieldsV1 ?? {});
    } catch (error) {
      if (error instanceof FieldsV1Error) throw new ManagedFieldsError(`managedFields[${i}].fieldsV1: ${error.message}`);
      throw error;
    }
    const entry: ManagerEntry = { manager, operation, apiVersion, subresource, fields };
    if (typeof time === 'string') entry.time = time;
    const key = managerKey(entry);
    if (managers.has(key)) throw new ManagedFieldsError(`managedFields[${i}]: duplicate entry for manager ${JSON.stringify(manager)}`);
    managers.set(key, entry);
  }
  return managers;
}

/** `[]` or `[{}]`: the client asks to start tracking afresh (fieldmanager.isResetManagedFields). */
export function isResetManagedFields(value: unknown): boolean {
  if (!Array.isArray(value)) return false;
  if (value.length === 0) return true;
  return value.length === 1 && isObject(value[0]) && Object.keys(value[0]).length === 0;
}

function compareEntries(p: ManagerEntry, q: ManagerEntry): number {
  if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
  const seconds = (e: ManagerEntry) => (e.time ? Math.floor(Date.parse(e.time) / 1000) : 0);
  if (seconds(p) !== seconds(q)) return seconds(p) - seconds(q);
  for (const k of ['manager', 'apiVersion', 'subresource'] as const) {
    if (p[k] !== q[k]) return p[k] < q[k] ? -1 : 1;
  }
  return 0;
}

/** The wire form of the entries; managers owning nothing are left out. */
export function encodeManagedFields(managers: Managers): Record<string, unknown>[] {
  return [...managers.values()]
    .filter((e) => !e.fields.isEmpty())
    .sort(compareEntries)
    .map((e) => {
      const out: Record<string, unknown> = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
      if (e.time !== undefined) out.time = e.time;
      out.fieldsType = 'FieldsV1';
      out.fieldsV1 = e.fields.toFieldsV1();
      if (e.subresource) out.subresource = e.subresource;
      return out;
    });
}
