/**
 * JSON functions and operators of PostgreSQL 15 (§9.16): extraction (-> ->> #> #>>) on json and
 * jsonb, jsonb containment and existence (@> <@ ? ?| ?&), jsonb editing (|| - #- jsonb_set
 * jsonb_insert jsonb_strip_nulls), constructors (to_json[b], json[b]_build_object/array),
 * inspection (typeof, array_length, pretty) and the set-returning each/elements/object_keys.
 * json values are their text (extraction returns the verbatim sub-text, as PostgreSQL does);
 * jsonb values are Jsonb trees.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { ArrayOid, JsonbValue, compareJsonb, Numeric, Oid, PgArray, escapeJsonString, formatJsonb, parseJsonb, typeByOid, type FormatContext, type Jsonb } from '../types/index.ts';
import { fn, polyFn, variadicFn } from './function-defs.ts';
import { elementTypeOf, PolyOid } from './polymorphic.ts';
import type { Value } from './value.ts';

const J = Oid.json;
const JB = Oid.jsonb;
const T = Oid.text;
const I = Oid.int4;

const bad = (msg: string): DbError => new DbError(SqlState.InvalidParameterValue, msg);

// ---- json text: a span parser so extraction can return the sub-text as written ----

type JsonNode =
  | { readonly kind: 'object'; readonly start: number; readonly end: number; readonly entries: readonly [string, JsonNode][] }
  | { readonly kind: 'array'; readonly start: number; readonly end: number; readonly items: readonly JsonNode[] }
  | { readonly kind: 'string' | 'number' | 'bool' | 'null'; readonly start: number; readonly end: number };

/** Parses already-validated json text into nodes carrying their source spans. */
function parseJsonSpans(text: string): JsonNode {
  let p = 0;
  const ws = (): void => {
    while (p < text.length && ' \t\n\r'.includes(text[p]!)) p++;
  };
  const str = (): string => {
    const start = p;
    p++;
    while (text[p] !== '"') p += text[p] === '\\' ? 2 : 1;
    p++;
    return JSON.parse(text.slice(start, p)) as string;
  };
  const value = (): JsonNode => {
    ws();
    const start = p;
    const c = text[p];
    if (c === '{') {
      p++;
      const entries: [string, JsonNode][] = [];
      ws();
      if (text[p] === '}') p++;
      else {
        for (;;) {
          ws();
          const k = str();
          ws();
          p++; // :
          entries.push([k, value()]);
          ws();
          if (text[p++] === '}') break;
        }
      }
      return { kind: 'object', start, end: p, entries };
    }
    if (c === '[') {
      p++;
      const items: JsonNode[] = [];
      ws();
      if (text[p] === ']') p++;
      else {
        for (;;) {
          items.push(value());
          ws();
          if (text[p++] === ']') break;
        }
      }
      return { kind: 'array', start, end: p, items };
    }
    if (c === '"') {
      str();
      return { kind: 'string', start, end: p };
    }
    while (p < text.length && /[^\s,\]}]/.test(text[p]!)) p++;
    const word = text.slice(start, p);
    return { kind: word === 'null' ? 'null' : word === 'true' || word === 'false' ? 'bool' : 'number', start, end: p };
  };
  return value();
}

const spanText = (text: string, n: JsonNode): string => text.slice(n.start, n.end);
/** ->> of json: strings de-escaped, null → SQL NULL, anything else its text. */
function spanAsText(text: string, n: JsonNode): string | null {
  if (n.kind === 'null') return null;
  if (n.kind === 'string') return JSON.parse(spanText(text, n)) as string;
  return spanText(text, n);
}

function jsonGet(n: JsonNode, key: string | number): JsonNode | null {
  if (typeof key === 'string') {
    if (n.kind !== 'object') return null;
    let found: JsonNode | null = null;
    for (const [k, v] of n.entries) if (k === key) found = v; // json keeps duplicates; the last one wins on lookup
    return found;
  }
  if (n.kind !== 'array') return null;
  const i = key < 0 ? n.items.length + key : key;
  return n.items[i] ?? null;
}

// ---- jsonb helpers ----

function jbGet(v: Jsonb, key: string | number): Jsonb | null {
  if (typeof key === 'string') {
    if (v.kind !== 'object') return null;
    return v.entries.find(([k]) => k === key)?.[1] ?? null;
  }
  if (v.kind !== 'array') return null;
  const i = key < 0 ? v.items.length + key : key;
  return v.items[i] ?? null;
}

/** A path step: object key, or array index when the text is an integer. */
function pathStep(v: Jsonb | JsonNode, step: string | null): string | number | null {
  if (step === null) return null;
  if (v.kind === 'array') return /^\s*-?\d+\s*$/.test(step) ? Number(step) : null;
  return step;
}

export function jsonbText(v: Jsonb): string | null {
  if (v.kind === 'null') return null;
  if (v.kind === 'string') return v.value;
  return formatJsonb(v);
}

export function jsonbEquals(a: Jsonb, b: Jsonb): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'null':
      return true;
    case 'bool':
    case 'string':
      return a.value === (b as typeof a).value;
    case 'number':
      return a.value.compare((b as typeof a).value) === 0;
    case 'array': {
      const bi = (b as typeof a).items;
      return a.items.length === bi.length && a.items.every((x, i) => jsonbEquals(x, bi[i]!));
    }
    case 'object': {
      const be = (b as typeof a).entries;
      return a.entries.length === be.length && a.entries.every(([k, x], i) => be[i]![0] === k && jsonbEquals(x, be[i]![1]));
    }
  }
}

/** JsonbDeepContains. */
function contains(a: Jsonb, b: Jsonb, top = true): boolean {
  if (a.kind === 'object' && b.kind === 'object') {
    return b.entries.every(([k, bv]) => {
      const av = jbGet(a, k);
      if (!av) return false;
      if (av.kind === 'object' || av.kind === 'array' || bv.kind === 'object' || bv.kind === 'array') return av.kind === bv.kind && contains(av, bv, false);
      return jsonbEquals(av, bv);
    });
  }
  if (a.kind === 'array' && b.kind === 'array') {
    return b.items.every((bv) =>
      bv.kind === 'object' || bv.kind === 'array' ? a.items.some((av) => av.kind === bv.kind && contains(av, bv, false)) : a.items.some((av) => jsonbEquals(av, bv)),
    );
  }
  // A top-level array contains a scalar it has as an element.
  if (top && a.kind === 'array' && b.kind !== 'object') return a.items.some((av) => jsonbEquals(av, b));
  if (a.kind === 'object' || a.kind === 'array' || b.kind === 'object' || b.kind === 'array') return false;
  return jsonbEquals(a, b);
}

function exists(v: Jsonb, key: string): boolean {
  if (v.kind === 'object') return v.entries.some(([k]) => k === key);
  if (v.kind === 'array') return v.items.some((x) => x.kind === 'string' && x.value === key);
  return v.kind === 'string' && v.value === key;
}

function concat(a: Jsonb, b: Jsonb): Jsonb {
  if (a.kind === 'object' && b.kind === 'object') return JsonbValue.object([...a.entries, ...b.entries]);
  const asArray = (v: Jsonb): readonly Jsonb[] => (v.kind === 'array' ? v.items : [v]);
  return JsonbValue.array([...asArray(a), ...asArray(b)]);
}

function deleteKey(v: Jsonb, key: string): Jsonb {
  if (v.kind === 'object') return { kind: 'object', entries: v.entries.filter(([k]) => k !== key) };
  if (v.kind === 'array') return JsonbValue.array(v.items.filter((x) => !(x.kind === 'string' && x.value === key)));
  throw bad('cannot delete from scalar');
}
function deleteIndex(v: Jsonb, index: number): Jsonb {
  if (v.kind === 'object') throw bad('cannot delete from object using integer index');
  if (v.kind !== 'array') throw bad('cannot delete from scalar');
  const i = index < 0 ? v.items.length + index : index;
  return JsonbValue.array(v.items.filter((_, k) => k !== i));
}

function pathArray(a: Value): (string | null)[] {
  return ((a as PgArray<string>).items as (string | null)[]).slice();
}

function arrayIndex(step: string | null, position: number): number {
  if (step === null || !/^\s*-?\d+\s*$/.test(step)) {
    throw new DbError(SqlState.InvalidTextRepresentation, `path element at position ${position} is not an integer: "${step ?? 'NULL'}"`);
  }
  return Number(step);
}

/** setPath from jsonfuncs.c: op 'set' (jsonb_set), 'insert' (jsonb_insert before/after), 'delete' (#-). */
function setPath(v: Jsonb, path: readonly (string | null)[], level: number, newVal: Jsonb | null, op: 'set' | 'insert-before' | 'insert-after' | 'delete', create: boolean): Jsonb {
  const step = path[level];
  if (step === undefined) return v;
  if (step === null) throw bad(`path element at position ${level + 1} is null`);
  const last = level === path.length - 1;
  if (v.kind === 'object') {
    const i = v.entries.findIndex(([k]) => k === step);
    if (i < 0) {
      if (last && newVal && (op === 'insert-before' || op === 'insert-after' || create)) return JsonbValue.object([...v.entries, [step, newVal]]);
      return v;
    }
    if (last) {
      if (op === 'delete') return { kind: 'object', entries: v.entries.filter((_, k) => k !== i) };
      if (op !== 'set') throw bad('cannot replace existing key');
      return { kind: 'object', entries: v.entries.map((e, k) => (k === i ? [e[0], newVal!] : e)) };
    }
    const child = setPath(v.entries[i]![1], path, level + 1, newVal, op, create);
    return { kind: 'object', entries: v.entries.map((e, k) => (k === i ? [e[0], child] : e)) };
  }
  if (v.kind === 'array') {
    let idx = arrayIndex(step, level + 1);
    const n = v.items.length;
    if (idx < 0) idx = n + idx;
    if (last) {
      if (op === 'delete') return idx >= 0 && idx < n ? JsonbValue.array(v.items.filter((_, k) => k !== idx)) : v;
      if (idx < 0 || idx >= n) {
        if (op === 'set' && !create) return v;
        return JsonbValue.array(idx < 0 ? [newVal!, ...v.items] : [...v.items, newVal!]);
      }
      if (op === 'set') return JsonbValue.array(v.items.map((x, k) => (k === idx ? newVal! : x)));
      const at = op === 'insert-after' ? idx + 1 : idx;
      return JsonbValue.array([...v.items.slice(0, at), newVal!, ...v.items.slice(at)]);
    }
    if (idx < 0 || idx >= n) return v;
    return JsonbValue.array(v.items.map((x, k) => (k === idx ? setPath(x, path, level + 1, newVal, op, create) : x)));
  }
  // Only a scalar at the top is an error; a path running into a nested scalar changes nothing.
  if (level > 0) return v;
  if (op === 'delete') throw bad('cannot delete path in scalar');
  throw bad('cannot set path in scalar');
}

function stripNulls(v: Jsonb): Jsonb {
  if (v.kind === 'object') return { kind: 'object', entries: v.entries.filter(([, x]) => x.kind !== 'null').map(([k, x]) => [k, stripNulls(x)] as const) };
  if (v.kind === 'array') return JsonbValue.array(v.items.map(stripNulls));
  return v;
}

function pretty(v: Jsonb, level: number): string {
  const ind = (l: number): string => '\n' + '    '.repeat(l);
  if (v.kind === 'object') {
    if (v.entries.length === 0) return '{' + ind(level) + '}';
    return '{' + v.entries.map(([k, x]) => ind(level + 1) + escapeJsonString(k) + ': ' + pretty(x, level + 1)).join(',') + ind(level) + '}';
  }
  if (v.kind === 'array') {
    if (v.items.length === 0) return '[' + ind(level) + ']';
    return '[' + v.items.map((x) => ind(level + 1) + pretty(x, level + 1)).join(',') + ind(level) + ']';
  }
  return formatJsonb(v);
}

function typeofJsonb(v: Jsonb): string {
  return v.kind === 'bool' ? 'boolean' : v.kind;
}

// ---- SQL values → JSON ----

const DATETIME_TYPES = new Set<number>([Oid.date, Oid.timestamp, Oid.timestamptz, Oid.time]);

/** The JSON text of a datetime as to_json writes it (ISO 8601 with a T, offsets as +HH:MM). */
function jsonDatetime(v: Value, type: number, fmt: FormatContext): string {
  let s = typeByOid(type)!.textOut(v, fmt);
  if (s === 'infinity' || s === '-infinity') return s;
  if (type === Oid.timestamp || type === Oid.timestamptz) s = s.replace(' ', 'T');
  if (type === Oid.timestamptz) s = s.replace(/([+-]\d\d)$/, '$1:00');
  return s;
}

function isNumberType(t: number): boolean {
  return t === Oid.int2 || t === Oid.int4 || t === Oid.int8 || t === Oid.float4 || t === Oid.float8 || t === Oid.numeric || t === Oid.oid;
}

/** datum_to_json: the json text of a SQL value (NULL → null). */
export function toJsonText(v: Value, type: number, fmt: FormatContext): string {
  if (v === null) return 'null';
  if (type === J) return v as string;
  if (type === JB) return formatJsonb(v as Jsonb);
  if (type === Oid.bool) return v ? 'true' : 'false';
  const elem = elementTypeOf(type);
  if (elem !== undefined) {
    const arr = v as PgArray<unknown>;
    if (arr.ndim === 0) return '[]';
    let i = 0;
    const dim = (d: number): string => {
      const parts: string[] = [];
      for (let k = 0; k < arr.dims[d]!; k++) parts.push(d === arr.ndim - 1 ? toJsonText(arr.items[i++] ?? null, elem, fmt) : dim(d + 1));
      return '[' + parts.join(',') + ']';
    };
    return dim(0);
  }
  const t = typeByOid(type);
  if (!t) return escapeJsonString(String(v));
  if (isNumberType(type)) {
    const s = t.textOut(v, fmt);
    return /^(-?infinity|nan)$/i.test(s) || s === 'Infinity' || s === '-Infinity' || s === 'NaN' ? escapeJsonString(s) : s;
  }
  if (DATETIME_TYPES.has(type)) return escapeJsonString(jsonDatetime(v, type, fmt));
  return escapeJsonString(t.textOut(v, fmt));
}

/** to_jsonb of a SQL value. */
export function toJsonb(v: Value, type: number, fmt: FormatContext): Jsonb {
  if (v === null) return JsonbValue.null;
  if (type === JB) return v as Jsonb;
  if (type === J) return parseJsonb(v as string);
  if (type === Oid.bool) return JsonbValue.bool(v as boolean);
  const elem = elementTypeOf(type);
  if (elem !== undefined) {
    const arr = v as PgArray<unknown>;
    if (arr.ndim === 0) return JsonbValue.array([]);
    let i = 0;
    const dim = (d: number): Jsonb => {
      const parts: Jsonb[] = [];
      for (let k = 0; k < arr.dims[d]!; k++) parts.push(d === arr.ndim - 1 ? toJsonb(arr.items[i++] ?? null, elem, fmt) : dim(d + 1));
      return JsonbValue.array(parts);
    };
    return dim(0);
  }
  const t = typeByOid(type);
  if (!t) return JsonbValue.string(String(v));
  if (isNumberType(type)) {
    const s = t.textOut(v, fmt);
    if (/^(-?infinity|nan)$/i.test(s) || s === 'Infinity' || s === '-Infinity' || s === 'NaN') return JsonbValue.string(s);
    return JsonbValue.number(type === Oid.numeric ? (v as Numeric) : Numeric.parse(s));
  }
  if (DATETIME_TYPES.has(type)) return JsonbValue.string(jsonDatetime(v, type, fmt));
  return JsonbValue.string(t.textOut(v, fmt));
}

/** The text of an object key built from a SQL value. */
function keyText(v: Value, type: number, fmt: FormatContext, position: number): string {
  if (v === null) throw bad(`argument ${position}: key must not be null`);
  if (type === T || type === Oid.varchar || type === Oid.bpchar || type === Oid.name) return v as string;
  return typeByOid(type)!.textOut(v, fmt);
}

// ---- operators ----

for (const [type, get] of [
  [J, (v: Value, k: string | number): Value => {
    const n = jsonGet(parseJsonSpans(v as string), k);
    return n ? spanText(v as string, n) : null;
  }],
  [JB, (v: Value, k: string | number): Value => jbGet(v as Jsonb, k)],
] as const) {
  fn('->', [type, T], type, ([v, k]) => get(v, k as string));
  fn('->', [type, I], type, ([v, k]) => get(v, k as number));
}
fn('->>', [J, T], T, ([v, k]) => {
  const n = jsonGet(parseJsonSpans(v as string), k as string);
  return n ? spanAsText(v as string, n) : null;
});
fn('->>', [J, I], T, ([v, k]) => {
  const n = jsonGet(parseJsonSpans(v as string), k as number);
  return n ? spanAsText(v as string, n) : null;
});
fn('->>', [JB, T], T, ([v, k]) => {
  const x = jbGet(v as Jsonb, k as string);
  return x ? jsonbText(x) : null;
});
fn('->>', [JB, I], T, ([v, k]) => {
  const x = jbGet(v as Jsonb, k as number);
  return x ? jsonbText(x) : null;
});

function jsonPath(text: string, path: readonly (string | null)[]): JsonNode | null {
  let n: JsonNode | null = parseJsonSpans(text);
  for (const step of path) {
    if (!n) return null;
    const k = pathStep(n, step);
    if (k === null) return null;
    n = jsonGet(n, k);
  }
  return n;
}
function jsonbPath(v: Jsonb, path: readonly (string | null)[]): Jsonb | null {
  let x: Jsonb | null = v;
  for (const step of path) {
    if (!x) return null;
    const k = pathStep(x, step);
    if (k === null) return null;
    x = jbGet(x, k);
  }
  return x;
}
fn('#>', [J, ArrayOid.text], J, ([v, p]) => {
  const n = jsonPath(v as string, pathArray(p));
  return n ? spanText(v as string, n) : null;
});
fn('#>>', [J, ArrayOid.text], T, ([v, p]) => {
  const n = jsonPath(v as string, pathArray(p));
  return n ? spanAsText(v as string, n) : null;
});
fn('#>', [JB, ArrayOid.text], JB, ([v, p]) => jsonbPath(v as Jsonb, pathArray(p)));
fn('#>>', [JB, ArrayOid.text], T, ([v, p]) => {
  const x = jsonbPath(v as Jsonb, pathArray(p));
  return x ? jsonbText(x) : null;
});
fn('json_extract_path', [J, ArrayOid.text], J, ([v, p]) => {
  const n = jsonPath(v as string, pathArray(p));
  return n ? spanText(v as string, n) : null;
});
fn('jsonb_extract_path', [JB, ArrayOid.text], JB, ([v, p]) => jsonbPath(v as Jsonb, pathArray(p)));
fn('jsonb_extract_path_text', [JB, ArrayOid.text], T, ([v, p]) => {
  const x = jsonbPath(v as Jsonb, pathArray(p));
  return x ? jsonbText(x) : null;
});

fn('@>', [JB, JB], Oid.bool, ([a, b]) => contains(a as Jsonb, b as Jsonb));
fn('<@', [JB, JB], Oid.bool, ([a, b]) => contains(b as Jsonb, a as Jsonb));
fn('?', [JB, T], Oid.bool, ([v, k]) => exists(v as Jsonb, k as string));
fn('?|', [JB, ArrayOid.text], Oid.bool, ([v, ks]) => pathArray(ks).some((k) => k !== null && exists(v as Jsonb, k)));
fn('?&', [JB, ArrayOid.text], Oid.bool, ([v, ks]) => pathArray(ks).every((k) => k === null || exists(v as Jsonb, k)));
fn('=', [JB, JB], Oid.bool, ([a, b]) => jsonbEquals(a as Jsonb, b as Jsonb));
fn('<>', [JB, JB], Oid.bool, ([a, b]) => !jsonbEquals(a as Jsonb, b as Jsonb));
fn('<', [JB, JB], Oid.bool, ([a, b]) => compareJsonb(a as Jsonb, b as Jsonb) < 0);
fn('<=', [JB, JB], Oid.bool, ([a, b]) => compareJsonb(a as Jsonb, b as Jsonb) <= 0);
fn('>', [JB, JB], Oid.bool, ([a, b]) => compareJsonb(a as Jsonb, b as Jsonb) > 0);
fn('>=', [JB, JB], Oid.bool, ([a, b]) => compareJsonb(a as Jsonb, b as Jsonb) >= 0);
fn('||', [JB, JB], JB, ([a, b]) => concat(a as Jsonb, b as Jsonb));
fn('-', [JB, T], JB, ([v, k]) => deleteKey(v as Jsonb, k as string));
fn('-', [JB, I], JB, ([v, i]) => deleteIndex(v as Jsonb, i as number));
fn('-', [JB, ArrayOid.text], JB, ([v, ks]) => pathArray(ks).reduce<Jsonb>((acc, k) => (k === null ? acc : deleteKey(acc, k)), v as Jsonb));
fn('#-', [JB, ArrayOid.text], JB, ([v, p]) => setPath(v as Jsonb, pathArray(p), 0, null, 'delete', false));

// ---- editing ----

fn('jsonb_set', [JB, ArrayOid.text, JB], JB, ([v, p, n]) => setPath(v as Jsonb, pathArray(p), 0, n as Jsonb, 'set', true));
fn('jsonb_set', [JB, ArrayOid.text, JB, Oid.bool], JB, ([v, p, n, c]) => setPath(v as Jsonb, pathArray(p), 0, n as Jsonb, 'set', c as boolean));
fn('jsonb_insert', [JB, ArrayOid.text, JB], JB, ([v, p, n]) => setPath(v as Jsonb, pathArray(p), 0, n as Jsonb, 'insert-before', true));
fn('jsonb_insert', [JB, ArrayOid.text, JB, Oid.bool], JB, ([v, p, n, after]) =>
  setPath(v as Jsonb, pathArray(p), 0, n as Jsonb, after ? 'insert-after' : 'insert-before', true),
);
fn('jsonb_strip_nulls', [JB], JB, ([v]) => stripNulls(v as Jsonb));
fn('jsonb_pretty', [JB], T, ([v]) => pretty(v as Jsonb, 0));

// ---- inspection ----

fn('jsonb_typeof', [JB], T, ([v]) => typeofJsonb(v as Jsonb));
fn('json_typeof', [J], T, ([v]) => {
  const n = parseJsonSpans(v as string);
  return n.kind === 'bool' ? 'boolean' : n.kind;
});
fn('jsonb_array_length', [JB], I, ([v]) => {
  const x = v as Jsonb;
  if (x.kind === 'array') return x.items.length;
  throw bad(x.kind === 'object' ? 'cannot get array length of a non-array' : 'cannot get array length of a scalar');
});
fn('json_array_length', [J], I, ([v]) => {
  const n = parseJsonSpans(v as string);
  if (n.kind === 'array') return n.items.length;
  throw bad(n.kind === 'object' ? 'cannot get array length of a non-array' : 'cannot get array length of a scalar');
});

// ---- set-returning ----

const eachColumns = (valueType: number): { name: string; type: number }[] => [
  { name: 'key', type: T },
  { name: 'value', type: valueType },
];
function jsonbObject(v: Jsonb, fnName: string): readonly (readonly [string, Jsonb])[] {
  if (v.kind !== 'object') throw bad(`cannot call ${fnName} on a non-object`);
  return v.entries;
}
function jsonObject(text: string, fnName: string): { node: JsonNode & { kind: 'object' } } {
  const n = parseJsonSpans(text);
  if (n.kind !== 'object') throw bad(`cannot call ${fnName} on a non-object`);
  return { node: n };
}
fn('jsonb_each', [JB], 2249, ([v]) => jsonbObject(v as Jsonb, 'jsonb_each').map(([k, x]) => [k, x]), { returnsSet: true, setColumns: eachColumns(JB) });
fn('jsonb_each_text', [JB], 2249, ([v]) => jsonbObject(v as Jsonb, 'jsonb_each_text').map(([k, x]) => [k, jsonbText(x)]), {
  returnsSet: true,
  setColumns: eachColumns(T),
});
fn('json_each', [J], 2249, ([v]) => jsonObject(v as string, 'json_each').node.entries.map(([k, n]) => [k, spanText(v as string, n)]), {
  returnsSet: true,
  setColumns: eachColumns(J),
});
fn('json_each_text', [J], 2249, ([v]) => jsonObject(v as string, 'json_each_text').node.entries.map(([k, n]) => [k, spanAsText(v as string, n)]), {
  returnsSet: true,
  setColumns: eachColumns(T),
});
fn('jsonb_object_keys', [JB], T, ([v]) => {
  const x = v as Jsonb;
  if (x.kind !== 'object') throw bad(`cannot call jsonb_object_keys on ${x.kind === 'array' ? 'an array' : 'a scalar'}`);
  return x.entries.map(([k]) => k);
}, { returnsSet: true });
fn('json_object_keys', [J], T, ([v]) => {
  const n = parseJsonSpans(v as string);
  if (n.kind !== 'object') throw bad(`cannot call json_object_keys on ${n.kind === 'array' ? 'an array' : 'a scalar'}`);
  return n.entries.map(([k]) => k);
}, { returnsSet: true });
function jsonbElements(v: Jsonb): readonly Jsonb[] {
  if (v.kind === 'array') return v.items;
  throw bad(v.kind === 'object' ? 'cannot extract elements from an object' : 'cannot extract elements from a scalar');
}
function jsonElements(text: string): readonly JsonNode[] {
  const n = parseJsonSpans(text);
  if (n.kind === 'array') return n.items;
  throw bad(n.kind === 'object' ? 'cannot extract elements from an object' : 'cannot extract elements from a scalar');
}
fn('jsonb_array_elements', [JB], JB, ([v]) => jsonbElements(v as Jsonb), { returnsSet: true });
fn('jsonb_array_elements_text', [JB], T, ([v]) => jsonbElements(v as Jsonb).map(jsonbText), { returnsSet: true });
fn('json_array_elements', [J], J, ([v]) => jsonElements(v as string).map((n) => spanText(v as string, n)), { returnsSet: true });
fn('json_array_elements_text', [J], T, ([v]) => jsonElements(v as string).map((n) => spanAsText(v as string, n)), { returnsSet: true });

// ---- constructors ----

polyFn('to_json', [PolyOid.anyelement], J, ([t]) => ([v], ctx) => toJsonText(v, t!, ctx.format), { volatility: 'stable' });
polyFn('to_jsonb', [PolyOid.anyelement], JB, ([t]) => ([v], ctx) => toJsonb(v, t!, ctx.format), { volatility: 'stable' });

/** Variadic "any" arguments keep their types; untyped literals stay unknown (text-like), untyped parameters are refused by the binder. */
const anyArgs = (actual: readonly number[]): readonly number[] => actual;
function pairs(types: readonly number[]): { argTypes: readonly number[]; returnType: number } {
  return { argTypes: anyArgs(types), returnType: 0 };
}
function checkEven(n: number, name: string): void {
  if (n % 2 !== 0) {
    throw new DbError(SqlState.InvalidParameterValue, 'argument list must have even number of elements', {
      hint: `The arguments of ${name}() must consist of alternating keys and values.`,
    });
  }
}
variadicFn('json_build_object', (a) => ({ ...pairs(a), returnType: J }), (types) => (args, ctx) => {
  checkEven(args.length, 'json_build_object');
  const parts: string[] = [];
  for (let i = 0; i < args.length; i += 2) {
    parts.push(escapeJsonString(keyText(args[i], types[i]!, ctx.format, i + 1)) + ' : ' + toJsonText(args[i + 1], types[i + 1]!, ctx.format));
  }
  return '{' + parts.join(', ') + '}';
}, { strict: false, volatility: 'stable' });
variadicFn('jsonb_build_object', (a) => ({ ...pairs(a), returnType: JB }), (types) => (args, ctx) => {
  checkEven(args.length, 'jsonb_build_object');
  const entries: [string, Jsonb][] = [];
  for (let i = 0; i < args.length; i += 2) entries.push([keyText(args[i], types[i]!, ctx.format, i + 1), toJsonb(args[i + 1], types[i + 1]!, ctx.format)]);
  return JsonbValue.object(entries);
}, { strict: false, volatility: 'stable' });
variadicFn('json_build_array', (a) => ({ argTypes: anyArgs(a), returnType: J }), (types) => (args, ctx) => '[' + args.map((v, i) => toJsonText(v, types[i]!, ctx.format)).join(', ') + ']', {
  strict: false,
  volatility: 'stable',
});
variadicFn('jsonb_build_array', (a) => ({ argTypes: anyArgs(a), returnType: JB }), (types) => (args, ctx) => JsonbValue.array(args.map((v, i) => toJsonb(v, types[i]!, ctx.format))), {
  strict: false,
  volatility: 'stable',
});
fn('jsonb_object', [ArrayOid.text], JB, ([a]) => {
  const items = pathArray(a);
  if (items.length % 2 !== 0) throw new DbError(SqlState.ArraySubscriptError, 'array must have even number of elements');
  const entries: [string, Jsonb][] = [];
  for (let i = 0; i < items.length; i += 2) {
    if (items[i] === null) throw new DbError(SqlState.NullValueNotAllowed, 'null value not allowed for object key');
    entries.push([items[i]!, items[i + 1] === null ? JsonbValue.null : JsonbValue.string(items[i + 1]!)]);
  }
  return JsonbValue.object(entries);
});
