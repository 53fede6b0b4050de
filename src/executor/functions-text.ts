/**
 * String functions and operators of PostgreSQL 15 (§9.4 "String Functions", §9.7 regular
 * expressions, §9.5 binary strings): registered into the function catalog when executor/
 * loads. Text is counted in code points; regular expressions are PostgreSQL's AREs translated
 * to JavaScript RegExps (the common subset: classes, quantifiers, groups, [[:alpha:]] etc.).
 */
import { createHash } from 'node:crypto';
import { DbError, SqlState } from '../errors/index.ts';
import { Oid, ArrayOid, PgArray, typeByOid, type FormatContext } from '../types/index.ts';
import { fn, polyFn, variadicFn } from './function-defs.ts';
import { PolyOid } from './polymorphic.ts';
import type { Value } from './value.ts';

const T = Oid.text;
const I = Oid.int4;

/** Code points of a string (PostgreSQL counts characters, not UTF-16 units). */
const chars = (s: string): string[] => Array.from(s);
const isAscii = (s: string): boolean => !/[^\x00-\x7f]/.test(s);

/** The text output of a value of any type, as concat() and format() print it. */
export function textOf(v: Value, type: number, fmt: FormatContext): string {
  if (typeof v === 'string' && (type === T || type === Oid.varchar || type === Oid.bpchar || type === Oid.name || type === Oid.unknown)) return v;
  const t = typeByOid(type);
  if (!t) throw new DbError(SqlState.InternalError, `no output function for type ${type}`);
  return t.textOut(v, fmt);
}

// ---- substrings and positions ----

function substr(s: string, start: number, length: number | null): string {
  if (length !== null && length < 0) throw new DbError(SqlState.SubstringError, 'negative substring length not allowed');
  const end = length === null ? Infinity : start + length;
  const from = Math.max(start, 1);
  if (end <= from) return '';
  if (isAscii(s)) return s.slice(from - 1, end === Infinity ? undefined : end - 1);
  const cs = chars(s);
  return cs.slice(from - 1, end === Infinity ? undefined : end - 1).join('');
}

for (const name of ['substr', 'substring']) {
  fn(name, [T, I], T, ([s, a]) => substr(s as string, a as number, null));
  fn(name, [T, I, I], T, ([s, a, l]) => substr(s as string, a as number, l as number));
}
fn('substring', [T, T], T, ([s, p]) => {
  const m = compileRegex(p as string, '').exec(s as string);
  if (!m) return null;
  return m.length > 1 ? (m[1] ?? null) : m[0];
});

/**
 * similar_to_escape: a SIMILAR TO pattern as an anchored regular expression. `%` and `_` are
 * wildcards, `.` is literal, the escape character (default backslash) quotes, and two
 * escape-double-quotes split off the part substring() returns: ^(?:a){1,1}?(b){1,1}(?:c)$.
 */
export function similarToRegex(pattern: string, escape: string | null): string {
  const esc = escape === null ? '\\' : escape;
  if (escape !== null && [...escape].length > 1) {
    throw new DbError(SqlState.InvalidEscapeSequence, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  }
  let out = '^(?:';
  let separators = 0;
  let inBracket = false;
  const cs = chars(pattern);
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (esc !== '' && c === esc) {
      const n = cs[++i];
      if (n === undefined) throw new DbError(SqlState.InvalidEscapeSequence, 'invalid escape string');
      if (n === '"') {
        separators++;
        if (separators > 2) throw new DbError(SqlState.InvalidParameterValue, 'SQL regular expression may not contain more than two escape-double-quote separators');
        out += separators === 1 ? '){1,1}?(' : '){1,1}(?:';
      } else out += n.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      continue;
    }
    if (inBracket) {
      if (c === ']') inBracket = false;
      out += c === '\\' ? '\\\\' : c;
    } else if (c === '[') {
      inBracket = true;
      out += c;
    } else if (c === '%') out += '.*';
    else if (c === '_') out += '.';
    else if (c === '.' || c === '^' || c === '$' || c === '\\') out += '\\' + c;
    else out += c;
  }
  return out + ')$';
}
/** like_escape: a LIKE pattern with another escape character (or none) in backslash form. */
function likeEscape(pattern: string, escape: string): string {
  const e = chars(escape);
  if (e.length > 1) throw new DbError(SqlState.InvalidEscapeSequence, 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
  let out = '';
  const cs = chars(pattern);
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (e.length === 0) out += c === '\\' ? '\\\\' : c;
    else if (c === e[0]) {
      const n = cs[++i];
      // A trailing escape stays, so matching reports it (22025) as PostgreSQL does.
      out += n === undefined ? '\\' : '\\' + n;
    } else out += c === '\\' ? '\\\\' : c;
  }
  return out;
}
fn('like_escape', [T, T], T, ([p, e]) => likeEscape(p as string, e as string));
fn('similar_to_escape', [T], T, ([p]) => similarToRegex(p as string, null));
fn('similar_to_escape', [T, T], T, ([p, e]) => similarToRegex(p as string, e as string));
fn('substring', [T, T, T], T, ([s, p, e]) => {
  const re = compileRegex(similarToRegex(p as string, e as string), '');
  const m = re.exec(s as string);
  if (!m) return null;
  return m.length > 1 ? (m[1] ?? null) : m[0];
});

function strpos(s: string, sub: string): number {
  const i = s.indexOf(sub);
  if (i < 0) return 0;
  return chars(s.slice(0, i)).length + 1;
}
fn('position', [T, T], I, ([s, sub]) => strpos(s as string, sub as string));
fn('strpos', [T, T], I, ([s, sub]) => strpos(s as string, sub as string));
fn('replace', [T, T, T], T, ([s, from, to]) => ((from as string) === '' ? (s as string) : (s as string).split(from as string).join(to as string)));
fn('split_part', [T, T, I], T, ([s, d, n]) => {
  const k = n as number;
  if (k === 0) throw new DbError(SqlState.InvalidParameterValue, 'field position must not be zero');
  const str = s as string;
  const parts = (d as string) === '' ? (str === '' ? [] : [str]) : str.split(d as string);
  if (str === '') return '';
  const i = k > 0 ? k - 1 : parts.length + k;
  return parts[i] ?? '';
});
fn('starts_with', [T, T], Oid.bool, ([s, p]) => (s as string).startsWith(p as string));
fn('left', [T, I], T, ([s, n]) => {
  const cs = chars(s as string);
  const k = n as number;
  return cs.slice(0, k >= 0 ? k : Math.max(0, cs.length + k)).join('');
});
fn('right', [T, I], T, ([s, n]) => {
  const cs = chars(s as string);
  const k = n as number;
  return cs.slice(k >= 0 ? Math.max(0, cs.length - k) : Math.min(cs.length, -k)).join('');
});
fn('overlay', [T, T, I, I], T, ([s, r, a, l]) => overlay(s as string, r as string, a as number, l as number));
fn('overlay', [T, T, I], T, ([s, r, a]) => overlay(s as string, r as string, a as number, chars(r as string).length));

function overlay(s: string, r: string, start: number, length: number): string {
  if (start <= 0) throw new DbError(SqlState.SubstringError, 'negative substring length not allowed');
  if (length < 0) throw new DbError(SqlState.SubstringError, 'negative substring length not allowed');
  const cs = chars(s);
  return cs.slice(0, start - 1).join('') + r + cs.slice(start - 1 + length).join('');
}

// ---- case, padding, trimming ----

fn('initcap', [T], T, ([s]) => {
  let out = '';
  let inWord = false;
  for (const c of chars(s as string)) {
    // The "C" locale: only ASCII letters and digits make words, and only ASCII changes case.
    const alnum = /[A-Za-z0-9]/.test(c);
    out += alnum ? (inWord ? c.toLowerCase() : c.toUpperCase()) : c;
    inWord = alnum;
  }
  return out;
});

function pad(s: string, len: number, fill: string, left: boolean): string {
  const cs = chars(s);
  if (len <= 0) return '';
  if (cs.length >= len) return cs.slice(0, len).join('');
  const f = chars(fill);
  if (f.length === 0) return s;
  const need = len - cs.length;
  let p = '';
  for (let i = 0; i < need; i++) p += f[i % f.length];
  return left ? p + s : s + p;
}
fn('lpad', [T, I], T, ([s, n]) => pad(s as string, n as number, ' ', true));
fn('lpad', [T, I, T], T, ([s, n, f]) => pad(s as string, n as number, f as string, true));
fn('rpad', [T, I], T, ([s, n]) => pad(s as string, n as number, ' ', false));
fn('rpad', [T, I, T], T, ([s, n, f]) => pad(s as string, n as number, f as string, false));

function trim(s: string, set: string, leading: boolean, trailing: boolean): string {
  const cs = chars(s);
  const drop = new Set(chars(set));
  let a = 0;
  let b = cs.length;
  if (leading) while (a < b && drop.has(cs[a]!)) a++;
  if (trailing) while (b > a && drop.has(cs[b - 1]!)) b--;
  return cs.slice(a, b).join('');
}
for (const [name, l, r] of [['btrim', true, true], ['ltrim', true, false], ['rtrim', false, true]] as const) {
  fn(name, [T], T, ([s]) => trim(s as string, ' ', l, r));
  fn(name, [T, T], T, ([s, set]) => trim(s as string, set as string, l, r));
}
fn('btrim', [Oid.bytea, Oid.bytea], Oid.bytea, ([s, set]) => {
  const b = s as Uint8Array;
  const drop = new Set(set as Uint8Array);
  let i = 0;
  let j = b.length;
  while (i < j && drop.has(b[i]!)) i++;
  while (j > i && drop.has(b[j - 1]!)) j--;
  return Buffer.from(b.subarray(i, j));
});

fn('repeat', [T, I], T, ([s, n]) => {
  const k = n as number;
  if (k <= 0) return '';
  if ((s as string).length * k > 1 << 28) throw new DbError(SqlState.ProgramLimitExceeded, 'requested length too large');
  return (s as string).repeat(k);
});
fn('reverse', [T], T, ([s]) => chars(s as string).reverse().join(''));
fn('ascii', [T], I, ([s]) => (s as string).codePointAt(0) ?? 0);
fn('chr', [I], T, ([n]) => {
  const c = n as number;
  if (c === 0) throw new DbError(SqlState.ProgramLimitExceeded, 'null character not permitted');
  if (c < 0 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
    throw new DbError(SqlState.ProgramLimitExceeded, 'requested character too large for encoding: ' + c);
  }
  return String.fromCodePoint(c);
});
fn('translate', [T, T, T], T, ([s, from, to]) => {
  const f = chars(from as string);
  const t = chars(to as string);
  let out = '';
  for (const c of chars(s as string)) {
    const i = f.indexOf(c);
    if (i < 0) out += c;
    else if (i < t.length) out += t[i];
  }
  return out;
});
fn('md5', [T], T, ([s]) => createHash('md5').update(s as string, 'utf8').digest('hex'));
fn('md5', [Oid.bytea], T, ([s]) => createHash('md5').update(s as Uint8Array).digest('hex'));
fn('length', [Oid.bytea], I, ([s]) => (s as Uint8Array).length);
fn('octet_length', [Oid.bytea], I, ([s]) => (s as Uint8Array).length);
fn('character_length', [T], I, ([a]) => chars(a as string).length);
fn('bit_length', [T], I, ([s]) => Buffer.byteLength(s as string) * 8);
fn('to_hex', [I], T, ([n]) => ((n as number) >>> 0).toString(16));
fn('to_hex', [Oid.int8], T, ([n]) => BigInt.asUintN(64, n as bigint).toString(16));

// ---- concat, format, quoting ----

variadicFn(
  'concat',
  (actual) => (actual.length === 0 ? null : { argTypes: actual, returnType: T }),
  (types) => (args, ctx) => args.map((v, i) => (v === null ? '' : textOf(v, types[i]!, ctx.format))).join(''),
  { strict: false, volatility: 'stable' },
);
variadicFn(
  'concat_ws',
  (actual) => (actual.length < 1 ? null : { argTypes: [actual[0] === Oid.unknown ? T : actual[0]!, ...actual.slice(1)], returnType: T }),
  (types) => (args, ctx) => {
    if (args[0] === null) return null;
    const sep = textOf(args[0], types[0]!, ctx.format);
    return args
      .slice(1)
      .flatMap((v, i) => (v === null ? [] : [textOf(v, types[i + 1]!, ctx.format)]))
      .join(sep);
  },
  { strict: false, volatility: 'stable' },
);

const RESERVED = new Set(
  ('all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column concurrently ' +
    'constraint create cross current_catalog current_date current_role current_schema current_time current_timestamp current_user default ' +
    'deferrable desc distinct do else end except false fetch for foreign freeze from full grant group having ilike in initially inner ' +
    'intersect into is isnull join lateral leading left like limit localtime localtimestamp natural not notnull null offset on only or ' +
    'order outer overlaps placing primary references returning right select session_user similar some symmetric table tablesample then ' +
    'to trailing true union unique user using variadic verbose when where window with between bigint bit boolean char character coalesce ' +
    'dec decimal exists extract float greatest grouping inout int integer interval least national nchar none normalize nullif numeric out ' +
    'overlay position precision real row setof smallint substring time timestamp treat trim values varchar xmlattributes xmlconcat ' +
    'xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable').split(' '),
);

export function quoteIdent(s: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(s) && !RESERVED.has(s)) return s;
  return `"${s.replace(/"/g, '""')}"`;
}

export function quoteLiteral(s: string): string {
  const body = s.replace(/'/g, "''");
  return s.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

fn('quote_ident', [T], T, ([s]) => quoteIdent(s as string));
fn('quote_literal', [T], T, ([s]) => quoteLiteral(s as string));

/** parse_ident(text [, strict]): splits a qualified identifier as PostgreSQL's misc.c does (unquoted parts lower-cased). */
function parseIdent(qualname: string, strict: boolean): PgArray<string> {
  const invalid = (detail?: string): DbError =>
    new DbError(SqlState.InvalidParameterValue, `string is not a valid identifier: "${qualname}"`, detail === undefined ? {} : { detail });
  const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
  const isStart = (c: string | undefined): boolean => c !== undefined && (/[A-Za-z_]/.test(c) || c.charCodeAt(0) >= 0x80);
  const isCont = (c: string | undefined): boolean => isStart(c) || (c !== undefined && /[0-9$]/.test(c));
  const parts: string[] = [];
  let i = 0;
  let afterDot = false;
  while (isSpace(qualname[i])) i++;
  for (;;) {
    let missing = true;
    if (qualname[i] === '"') {
      let name = '';
      i++;
      for (;;) {
        const end = qualname.indexOf('"', i);
        if (end < 0) throw invalid('String has unclosed double quotes.');
        name += qualname.slice(i, end);
        i = end + 1;
        if (qualname[i] !== '"') break;
        name += '"';
        i++;
      }
      if (name === '') throw invalid('Quoted identifier must not be empty.');
      parts.push(name);
      missing = false;
    } else if (isStart(qualname[i])) {
      const start = i++;
      while (isCont(qualname[i])) i++;
      parts.push(qualname.slice(start, i).replace(/[A-Z]+/g, (m) => m.toLowerCase()));
      missing = false;
    }
    if (missing) {
      if (qualname[i] === '.') throw invalid('No valid identifier before ".".');
      if (afterDot) throw invalid('No valid identifier after ".".');
      throw invalid();
    }
    while (isSpace(qualname[i])) i++;
    if (qualname[i] === '.') {
      afterDot = true;
      i++;
      while (isSpace(qualname[i])) i++;
    } else if (i >= qualname.length) {
      break;
    } else {
      if (strict) throw invalid();
      break;
    }
  }
  return PgArray.of(parts);
}
fn('parse_ident', [T], ArrayOid.text, ([s]) => parseIdent(s as string, true));
fn('parse_ident', [T, Oid.bool], ArrayOid.text, ([s, strict]) => parseIdent(s as string, strict as boolean));
polyFn('quote_literal', [PolyOid.anyelement], T, ([t]) => ([v], ctx) => quoteLiteral(textOf(v, t!, ctx.format)), { volatility: 'stable' });
fn('quote_nullable', [T], T, ([s]) => (s === null ? 'NULL' : quoteLiteral(s as string)), { strict: false });
polyFn('quote_nullable', [PolyOid.anyelement], T, ([t]) => ([v], ctx) => (v === null ? 'NULL' : quoteLiteral(textOf(v, t!, ctx.format))), {
  strict: false,
  volatility: 'stable',
});

/** format(): %[argpos$][flags][width]type with types s, I, L and %%. */
function format(fmtString: string, args: readonly Value[], types: readonly number[], fc: FormatContext): string {
  let out = '';
  let next = 0;
  const s = fmtString;
  const bad = (msg: string): DbError => new DbError(SqlState.InvalidParameterValue, msg);
  const argAt = (i: number): [Value, number] => {
    if (i >= args.length) throw bad('too few arguments for format()');
    return [args[i]!, types[i]!];
  };
  const readInt = (i: number): [number | null, number] => {
    let j = i;
    while (j < s.length && s[j]! >= '0' && s[j]! <= '9') j++;
    return j === i ? [null, i] : [Number(s.slice(i, j)), j];
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    i++;
    if (i >= s.length) throw bad('unterminated format() type specifier');
    if (s[i] === '%') {
      out += '%';
      continue;
    }
    // argument position
    let [n, j] = readInt(i);
    let argPos: number | null = null;
    if (n !== null && s[j] === '$') {
      if (n === 0) throw bad('format specifies argument 0, but arguments are numbered from 1');
      argPos = n;
      i = j + 1;
    }
    let leftAlign = false;
    while (s[i] === '-') {
      leftAlign = true;
      i++;
    }
    let width: number | null = null;
    if (s[i] === '*') {
      i++;
      let wpos: number | null = null;
      [n, j] = readInt(i);
      if (n !== null && s[j] === '$') {
        wpos = n;
        i = j + 1;
      }
      const [wv] = argAt(wpos !== null ? wpos : next++);
      if (wpos !== null) next = wpos;
      const w = wv === null ? 0 : Number(wv);
      if (w < 0) leftAlign = true;
      width = Math.abs(w);
    } else {
      [n, j] = readInt(i);
      if (n !== null) {
        width = n;
        i = j;
      }
    }
    if (i >= s.length) throw bad('unterminated format() type specifier');
    const type = s[i]!;
    if (type !== 's' && type !== 'I' && type !== 'L') {
      throw new DbError(SqlState.InvalidParameterValue, `unrecognized format() type specifier "${type}"`, {
        hint: 'For a single "%" use "%%".',
      });
    }
    const idx = argPos !== null ? argPos - 1 : next;
    next = idx + 1;
    const [v, t] = argAt(idx);
    let text: string;
    if (type === 's') text = v === null ? '' : textOf(v, t, fc);
    else if (type === 'I') {
      if (v === null) throw new DbError(SqlState.NullValueNotAllowed, 'null values cannot be formatted as an SQL identifier');
      text = quoteIdent(textOf(v, t, fc));
    } else text = v === null ? 'NULL' : quoteLiteral(textOf(v, t, fc));
    if (width !== null && chars(text).length < width) {
      const p = ' '.repeat(width - chars(text).length);
      text = leftAlign ? text + p : p + text;
    }
    out += text;
  }
  return out;
}

variadicFn(
  'format',
  (actual) =>
    actual.length === 0 || !(actual[0] === T || actual[0] === Oid.unknown || actual[0] === Oid.varchar) ? null : { argTypes: [T, ...actual.slice(1)], returnType: T },
  (types) => (args, ctx) => (args[0] === null ? null : format(args[0] as string, args.slice(1), types.slice(1), ctx.format)),
  { strict: false, volatility: 'stable' },
);

// ---- arrays of strings ----

function splitToArray(s: string, d: string | null, nullStr: string | null): PgArray<string> {
  let parts: string[];
  if (s === '') parts = [];
  else if (d === null) parts = chars(s);
  else if (d === '') parts = [s];
  else parts = s.split(d);
  return PgArray.of(parts.map((p) => (nullStr !== null && p === nullStr ? null : p)));
}
fn('string_to_array', [T, T], ArrayOid.text, ([s, d]) => (s === null ? null : splitToArray(s as string, d as string | null, null)), { strict: false });
fn('string_to_array', [T, T, T], ArrayOid.text, ([s, d, n]) => (s === null ? null : splitToArray(s as string, d as string | null, n as string | null)), {
  strict: false,
});

// ---- regular expressions ----

const regexCache = new Map<string, RegExp>();

const POSIX_CLASSES: Record<string, string> = {
  alpha: 'a-zA-Z', digit: '0-9', alnum: 'a-zA-Z0-9', upper: 'A-Z', lower: 'a-z', space: '\\s', punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f', word: '\\w', blank: ' \\t', cntrl: '\\x00-\\x1f\\x7f', print: '\\x20-\\x7e', graph: '\\x21-\\x7e',
};

/** Translates a PostgreSQL ARE to a JavaScript RegExp (flags: g global, i case-insensitive). */
export function compileRegex(pattern: string, flags: string): RegExp {
  const key = flags + ':' + pattern;
  let re = regexCache.get(key);
  if (re) return re;
  // ARE director prefixes: ***= (literal pattern) and embedded options (?i) (?n)...
  let body = pattern;
  let embedded = '';
  if (body.startsWith('***=')) body = body.slice(4).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  else {
    if (body.startsWith('***:')) body = body.slice(4);
    const opts = /^\(\?([bceimnpqstwx]+)\)/.exec(body);
    if (opts) {
      embedded = opts[1]!;
      body = body.slice(opts[0].length);
    }
  }
  flags = flags + embedded.replace(/[bceqt]/g, '');
  let src = body.replace(/\[:([a-z]+):\]/g, (m, name: string) => POSIX_CLASSES[name] ?? m);
  src = src.replace(/\\y/g, '\\b').replace(/\\m/g, '\\b(?=\\w)').replace(/\\M/g, '\\b(?<=\\w)');
  // ARE defaults: `.` and bracket negations match newlines, ^ and $ anchor the whole string.
  let js = 'u';
  let newlineSensitive = false;
  for (const f of flags) {
    if (f === 'g') js += 'g';
    else if (f === 'i') js += 'i';
    else if (f === 'n' || f === 'm') newlineSensitive = true;
    else if (f === 'c' || f === 'p' || f === 'w' || f === 's') continue;
    else if (f === 'x') src = src.replace(/\s+|#.*$/gm, '');
    else throw new DbError(SqlState.InvalidParameterValue, `invalid regular expression option: "${f}"`);
  }
  js = [...new Set(js + (newlineSensitive ? 'm' : 's'))].join('');
  try {
    re = new RegExp(src, js);
  } catch (err) {
    throw new DbError(SqlState.InvalidRegularExpression, `invalid regular expression: ${(err as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '')}`);
  }
  if (regexCache.size > 1000) regexCache.clear();
  regexCache.set(key, re);
  return re;
}

fn('~', [T, T], Oid.bool, ([s, p]) => compileRegex(p as string, '').test(s as string));
fn('!~', [T, T], Oid.bool, ([s, p]) => !compileRegex(p as string, '').test(s as string));
fn('~*', [T, T], Oid.bool, ([s, p]) => compileRegex(p as string, 'i').test(s as string));
fn('!~*', [T, T], Oid.bool, ([s, p]) => !compileRegex(p as string, 'i').test(s as string));
fn('textregexeq', [T, T], Oid.bool, ([s, p]) => compileRegex(p as string, '').test(s as string));

/** PostgreSQL replacement text (\1..\9, \&, \\) → a JavaScript replacement string. */
function jsReplacement(r: string): string {
  let out = '';
  for (let i = 0; i < r.length; i++) {
    const c = r[i]!;
    if (c === '$') out += '$$';
    else if (c === '\\' && i + 1 < r.length) {
      const d = r[++i]!;
      if (d >= '1' && d <= '9') out += '$' + d;
      else if (d === '&') out += '$&';
      else out += d === '$' ? '$$' : d;
    } else out += c;
  }
  return out;
}
fn('regexp_replace', [T, T, T], T, ([s, p, r]) => (s as string).replace(compileRegex(p as string, ''), jsReplacement(r as string)));
fn('regexp_replace', [T, T, T, T], T, ([s, p, r, f]) => (s as string).replace(compileRegex(p as string, f as string), jsReplacement(r as string)));

function matchArray(m: RegExpExecArray): PgArray<string> {
  return PgArray.of(m.length > 1 ? m.slice(1).map((x) => x ?? null) : [m[0]]);
}
function regexpMatch(s: string, p: string, flags: string): PgArray<string> | null {
  if (flags.includes('g')) throw new DbError(SqlState.InvalidParameterValue, 'regexp_match() does not support the "global" option', { hint: 'Use the regexp_matches function instead.' });
  const m = compileRegex(p, flags).exec(s);
  return m ? matchArray(m) : null;
}
fn('regexp_match', [T, T], ArrayOid.text, ([s, p]) => regexpMatch(s as string, p as string, ''));
fn('regexp_match', [T, T, T], ArrayOid.text, ([s, p, f]) => regexpMatch(s as string, p as string, f as string));

/** All matches as PostgreSQL's setup_regexp_matches finds them (degenerate empty matches skipped when splitting). */
function* regexMatches(s: string, p: string, flags: string, ignoreDegenerate: boolean): Generator<RegExpExecArray> {
  const glob = flags.includes('g') || ignoreDegenerate;
  const re = compileRegex(p, flags.replace('g', '') + 'g');
  re.lastIndex = 0;
  let prevEnd = 0;
  let start = 0;
  while (start <= s.length) {
    re.lastIndex = start;
    const m = re.exec(s);
    if (!m) break;
    const so = m.index;
    const eo = so + m[0].length;
    if (!ignoreDegenerate || (so < s.length && eo > prevEnd)) yield m;
    prevEnd = eo;
    if (!glob) break;
    start = eo === so ? eo + 1 : eo;
  }
}
fn('regexp_matches', [T, T], ArrayOid.text, ([s, p]) => mapIter(regexMatches(s as string, p as string, '', false), matchArray), { returnsSet: true });
fn('regexp_matches', [T, T, T], ArrayOid.text, ([s, p, f]) => mapIter(regexMatches(s as string, p as string, f as string, false), matchArray), {
  returnsSet: true,
});

function* mapIter<A, B>(it: Iterable<A>, f: (a: A) => B): Generator<B> {
  for (const a of it) yield f(a);
}

function regexSplit(s: string, p: string, flags: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (const m of regexMatches(s, p, flags, true)) {
    out.push(s.slice(from, m.index));
    from = m.index + m[0].length;
  }
  out.push(s.slice(from));
  return out;
}
// PostgreSQL 15's regexp_count / regexp_like / regexp_substr / regexp_instr: `start` is
// 1-based; N picks the N-th match; subexpr 0 is the whole match.
function checkStart(start: number): void {
  if (start <= 0) throw new DbError(SqlState.InvalidParameterValue, `invalid value for parameter "start": ${start}`);
}
function checkN(n: number): void {
  if (n <= 0) throw new DbError(SqlState.InvalidParameterValue, `invalid value for parameter "n": ${n}`);
}
/** Matches from a 1-based character position; indexes in the results are back in characters. */
function matchesFrom(s: string, p: string, flags: string, start: number): { m: RegExpExecArray; offset: string }[] {
  if (flags.includes('g')) throw new DbError(SqlState.InvalidParameterValue, `invalid regular expression option: "g"`);
  const prefix = chars(s).slice(0, start - 1).join('');
  const rest = s.slice(prefix.length);
  return [...regexMatches(rest, p, flags + 'g', false)].map((m) => ({ m, offset: prefix }));
}
const regexpCount = (s: string, p: string, start: number, flags: string): number => {
  checkStart(start);
  return matchesFrom(s, p, flags, start).length;
};
fn('regexp_count', [T, T], I, ([s, p]) => regexpCount(s as string, p as string, 1, ''));
fn('regexp_count', [T, T, I], I, ([s, p, st]) => regexpCount(s as string, p as string, st as number, ''));
fn('regexp_count', [T, T, I, T], I, ([s, p, st, f]) => regexpCount(s as string, p as string, st as number, f as string));
fn('regexp_like', [T, T], Oid.bool, ([s, p]) => compileRegex(p as string, '').test(s as string));
fn('regexp_like', [T, T, T], Oid.bool, ([s, p, f]) => {
  if ((f as string).includes('g')) throw new DbError(SqlState.InvalidParameterValue, 'invalid regular expression option: "g"');
  return compileRegex(p as string, f as string).test(s as string);
});
function regexpSubstr(s: string, p: string, start: number, n: number, flags: string, sub: number): string | null {
  checkStart(start);
  checkN(n);
  const hit = matchesFrom(s, p, flags, start)[n - 1];
  if (!hit) return null;
  return hit.m[sub] ?? null;
}
fn('regexp_substr', [T, T], T, ([s, p]) => regexpSubstr(s as string, p as string, 1, 1, '', 0));
fn('regexp_substr', [T, T, I], T, ([s, p, st]) => regexpSubstr(s as string, p as string, st as number, 1, '', 0));
fn('regexp_substr', [T, T, I, I], T, ([s, p, st, n]) => regexpSubstr(s as string, p as string, st as number, n as number, '', 0));
fn('regexp_substr', [T, T, I, I, T], T, ([s, p, st, n, f]) => regexpSubstr(s as string, p as string, st as number, n as number, f as string, 0));
fn('regexp_substr', [T, T, I, I, T, I], T, ([s, p, st, n, f, sub]) =>
  regexpSubstr(s as string, p as string, st as number, n as number, f as string, sub as number),
);
function regexpInstr(s: string, p: string, start: number, n: number, endOption: number, flags: string, sub: number): number {
  checkStart(start);
  checkN(n);
  if (endOption !== 0 && endOption !== 1) throw new DbError(SqlState.InvalidParameterValue, `invalid value for parameter "endoption": ${endOption}`);
  const hit = matchesFrom(s, p, flags, start)[n - 1];
  if (!hit || (sub > 0 && hit.m[sub] === undefined)) return 0;
  const text = hit.offset + s.slice(hit.offset.length);
  let at = hit.offset.length + hit.m.index;
  let len = hit.m[0].length;
  if (sub > 0) {
    const inner = hit.m[0].indexOf(hit.m[sub]!);
    at += inner;
    len = hit.m[sub]!.length;
  }
  const pos = chars(text.slice(0, at)).length + 1;
  return endOption === 1 ? pos + chars(text.slice(at, at + len)).length : pos;
}
fn('regexp_instr', [T, T], I, ([s, p]) => regexpInstr(s as string, p as string, 1, 1, 0, '', 0));
fn('regexp_instr', [T, T, I], I, ([s, p, st]) => regexpInstr(s as string, p as string, st as number, 1, 0, '', 0));
fn('regexp_instr', [T, T, I, I], I, ([s, p, st, n]) => regexpInstr(s as string, p as string, st as number, n as number, 0, '', 0));
fn('regexp_instr', [T, T, I, I, I], I, ([s, p, st, n, e]) => regexpInstr(s as string, p as string, st as number, n as number, e as number, '', 0));
fn('regexp_instr', [T, T, I, I, I, T], I, ([s, p, st, n, e, f]) =>
  regexpInstr(s as string, p as string, st as number, n as number, e as number, f as string, 0),
);
fn('regexp_instr', [T, T, I, I, I, T, I], I, ([s, p, st, n, e, f, sub]) =>
  regexpInstr(s as string, p as string, st as number, n as number, e as number, f as string, sub as number),
);

// ---- hashes ----

for (const alg of ['sha224', 'sha256', 'sha384', 'sha512']) {
  fn(alg, [Oid.bytea], Oid.bytea, ([b]) => createHash(alg).update(b as Uint8Array).digest());
}

fn('regexp_split_to_array', [T, T], ArrayOid.text, ([s, p]) => PgArray.of(regexSplit(s as string, p as string, '')));
fn('regexp_split_to_array', [T, T, T], ArrayOid.text, ([s, p, f]) => PgArray.of(regexSplit(s as string, p as string, f as string)));
fn('regexp_split_to_table', [T, T], T, ([s, p]) => regexSplit(s as string, p as string, ''), { returnsSet: true });
fn('regexp_split_to_table', [T, T, T], T, ([s, p, f]) => regexSplit(s as string, p as string, f as string), { returnsSet: true });

// ---- binary strings: encode / decode ----

function encodeEscape(b: Uint8Array): string {
  let out = '';
  for (const x of b) {
    if (x === 0x5c) out += '\\\\';
    else if (x === 0 || x >= 0x80) out += '\\' + x.toString(8).padStart(3, '0');
    else out += String.fromCharCode(x);
  }
  return out;
}
function decodeEscape(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') {
      out.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    if (s[i + 1] === '\\') {
      out.push(0x5c);
      i++;
    } else if (/^[0-3][0-7][0-7]$/.test(s.slice(i + 1, i + 4))) {
      out.push(parseInt(s.slice(i + 1, i + 4), 8));
      i += 3;
    } else throw new DbError(SqlState.InvalidTextRepresentation, 'invalid input syntax for type bytea');
  }
  return Buffer.from(out);
}
function encodeBase64(b: Uint8Array): string {
  const s = Buffer.from(b).toString('base64');
  return s.replace(/(.{76})(?=.)/g, '$1\n');
}
function decodeBase64(s: string): Uint8Array {
  const clean = s.replace(/[ \t\n\r]/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(clean)) {
    const bad = clean.match(/[^A-Za-z0-9+/=]/);
    throw new DbError(SqlState.InvalidParameterValue, bad ? `invalid symbol "${bad[0]}" found while decoding base64 sequence` : 'unexpected "=" while decoding base64 sequence');
  }
  if (clean.length % 4 !== 0) throw new DbError(SqlState.InvalidParameterValue, 'invalid base64 end sequence', { hint: 'Input data is missing padding, is truncated, or is otherwise corrupted.' });
  return Buffer.from(clean, 'base64');
}
function decodeHex(s: string): Uint8Array {
  const clean = s.replace(/[ \t\n\r]/g, '');
  const bad = clean.match(/[^0-9a-fA-F]/);
  if (bad) throw new DbError(SqlState.InvalidParameterValue, `invalid hexadecimal digit: "${bad[0]}"`);
  if (clean.length % 2 !== 0) throw new DbError(SqlState.InvalidParameterValue, 'invalid hexadecimal data: odd number of digits');
  return Buffer.from(clean, 'hex');
}
const unknownEncoding = (f: string): DbError => new DbError(SqlState.InvalidParameterValue, `unrecognized encoding: "${f}"`);
fn('encode', [Oid.bytea, T], T, ([b, f]) => {
  switch ((f as string).toLowerCase()) {
    case 'hex':
      return Buffer.from(b as Uint8Array).toString('hex');
    case 'base64':
      return encodeBase64(b as Uint8Array);
    case 'escape':
      return encodeEscape(b as Uint8Array);
    default:
      throw unknownEncoding(f as string);
  }
});
fn('decode', [T, T], Oid.bytea, ([s, f]) => {
  switch ((f as string).toLowerCase()) {
    case 'hex':
      return decodeHex(s as string);
    case 'base64':
      return decodeBase64(s as string);
    case 'escape':
      return decodeEscape(s as string);
    default:
      throw unknownEncoding(f as string);
  }
});
fn('convert_to', [T, T], Oid.bytea, ([s]) => Buffer.from(s as string, 'utf8'));
fn('convert_from', [Oid.bytea, T], T, ([b]) => Buffer.from(b as Uint8Array).toString('utf8'));
fn('||', [Oid.bytea, Oid.bytea], Oid.bytea, ([a, b]) => Buffer.concat([a as Uint8Array, b as Uint8Array]));
