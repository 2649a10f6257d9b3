/**
 * Type checking and cost estimation of `x-kubernetes-validations` rules when the config is
 * loaded, as kube-apiserver does them when a CRD is created (cel-go's checker and its cost
 * estimator, with `self` declared from the schema, see cel-types.ts):
 *
 * - a field the schema does not have is `undefined field 'colr'`;
 * - an operator on types it has no overload for is `found no matching overload for '_>_'
 *   applied to '(int, string)'`;
 * - a rule is a bool, a messageExpression a string;
 * - the estimated worst-case cost of a rule, from the sizes the schema allows, is within
 *   kube's per-rule budget, and all rules of a kind, each times how often it runs per object,
 *   within the per-CRD budget.
 *
 * The cost model follows cel-go's in shape, simplified: one unit per variable, field and
 * call, string and list operations proportional to their size (a tenth per character), and a
 * comprehension (`all`, `exists`, `map`, `filter`...) costs its body once per element of the
 * largest list it can range over. Types this checker cannot follow become `dyn` and are
 * accepted, as cel-go accepts `dyn`.
 */
import { BOOL, DYN, INT, typeName, UNBOUNDED_STRING, type CelType } from './cel-types.ts';

/** kube's limits (apiextensions-apiserver validation.go, apiserver cel/limits.go). */
export const PER_RULE_COST_LIMIT = 10_000_000;
export const PER_KIND_COST_LIMIT = 100_000_000;

export interface CheckResult {
  type: CelType;
  cost: number;
}

// The AST of @bufbuild/cel-spec's Expr, as far as this walk needs it (see cel.ts).
interface AstExpr {
  id: bigint;
  // biome-ignore lint/suspicious/noExplicitAny: the walk below reads a dozen protobuf oneof cases; to be typed per case as cel.ts's collect does.
  exprKind: { case: string | undefined; value?: any };
}

export class CelCheckError extends Error {}

const STRING_COST_FACTOR = 0.1;
const NUMERIC = new Set(['int', 'uint', 'double']);
const COMPARABLE = new Set(['int', 'uint', 'double', 'string', 'bytes', 'bool', 'timestamp', 'duration']);

/** Checks `expr` with `self` (and `oldSelf`) of type `self`; throws CelCheckError with kube's wording and the position. */
export function checkExpression(expr: AstExpr, positions: Record<string, number>, source: string, self: CelType): CheckResult {
  const scope = new Map<string, CelType>([
    ['self', self],
    ['oldSelf', self],
  ]);
  const fail = (e: AstExpr, message: string): never => {
    let offset = positions[String(e.id)] ?? 0;
    // The parser places an operator call at the blank before it; cel-go names the operator.
    while (offset < source.length && /\s/.test(source[offset]!)) offset++;
    const line = source.slice(0, offset).split('\n').length;
    const column = offset - source.lastIndexOf('\n', offset - 1);
    throw new CelCheckError(`ERROR: <input>:${line}:${column}: ${message}`);
  };

  const walk = (e: AstExpr, vars: Map<string, CelType>): CheckResult => {
    const { case: kind, value } = e.exprKind;
    switch (kind) {
      case 'constExpr': {
        const constant = value.constantKind;
        if (constant?.case === 'stringValue') return { type: { kind: 'string', maxSize: String(constant.value).length }, cost: 0 };
        return { type: constType(constant?.case), cost: 0 };
      }
      case 'identExpr':
        return { type: vars.get(value.name) ?? DYN, cost: 1 };
      case 'selectExpr': {
        const operand = walk(value.operand, vars);
        const field: string = value.field;
        const type = selectField(operand.type, field, () => fail(e, `undefined field '${field}'`));
        return { type: value.testOnly ? BOOL : type, cost: operand.cost + 1 };
      }
      case 'listExpr': {
        const elements = (value.elements as AstExpr[]).map((el) => walk(el, vars));
        const elem = elements.length > 0 && elements.every((x) => x.type.kind === elements[0]!.type.kind) ? elements[0]!.type : DYN;
        return { type: { kind: 'list', elem, maxSize: elements.length }, cost: sum(elements) + 1 };
      }
      case 'structExpr': {
        let cost = 1;
        for (const entry of value.entries) {
          cost += walk(entry.value, vars).cost;
          if (entry.keyKind?.case === 'mapKey') cost += walk(entry.keyKind.value, vars).cost;
        }
        return { type: DYN, cost };
      }
      case 'comprehensionExpr': {
        const range = walk(value.iterRange, vars);
        const init = walk(value.accuInit, vars);
        const inner = new Map(vars);
        inner.set(value.accuVar, init.type);
        const [first, second] = iterationTypes(range.type);
        if (value.iterVar2) {
          inner.set(value.iterVar, first);
          inner.set(value.iterVar2, second);
        } else inner.set(value.iterVar, first);
        const condition = walk(value.loopCondition, inner);
        const step = walk(value.loopStep, inner);
        // The accumulator of map/filter grows into a list of what the step adds.
        const result = walk(value.result, inner);
        const times = sizeOf(range.type);
        return { type: result.type, cost: range.cost + init.cost + times * (condition.cost + step.cost) + result.cost };
      }
      case 'callExpr':
        return checkCall(e, value, vars);
      default:
        return { type: DYN, cost: 1 };
    }
  };

  const checkCall = (e: AstExpr, call: { function: string; target?: AstExpr; args: AstExpr[] }, vars: Map<string, CelType>): CheckResult => {
    const target = call.target ? walk(call.target, vars) : undefined;
    const args = call.args.map((a) => walk(a, vars));
    const cost = (target?.cost ?? 0) + sum(args);
    const types = [...(target ? [target.type] : []), ...args.map((a) => a.type)];
    const noOverload = (): never => fail(e, `found no matching overload for '${call.function}' applied to '(${types.map(typeName).join(', ')})'`);
    const fn = call.function;
    switch (fn) {
      case '_&&_':
      case '_||_':
      case '!_':
      case '@not_strictly_false':
        for (const t of types) if (!isA(t, 'bool')) noOverload();
        return { type: BOOL, cost: cost + 1 };
      case '_==_':
      case '_!=_': {
        const [a, b] = types as [CelType, CelType];
        if (!equatable(a, b)) noOverload();
        return { type: BOOL, cost: cost + 1 + STRING_COST_FACTOR * Math.min(sizeOf(a), sizeOf(b)) };
      }
      case '_<_':
      case '_<=_':
      case '_>_':
      case '_>=_': {
        const [a, b] = types as [CelType, CelType];
        if (!comparable(a, b)) noOverload();
        return { type: BOOL, cost: cost + 1 };
      }
      case '_+_': {
        const [a, b] = types as [CelType, CelType];
        if (a.kind === 'dyn' || b.kind === 'dyn') return { type: a.kind === 'dyn' ? b : a, cost: cost + 1 };
        if ((a.kind === 'string' && b.kind === 'string') || (a.kind === 'bytes' && b.kind === 'bytes')) {
          return { type: { kind: a.kind, maxSize: a.maxSize + b.maxSize }, cost: cost + 1 + STRING_COST_FACTOR * (a.maxSize + b.maxSize) };
        }
        if (a.kind === 'list' && b.kind === 'list') return { type: { kind: 'list', elem: a.elem, maxSize: a.maxSize + b.maxSize }, cost: cost + 1 + a.maxSize + b.maxSize };
        if (a.kind === 'timestamp' && b.kind === 'duration') return { type: a, cost: cost + 1 };
        if (a.kind === 'duration' && (b.kind === 'duration' || b.kind === 'timestamp')) return { type: b, cost: cost + 1 };
        if (NUMERIC.has(a.kind) && a.kind === b.kind) return { type: a, cost: cost + 1 };
        return noOverload();
      }
      case '_-_':
      case '_*_':
      case '_/_':
      case '_%_': {
        const [a, b] = types as [CelType, CelType];
        if (a.kind === 'dyn' || b.kind === 'dyn') return { type: a.kind === 'dyn' ? b : a, cost: cost + 1 };
        if (NUMERIC.has(a.kind) && a.kind === b.kind) return { type: a, cost: cost + 1 };
        if (fn === '_-_' && a.kind === 'timestamp' && (b.kind === 'timestamp' || b.kind === 'duration')) return { type: b.kind === 'timestamp' ? { kind: 'duration' } : a, cost: cost + 1 };
        if (fn === '_-_' && a.kind === 'duration' && b.kind === 'duration') return { type: a, cost: cost + 1 };
        return noOverload();
      }
      case '-_':
        if (!isA(types[0]!, 'int', 'double', 'duration')) noOverload();
        return { type: types[0]!, cost: cost + 1 };
      case '_?_:_':
        if (!isA(types[0]!, 'bool')) noOverload();
        return { type: types[1]!.kind === types[2]!.kind ? types[1]! : DYN, cost: cost + 1 };
      case '_[_]': {
        const [container, index] = types as [CelType, CelType];
        if (container.kind === 'list') {
          if (!isA(index, 'int', 'uint')) noOverload();
          return { type: container.elem, cost: cost + 1 };
        }
        if (container.kind === 'map') {
          if (!isA(index, 'string')) noOverload();
          return { type: container.value, cost: cost + 1 };
        }
        if (container.kind === 'dyn' || container.kind === 'object') return { type: DYN, cost: cost + 1 };
        return noOverload();
      }
      case '@in': {
        const container = types[1]!;
        if (!isA(container, 'list', 'map')) noOverload();
        return { type: BOOL, cost: cost + 1 + (container.kind === 'list' ? container.maxSize : 0) };
      }
      case 'size':
        if (!isA(types[0] ?? DYN, 'string', 'bytes', 'list', 'map')) noOverload();
        return { type: INT, cost: cost + 1 };
      case 'startsWith':
      case 'endsWith':
        // Proportional to the prefix or suffix only (cel-go cost.go).
        if (!isA(types[0] ?? DYN, 'string') || !isA(types[1] ?? DYN, 'string')) noOverload();
        return { type: BOOL, cost: cost + 1 + STRING_COST_FACTOR * sizeOf(types[1]!) };
      case 'contains':
      case 'matches':
        // Proportional to the text times the substring or pattern.
        if (!isA(types[0] ?? DYN, 'string') || !isA(types[1] ?? DYN, 'string')) noOverload();
        return { type: BOOL, cost: cost + 1 + STRING_COST_FACTOR * sizeOf(types[0]!) * Math.max(1, STRING_COST_FACTOR * sizeOf(types[1]!)) };
      case 'lowerAscii':
      case 'upperAscii':
      case 'trim':
      case 'replace':
      case 'substring':
      case 'charAt':
      case 'format':
      case 'string':
        return { type: target?.type.kind === 'string' ? target.type : UNBOUNDED_STRING, cost: cost + 1 + STRING_COST_FACTOR * sizeOf(target?.type ?? types[0] ?? DYN) };
      case 'indexOf':
      case 'lastIndexOf':
      case 'int':
        return { type: INT, cost: cost + 1 + STRING_COST_FACTOR * sizeOf(target?.type ?? DYN) };
      case 'split':
        return { type: { kind: 'list', elem: UNBOUNDED_STRING, maxSize: sizeOf(target?.type ?? DYN) }, cost: cost + 1 + sizeOf(target?.type ?? DYN) };
      case 'join':
        return { type: UNBOUNDED_STRING, cost: cost + 1 + sizeOf(target?.type ?? DYN) };
      case 'double':
        return { type: { kind: 'double' }, cost: cost + 1 };
      case 'uint':
        return { type: { kind: 'uint' }, cost: cost + 1 };
      case 'bool':
        return { type: BOOL, cost: cost + 1 };
      case 'timestamp':
        return { type: { kind: 'timestamp' }, cost: cost + 1 };
      case 'duration':
        return { type: { kind: 'duration' }, cost: cost + 1 };
      default:
        return { type: DYN, cost: cost + 1 + (target ? STRING_COST_FACTOR * sizeOf(target.type) : 0) };
    }
  };

  return walk(expr, scope);
}

function constType(kind: string | undefined): CelType {
  switch (kind) {
    case 'boolValue':
      return BOOL;
    case 'int64Value':
      return INT;
    case 'uint64Value':
      return { kind: 'uint' };
    case 'doubleValue':
      return { kind: 'double' };
    case 'stringValue':
      return UNBOUNDED_STRING;
    case 'bytesValue':
      return { kind: 'bytes', maxSize: 0 };
    case 'nullValue':
      return { kind: 'null' };
    default:
      return DYN;
  }
}

function selectField(type: CelType, field: string, undefinedField: () => never): CelType {
  if (type.kind === 'object') return type.fields.get(field) ?? (type.open ? DYN : undefinedField());
  if (type.kind === 'map') return type.value;
  if (type.kind === 'dyn') return DYN;
  return undefinedField();
}

/** What a comprehension's variables range over: list elements (and indexes), or map keys (and values). */
function iterationTypes(range: CelType): [CelType, CelType] {
  if (range.kind === 'list') return [range.elem, range.elem];
  if (range.kind === 'map') return [UNBOUNDED_STRING, range.value];
  if (range.kind === 'object') return [UNBOUNDED_STRING, DYN];
  return [DYN, DYN];
}

/** The largest size a value of the type can have: characters, bytes, elements or entries. */
function sizeOf(type: CelType): number {
  return 'maxSize' in type ? type.maxSize : 1;
}

function isA(type: CelType, ...kinds: string[]): boolean {
  return type.kind === 'dyn' || kinds.includes(type.kind);
}

function equatable(a: CelType, b: CelType): boolean {
  if (a.kind === 'dyn' || b.kind === 'dyn' || a.kind === 'null' || b.kind === 'null') return true;
  if (NUMERIC.has(a.kind) && NUMERIC.has(b.kind)) return true;
  return a.kind === b.kind;
}

function comparable(a: CelType, b: CelType): boolean {
  if (a.kind === 'dyn' || b.kind === 'dyn') return true;
  if (!COMPARABLE.has(a.kind) || !COMPARABLE.has(b.kind)) return false;
  // kube enables cross-type numeric comparisons; other types compare only with themselves.
  return a.kind === b.kind || (NUMERIC.has(a.kind) && NUMERIC.has(b.kind));
}

function sum(results: CheckResult[]): number {
  return results.reduce((total, r) => total + r.cost, 0);
}

/** kube's wording for a cost over a limit (apiextensions-apiserver getCostErrorMessage). */
export function costErrorMessage(costName: string, cost: number, limit: number): string {
  const factor = cost / limit;
  const shown = factor > 100 ? 'more than 100x' : factor < 1.5 ? `${factor.toFixed(6)}x` : `${factor.toFixed(1)}x`;
  return `${costName} exceeds budget by factor of ${shown} (try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared)`;
}
