/**
 * types/: JSON text handling: PostgreSQL's JSON lexer/parser (json_lex, pg_parse_json) with
 * its exact error details and context, json validation (json keeps its input verbatim), and
 * the normalised jsonb tree (keys sorted shorter-first then bytewise, last duplicate wins,
 * numbers as Numeric) with jsonb_out's spacing.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { Numeric } from './numeric.ts';

/** A jsonb value: a readonly tagged tree. JSON null is `{ kind: 'null' }` (SQL NULL stays `null`). */
export type Jsonb =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: Numeric }
  | { readonly kind: 'array'; readonly items: readonly Jsonb[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, Jsonb])[] };

type TokenType = 'string' | 'number' | 'true' | 'false' | 'null' | '{' | '}' | '[' | ']' | ',' | ':' | 'end';

const encoder = new TextEncoder();

class JsonError {
  constructor(
    readonly detail: string,
    readonly untranslatable = false,
  ) {}
}

const isAlnumJson = (c: string | undefined): boolean =>
  c !== undefined && (/[A-Za-z0-9_$]/.test(c) || c.charCodeAt(0) >= 0x80);

/** json_lex and the recursive-descent parser; `build` controls de-escaping (jsonb) vs validation only (json). */
class JsonParser {
  private pos = 0;
  private tokenStart = 0;
  private tokenEnd = 0;
  private tokenType: TokenType = 'end';
  private lineNumber = 1;
  private lineStart = 0;
  /** The de-escaped value of the current string token (when building). */
  private strval = '';

  constructor(
    private readonly input: string,
    private readonly build: boolean,
  ) {}

  private fail(detail: string, untranslatable = false): never {
    throw new JsonError(detail, untranslatable);
  }

  /** The current token's type (a method, so narrowing does not survive lex()). */
  private tok(): TokenType {
    return this.tokenType;
  }

  private tokenText(): string {
    return this.input.slice(this.tokenStart, this.tokenEnd);
  }

  /** report_json_context: the current line up to the end of the token, trimmed to ~50 characters. */
  context(): string {
    const lineStart = this.lineStart;
    let start = lineStart;
    const end = Math.max(this.tokenEnd, start);
    while (byteLen(this.input.slice(start, end)) >= 50) start += this.input.codePointAt(start)! > 0xffff ? 2 : 1;
    if (byteLen(this.input.slice(lineStart, start)) <= 3) start = lineStart;
    const prefix = start > lineStart ? '...' : '';
    const next = this.input[end];
    const suffix = this.tokenType !== 'end' && end < this.input.length && next !== '\n' && next !== '\r' ? '...' : '';
    return `JSON data, line ${this.lineNumber}: ${prefix}${this.input.slice(start, end)}${suffix}`;
  }

  private lex(): void {
    const s = this.input;
    let i = this.pos;
    while (i < s.length && (s[i] === ' ' || s[i] === '\t' || s[i] === '\n' || s[i] === '\r')) {
      if (s[i] === '\n') {
        this.lineNumber++;
        this.lineStart = i + 1;
      }
      i++;
    }
    this.tokenStart = i;
    if (i >= s.length) {
      this.tokenType = 'end';
      this.tokenEnd = i;
      this.pos = i;
      return;
    }
    const c = s[i]!;
    switch (c) {
      case '{': case '}': case '[': case ']': case ',': case ':':
        this.tokenType = c;
        this.tokenEnd = this.pos = i + 1;
        return;
      case '"':
        this.lexString(i);
        return;
      case '-':
        this.lexNumber(i, i + 1);
        return;
      default:
        break;
    }
    if (c >= '0' && c <= '9') {
      this.lexNumber(i, i);
      return;
    }
    let p = i;
    while (p < s.length && isAlnumJson(s[p])) p++;
    if (p === i) {
      this.tokenEnd = i + (s.codePointAt(i)! > 0xffff ? 2 : 1);
      this.tokenType = 'string';
      this.fail(`Token "${this.tokenText()}" is invalid.`);
    }
    this.tokenEnd = this.pos = p;
    const word = s.slice(i, p);
    if (word === 'true' || word === 'false' || word === 'null') {
      this.tokenType = word;
      return;
    }
    this.tokenType = 'string';
    this.fail(`Token "${word}" is invalid.`);
  }

  private lexNumber(start: number, digitsAt: number): void {
    const s = this.input;
    let i = digitsAt;
    let error = false;
    if (s[i] === '0') i++;
    else if (s[i] !== undefined && s[i]! >= '1' && s[i]! <= '9') {
      do i++;
      while (s[i] !== undefined && s[i]! >= '0' && s[i]! <= '9');
    } else error = true;
    if (s[i] === '.') {
      i++;
      if (s[i] === undefined || s[i]! < '0' || s[i]! > '9') error = true;
      else {
        do i++;
        while (s[i] !== undefined && s[i]! >= '0' && s[i]! <= '9');
      }
    }
    if (s[i] === 'e' || s[i] === 'E') {
      i++;
      if (s[i] === '+' || s[i] === '-') i++;
      if (s[i] === undefined || s[i]! < '0' || s[i]! > '9') error = true;
      else {
        do i++;
        while (s[i] !== undefined && s[i]! >= '0' && s[i]! <= '9');
      }
    }
    while (i < s.length && isAlnumJson(s[i])) {
      i++;
      error = true;
    }
    this.tokenStart = start;
    this.tokenEnd = this.pos = i;
    this.tokenType = 'number';
    if (error) this.fail(`Token "${this.tokenText()}" is invalid.`);
  }

  private lexString(start: number): void {
    const s = this.input;
    let i = start + 1;
    let out = '';
    let hiSurrogate = -1;
    this.tokenType = 'string';
    for (;;) {
      if (i >= s.length) {
        this.tokenEnd = i;
        this.fail(`Token "${s.slice(start, i)}" is invalid.`);
      }
      const c = s[i]!;
      if (c === '"') break;
      if (c.charCodeAt(0) < 32) {
        this.tokenEnd = i;
        this.fail(`Character with value 0x${c.charCodeAt(0).toString(16).padStart(2, '0')} must be escaped.`);
      }
      if (c === '\\') {
        i++;
        if (i >= s.length) {
          this.tokenEnd = i;
          this.fail(`Token "${s.slice(start, i)}" is invalid.`);
        }
        const e = s[i]!;
        if (e === 'u') {
          let ch = 0;
          for (let k = 1; k <= 4; k++) {
            i++;
            if (i >= s.length) {
              this.tokenEnd = i;
              this.fail(`Token "${s.slice(start, i)}" is invalid.`);
            }
            const h = s[i]!;
            if (/[0-9a-fA-F]/.test(h)) ch = ch * 16 + parseInt(h, 16);
            else {
              this.tokenEnd = i + 1;
              this.fail('"\\u" must be followed by four hexadecimal digits.');
            }
          }
          if (this.build) {
            this.tokenEnd = i + 1;
            if (ch >= 0xd800 && ch <= 0xdbff) {
              if (hiSurrogate !== -1) this.fail('Unicode high surrogate must not follow a high surrogate.');
              hiSurrogate = ch;
              i++;
              continue;
            } else if (ch >= 0xdc00 && ch <= 0xdfff) {
              if (hiSurrogate === -1) this.fail('Unicode low surrogate must follow a high surrogate.');
              out += String.fromCharCode(hiSurrogate, ch);
              hiSurrogate = -1;
              i++;
              continue;
            }
            if (hiSurrogate !== -1) this.fail('Unicode low surrogate must follow a high surrogate.');
            if (ch === 0) this.fail('\\u0000 cannot be converted to text.', true);
            out += String.fromCharCode(ch);
          }
        } else {
          if (this.build && hiSurrogate !== -1) {
            this.tokenEnd = i + 1;
            this.fail('Unicode low surrogate must follow a high surrogate.');
          }
          const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
          const m = map[e];
          if (m === undefined) {
            this.tokenStart = i;
            this.tokenEnd = i + (s.codePointAt(i)! > 0xffff ? 2 : 1);
            this.fail(`Escape sequence "\\${s.slice(i, this.tokenEnd)}" is invalid.`);
          }
          out += m;
        }
        i++;
      } else {
        if (this.build && hiSurrogate !== -1) {
          this.tokenEnd = i;
          this.fail('Unicode low surrogate must follow a high surrogate.');
        }
        out += c;
        i++;
      }
    }
    if (this.build && hiSurrogate !== -1) {
      this.tokenEnd = i;
      this.fail('Unicode low surrogate must follow a high surrogate.');
    }
    this.tokenEnd = this.pos = i + 1;
    this.strval = out;
  }

  private expected(what: string): never {
    if (this.tokenType === 'end') this.fail('The input string ended unexpectedly.');
    this.fail(`${what}, but found "${this.tokenText()}".`);
  }

  parse(): Jsonb {
    this.lex();
    const v = this.parseValue();
    if (this.tokenType !== 'end') this.expected('Expected end of input');
    return v;
  }

  /** Parses the value starting at the current token and leaves the following token current. */
  private parseValue(): Jsonb {
    switch (this.tokenType) {
      case '{':
        return this.parseObject();
      case '[':
        return this.parseArray();
      default:
        return this.parseScalar();
    }
  }

  private parseScalar(): Jsonb {
    let v: Jsonb;
    switch (this.tokenType) {
      case 'true': v = TRUE; break;
      case 'false': v = FALSE; break;
      case 'null': v = NULL; break;
      case 'string': v = this.build ? { kind: 'string', value: this.strval } : NULL; break;
      case 'number': v = this.build ? { kind: 'number', value: Numeric.parse(this.tokenText()) } : NULL; break;
      default: this.expected('Expected JSON value');
    }
    this.lex();
    return v;
  }

  private parseObject(): Jsonb {
    this.lex();
    const entries: [string, Jsonb][] = [];
    if (this.tokenType === 'string') {
      entries.push(this.parseField());
      while (this.tok() === ',') {
        this.lex();
        entries.push(this.parseField());
      }
    } else if (this.tokenType !== '}') this.expected('Expected string or "}"');
    if (this.tok() !== '}') this.expected('Expected "," or "}"');
    this.lex();
    return this.build ? normaliseObject(entries) : NULL;
  }

  private parseField(): [string, Jsonb] {
    if (this.tokenType !== 'string') this.expected('Expected string');
    const key = this.strval;
    this.lex();
    if (this.tok() !== ':') this.expected('Expected ":"');
    this.lex();
    return [key, this.parseValue()];
  }

  private parseArray(): Jsonb {
    this.lex();
    const items: Jsonb[] = [];
    if (this.tokenType !== ']') {
      items.push(this.parseValue());
      while (this.tok() === ',') {
        this.lex();
        items.push(this.parseValue());
      }
    }
    if (this.tok() !== ']') this.expected('Expected "," or "]"');
    this.lex();
    return this.build ? { kind: 'array', items } : NULL;
  }
}

const TRUE: Jsonb = { kind: 'bool', value: true };
const FALSE: Jsonb = { kind: 'bool', value: false };
const NULL: Jsonb = { kind: 'null' };

function byteLen(s: string): number {
  return encoder.encode(s).length;
}

/** lengthCompareJsonbString: shorter UTF-8 first, then bytewise. */
export function compareJsonbKeys(a: string, b: string): number {
  const ab = encoder.encode(a);
  const bb = encoder.encode(b);
  if (ab.length !== bb.length) return ab.length - bb.length;
  for (let i = 0; i < ab.length; i++) if (ab[i] !== bb[i]) return ab[i]! - bb[i]!;
  return 0;
}

/** Sorts keys as jsonb stores them; of duplicate keys the last one wins. */
export function normaliseObject(entries: readonly (readonly [string, Jsonb])[]): Jsonb {
  const byKey = new Map<string, Jsonb>();
  for (const [k, v] of entries) byKey.set(k, v);
  const sorted = [...byKey.entries()].sort((x, y) => compareJsonbKeys(x[0], y[0]));
  return { kind: 'object', entries: sorted };
}

function parseWith(text: string, build: boolean): Jsonb {
  const parser = new JsonParser(text, build);
  try {
    return parser.parse();
  } catch (e) {
    if (!(e instanceof JsonError)) throw e;
    if (e.untranslatable) {
      throw new DbError(SqlState.UntranslatableCharacter, 'unsupported Unicode escape sequence', { detail: e.detail, where: parser.context() });
    }
    throw new DbError(SqlState.InvalidTextRepresentation, 'invalid input syntax for type json', { detail: e.detail, where: parser.context() });
  }
}

/** json_in's validation: throws PostgreSQL's 22P02 with detail and context; returns nothing. */
export function validateJson(text: string): void {
  parseWith(text, false);
}

/** jsonb_in: parses and normalises. */
export function parseJsonb(text: string): Jsonb {
  return parseWith(text, true);
}

/** escape_json: quotes and escapes a string the way json/jsonb output does. */
export function escapeJsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    switch (ch) {
      case '\b': out += '\\b'; break;
      case '\f': out += '\\f'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\t': out += '\\t'; break;
      case '"': out += '\\"'; break;
      case '\\': out += '\\\\'; break;
      default:
        out += ch.charCodeAt(0) < 0x20 ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch;
    }
  }
  return out + '"';
}

/** jsonb_out (JsonbToCString): `{"a": 1, "b": [1, 2]}`. */
export function formatJsonb(v: Jsonb): string {
  switch (v.kind) {
    case 'null': return 'null';
    case 'bool': return v.value ? 'true' : 'false';
    case 'string': return escapeJsonString(v.value);
    case 'number': return v.value.toString();
    case 'array': return `[${v.items.map(formatJsonb).join(', ')}]`;
    case 'object': return `{${v.entries.map(([k, x]) => `${escapeJsonString(k)}: ${formatJsonb(x)}`).join(', ')}}`;
  }
}

/** Jsonb constructors for callers building values. */
export const JsonbValue = {
  null: NULL,
  bool: (value: boolean): Jsonb => (value ? TRUE : FALSE),
  string: (value: string): Jsonb => ({ kind: 'string', value }),
  number: (value: Numeric): Jsonb => ({ kind: 'number', value }),
  array: (items: readonly Jsonb[]): Jsonb => ({ kind: 'array', items }),
  object: (entries: readonly (readonly [string, Jsonb])[]): Jsonb => normaliseObject(entries),
} as const;

/** UTF-8 byte order (the C collation PostgreSQL compares jsonb strings and keys with here). */
function compareBytes(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** jbvType's order for values of different types: null < string < number < bool < array < object. */
const TYPE_RANK: Record<Jsonb['kind'], number> = { null: 0, string: 1, number: 2, bool: 3, array: 16, object: 17 };

/**
 * jsonb's btree order, as compareJsonbContainers walks two values in parallel: containers by
 * element / pair count first (a top-level scalar is a one-element "raw scalar" array that sorts
 * before a real array of one element), then keys and values in storage order; differing types
 * by TYPE_RANK; scalars as their SQL types.
 */
export function compareJsonb(a: Jsonb, b: Jsonb): number {
  const rawA = a.kind !== 'array' && a.kind !== 'object';
  const rawB = b.kind !== 'array' && b.kind !== 'object';
  const itemsA = rawA ? [a] : a.kind === 'array' ? a.items : null;
  const itemsB = rawB ? [b] : b.kind === 'array' ? b.items : null;
  if (itemsA !== null && itemsB !== null) {
    let res = 0;
    if (rawA !== rawB) res = rawA ? -1 : 1;
    if (itemsA.length !== itemsB.length) res = itemsA.length > itemsB.length ? 1 : -1;
    return res !== 0 ? res : compareSequence(itemsA, itemsB);
  }
  return compareNested(a, b);
}

function compareSequence(a: readonly Jsonb[], b: readonly Jsonb[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareNested(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

/** Two values at the same position inside containers (no raw scalars here). */
function compareNested(a: Jsonb, b: Jsonb): number {
  if (a.kind !== b.kind) return TYPE_RANK[a.kind] > TYPE_RANK[b.kind] ? 1 : -1;
  switch (a.kind) {
    case 'null':
      return 0;
    case 'string':
      return compareBytes(a.value, (b as typeof a).value);
    case 'number':
      return a.value.compare((b as typeof a).value);
    case 'bool':
      return a.value === (b as typeof a).value ? 0 : a.value ? 1 : -1;
    case 'array': {
      const bi = (b as typeof a).items;
      if (a.items.length !== bi.length) return a.items.length > bi.length ? 1 : -1;
      return compareSequence(a.items, bi);
    }
    case 'object': {
      const be = (b as typeof a).entries;
      if (a.entries.length !== be.length) return a.entries.length > be.length ? 1 : -1;
      for (let i = 0; i < a.entries.length; i++) {
        const k = compareBytes(a.entries[i]![0], be[i]![0]);
        if (k !== 0) return k;
        const v = compareNested(a.entries[i]![1], be[i]![1]);
        if (v !== 0) return v;
      }
      return 0;
    }
  }
}
