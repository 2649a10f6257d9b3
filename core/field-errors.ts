/**
 * Field errors in the shape of apimachinery's `pkg/util/validation/field` errors: a type,
 * a field path and a detail. `fieldErrorBody` renders what kube-apiserver puts in a
 * Status cause's message; `fieldErrorText` is the full line kubectl prints.
 */
import { encodeJson } from '../lib/json.ts';
import type { StoreErrorCause } from './types/errors.ts';

export type FieldErrorType = 'Invalid' | 'TypeInvalid' | 'Required' | 'NotSupported' | 'Duplicate' | 'Forbidden' | 'TooLong' | 'TooMany';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  /** The value as Go prints it, where formatBadValue would print it otherwise (uint64 0 is `0x0`). */
  valueText?: string;
  detail?: string;
  /** For NotSupported: the values that are. */
  supported?: string[];
}

const reasons: Record<FieldErrorType, string> = {
  Invalid: 'FieldValueInvalid',
  // A value of the wrong JSON type: worded as Invalid, reasoned apart (field.TypeInvalid).
  TypeInvalid: 'FieldValueTypeInvalid',
  Required: 'FieldValueRequired',
  NotSupported: 'FieldValueNotSupported',
  Duplicate: 'FieldValueDuplicate',
  Forbidden: 'FieldValueForbidden',
  TooLong: 'FieldValueTooLong',
  TooMany: 'FieldValueTooMany',
};

/** How field.Error prints a bad value: strings quoted, numbers and booleans bare, the rest as JSON. */
export function formatBadValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' || value === null) return String(value);
  if (value === undefined) return 'null';
  return encodeJson(value);
}

export function fieldErrorBody(error: FieldError): string {
  const detail = error.detail ? `: ${error.detail}` : '';
  switch (error.type) {
    case 'Invalid':
    case 'TypeInvalid':
      return `Invalid value: ${error.valueText ?? formatBadValue(error.value)}${detail}`;
    case 'Required':
      return `Required value${detail}`;
    case 'NotSupported': {
      const supported = (error.supported ?? []).map((s) => JSON.stringify(s)).join(', ');
      return `Unsupported value: ${formatBadValue(error.value)}${supported ? `: supported values: ${supported}` : ''}`;
    }
    case 'Duplicate':
      return `Duplicate value: ${formatBadValue(error.value)}`;
    case 'Forbidden':
      return `Forbidden${detail}`;
    case 'TooLong':
      return `Too long${detail}`;
    case 'TooMany':
      return `Too many${detail}`;
  }
}

export function fieldErrorText(error: FieldError): string {
  return error.field ? `${error.field}: ${fieldErrorBody(error)}` : fieldErrorBody(error);
}

export function toCause(error: FieldError): StoreErrorCause {
  return { reason: reasons[error.type], message: fieldErrorBody(error), field: error.field };
}

/** Like utilerrors.NewAggregate(...).Error(): one message alone, several in brackets. */
export function aggregateText(messages: string[]): string {
  return messages.length === 1 ? messages[0]! : `[${messages.join(', ')}]`;
}
