/**
 * The JSONPath dialect of CRD `additionalPrinterColumns`: k8s.io/client-go `util/jsonpath`
 * (`parser.go`, `jsonpath.go`) with missing keys allowed, as apiextensions-apiserver's
 * `tableconvertor.go` runs it on `{<jsonPath>}`. Supported: `.field` (`\.` escapes a dot, so
 * `.metadata.annotations.example\.com/x` is one key), `..field`, `.*`, `[n]`, `[-n]`,
 * `[start:end:step]`, `[*]`, `['key']`, unions `[0,2]`, filters `[?(@.type=="Ready")]` with
 * `== != < > <= >=` or existence `[?(@.x)]`, an optional leading `$` or `@`, and one pair of
 * surrounding braces. Templates (`range`/`end`, several actions) are rejected.
 */
import { encodeJson } from '../lib/json.ts';

export interface JsonPath {
  /**
   * Every match, in document order. Where client-go's evaluation fails (an index out of
   * range, indexing a non-array, comparing unlike types) the result is empty, because the
   * table convertor then leaves the cell empty too.
   */
  evaluate(obj: unknown): unknown[];
}

export type PrinterColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'date';

interface Param {
  value: number;
  known: boolean;
  derived: boolean;
}
type Node =
  | { type: 'field'; name: string }
  | { type: 'wildcard' }
  | { type: 'recursive' }
  | { type: 'array'; params: [Param, Param, Param] }
  | { type: 'union'; lists: Node[][] }
  | { type: 'filter'; left: Node[]; right: Node[]; operator: string }
  | { type: 'text'; value: string }
  | { type: 'literal'; value: number | boolean | GoFloat };

/** A float literal such as `3.0`, which Go compares as float64 even though it is whole. */
class GoFloat {
  constructor(readonly value: number) {}
}

class EvaluationError extends Error {}

/** Parses a column's path once; throws an Error naming the problem for invalid syntax. */
export function compileJsonPath(path: string): JsonPath {
  const inner = path.startsWith('{') && path.endsWith('}') ? path.slice(1, -1) : path;
  if (inner === '') throw new Error(`invalid JSONPath ${JSON.stringify(path)}: empty`);
  let nodes: Node[];
  try {
    nodes = parseAction(inner);
  } catch (error) {
    throw new Error(`invalid JSONPath ${JSON.stringify(path)}: ${(error as Error).message}`);
  }
  return {
    evaluate(obj) {
      try {
        return evalList([obj], nodes).map((v) => (v instanceof GoFloat ? v.value : v));
      } catch (error) {
        if (error instanceof EvaluationError) return [];
        throw error;
      }
    },
  };
}

// ---- parser (parser.go parseInsideAction and friends) ----

const isTerminator = (ch: string): boolean => ch === '' || ' \t\r\n.,[]$@{}'.includes(ch);
const isAlphaNumeric = (ch: string): boolean => /^[\p{L}\p{Nd}_]$/u.test(ch);
const isDigit = (ch: string): boolean => /^\p{Nd}$/u.test(ch);

function parseAction(text: string): Node[] {
  const nodes: Node[] = [];
  let pos = 0;
  /** The code point at `at` ('' at the end). */
  const charAt = (at: number): string => (at < text.length ? String.fromCodePoint(text.codePointAt(at)!) : '');
  const readWhile = (keep: (ch: string) => boolean): string => {
    const start = pos;
    while (pos < text.length && keep(charAt(pos))) pos += charAt(pos).length;
    return text.slice(start, pos);
  };
  const parseField = (): void => {
    let raw = '';
    while (pos < text.length && !isTerminator(charAt(pos))) {
      // A backslash takes the next character literally, then all backslashes are dropped.
      if (charAt(pos) === '\\') raw += text[pos++];
      raw += charAt(pos);
      pos += charAt(pos).length;
    }
    nodes.push(raw === '*' ? { type: 'wildcard' } : { type: 'field', name: raw.replaceAll('\\', '') });
  };

  while (pos < text.length) {
    const rest = text.slice(pos);
    if (rest.startsWith('[?(')) {
      pos += 3;
      const end = filterEnd(text, pos);
      nodes.push(parseFilter(text.slice(pos, end)));
      pos = end + 2;
      continue;
    }
    if (rest.startsWith('..')) {
      if (nodes.at(-1)?.type === 'recursive') throw new Error('invalid multiple recursive descent');
      pos += 2;
      nodes.push({ type: 'recursive' });
      if (isAlphaNumeric(charAt(pos))) parseField();
      continue;
    }
    const ch = charAt(pos);
    if (ch === ' ' || ch === '@' || ch === '$') pos++;
    else if (ch === '[') {
      const close = text.indexOf(']', pos);
      const newline = text.indexOf('\n', pos);
      if (close < 0 || (newline >= 0 && newline < close)) throw new Error('unterminated array');
      nodes.push(...parseArray(text.slice(pos + 1, close)));
      pos = close + 1;
    } else if (ch === '"' || ch === "'") {
      let end = pos + 1;
      while (end < text.length && !(text[end] === ch && text[end - 1] !== '\\')) {
        if (text[end] === '\n') break;
        end++;
      }
      if (end >= text.length || text[end] !== ch) throw new Error('unterminated quoted string');
      nodes.push({ type: 'text', value: unquote(text.slice(pos + 1, end), ch) });
      pos = end + 1;
    } else if (ch === '.') {
      pos++;
      parseField();
    } else if (ch === '+' || ch === '-' || isDigit(ch)) {
      const start = pos;
      pos += ch.length;
      readWhile((c) => c === '.' || isDigit(c));
      nodes.push(parseNumber(text.slice(start, pos)));
    } else if (isAlphaNumeric(ch)) {
      const word = readWhile((c) => !isTerminator(c));
      if (word !== 'true' && word !== 'false') throw new Error(`unrecognized identifier ${word}`);
      nodes.push({ type: 'literal', value: word === 'true' });
    } else {
      const hex = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      throw new Error(ch === '\r' || ch === '\n' ? 'unclosed action' : `unrecognized character in action: U+${hex} '${ch}'`);
    }
  }
  return nodes;
}

/** The index of the `)` that closes a filter (quotes may hide one), which `]` must follow. */
function filterEnd(text: string, from: number): number {
  let begin = false;
  let end = false;
  let pair = '';
  for (let i = from; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') break;
    if (ch === '"' || ch === "'") {
      if (!begin) {
        begin = true;
        pair = ch;
      } else if (ch === pair && text[i - 1] !== '\\') end = true;
    } else if (ch === ')' && begin === end) {
      if (text[i + 1] !== ']') throw new Error('unclosed array expect ]');
      return i;
    }
  }
  throw new Error('unterminated filter');
}

const filterOperators = new Set(['<', '>', '==', '!=', '<=', '>=']);

function parseFilter(text: string): Node {
  const match = /^([^!<>=]+)([!<>=]+)(.+?)$/s.exec(text);
  if (!match) return { type: 'filter', left: parseAction(text), right: [], operator: 'exists' };
  const [, left, operator, right] = match as unknown as [string, string, string, string];
  if (!filterOperators.has(operator)) throw new Error(`unrecognized filter operator ${operator}`);
  return { type: 'filter', left: parseAction(left), right: parseAction(right), operator };
}

function parseArray(text: string): Node[] {
  const inside = text === '*' ? ':' : text;
  const parts = inside.split(',');
  if (parts.length > 1) return [{ type: 'union', lists: parts.map((p) => parseArray(p.trim())) }];
  const key = /^'([^']*)'$/.exec(inside);
  // Go re-parses `['a.b']` as `.a.b`, so a dot in brackets still separates keys.
  if (key) return parseAction(`.${key[1]}`);
  const slice = /^(-?\d*)(:-?\d*)?(:-?\d*)?$/.exec(inside);
  if (!slice) throw new Error(`invalid array index ${inside}`);
  const params: Param[] = [];
  for (let i = 0; i < 3; i++) {
    const group = slice[i + 1] ?? '';
    const digits = i > 0 ? group.slice(1) : group;
    if (group === '') {
      // `[n]` means `[n:n+1]`; Derived marks the end so that `[-1]` wraps to the length.
      params.push(i === 1 ? { value: params[0]!.value + 1, known: true, derived: true } : { value: 0, known: false, derived: false });
    } else if (i > 0 && digits === '') params.push({ value: 0, known: false, derived: false });
    else {
      if (!/^[+-]?\d+$/.test(digits)) throw new Error(`array index ${digits} is not a number`);
      params.push({ value: Number(digits), known: true, derived: false });
    }
  }
  return [{ type: 'array', params: params as [Param, Param, Param] }];
}

function parseNumber(text: string): Node {
  if (/^[+-]?\d+$/.test(text)) return { type: 'literal', value: Number(text) };
  if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) return { type: 'literal', value: new GoFloat(Number(text)) };
  throw new Error(`cannot parse number ${text}`);
}

/** Go's `strconv.UnquoteChar` escapes; the other quote character may not be escaped. */
function unquote(body: string, quote: string): string {
  const escapes: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', [quote]: quote };
  return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/gs, (_, e: string) => {
    if (e.length > 1) return String.fromCodePoint(parseInt(/^[0-7]/.test(e) ? e : e.slice(1), /^[0-7]/.test(e) ? 8 : 16));
    const plain = escapes[e];
    if (plain === undefined) throw new Error(`unquote string ${quote}${body}${quote} error invalid syntax`);
    return plain;
  });
}

// ---- evaluation (jsonpath.go walk and friends, with allowMissingKeys) ----

type Json = Record<string, unknown>;
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoFloat);

function evalList(input: unknown[], nodes: readonly Node[]): unknown[] {
  return nodes.reduce((values, node) => walk(values, node), input);
}

function walk(input: unknown[], node: Node): unknown[] {
  switch (node.type) {
    case 'text':
      return [node.value];
    case 'literal':
      return input.map(() => node.value);
    case 'field':
      // A missing key, or a field of a scalar, array or null, is no result (not an error).
      return input.filter(isMap).filter((v) => Object.hasOwn(v, node.name)).map((v) => v[node.name]);
    case 'wildcard':
      return input.flatMap(children);
    case 'recursive':
      return recursive(input);
    case 'union':
      return node.lists.flatMap((list) => evalList(input, list));
    case 'array':
      return evalArray(input, node.params);
    case 'filter':
      return evalFilter(input, node);
  }
}

/** The members of an object, the items of an array; a string's bytes are left out. */
function children(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return isMap(value) ? Object.values(value) : [];
}

/** Every value with children, followed by its descendants that have children (evalRecursive). */
function recursive(input: unknown[]): unknown[] {
  return input.flatMap((value) => {
    const inner = children(value);
    const hasChildren = inner.length > 0 || (typeof value === 'string' && value !== '');
    return hasChildren ? [value, ...recursive(inner)] : [];
  });
}

function evalArray(input: unknown[], node: readonly Param[]): unknown[] {
  const result: unknown[] = [];
  for (const value of input) {
    if (value === null || value === undefined) continue;
    if (!Array.isArray(value)) throw new EvaluationError(`${goType(value)} is not array or slice`);
    const [start, end, step] = node.map((p) => ({ ...p })) as [Param, Param, Param];
    const length = value.length;
    if (!start.known) start.value = 0;
    if (start.value < 0) start.value += length;
    if (!end.known) end.value = length;
    if (end.value < 0 || (end.value === 0 && end.derived)) end.value += length;
    // Go returns what it has so far when a range selects nothing, skipping later inputs.
    if (end.value === start.value) return result;
    if (start.value >= length || start.value < 0) throw new EvaluationError(`array index out of bounds: index ${start.value}, length ${length}`);
    if (end.value > length || end.value < 0) throw new EvaluationError(`array index out of bounds: index ${end.value - 1}, length ${length}`);
    if (start.value > end.value) throw new EvaluationError(`starting index ${start.value} is greater than ending index ${end.value}`);
    if (step.known && step.value <= 0) throw new EvaluationError('step must be > 0');
    const stride = step.known ? step.value : 1;
    for (let i = start.value; i < end.value; i += stride) result.push(value[i]);
  }
  return result;
}

function evalFilter(input: unknown[], node: Extract<Node, { type: 'filter' }>): unknown[] {
  const result: unknown[] = [];
  for (const value of input) {
    if (!Array.isArray(value)) throw new EvaluationError(`${goType(value)} is not array or slice and cannot be filtered`);
    for (const item of value) {
      if (node.operator === 'exists') {
        let lefts: unknown[] = [];
        try {
          lefts = evalList([item], node.left);
        } catch {
          // Go ignores the error for an existence test.
        }
        if (lefts.length > 0) result.push(item);
        continue;
      }
      const left = single(evalList([item], node.left));
      if (left.length === 0) continue;
      const right = single(evalList([item], node.right));
      if (right.length === 0) continue;
      if (compare(left[0], node.operator, right[0])) result.push(item);
    }
  }
  return result;
}

function single(values: unknown[]): unknown[] {
  if (values.length > 1) throw new EvaluationError('can only compare one element at a time');
  return values;
}

/** text/template's comparison functions: only like basic kinds compare, and bools only for equality. */
function compare(a: unknown, operator: string, b: unknown): boolean {
  const kindA = basicKind(a);
  const kindB = basicKind(b);
  if (kindA !== kindB) throw new EvaluationError('incompatible types for comparison');
  const x = a instanceof GoFloat ? a.value : (a as number | string | boolean);
  const y = b instanceof GoFloat ? b.value : (b as number | string | boolean);
  if (operator === '==') return x === y;
  if (operator === '!=') return x !== y;
  if (kindA === 'bool') throw new EvaluationError('invalid type for comparison');
  if (operator === '<') return x < y;
  if (operator === '<=') return x <= y;
  if (operator === '>') return x > y;
  return x >= y;
}

function basicKind(value: unknown): 'bool' | 'int' | 'float' | 'string' {
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'string';
  if (value instanceof GoFloat) return 'float';
  // Kubernetes decodes a JSON number as int64 when it is whole, float64 otherwise.
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'bigint') return 'int';
  throw new EvaluationError('invalid type for comparison');
}

function goType(value: unknown): string {
  if (isMap(value)) return 'map[string]interface {}';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int64' : 'float64';
  return value === null || value === undefined ? '<nil>' : typeof value;
}

// ---- table cells (apiextensions-apiserver tableconvertor.go) ----

/**
 * The cell for a column from its path's matches. Only the first match counts; no match is
 * `null` (kubectl prints `<none>`). `string` prints the value as client-go's jsonpath does
 * (objects and arrays as JSON, null as `<no value>`); `integer`, `number` and `boolean` give
 * typed values and `null` for a value of another type. `date` returns the raw timestamp
 * string, which `age(value, now)` in duration.ts turns into the cell kube shows (`<invalid>`
 * when it is not RFC 3339), and `null` for a non-string.
 */
export function printerCellValue(results: unknown[], type: PrinterColumnType): unknown {
  if (results.length === 0) return null;
  const value = results[0];
  if (type === 'string') return printValue(value);
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : typeof value === 'bigint' ? value : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'date':
      return typeof value === 'string' ? value : null;
  }
  return null;
}

/** jsonpath `PrintResults`: maps and slices as JSON, other values with Go's `fmt.Print`. */
function printValue(value: unknown): string {
  if (value === null || value === undefined) return '<no value>';
  if (typeof value === 'object') return goJson(value);
  if (typeof value === 'number') return formatGoNumber(value);
  return String(value);
}

/** An int64 as decimal; a float64 as Go's `%v` (shortest digits, exponent outside 1e-4..1e6). */
function formatGoNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 63) return BigInt(n).toString();
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  const [mantissa, exponent] = n.toExponential().split('e') as [string, string];
  const exp = Number(exponent);
  // strconv `g` with the shortest precision uses an exponent when exp < -4 || exp >= 6 (ftoa.go).
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return n.toString();
}

/** encoding/json `Marshal`: object keys sorted, and `<`, `>`, `&`, U+2028, U+2029 escaped. */
function goJson(value: unknown): string {
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (!isMap(v)) return v;
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])]));
  };
  return encodeJson(sorted(value)).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
