/**
 * Kubernetes' CEL libraries that CRD authors use beyond the standard ones
 * (k8s.io/apiserver/pkg/cel/library): `lists` (isSorted, sum, min, max, indexOf,
 * lastIndexOf) and `regex` (find, findAll). The extended `strings` library comes from
 * @bufbuild/cel itself. Errors are worded as kube's.
 */
import { celList, celMethod, CelScalar, isCelUint, listType, type CelFunc, type CelList, type CelValue } from '@bufbuild/cel';

const { DYN, INT, STRING, BOOL } = CelScalar;
const LIST_DYN = listType(DYN);
const LIST_STRING = listType(STRING);

type Comparable = bigint | number | string | boolean;

/** Orders two list elements the way kube's lists library does: numbers, strings, bools. */
function compare(a: CelValue, b: CelValue): number {
  const x = plain(a);
  const y = plain(b);
  if (typeof x !== typeof y && !(isNumber(x) && isNumber(y))) throw new Error(`no such overload: ${typeof x} < ${typeof y}`);
  if (isNumber(x) && isNumber(y)) return Number(x) < Number(y) ? -1 : Number(x) > Number(y) ? 1 : 0;
  return x < y ? -1 : x > y ? 1 : 0;
}

function plain(v: CelValue): Comparable {
  if (isCelUint(v)) return v.value;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  throw new Error('no such overload: the list holds values that cannot be ordered');
}

const isNumber = (v: Comparable): v is bigint | number => typeof v === 'bigint' || typeof v === 'number';

function isSorted(this: CelList): boolean {
  for (let i = 1; i < this.size; i++) if (compare(this.get(i - 1)!, this.get(i)!) > 0) return false;
  return true;
}

function sum(this: CelList): CelValue {
  let total: bigint | number | undefined;
  for (const v of this) {
    const n = plain(v);
    if (!isNumber(n)) throw new Error('no such overload: sum of a list of non-numbers');
    total = total === undefined ? n : typeof total === 'bigint' && typeof n === 'bigint' ? total + n : Number(total) + Number(n);
  }
  return total ?? 0n;
}

function extreme(list: CelList, name: 'min' | 'max'): CelValue {
  if (list.size === 0) throw new Error(`${name} called on empty list`);
  let best: CelValue = list.get(0)!;
  for (const v of list) {
    const order = compare(v, best);
    if (name === 'min' ? order < 0 : order > 0) best = v;
  }
  return best;
}

function indexOf(this: CelList, wanted: CelValue): bigint {
  let i = 0;
  for (const v of this) {
    if (sameValue(v, wanted)) return BigInt(i);
    i++;
  }
  return -1n;
}

function lastIndexOf(this: CelList, wanted: CelValue): bigint {
  for (let i = this.size - 1; i >= 0; i--) if (sameValue(this.get(i)!, wanted)) return BigInt(i);
  return -1n;
}

function sameValue(a: CelValue, b: CelValue): boolean {
  try {
    return compare(a, b) === 0;
  } catch {
    return false;
  }
}

/** RE2 syntax is close enough to JavaScript's for the patterns CRDs use; kube's `find` wording on a bad one. */
function regex(pattern: string): RegExp {
  try {
    return new RegExp(pattern, 'u');
  } catch (error) {
    throw new Error(`error parsing regexp: ${(error as Error).message}`);
  }
}

function find(this: string, pattern: string): string {
  return regex(pattern).exec(this)?.[0] ?? '';
}

function findAll(this: string, pattern: string, limit?: bigint): CelList {
  const found: string[] = [];
  const max = limit === undefined || limit < 0n ? Infinity : Number(limit);
  const re = new RegExp(regex(pattern).source, 'gu');
  for (const match of this.matchAll(re)) {
    if (found.length >= max) break;
    found.push(match[0]);
  }
  return celList(found);
}

export const kubernetesLibraries: CelFunc[] = [
  celMethod('isSorted', LIST_DYN, [], BOOL, isSorted),
  celMethod('sum', LIST_DYN, [], DYN, sum),
  celMethod('min', LIST_DYN, [], DYN, function (this: CelList) {
    return extreme(this, 'min');
  }),
  celMethod('max', LIST_DYN, [], DYN, function (this: CelList) {
    return extreme(this, 'max');
  }),
  celMethod('indexOf', LIST_DYN, [DYN], INT, indexOf),
  celMethod('lastIndexOf', LIST_DYN, [DYN], INT, lastIndexOf),
  celMethod('find', STRING, [STRING], STRING, find),
  celMethod('findAll', STRING, [STRING], LIST_STRING, findAll),
  celMethod('findAll', STRING, [STRING, INT], LIST_STRING, findAll),
];
