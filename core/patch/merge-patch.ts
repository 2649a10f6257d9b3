/**
 * JSON merge patch (RFC 7386), as kube-apiserver applies `application/merge-patch+json` with
 * evanphx/json-patch `MergePatch` (`merge.go`).
 *
 * kube-apiserver answers 400 `Invalid JSON Patch` for a body that is `null` or a scalar before
 * applying anything (evanphx `ErrBadJSONPatch`); that check belongs to the handler. Here any
 * non-object patch simply replaces the target, as the RFC says.
 */
import { cloneJson, isObject } from '../../lib/json.ts';

type JsonObject = Record<string, unknown>;


/**
 * Returns `target` with `patch` merged in: a `null` member deletes, an object member merges
 * recursively, anything else (arrays included) replaces. Neither input is mutated, and the
 * result shares no objects or arrays with either, so callers may change it freely.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  return mergeInto(cloneJson(target), patch);
}

/** Merges into `target`, which this module owns (a fresh clone). */
function mergeInto(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return withoutNulls(patch);
  const result: JsonObject = isObject(target) ? target : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete result[name];
    else setMember(result, name, mergeInto(Object.hasOwn(result, name) ? result[name] : undefined, value));
  }
  return result;
}

/**
 * A copy of a value the patch brings in whole. evanphx prunes `null` members of objects at any
 * depth, inside arrays too (`pruneNulls`), while `null` array items stay.
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isObject(value)) return value;
  const copy: JsonObject = {};
  for (const [name, member] of Object.entries(value)) {
    if (member !== null) setMember(copy, name, withoutNulls(member));
  }
  return copy;
}

/** Plain assignment of `__proto__` would replace the prototype; JSON means a member. */
function setMember(object: JsonObject, name: string, value: unknown): void {
  Object.defineProperty(object, name, { value, writable: true, enumerable: true, configurable: true });
}
