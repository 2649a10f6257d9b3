/**
 * Field selectors, parsed as apimachinery `pkg/fields/selector.go` does, then checked against
 * the fields a kind supports the way kube-apiserver's `ConvertFieldLabel` checks them:
 *
 *   selector = "" | term ("," term)*        (AND; empty terms are skipped)
 *   term     = field ("=" | "==" | "!=") value
 *
 * A value escapes `\`, `,` and `=` with a backslash (`a=x\,y` selects the value `x,y`).
 */
import type { KubeObject } from '../types/object.ts';
import { SelectorError } from './errors.ts';

export interface FieldRequirement {
  readonly field: string;
  /** `==` is parsed as `=`, as Go's `hasTerm` does. */
  readonly operator: '=' | '!=';
  readonly value: string;
}

export interface FieldSelector {
  /** True when every requirement holds; a field absent from `fields` has the value "". */
  matches(fields: Record<string, string>): boolean;
  /** True for the selector that matches everything. */
  readonly empty: boolean;
  /** In Go's order: the terms sorted as strings before parsing. */
  readonly requirements: readonly FieldRequirement[];
  /** The value if the selector pins the field with `=` (Go's `RequiresExactMatch`). */
  exactValue(field: string): string | undefined;
  /** The canonical form, values escaped (e.g. `metadata.name=a\,b`). */
  toString(): string;
}

/**
 * Parses a `fieldSelector` query parameter. Throws `SelectorError` for bad syntax, and with
 * kube-apiserver's 400 message `field label not supported: <field>` for a field outside
 * `supported`. Syntax errors in any term win over unsupported fields, as in Go, where
 * `Transform(ConvertFieldLabel)` runs after the whole selector parsed. For CRDs,
 * apiextensions `apiserver/conversion/converter.go` supports `metadata.name`, plus
 * `metadata.namespace` only for namespaced kinds, plus the version's `selectableFields`.
 */
export function parseFieldSelector(text: string, supported: readonly string[]): FieldSelector {
  const requirements: FieldRequirement[] = [];
  // Go sorts the raw terms, so the first unsupported field reported is the first in that order.
  for (const term of splitTerms(text).sort()) {
    if (term === '') continue;
    const split = splitTerm(term);
    if (!split) throw new SelectorError(`invalid selector: '${text}'; can't understand '${term}'`);
    requirements.push({ field: split.field, operator: split.operator === '!=' ? '!=' : '=', value: unescapeValue(split.value) });
  }
  for (const r of requirements) {
    if (!supported.includes(r.field)) throw new SelectorError(`field label not supported: ${r.field}`);
  }
  return {
    empty: requirements.length === 0,
    requirements,
    matches: (fields) =>
      requirements.every((r) => {
        const actual = Object.hasOwn(fields, r.field) ? fields[r.field] : '';
        return r.operator === '=' ? actual === r.value : actual !== r.value;
      }),
    exactValue: (field) => requirements.find((r) => r.field === field && r.operator === '=')?.value,
    toString: () => requirements.map((r) => `${r.field}${r.operator}${escapeValue(r.value)}`).join(','),
  };
}

/**
 * The selectable fields of an object: `metadata.name` and `metadata.namespace`, the latter ""
 * for a cluster-scoped kind (as built-in kinds answer `metadata.namespace=` through
 * apimachinery's default field label conversion). Which of them a request may select on is
 * `parseFieldSelector`'s `supported`.
 */
export function objectFields(obj: KubeObject, namespaced: boolean): Record<string, string> {
  return {
    'metadata.name': obj.metadata.name ?? '',
    'metadata.namespace': namespaced ? (obj.metadata.namespace ?? '') : '',
  };
}

/** Splits on commas that are not escaped. */
function splitTerms(text: string): string[] {
  if (text === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inSlash) inSlash = false;
    else if (ch === '\\') inSlash = true;
    else if (ch === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

/** The first operator from the left wins, trying `!=`, `==`, `=` at each position (Go's order). */
function splitTerm(term: string): { field: string; operator: string; value: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const operator of ['!=', '==', '=']) {
      if (term.startsWith(operator, i)) return { field: term.slice(0, i), operator, value: term.slice(i + operator.length) };
    }
  }
  return undefined;
}

function unescapeValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  let inSlash = false;
  for (const ch of value) {
    if (inSlash) {
      if (ch !== '\\' && ch !== ',' && ch !== '=') {
        throw new SelectorError(`invalid field selector: invalid escape sequence: \\${ch}`);
      }
      out += ch;
      inSlash = false;
    } else if (ch === '\\') inSlash = true;
    else if (ch === ',' || ch === '=') {
      // Go prints the rune with %v, which is its code point (61 for '=').
      throw new SelectorError(`invalid field selector: unescaped character in value: ${ch.codePointAt(0)}`);
    } else out += ch;
  }
  if (inSlash) throw new SelectorError('invalid field selector: invalid escape sequence: \\');
  return out;
}

function escapeValue(value: string): string {
  return value.replace(/[\\,=]/g, (ch) => `\\${ch}`);
}
