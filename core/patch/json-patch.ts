/**
 * JSON patch (RFC 6902) with RFC 6901 pointers, as kube-apiserver applies
 * `application/json-patch+json`: k8s.io/apiserver `endpoints/handlers/patch.go` decodes the
 * operations, then evanphx/json-patch v4 (`patch.go`) applies them. Messages are evanphx's.
 *
 * evanphx v4 differs from the RFC in ways clients can see, and this module keeps them:
 * - `add` at the root path "" fails; `replace` at "" swaps the whole document.
 * - `replace` of a missing object member adds it (only array indexes are checked).
 * - negative array indexes count from the end (`SupportNegativeIndices`).
 * - `copy` from a missing object member copies `null`; `test` of a missing member against
 *   `null` passes.
 * - an unknown or missing `op` fails while applying (`Unexpected kind: x`), so it is a 422.
 *
 * Two bounds keep a small patch from growing a document without end (issue 16: 40 `copy`
 * operations doubling a list exhausted the heap): the bytes `copy` operations add accumulate
 * against kube-apiserver's `JSONPatchMaxCopyBytes` (3 MiB, evanphx `AccumulatedCopySizeLimit`,
 * measured as evanphx does, by the copied value's JSON), and no operation may place a value
 * deeper than MAX_NESTING_DEPTH, the limit every decoded body has.
 */
import { MAX_NESTING_DEPTH, nestingDepthExceeds } from '../nesting.ts';
import { cloneJson, encodeJson } from '../../lib/json.ts';

/** kube-apiserver's default `JSONPatchMaxCopyBytes` (k8s.io/apiserver `server/config.go`). */
export const MAX_COPY_BYTES = 3 * 1024 * 1024;

/** `malformed`: the body is not a list of operations (400). `apply`: an operation failed (422). */
export type JsonPatchErrorKind = 'malformed' | 'apply';

export class JsonPatchError extends Error {
  override readonly name = 'JsonPatchError';

  constructor(
    readonly kind: JsonPatchErrorKind,
    message: string,
  ) {
    super(message);
  }
}

type Container = Record<string, unknown> | unknown[];
interface Operation {
  op?: unknown;
  path?: unknown;
  from?: unknown;
  value?: unknown;
}

const MISSING = 'missing value';
const INVALID_INDEX = 'invalid index referenced';

/**
 * Applies `operations` (the parsed request body) to a copy of `document` and returns it.
 * Throws `JsonPatchError`: `malformed` before anything is applied, `apply` on the first
 * operation that fails. Inputs are not mutated and the result shares nothing with them.
 */
export function applyJsonPatch(document: unknown, operations: unknown, maxCopyBytes = MAX_COPY_BYTES): unknown {
  const ops = decodeOperations(operations);
  const copy = cloneJson(document);
  if (!isContainer(copy)) throw applyError(`json: cannot unmarshal ${goJsonType(copy)} into Go value of type jsonpatch.partialDoc`);
  let doc: Container = copy;
  let copiedBytes = 0;
  for (const op of ops) {
    const kind = typeof op.op === 'string' ? op.op : 'unknown';
    switch (kind) {
      case 'add': {
        const path = pathOf(op, 'add operation failed to decode path: missing value');
        const target = findObject(doc, path);
        if (!target) throw applyError(`add operation does not apply: doc is missing path: "${path}": ${MISSING}`);
        assertDepth('add', path, op.value);
        attempt(() => add(target.container, target.key, valueOf(op)), `error in add for path: '${path}'`);
        break;
      }
      case 'remove': {
        const path = pathOf(op, 'remove operation failed to decode path: missing value');
        const target = findObject(doc, path);
        if (!target) throw applyError(`remove operation does not apply: doc is missing path: "${path}": ${MISSING}`);
        attempt(() => remove(target.container, target.key), `error in remove for path: '${path}'`);
        break;
      }
      case 'replace': {
        const path = pathOf(op, `replace operation failed to decode path: operation missing path field: ${MISSING}`);
        if (path === '') {
          const value = valueOf(op);
          if (!isContainer(value)) throw applyError('replace operation value must be object or array');
          doc = value;
          break;
        }
        const target = findObject(doc, path);
        if (!target) throw applyError(`replace operation does not apply: doc is missing path: ${path}: ${MISSING}`);
        attempt(() => get(target.container, target.key), `replace operation does not apply: doc is missing key: ${path}`, MISSING);
        assertDepth('replace', path, op.value);
        set(target.container, target.key, valueOf(op));
        break;
      }
      case 'move': {
        const from = fromOf(op, 'move');
        const source = findObject(doc, from);
        if (!source) throw applyError(`move operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
        const value = attempt(() => get(source.container, source.key), `error in move for path: '${source.key}'`);
        attempt(() => remove(source.container, source.key), `error in move for path: '${source.key}'`);
        const path = pathOf(op, `move operation failed to decode path: operation missing path field: ${MISSING}`);
        const target = findObject(doc, path);
        if (!target) throw applyError(`move operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
        assertDepth('move', path, value);
        attempt(() => add(target.container, target.key, value ?? null), `error in move for path: '${path}'`);
        break;
      }
      case 'copy': {
        const from = fromOf(op, 'copy');
        const source = findObject(doc, from);
        if (!source) throw applyError(`copy operation does not apply: doc is missing from path: ${from}: ${MISSING}`);
        const value = attempt(() => get(source.container, source.key), `error in copy for from: '${from}'`);
        const path = pathOf(op, 'copy operation failed to decode path: missing value');
        const target = findObject(doc, path);
        if (!target) throw applyError(`copy operation does not apply: doc is missing destination path: ${path}: ${MISSING}`);
        // Depth first: the copy's size is measured by encoding it, which recurses.
        assertDepth('copy', path, value);
        copiedBytes += Buffer.byteLength(encodeJson(value ?? null));
        if (maxCopyBytes > 0 && copiedBytes > maxCopyBytes) {
          throw applyError(`Unable to complete the copy, the accumulated size increase of copy is ${copiedBytes}, exceeding the limit ${maxCopyBytes}`);
        }
        attempt(() => add(target.container, target.key, cloneJson(value ?? null)), 'error while adding value during copy');
        break;
      }
      case 'test': {
        const path = pathOf(op, `test operation failed to decode path: operation missing path field: ${MISSING}`);
        let actual: unknown = doc;
        if (path !== '') {
          const target = findObject(doc, path);
          if (!target) throw applyError(`test operation does not apply: is missing path: ${path}: ${MISSING}`);
          actual = attempt(() => get(target.container, target.key), `error in test for path: '${path}'`);
        }
        // A missing member and a null one are both Go's nil node, equal to an absent or null value.
        const passed = actual === undefined || actual === null ? (op.value ?? null) === null : 'value' in op && deepEqual(actual, op.value);
        if (!passed) throw applyError(`testing value ${path} failed: test failed`);
        break;
      }
      default:
        throw applyError(`Unexpected kind: ${kind}`);
    }
  }
  return doc;
}

/**
 * handlers/patch.go first decodes the body into `[]jsonPatchOp` (strictly, for the Strict and
 * Warn field validation kubectl uses) and answers a failure with 400 `error decoding patch: …`.
 */
function decodeOperations(operations: unknown): Operation[] {
  const malformed = (detail: string) => new JsonPatchError('malformed', `error decoding patch: json: cannot unmarshal ${detail}`);
  if (operations === null) return []; // Go decodes `null` as an empty patch.
  if (!Array.isArray(operations)) throw malformed(`${goJsonType(operations)} into Go value of type []handlers.jsonPatchOp`);
  return operations.map((op: unknown): Operation => {
    if (op === null) return {};
    if (typeof op !== 'object' || Array.isArray(op)) throw malformed(`${goJsonType(op)} into Go value of type handlers.jsonPatchOp`);
    for (const field of ['op', 'path', 'from'] as const) {
      const value = (op as Operation)[field];
      if (value !== undefined && value !== null && typeof value !== 'string') {
        throw malformed(`${goJsonType(value)} into Go struct field jsonPatchOp.${field} of type string`);
      }
    }
    return op as Operation;
  });
}

/**
 * A value put at `path` sits one level below each of the path's containers: the root and each
 * reference token but the last.
 */
function assertDepth(kind: string, path: string, value: unknown): void {
  const containers = path.split('/').length - 1;
  if (nestingDepthExceeds(value, MAX_NESTING_DEPTH - containers)) {
    throw applyError(`${kind} operation does not apply: the value at ${path} would exceed the max depth of ${MAX_NESTING_DEPTH} levels`);
  }
}

function pathOf(op: Operation, missingMessage: string): string {
  if (typeof op.path !== 'string') throw applyError(missingMessage);
  return op.path;
}

function fromOf(op: Operation, kind: 'move' | 'copy'): string {
  if (typeof op.from !== 'string') throw applyError(`${kind} operation failed to decode from: operation, missing from field: ${MISSING}`);
  return op.from;
}

/** The operation's value, copied so the result shares nothing with the patch; absent is null. */
function valueOf(op: Operation): unknown {
  return cloneJson(op.value ?? null);
}

/**
 * evanphx `findObject`: walks every pointer token but the last, which it returns decoded as the
 * key. The root path "" (a single token) has no parent, and walking through null, a scalar or a
 * bad index fails.
 */
function findObject(doc: Container, path: string): { container: Container; key: string } | undefined {
  const tokens = path.split('/');
  if (tokens.length < 2) return undefined;
  let container: Container = doc;
  for (const token of tokens.slice(1, -1)) {
    let next: unknown;
    try {
      next = get(container, decodeToken(token));
    } catch {
      return undefined;
    }
    if (!isContainer(next)) return undefined;
    container = next;
  }
  return { container, key: decodeToken(tokens[tokens.length - 1]!) };
}

/** RFC 6901 section 4: `~1` becomes `/`, then `~0` becomes `~`. */
function decodeToken(token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** A member (undefined when missing) or an item; throws the reason for a bad index. */
function get(container: Container, key: string): unknown {
  if (!Array.isArray(container)) return Object.hasOwn(container, key) ? container[key] : undefined;
  return container[index(container, key, container.length - 1)];
}

function set(container: Container, key: string, value: unknown): void {
  if (Array.isArray(container)) container[index(container, key, container.length - 1)] = value;
  else Object.defineProperty(container, key, { value, writable: true, enumerable: true, configurable: true });
}

function add(container: Container, key: string, value: unknown): void {
  if (!Array.isArray(container)) return set(container, key, value);
  if (key === '-') {
    container.push(value);
    return;
  }
  if (!/^[+-]?[0-9]+$/.test(key)) throw new Error(`value was not a proper array index: '${key}': ${atoiError(key)}`);
  // Inserting may also append, so the highest valid index is the current length.
  container.splice(index(container, key, container.length), 0, value);
}

function remove(container: Container, key: string): void {
  if (!Array.isArray(container)) {
    if (!Object.hasOwn(container, key)) throw new Error(`Unable to remove nonexistent key: ${key}: ${MISSING}`);
    delete container[key];
    return;
  }
  container.splice(index(container, key, container.length - 1), 1);
}

/** Go's `strconv.Atoi`, then a range check where -1 means `last` and -(last+1) means 0. */
function index(array: unknown[], key: string, last: number): number {
  if (!/^[+-]?[0-9]+$/.test(key)) throw new Error(atoiError(key));
  const idx = Number(key);
  if (idx > last || idx < -(last + 1)) throw new Error(`Unable to access invalid index: ${idx}: ${INVALID_INDEX}`);
  return idx < 0 ? idx + last + 1 : idx;
}

function atoiError(key: string): string {
  return `strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`;
}

/** Runs a container step and turns its failure into an `apply` error prefixed as evanphx wraps it. */
function attempt<T>(step: () => T, prefix: string, cause?: string): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof JsonPatchError) throw error;
    throw applyError(`${prefix}: ${cause ?? (error as Error).message}`);
  }
}

function applyError(message: string): JsonPatchError {
  return new JsonPatchError('apply', message);
}

function isContainer(value: unknown): value is Container {
  return typeof value === 'object' && value !== null;
}

/** The JSON type names Go's `json.UnmarshalTypeError` uses. */
function goJsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'null';
  if (typeof value === 'boolean') return 'bool';
  return typeof value === 'object' ? 'object' : typeof value;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (!isContainer(a) || !isContainer(b) || Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
