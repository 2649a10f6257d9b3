/**
 * Walks of JSON values guided by a FieldType, as structured-merge-diff's `typed` package
 * does: the set of fields a value sets, the comparison of two values, the merge of an
 * applied configuration into a live object, and the removal of owned-by-nobody fields.
 * `undefined` means "absent"; `null` is a value.
 */
import { isDeepStrictEqual } from 'node:util';
import { FieldSet, type Path, type PathElement } from './fieldset.ts';
import { resolve, type FieldType, type ListType } from './schema.ts';
import { cloneJson, isObject } from '../../lib/json.ts';

type Json = Record<string, unknown>;


function isEmptyish(value: unknown): boolean {
  return value === undefined || (isObject(value) && Object.keys(value).length === 0) || (Array.isArray(value) && value.length === 0);
}

/** The path element of a list item: `v:` for sets, `k:` for list-maps (key fields sorted by name). */
export function itemElement(list: ListType, item: unknown, index: number): PathElement {
  if (list.listType === 'set') return `v:${JSON.stringify(item)}`;
  if (list.listType === 'map' && isObject(item) && list.keys.length > 0) {
    const key: Json = {};
    for (const name of [...list.keys].sort()) if (item[name] !== undefined) key[name] = item[name];
    return `k:${JSON.stringify(key)}`;
  }
  return `i:${index}`;
}

/** Items by path element, in order; repeated elements keep their first item (compare.go). */
function indexItems(list: ListType, items: readonly unknown[]): Map<PathElement, unknown> {
  const out = new Map<PathElement, unknown>();
  items.forEach((item, i) => {
    const pe = itemElement(list, item, i);
    if (!out.has(pe)) out.set(pe, item);
  });
  return out;
}

/** The fields `value` sets (typed.ToFieldSet): leaves, list items, and empty or null map values. */
export function toFieldSet(value: unknown, type: FieldType): FieldSet {
  const set = new FieldSet();
  collect(value, type, [], set);
  return set;
}

function collect(value: unknown, type: FieldType, path: PathElement[], set: FieldSet): void {
  if (value === undefined) return;
  const t = resolve(type, value);
  if (t.kind === 'map' && isObject(value) && !t.atomic) {
    for (const [key, child] of Object.entries(value)) {
      const childPath = [...path, `f:${key}`];
      if (child === null || (isObject(child) && Object.keys(child).length === 0)) set.insert(childPath);
      collect(child, t.field(key), childPath, set);
    }
    return;
  }
  if (t.kind === 'list' && Array.isArray(value) && t.listType !== 'atomic') {
    for (const [pe, item] of indexItems(t, value)) {
      set.insert([...path, pe]);
      collect(item, t.items, [...path, pe], set);
    }
    return;
  }
  set.insert(path);
}

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed from `lhs` to `rhs` (typed.Compare): non-leaf nodes that appear or vanish count too. */
export function compare(lhs: unknown, rhs: unknown, type: FieldType): Comparison {
  const out: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareAt(lhs, rhs, type, [], out);
  return out;
}

function compareAt(l: unknown, r: unknown, type: FieldType, path: Path, out: Comparison): void {
  if (l === undefined && r === undefined) return;
  const t = resolve(type, r !== undefined ? r : l);
  const leaf = (): void => {
    if (l === undefined) out.added.insert(path);
    else if (r === undefined) out.removed.insert(path);
    else if (!isDeepStrictEqual(l, r)) out.modified.insert(path);
  };
  // Both empty or absent: a leaf, which keeps the empty/null distinction (compare.go).
  const bothEmpty = isEmptyish(l) && isEmptyish(r);
  if (t.kind === 'map' && (l === undefined || isObject(l)) && (r === undefined || isObject(r)) && !t.atomic && !bothEmpty) {
    const lm = (l ?? {}) as Json;
    const rm = (r ?? {}) as Json;
    for (const key of new Set([...Object.keys(lm), ...Object.keys(rm)])) {
      compareAt(lm[key], rm[key], t.field(key), [...path, `f:${key}`], out);
    }
  } else if (t.kind === 'list' && (l === undefined || Array.isArray(l)) && (r === undefined || Array.isArray(r)) && t.listType !== 'atomic' && !bothEmpty) {
    const li = indexItems(t, (l ?? []) as unknown[]);
    const ri = indexItems(t, (r ?? []) as unknown[]);
    for (const pe of new Set([...li.keys(), ...ri.keys()])) compareAt(li.get(pe), ri.get(pe), t.items, [...path, pe], out);
  } else {
    leaf();
    return;
  }
  if (l === undefined) out.added.insert(path);
  else if (r === undefined) out.removed.insert(path);
}

/** Merges an applied configuration into the live value (typed.Merge): the configuration wins on leaves. */
export function merge(live: unknown, config: unknown, type: FieldType): unknown {
  if (config === undefined) return live;
  if (live === undefined) return cloneJson(config);
  const t = resolve(type, config);
  if (isEmptyish(live) && isEmptyish(config)) return cloneJson(config);
  if (t.kind === 'map' && isObject(live) && isObject(config) && !t.atomic) {
    const out: Json = {};
    for (const [key, value] of Object.entries(live)) out[key] = key in config ? merge(value, config[key], t.field(key)) : value;
    for (const [key, value] of Object.entries(config)) if (!(key in live)) out[key] = cloneJson(value);
    return out;
  }
  if (t.kind === 'list' && Array.isArray(live) && Array.isArray(config) && t.listType !== 'atomic') {
    return mergeItems(t, live, config);
  }
  return cloneJson(config);
}

/**
 * Merges two associative lists. Items of both keep the configuration's relative order; live-only
 * items stay where they were among them (the ordering of merge.go's visitListItems).
 */
function mergeItems(t: ListType, live: unknown[], config: unknown[]): unknown[] {
  const lhs = indexItems(t, live);
  const rhs = indexItems(t, config);
  const lOrder = [...lhs.keys()];
  const rOrder = [...rhs.keys()];
  const shared = rOrder.filter((pe) => lhs.has(pe));
  let next = shared.shift();
  const done = new Set<PathElement>();
  const out: unknown[] = [];
  const take = (pe: PathElement): void => {
    done.add(pe);
    out.push(merge(lhs.get(pe), rhs.get(pe), t.items));
  };
  for (let li = 0, ri = 0; li < lOrder.length || ri < rOrder.length; ) {
    const lpe = lOrder[li];
    const rpe = rOrder[ri];
    if (lpe !== undefined && rpe !== undefined) {
      if (lpe === rpe) {
        take(lpe);
        li++;
        ri++;
        next = shared.shift();
        continue;
      }
      if (rhs.has(lpe) && next !== undefined && next !== lpe) {
        li++; // a shared item, placed when the configuration reaches it
        continue;
      }
    }
    if (lpe !== undefined && !rhs.has(lpe)) {
      take(lpe);
      li++;
      continue;
    }
    if (lpe !== undefined && done.has(lpe)) {
      li++;
      continue;
    }
    if (rpe !== undefined) {
      if (!done.has(rpe)) take(rpe);
      ri++;
      if (next === rpe) next = shared.shift();
    } else {
      li++;
    }
  }
  return out;
}

/**
 * Removes the paths of `remove` from `value`, except where `keep` owns something at or
 * beneath them. A map or list left empty by the removal goes too (kube-apiserver drops the
 * null structured-merge-diff leaves there for a non-nullable field). Returns undefined when
 * `value` itself is gone.
 */
export function removeFields(value: unknown, remove: FieldSet, keep: FieldSet, type: FieldType): unknown {
  const t = resolve(type, value);
  const keepChild = (pe: PathElement): boolean => keep.has([pe]) || !keep.withPrefix(pe).isEmpty();
  if (t.kind === 'map' && isObject(value) && !t.atomic) {
    const out: Json = {};
    let removedAny = false;
    for (const [key, child] of Object.entries(value)) {
      const pe = `f:${key}`;
      const result = prune(child, pe, remove, keep, keepChild, t.field(key));
      if (result === undefined) removedAny = true;
      else out[key] = result;
    }
    return removedAny && Object.keys(out).length === 0 ? undefined : out;
  }
  if (t.kind === 'list' && Array.isArray(value) && t.listType !== 'atomic') {
    const out: unknown[] = [];
    value.forEach((item, i) => {
      const result = prune(item, itemElement(t, item, i), remove, keep, keepChild, t.items);
      if (result !== undefined) out.push(result);
    });
    return out.length === 0 && value.length > 0 ? undefined : out;
  }
  return value;
}

function prune(child: unknown, pe: PathElement, remove: FieldSet, keep: FieldSet, keepChild: (pe: PathElement) => boolean, type: FieldType): unknown {
  if (remove.has([pe])) {
    if (!keepChild(pe)) return undefined;
    if (keep.has([pe])) return child;
  }
  const below = remove.withPrefix(pe);
  if (below.isEmpty() && !remove.has([pe])) return child;
  // Someone else owns part of this subtree: remove only what lies outside their fields.
  const everything = remove.has([pe]) ? toFieldSet(child, type) : below;
  return removeFields(child, everything, keep.withPrefix(pe), type);
}
