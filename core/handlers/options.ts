/**
 * Query-parameter options of the resource verbs (metav1 ListOptions, CreateOptions,
 * UpdateOptions, PatchOptions, DeleteOptions), parsed and validated the way
 * apimachinery's `pkg/apis/meta/internalversion/validation` does.
 */
import { parseBool } from '../parse-bool.ts';
import { StatusError, badRequest, invalid } from '../status.ts';
import type { FieldError } from '../field-errors.ts';

import type { FieldValidation, WriteOptions } from '../registry/request.ts';

export type { WriteOptions } from '../registry/request.ts';

export interface ListOptions {
  labelSelector: string;
  fieldSelector: string;
  limit: number;
  continueToken?: string;
  resourceVersion: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  watch: boolean;
  allowWatchBookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
}

/** The 422 for bad options (`PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: …`): the one builder. */
export function optionsInvalid(kind: 'ListOptions' | 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions', errors: FieldError[]): StatusError {
  return invalid({ group: 'meta.k8s.io', kind }, errors);
}

function bool(query: URLSearchParams, key: string): boolean | undefined {
  const raw = query.get(key);
  if (raw === null) return undefined;
  const value = parseBool(raw);
  if (value === undefined) throw badRequest(`invalid boolean value for ${key}: ${JSON.stringify(raw)}`);
  return value;
}

function integer(query: URLSearchParams, key: string): number | undefined {
  const raw = query.get(key);
  if (raw === null || raw === '') return undefined;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`invalid value for ${key}: ${JSON.stringify(raw)}`);
  return Number(raw);
}

export function parseWriteOptions(query: URLSearchParams, kind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions'): WriteOptions {
  const dryRun = query.getAll('dryRun');
  const bad = dryRun.find((d) => d !== 'All');
  if (bad !== undefined) {
    throw optionsInvalid(kind, [{ type: 'NotSupported', field: 'dryRun', value: bad, supported: ['All'] }]);
  }
  const fieldValidation = query.get('fieldValidation') ?? '';
  if (!['', 'Strict', 'Warn', 'Ignore'].includes(fieldValidation)) {
    throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict", got ${JSON.stringify(fieldValidation)}`);
  }
  const options: WriteOptions = {
    dryRun: dryRun.length > 0,
    // The server default is Warn (handlers/rest.go); kubectl sends Strict.
    fieldValidation: (fieldValidation || 'Warn') as FieldValidation,
  };
  const fieldManager = query.get('fieldManager');
  if (fieldManager !== null && fieldManager !== '') {
    if (fieldManager.length > 128) {
      throw optionsInvalid(kind, [{ type: 'TooLong', field: 'fieldManager', detail: 'may not be more than 128 bytes' }]);
    }
    options.fieldManager = fieldManager;
  }
  return options;
}

export function parseListOptions(query: URLSearchParams, isWatch: boolean): ListOptions {
  const options: ListOptions = {
    labelSelector: query.get('labelSelector') ?? '',
    fieldSelector: query.get('fieldSelector') ?? '',
    limit: integer(query, 'limit') ?? 0,
    resourceVersion: query.get('resourceVersion') ?? '',
    watch: isWatch,
    allowWatchBookmarks: bool(query, 'allowWatchBookmarks') ?? false,
  };
  const continueToken = query.get('continue');
  if (continueToken) options.continueToken = continueToken;
  const sendInitialEvents = bool(query, 'sendInitialEvents');
  if (sendInitialEvents !== undefined) options.sendInitialEvents = sendInitialEvents;
  const timeoutSeconds = integer(query, 'timeoutSeconds');
  if (timeoutSeconds !== undefined) options.timeoutSeconds = timeoutSeconds;

  const errors: FieldError[] = [];
  const match = query.get('resourceVersionMatch') ?? '';
  if (match !== '') {
    if (match !== 'NotOlderThan' && match !== 'Exact') {
      errors.push({ type: 'NotSupported', field: 'resourceVersionMatch', value: match, supported: ['Exact', 'NotOlderThan'] });
    } else {
      options.resourceVersionMatch = match;
      if (isWatch && sendInitialEvents === undefined) {
        errors.push({ type: 'Forbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided' });
      } else if (!isWatch && options.resourceVersion === '') {
        errors.push({ type: 'Forbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch is forbidden unless resourceVersion is provided' });
      }
      if (options.continueToken) {
        errors.push({ type: 'Forbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch is forbidden when continue is provided' });
      }
      if (match === 'Exact' && options.resourceVersion === '0') {
        errors.push({ type: 'Forbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"' });
      }
    }
  }
  if (sendInitialEvents !== undefined) {
    if (!isWatch) {
      errors.push({ type: 'Forbidden', field: 'sendInitialEvents', detail: 'sendInitialEvents is forbidden for list' });
    } else if (options.resourceVersionMatch !== 'NotOlderThan') {
      errors.push({ type: 'Forbidden', field: 'resourceVersionMatch', detail: "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan" });
    }
  }
  if (options.limit < 0) errors.push({ type: 'Invalid', field: 'limit', value: options.limit, detail: 'must be greater than or equal to 0' });
  if (errors.length > 0) throw optionsInvalid('ListOptions', errors);
  return options;
}
