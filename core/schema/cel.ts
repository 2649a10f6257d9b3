/**
 * `x-kubernetes-validations`: CEL rules, compiled once per config with @bufbuild/cel and
 * evaluated on every write, following apiextensions-apiserver `pkg/apiserver/schema/cel`
 * (compilation.go, validation.go): `self` is the value at the rule's node, `oldSelf` the
 * stored value there; a rule that mentions `oldSelf` (a transition rule) runs only when
 * there is a stored value. Messages: `message`, else the string `messageExpression` yields,
 * else `failed rule: <rule>`; `reason` picks the field error type; `fieldPath` moves it.
 *
 * Compilation parses the rule, checks that every function and variable it names exists,
 * then type-checks it against the schema and estimates its cost (cel-check.ts). Integers
 * reach CEL as `int` (bigint), other numbers as `double`, as kube's unstructured values do.
 */
import { celEnv, isCelError, parse, plan, type CelEnv } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { kubernetesLibraries } from './cel-libraries.ts';
import { kubernetesValueLibraries } from './cel-values.ts';
import type { FieldError } from '../field-errors.ts';
import { CelCheckError, checkExpression, costErrorMessage, PER_RULE_COST_LIMIT, type CheckResult } from './cel-check.ts';
import { celTypeOf, type CelType } from './cel-types.ts';
import type { SchemaNode } from './node.ts';
import { isObject } from '../../lib/json.ts';
import { isIntOrString, typeOf } from './node.ts';

/** A compiled `x-kubernetes-validations` entry. */
export interface CompiledRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: Program;
  /** Where the error is reported, relative to the rule's node: `.x`, `[key]` (appended to the node's path). */
  readonly fieldPath?: string;
  readonly reason?: string;
  /** Mentions `oldSelf`: runs only on updates that have a stored value here. */
  readonly transition: boolean;
  readonly program: Program;
  /** The estimated worst-case cost of one evaluation (cel-check.ts). */
  readonly cost: number;
}

type Program = (bindings: Record<string, unknown>) => unknown;

// The operators the planner handles itself, not through the function resolver.
const BUILT_IN = new Set(['_||_', '_&&_', '_?_:_', '_[_]', '@not_strictly_false', '-_']);
const REASONS = ['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'];

let sharedEnv: CelEnv | undefined;
const env = (): CelEnv => (sharedEnv ??= celEnv({ funcs: [...strings, ...kubernetesLibraries, ...kubernetesValueLibraries] }));

/**
 * Compiles one expression over `self`/`oldSelf` of type `self`; throws an Error saying why it
 * does not compile, as kube words it.
 */
function compileExpression(source: string, self: CelType, wanted: 'bool' | 'string'): { program: Program; usesOldSelf: boolean; cost: number } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(source);
  } catch (error) {
    throw new Error(`compilation failed: ${(error as Error).message}`);
  }
  const names = { functions: new Set<string>(), idents: new Set<string>() };
  collect(parsed.expr, new Set(['self', 'oldSelf']), names);
  for (const fn of names.functions) {
    if (!BUILT_IN.has(fn) && !env().funcs.find(fn)) throw new Error(`compilation failed: undeclared reference to '${fn}'`);
  }
  for (const ident of names.idents) throw new Error(`compilation failed: undeclared reference to '${ident}'`);
  let checked: CheckResult;
  try {
    checked = checkExpression(parsed.expr as never, positionsOf(parsed.sourceInfo), source, self);
  } catch (error) {
    if (error instanceof CelCheckError) throw new Error(`compilation failed: ${error.message}`);
    throw error;
  }
  if (checked.type.kind !== wanted && checked.type.kind !== 'dyn') {
    throw new Error(wanted === 'bool' ? 'cel expression must evaluate to a bool' : 'messageExpression must evaluate to a string');
  }
  const run = plan(env(), parsed) as (ctx: Record<string, unknown>) => unknown;
  return { program: run, usesOldSelf: mentionsOldSelf(parsed.expr), cost: checked.cost };
}

// The AST of @bufbuild/cel-spec's Expr, as far as the walk below reads it: its generated
// protobuf types are a oneof per case, each case's value typed here where it is read.
interface AstExpr {
  exprKind: { case: string | undefined; value?: unknown };
}
type Node = AstExpr | undefined;
interface ExprValues {
  identExpr: { name: string };
  selectExpr: { operand?: AstExpr };
  callExpr: { function: string; target?: AstExpr; args: AstExpr[] };
  listExpr: { elements: AstExpr[] };
  structExpr: { entries: { value?: AstExpr; keyKind?: { case: string | undefined; value?: unknown } }[] };
  comprehensionExpr: {
    iterRange?: AstExpr;
    accuInit?: AstExpr;
    iterVar: string;
    iterVar2?: string;
    accuVar: string;
    loopCondition?: AstExpr;
    loopStep?: AstExpr;
    result?: AstExpr;
  };
}
const valueOf = <K extends keyof ExprValues>(e: AstExpr, _kind: K): ExprValues[K] => e.exprKind.value as ExprValues[K];

function collect(e: Node, scope: Set<string>, out: { functions: Set<string>; idents: Set<string> }): void {
  if (!e) return;
  switch (e.exprKind.case) {
    case 'identExpr': {
      const { name } = valueOf(e, 'identExpr');
      if (!scope.has(name)) out.idents.add(name);
      return;
    }
    case 'selectExpr':
      return collect(valueOf(e, 'selectExpr').operand, scope, out);
    case 'callExpr': {
      const call = valueOf(e, 'callExpr');
      out.functions.add(call.function);
      collect(call.target, scope, out);
      for (const arg of call.args) collect(arg, scope, out);
      return;
    }
    case 'listExpr':
      for (const el of valueOf(e, 'listExpr').elements) collect(el, scope, out);
      return;
    case 'structExpr':
      for (const entry of valueOf(e, 'structExpr').entries) {
        collect(entry.value, scope, out);
        if (entry.keyKind?.case === 'mapKey') collect(entry.keyKind.value as Node, scope, out);
      }
      return;
    case 'comprehensionExpr': {
      const c = valueOf(e, 'comprehensionExpr');
      collect(c.iterRange, scope, out);
      collect(c.accuInit, scope, out);
      const inner = new Set([...scope, c.iterVar, c.accuVar]);
      if (c.iterVar2) inner.add(c.iterVar2);
      for (const part of [c.loopCondition, c.loopStep, c.result]) collect(part, inner, out);
      return;
    }
  }
}

/** Expression id → offset in the source, from the parser's SourceInfo. */
function positionsOf(sourceInfo: { positions?: Record<string, number> } | undefined): Record<string, number> {
  return sourceInfo?.positions ?? {};
}

function mentionsOldSelf(e: AstExpr): boolean {
  const found = { functions: new Set<string>(), idents: new Set<string>() };
  collect(e, new Set(['self']), found);
  return found.idents.has('oldSelf');
}

/**
 * Compiles the rules of one schema node. Problems go to `problems` with paths under
 * `path` (e.g. `x-kubernetes-validations[0].rule`), as config/check.ts reports them.
 */
export function compileRules(node: SchemaNode, path: string, problems: { path: string; message: string }[]): CompiledRule[] {
  const raw = node['x-kubernetes-validations'];
  if (raw === undefined) return [];
  const at = `${path}${path ? '.' : ''}x-kubernetes-validations`;
  if (!Array.isArray(raw)) {
    problems.push({ path: at, message: 'must be a list of rules' });
    return [];
  }
  const rules: CompiledRule[] = [];
  const self = celTypeOf(node);
  raw.forEach((entry: unknown, i) => {
    const here = `${at}[${i}]`;
    if (!isObject(entry) || typeof entry.rule !== 'string' || entry.rule.trim() === '') {
      problems.push({ path: `${here}.rule`, message: 'Required value' });
      return;
    }
    try {
      const { program, usesOldSelf, cost } = compileExpression(entry.rule, self, 'bool');
      if (cost > PER_RULE_COST_LIMIT) problems.push({ path: `${here}.rule`, message: `Forbidden: ${costErrorMessage('estimated rule cost', cost, PER_RULE_COST_LIMIT)}` });
      const rule: { -readonly [K in keyof CompiledRule]: CompiledRule[K] } = { rule: entry.rule, program, transition: usesOldSelf, cost };
      if (typeof entry.message === 'string' && entry.message !== '') rule.message = entry.message;
      if (typeof entry.messageExpression === 'string' && entry.messageExpression !== '') {
        try {
          rule.messageExpression = compileExpression(entry.messageExpression, self, 'string').program;
        } catch (error) {
          problems.push({ path: `${here}.messageExpression`, message: (error as Error).message });
        }
      }
      if (entry.fieldPath !== undefined) {
        const fieldPath = typeof entry.fieldPath === 'string' ? relativePath(entry.fieldPath) : undefined;
        if (fieldPath === undefined) problems.push({ path: `${here}.fieldPath`, message: 'must be a relative JSON path such as .spec.replicas' });
        else rule.fieldPath = fieldPath;
      }
      if (entry.reason !== undefined) {
        if (typeof entry.reason !== 'string' || !REASONS.includes(entry.reason)) {
          problems.push({ path: `${here}.reason`, message: `Unsupported value: ${JSON.stringify(entry.reason)}: supported values: ${REASONS.map((r) => `"${r}"`).join(', ')}` });
        } else rule.reason = entry.reason;
      }
      rules.push(rule);
    } catch (error) {
      problems.push({ path: `${here}.rule`, message: (error as Error).message });
    }
  });
  return rules;
}

/** A rule's `fieldPath` (`.spec.x`, `.labels['a.b']`: fields and quoted keys) as field path text to append; undefined when malformed. */
function relativePath(text: string): string | undefined {
  if (!text.startsWith('.') && !text.startsWith('[')) return undefined;
  let out = '';
  const token = /\.([A-Za-z_$][\w$-]*)|\[\s*'((?:[^'\\]|\\.)*)'\s*\]/gy;
  let match: RegExpExecArray | null;
  let last = 0;
  while ((match = token.exec(text)) !== null) {
    out += match[1] !== undefined ? `.${match[1]}` : `[${match[2]!}]`;
    last = token.lastIndex;
  }
  return last === text.length && out !== '' ? out : undefined;
}

/** CEL's own conversions, for strings whose schema format makes them timestamps or durations. */
let conversions: { timestamp: Program; duration: Program } | undefined;
function convert(kind: 'timestamp' | 'duration', text: string): unknown {
  conversions ??= {
    timestamp: plan(env(), parse('timestamp(text)')) as Program,
    duration: plan(env(), parse('duration(text)')) as Program,
  };
  const converted = conversions[kind]({ text });
  // A string the format does not fit stays a string: schema validation reports it.
  return isCelError(converted) ? text : converted;
}

/**
 * A value as CEL sees it under `schema`: integers become bigint (CEL int), other numbers stay
 * double, `format: date-time` strings are timestamps and `format: duration` ones durations
 * (as cel-types.ts declares them).
 */
export function toCel(value: unknown, schema: SchemaNode | undefined): unknown {
  if (typeof value === 'string' && schema && typeOf(schema) === 'string') {
    if (schema.format === 'date-time') return convert('timestamp', value);
    if (schema.format === 'duration') return convert('duration', value);
    return value;
  }
  if (typeof value === 'number') {
    const declared = schema ? typeOf(schema) : undefined;
    if (declared === 'number') return value;
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  if (Array.isArray(value)) {
    const items = schema && isObject(schema.items) ? schema.items : undefined;
    return value.map((v) => toCel(v, items));
  }
  if (isObject(value)) {
    const properties = schema && isObject(schema.properties) ? (schema.properties as Record<string, SchemaNode>) : undefined;
    const additional = schema && isObject(schema.additionalProperties) ? schema.additionalProperties : undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toCel(v, properties?.[k] ?? additional);
    return out;
  }
  return value;
}

/** The value kube shows for a failed rule: the schema's type (`"object"`, `"string"`...). */
function shownType(schema: SchemaNode): string {
  if (isIntOrString(schema)) return '';
  return typeOf(schema) ?? '';
}

/**
 * Runs `rules` for one value. `old` is undefined when there is no stored value here (transition
 * rules are then skipped).
 */
export function runRules(rules: readonly CompiledRule[], schema: SchemaNode, value: unknown, old: unknown, path: string, errors: FieldError[]): void {
  const self = toCel(value, schema);
  const oldSelf = old === undefined ? undefined : toCel(old, schema);
  for (const rule of rules) {
    if (rule.transition && oldSelf === undefined) continue;
    const bindings: Record<string, unknown> = oldSelf === undefined ? { self } : { self, oldSelf };
    let result: unknown;
    try {
      result = rule.program(bindings);
    } catch (error) {
      result = error instanceof Error ? { message: error.message } : error;
    }
    if (result === true) continue;
    const ruleText = rule.rule.trim();
    if (result !== false) {
      const why = isCelError(result) ? result.message : isObject(result) && typeof result.message === 'string' ? result.message : `rule did not evaluate to a bool: ${String(result)}`;
      errors.push({ type: 'Invalid', field: path, value: shownType(schema), detail: `${why} evaluating rule: ${ruleText}` });
      continue;
    }
    const detail = messageOf(rule, bindings) ?? rule.message ?? `failed rule: ${ruleText}`;
    const field = rule.fieldPath ? (path ? `${path}${rule.fieldPath}` : rule.fieldPath.replace(/^\./, '')) : path;
    switch (rule.reason) {
      case 'FieldValueForbidden':
        errors.push({ type: 'Forbidden', field, detail });
        break;
      case 'FieldValueRequired':
        errors.push({ type: 'Required', field, detail });
        break;
      case 'FieldValueDuplicate':
        errors.push({ type: 'Duplicate', field, value: shownType(schema) });
        break;
      default:
        errors.push({ type: 'Invalid', field, value: shownType(schema), detail });
    }
  }
}

/** The messageExpression's string, or undefined when it fails or is blank (kube then falls back). */
function messageOf(rule: CompiledRule, bindings: Record<string, unknown>): string | undefined {
  if (!rule.messageExpression) return undefined;
  try {
    const text = rule.messageExpression(bindings);
    return typeof text === 'string' && text.trim() !== '' && !text.includes('\n') ? text : undefined;
  } catch {
    return undefined;
  }
}
