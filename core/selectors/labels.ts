/**
 * Label selectors, parsed and matched as apimachinery `pkg/labels/selector.go` does:
 *
 *   selector    = "" | requirement ("," requirement)*          (AND; "" matches everything)
 *   requirement = key | "!" key
 *               | key ("=" | "==" | "!=") value?                (a missing value means "")
 *               | key ("in" | "notin") "(" value ("," value)* ")"
 *               | key (">" | "<") integer
 *
 * Whitespace between tokens is ignored. Keys are qualified names with an optional DNS subdomain
 * prefix, values are up to 63 characters; both are checked with apimachinery's messages.
 */
import { SelectorError } from './errors.ts';
import { DNS1123_SUBDOMAIN, DNS1123_SUBDOMAIN_FORMAT, DNS1123_SUBDOMAIN_MESSAGE } from '../../lib/dns.ts';

export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and without duplicates, as Go's `sets.String.List()` gives them. */
  readonly values: readonly string[];
}

export interface LabelSelector {
  /** True when every requirement holds. `!=` and `notin` hold for objects without the key. */
  matches(labels: Record<string, string> | undefined): boolean;
  /** True for the selector that matches everything (the empty string). */
  readonly empty: boolean;
  /** Requirements sorted by key, as `labels.Parse` returns them. */
  readonly requirements: readonly LabelRequirement[];
  /** The canonical form, as Go's `Selector.String()` prints it (e.g. `a in (x,y),b!=c`). */
  toString(): string;
}

/** Parses a `labelSelector` query parameter; throws `SelectorError` with apimachinery's message. */
export function parseLabelSelector(text: string): LabelSelector {
  const requirements = new Parser(lex(text)).parse();
  // Go uses sort.Sort (not stable); a stable sort gives the same order for distinct keys.
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    empty: requirements.length === 0,
    requirements,
    matches: (labels) => requirements.every((r) => requirementMatches(r, labels ?? {})),
    toString: () => requirements.map(requirementString).join(','),
  };
}

// ---- lexer (selector.go `Lexer`) ----

type TokenKind = 'eos' | ')' | ',' | '!' | '==' | '=' | '>' | 'identifier' | 'in' | '<' | '!=' | 'notin' | '(';
interface Token {
  kind: TokenKind;
  literal: string;
}

const keywords: ReadonlySet<string> = new Set([')', ',', '!', '==', '=', '>', 'in', '<', '!=', 'notin', '(']);
const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
const isSpecial = (ch: string): boolean => '=!(),><'.includes(ch);

function lex(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && isWhitespace(text[pos]!)) pos++;
    if (pos >= text.length) {
      tokens.push({ kind: 'eos', literal: '' });
      return tokens;
    }
    const start = pos;
    if (isSpecial(text[pos]!)) {
      // The longest run of symbols that is still a token: `!=` is one token, `=!` is two.
      let end = pos + 1;
      while (end < text.length && isSpecial(text[end]!) && keywords.has(text.slice(start, end + 1))) end++;
      pos = end;
    } else {
      while (pos < text.length && !isSpecial(text[pos]!) && !isWhitespace(text[pos]!)) pos++;
    }
    const literal = text.slice(start, pos);
    tokens.push({ kind: keywords.has(literal) ? (literal as TokenKind) : 'identifier', literal });
  }
}

// ---- parser (selector.go `Parser`) ----

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  /** In a value position the keywords `in` and `notin` are plain identifiers. */
  private lookahead(valuesContext = true): Token {
    const token = this.tokens[this.position]!;
    return valuesContext && (token.kind === 'in' || token.kind === 'notin') ? { kind: 'identifier', literal: token.literal } : token;
  }

  private consume(valuesContext = true): Token {
    const token = this.lookahead(valuesContext);
    this.position++;
    return token;
  }

  parse(): LabelRequirement[] {
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { kind, literal } = this.lookahead();
      if (kind === 'eos') return requirements;
      if (kind !== 'identifier' && kind !== '!') {
        throw new SelectorError(`found '${literal}', expected: !, identifier, or 'end of string'`);
      }
      try {
        requirements.push(this.parseRequirement());
      } catch (error) {
        if (error instanceof SelectorError) throw new SelectorError(`unable to parse requirement: ${error.message}`);
        throw error;
      }
      const next = this.consume();
      if (next.kind === 'eos') return requirements;
      if (next.kind !== ',') throw new SelectorError(`found '${next.literal}', expected: ',' or 'end of string'`);
      const after = this.lookahead();
      if (after.kind !== 'identifier' && after.kind !== '!') {
        throw new SelectorError(`found '${after.literal}', expected: identifier after ','`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    let token = this.consume();
    const doesNotExist = token.kind === '!';
    if (doesNotExist) token = this.consume();
    if (token.kind !== 'identifier') throw new SelectorError(`found '${token.literal}', expected: identifier`);
    const key = token.literal;
    const keyErrors = labelKeyErrors(key);
    if (keyErrors.length > 0) throw new SelectorError(invalid('<nil>', key, keyErrors));
    const next = this.lookahead().kind;
    if (doesNotExist) return newRequirement(key, '!', []);
    if (next === 'eos' || next === ',') return newRequirement(key, 'exists', []);
    const operator = this.parseOperator();
    const values = operator === 'in' || operator === 'notin' ? this.parseValues() : this.parseExactValue();
    return newRequirement(key, operator, [...new Set(values)].sort());
  }

  private parseOperator(): LabelOperator {
    const { kind, literal } = this.consume(false);
    const operators: Partial<Record<TokenKind, LabelOperator>> = {
      in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt',
    };
    const operator = operators[kind];
    if (!operator) throw new SelectorError(`found '${literal}', expected: in, notin, =, ==, !=, gt, lt`);
    return operator;
  }

  private parseValues(): string[] {
    const open = this.consume();
    if (open.kind !== '(') throw new SelectorError(`found '${open.literal}' expected: '('`);
    const { kind, literal } = this.lookahead();
    if (kind === ')') {
      this.consume();
      return [''];
    }
    if (kind !== 'identifier' && kind !== ',') {
      throw new SelectorError(`found '${literal}', expected: ',', ')' or identifier`);
    }
    const values = this.parseIdentifierList();
    // Go reports the literal it looked at before the list, not the unexpected token.
    if (this.consume().kind !== ')') throw new SelectorError(`found '${literal}', expected: ')'`);
    return values;
  }

  /** `(a,b)`, and the empty values that `(,a)`, `(a,,b)` and `(a,)` imply. */
  private parseIdentifierList(): string[] {
    const values: string[] = [];
    for (;;) {
      const token = this.consume();
      if (token.kind === 'identifier') {
        values.push(token.literal);
        const next = this.lookahead();
        if (next.kind === ',') continue;
        if (next.kind === ')') return values;
        throw new SelectorError(`found '${next.literal}', expected: ',' or ')'`);
      }
      if (token.kind !== ',') throw new SelectorError(`found '${token.literal}', expected: ',', or identifier`);
      if (values.length === 0) values.push('');
      const next = this.lookahead().kind;
      if (next === ')') {
        values.push('');
        return values;
      }
      if (next === ',') values.push('');
    }
  }

  private parseExactValue(): string[] {
    const next = this.lookahead().kind;
    if (next === 'eos' || next === ',') return [''];
    const token = this.consume();
    if (token.kind === 'identifier') return [token.literal];
    throw new SelectorError(`found '${token.literal}', expected: identifier`);
  }
}

/** selector.go `NewRequirement`: the operator's value-count rules, then each value's validity. */
function newRequirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const errors: string[] = [];
  if (operator === 'gt' || operator === 'lt') {
    values.forEach((v, i) => {
      if (!isInt64(v)) errors.push(invalid(`values[${i}]`, v, ["for 'Gt', 'Lt' operators, the value must be an integer"]));
    });
  }
  values.forEach((v, i) => {
    const valueErrors = labelValueErrors(v);
    if (valueErrors.length > 0) errors.push(invalid(`values[${i}][${key}]`, v, valueErrors));
  });
  // util/errors aggregate: one message alone, several (deduplicated) in brackets.
  const unique = [...new Set(errors)];
  if (unique.length === 1) throw new SelectorError(unique[0]!);
  if (unique.length > 1) throw new SelectorError(`[${unique.join(', ')}]`);
  return { key, operator, values };
}

function requirementMatches(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  const value = labels[r.key];
  switch (r.operator) {
    case 'in':
    case '=':
    case '==':
      return has && r.values.includes(value!);
    case 'notin':
    case '!=':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !isInt64(value!) || !isInt64(r.values[0] ?? '')) return false;
      const actual = BigInt(value!);
      const bound = BigInt(r.values[0]!);
      return r.operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

function requirementString(r: LabelRequirement): string {
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
    case 'notin':
      return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt':
      return `${r.key}>${r.values.join(',')}`;
    case 'lt':
      return `${r.key}<${r.values.join(',')}`;
    default:
      return `${r.key}${r.operator}${r.values.join(',')}`;
  }
}

// ---- validation (api/validate/content/kube.go, dns.go) ----

const labelKeyFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelKeyRegexp = new RegExp(`^${labelKeyFmt}$`);
const labelKeyMessage = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelValueFmt = `(${labelKeyFmt})?`;
const labelValueRegexp = new RegExp(`^${labelValueFmt}$`);
const labelValueMessage = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');
const maxLenError = (n: number): string => `must be no more than ${n} bytes`;
function regexError(message: string, format: string, ...examples: string[]): string {
  return `${message} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${format}')`;
}

/** `content.IsLabelKey`: the reasons a label key is invalid, or none. */
export function labelKeyErrors(key: string): string[] {
  const errors: string[] = [];
  const parts = key.split('/');
  if (parts.length > 2) {
    return [`a valid label key ${regexError(labelKeyMessage, labelKeyFmt, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix === '') errors.push('prefix part must be non-empty');
    else {
      if (byteLength(prefix) > 253) errors.push(`prefix part ${maxLenError(253)}`);
      if (!DNS1123_SUBDOMAIN.test(prefix)) errors.push(`prefix part ${regexError(DNS1123_SUBDOMAIN_MESSAGE, DNS1123_SUBDOMAIN_FORMAT, 'example.com')}`);
    }
  }
  if (name === '') errors.push('name part must be non-empty');
  else if (byteLength(name) > 63) errors.push(`name part ${maxLenError(63)}`);
  if (!labelKeyRegexp.test(name)) errors.push(`name part ${regexError(labelKeyMessage, labelKeyFmt, 'MyName', 'my.name', '123-abc')}`);
  return errors;
}

/** `validation.IsValidLabelValue`: the reasons a label value is invalid, or none. */
export function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > 63) errors.push(maxLenError(63));
  if (!labelValueRegexp.test(value)) errors.push(regexError(labelValueMessage, labelValueFmt, 'MyValue', 'my_value', '12345'));
  return errors;
}

/** A `field.Invalid` error as Go prints it: `<path>: Invalid value: "<value>": <reasons>`. */
function invalid(path: string, value: string, reasons: string[]): string {
  return `${path}: Invalid value: ${JSON.stringify(value)}: ${reasons.join('; ')}`;
}

/** Go's `strconv.ParseInt(s, 10, 64)` succeeds. */
function isInt64(text: string): boolean {
  if (!/^[+-]?[0-9]+$/.test(text)) return false;
  const n = BigInt(text);
  return n >= -(2n ** 63n) && n < 2n ** 63n;
}
