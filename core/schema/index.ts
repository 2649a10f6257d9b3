/**
 * A kind version's `openAPIV3Schema`, compiled once per config: what core does to every
 * written object, in kube-apiserver's order (prune, default, validate), and the structural
 * checks that decide at config load whether a schema can be served at all.
 */
import { encodeJson } from '../../lib/json.ts';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { unchangedAt } from './ratchet.ts';
import type { FieldError } from '../field-errors.ts';
import { compileRules, runRules, type CompiledRule } from './cel.ts';
import { costErrorMessage, PER_KIND_COST_LIMIT } from './cel-check.ts';
import { cardinalityOf, celTypeOf } from './cel-types.ts';
import { applyDefaultsTo, dropRejectedNulls } from './defaults.ts';
import { listProblems } from './lists.ts';
import { isObject } from '../../lib/json.ts';
import {
  additionalPropertiesOf, childPath, indexPath, itemsOf, listMapKeysOf, listTypeOf, propertiesOf,
  type SchemaNode,
} from './node.ts';
import { pruneValue } from './prune.ts';
import { structuralProblems, type SchemaProblem } from './structural.ts';
import { compileValidator, type ValueValidator } from './validator.ts';

export type { SchemaProblem } from './structural.ts';

export interface CompiledSchema {
  /**
   * Drops, in place, the fields the schema does not know (unless preserved by
   * x-kubernetes-preserve-unknown-fields; an embedded resource keeps apiVersion, kind and
   * ObjectMeta). The root's apiVersion, kind and metadata are never touched. Returns the
   * dropped paths, like `spec.foo` and `spec.items[0].bar`.
   */
  prune(object: Record<string, unknown>): string[];
  /** Applies `default`s in place, inside nested objects, arrays and maps too. */
  applyDefaults(object: Record<string, unknown>): void;
  /** Whether any node of the schema has a `default`: only then can reads need defaulting. */
  readonly hasDefaults: boolean;
  /**
   * Schema, list-type and CEL validation. `old` is the stored object: with it, transition
   * rules (those that use `oldSelf`) run where both have a value. Returns [] when valid.
   */
  validate(object: Record<string, unknown>, old?: Record<string, unknown>): FieldError[];
}

/** Thrown by compileSchema when a schema is not structural or a rule does not compile. */
export class SchemaError extends Error {
  readonly errors: SchemaProblem[];
  constructor(errors: SchemaProblem[]) {
    super(`invalid schema: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
    this.name = 'SchemaError';
    this.errors = errors;
  }
}

/**
 * The CEL time bound of one validate call. kube bounds rules by an estimated cost; this
 * library has no cost model, so the wall clock stands in for it between rules.
 */
export const CEL_BUDGET_MS = 1000;
const OUT_OF_BUDGET = 'validation failed due to running out of cost budget, no further validation rules will be run';

/** Every problem that keeps `schema` from being served: structural rules, ajv compilation, CEL compilation. */
export function schemaProblems(schema: Record<string, unknown>): SchemaProblem[] {
  return [...analyse(schema).problems];
}

export function compileSchema(schema: Record<string, unknown>): CompiledSchema {
  const analysis = analyse(schema);
  if (analysis.problems.length > 0 || !analysis.validator) throw new SchemaError(analysis.problems);
  // The analysed schema object, not `schema`: the rule index is keyed by its nodes.
  return new Compiled(analysis.schema, analysis.validator, analysis.rules);
}

interface Analysis {
  /** The schema object the rule index is keyed by (an equal one may be passed later). */
  schema: SchemaNode;
  problems: SchemaProblem[];
  rules: RuleIndex;
  validator: ValueValidator | undefined;
}

/** Rules per schema node, and the nodes with a rule somewhere below (so validation skips the rest). */
interface RuleIndex {
  at: WeakMap<SchemaNode, CompiledRule[]>;
  below: WeakSet<SchemaNode>;
}

/**
 * Analyses by schema content. A reload re-reads every kind, but most schemas are unchanged:
 * compiling them again (ajv code generation, CEL parsing) is what made reloads slow. The
 * config check and the snapshot share one analysis, too. The compiled parts are stateless.
 */
const analyses = new Map<string, Analysis>();
const MAX_CACHED_ANALYSES = 512;

function analyse(schema: SchemaNode): Analysis {
  const key = JSON.stringify(schema);
  const cached = analyses.get(key);
  if (cached) return cached;
  const analysis = analyseAfresh(schema);
  if (analyses.size >= MAX_CACHED_ANALYSES) analyses.delete(analyses.keys().next().value!);
  analyses.set(key, analysis);
  return analysis;
}

function analyseAfresh(schema: SchemaNode): Analysis {
  const problems = structuralProblems(schema);
  const rules: RuleIndex = { at: new WeakMap(), below: new WeakSet() };
  const total = { cost: 0 };
  indexRules(schema, '', rules, problems, 1, total);
  // Every rule's cost times how often it runs per object (its node's cardinality), as kube sums them.
  if (total.cost > PER_KIND_COST_LIMIT) problems.push({ path: '', message: `Forbidden: ${costErrorMessage('total CRD cost', total.cost, PER_KIND_COST_LIMIT)}` });
  let validator: ValueValidator | undefined;
  try {
    validator = compileValidator(schema);
  } catch (error) {
    problems.push({ path: '', message: `does not compile: ${(error as Error).message}` });
  }
  return { schema, problems, rules, validator };
}

function indexRules(node: SchemaNode, path: string, index: RuleIndex, problems: SchemaProblem[], cardinality: number, total: { cost: number }): boolean {
  const compiled = compileRules(node, path, problems);
  let any = compiled.length > 0;
  if (any) index.at.set(node, compiled);
  for (const rule of compiled) total.cost += rule.cost * cardinality;
  for (const [name, child] of Object.entries(propertiesOf(node) ?? {})) {
    if (isObject(child) && indexRules(child, childPath(path, `properties.${name}`), index, problems, cardinality, total)) any = true;
  }
  // Rules below a map or a list run once per entry or item.
  const many = cardinality * cardinalityOf(celTypeOf(node));
  const additional = additionalPropertiesOf(node);
  if (additional && indexRules(additional, childPath(path, 'additionalProperties'), index, problems, many, total)) any = true;
  const items = itemsOf(node);
  if (items && indexRules(items, childPath(path, 'items'), index, problems, many, total)) any = true;
  if (any) index.below.add(node);
  return any;
}

class Compiled implements CompiledSchema {
  readonly hasDefaults: boolean;

  constructor(
    private readonly schema: SchemaNode,
    private readonly validator: ValueValidator,
    private readonly rules: RuleIndex,
  ) {
    // A property named "default" counts too: harmless, it only costs a defaulting pass.
    this.hasDefaults = JSON.stringify(schema).includes('"default":');
  }

  prune(object: Record<string, unknown>): string[] {
    const pruned: string[] = [];
    const properties = propertiesOf(this.schema) ?? {};
    for (const key of Object.keys(object)) {
      // The root is a resource: apiVersion, kind and metadata belong to core.
      if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
      const known = properties[key];
      if (known) pruneValue(object[key], known, key, pruned);
      else if (this.schema['x-kubernetes-preserve-unknown-fields'] !== true) {
        pruned.push(key);
        delete object[key];
      }
    }
    return pruned;
  }

  applyDefaults(object: Record<string, unknown>): void {
    applyDefaultsTo(object, this.schema);
    dropRejectedNulls(object, this.schema);
  }

  validate(object: Record<string, unknown>, old?: Record<string, unknown>): FieldError[] {
    // Ratcheting: on an update, errors about values the update did not change are dropped.
    const errors = this.validator(object)
      .filter((located) => old === undefined || !unchangedAt(located.pointer, object, old, this.schema))
      .map((located) => located.error);
    listProblems(object, this.schema, '', errors);
    const budget = { deadline: performance.now() + CEL_BUDGET_MS, exhausted: false };
    this.runCel(object, old, this.schema, '', errors, budget);
    if (budget.exhausted) errors.push({ type: 'Invalid', field: '', value: 'object', detail: OUT_OF_BUDGET });
    return errors;
  }

  /** Walks value and stored value side by side where rules are, correlating map-list items by their keys. */
  private runCel(value: unknown, old: unknown, node: SchemaNode, path: string, errors: FieldError[], budget: { deadline: number; exhausted: boolean }): void {
    if (value === undefined || budget.exhausted || !this.rules.below.has(node)) return;
    // Ratcheting: no rule at or below a value the update left as it was is run again.
    if (old !== undefined && isDeepStrictEqual(value, old)) return;
    const here = this.rules.at.get(node);
    if (here) {
      if (performance.now() > budget.deadline) {
        budget.exhausted = true;
        return;
      }
      runRules(here, node, value, old, path, errors);
    }
    if (Array.isArray(value)) {
      const items = itemsOf(node);
      if (!items) return;
      const oldItem = correlator(node, old);
      value.forEach((item, i) => this.runCel(item, oldItem(item), items, indexPath(path, i), errors, budget));
      return;
    }
    if (!isObject(value)) return;
    const properties = propertiesOf(node);
    const additional = additionalPropertiesOf(node);
    for (const [key, child] of Object.entries(value)) {
      const childNode = properties?.[key] ?? additional;
      if (childNode) this.runCel(child, isObject(old) ? old[key] : undefined, childNode, childPath(path, key), errors, budget);
    }
  }
}

/**
 * Which stored item a new list item is compared with for `oldSelf`: the one with the same
 * keys in a map list; none otherwise (kube cannot correlate items of other lists either).
 */
function correlator(node: SchemaNode, old: unknown): (item: unknown) => unknown {
  if (listTypeOf(node) !== 'map' || !Array.isArray(old)) return () => undefined;
  const keys = listMapKeysOf(node);
  const id = (item: unknown) => (isObject(item) ? encodeJson(keys.map((k) => item[k] ?? null)) : undefined);
  const byId = new Map(old.map((item) => [id(item), item]));
  return (item) => byId.get(id(item));
}
