/**
 * Casts between types (pg_cast): which exist and in which context (implicit, assignment,
 * explicit), and how a value is converted. Numeric casts check ranges like PostgreSQL
 * (float → int rounds half to even, numeric → int half away from zero); casts to and from
 * the string types are I/O conversions through the types' text formats.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { Oid, Numeric, OID_ALIAS_TYPES, PgArray, checkMoney, findVectorCast, moneyToNumeric, numericToMoney, typeByOid, type FormatContext } from '../types/index.ts';
import type { Value } from './value.ts';

export type CastContext = 'implicit' | 'assignment' | 'explicit';

const STRING_TYPES = new Set<number>([Oid.text, Oid.varchar, Oid.bpchar, Oid.name, Oid.unknown]);
const NUMERIC_RANK: Record<number, number> = {
  [Oid.int2]: 1,
  [Oid.int4]: 2,
  [Oid.int8]: 3,
  [Oid.numeric]: 4,
  [Oid.float4]: 5,
  [Oid.float8]: 6,
};

export function isStringType(oid: number): boolean {
  return STRING_TYPES.has(oid);
}

export function isNumericType(oid: number): boolean {
  return NUMERIC_RANK[oid] !== undefined;
}

/** The context in which a cast from → to is allowed, or null if there is no cast. */
export function castContext(from: number, to: number): CastContext | null {
  if (from === to) return 'implicit';
  const vectorCast = findVectorCast(from, to);
  if (vectorCast) return vectorCast.context;
  if (from === Oid.unknown) return 'implicit';
  // Arrays convert element by element, in the element cast's context (array_coerce).
  const fromElem = arrayElement(from);
  const toElem = arrayElement(to);
  if (fromElem !== undefined && toElem !== undefined) return castContext(fromElem, toElem);
  const rf = NUMERIC_RANK[from];
  const rt = NUMERIC_RANK[to];
  if (rf !== undefined && rt !== undefined) return rf < rt ? 'implicit' : 'assignment';
  if (isStringType(from) && isStringType(to)) {
    // text/varchar/bpchar/name convert implicitly among themselves (bpchar → text drops padding).
    return 'implicit';
  }
  // "char" (pg_class.relkind...): to text implicitly (so `relkind ~ 'r|p'` works), from text by assignment.
  if (from === Oid.char && to === Oid.text) return 'implicit';
  if (from === Oid.text && to === Oid.char) return 'assignment';
  if (from === Oid.date && (to === Oid.timestamp || to === Oid.timestamptz)) return 'implicit';
  if (from === Oid.timestamp && to === Oid.timestamptz) return 'implicit';
  if (from === Oid.timestamptz && (to === Oid.timestamp || to === Oid.date)) return 'assignment';
  if (from === Oid.timestamp && to === Oid.date) return 'assignment';
  // timetz: from time implicitly (the session zone's offset today), to time and from timestamptz by assignment (through text).
  if (from === Oid.time && to === Oid.timetz) return 'implicit';
  if (from === Oid.timetz && to === Oid.time) return 'assignment';
  if (from === Oid.timestamptz && to === Oid.timetz) return 'assignment';
  if ((from === Oid.int4 && to === Oid.bool) || (from === Oid.bool && to === Oid.int4)) return 'explicit';
  if ((from === Oid.int4 || from === Oid.int8 || from === Oid.int2) && to === Oid.oid) return 'implicit';
  if (from === Oid.oid && (to === Oid.int4 || to === Oid.int8)) return to === Oid.int8 ? 'implicit' : 'assignment';
  // oid and its aliases (regclass, regtype, ...) are binary-coercible both ways; integers convert implicitly.
  if (OID_ALIAS_TYPES.has(from) && OID_ALIAS_TYPES.has(to)) return 'implicit';
  if ((from === Oid.int4 || from === Oid.int8 || from === Oid.int2) && OID_ALIAS_TYPES.has(to)) return 'implicit';
  if (OID_ALIAS_TYPES.has(from) && (to === Oid.int4 || to === Oid.int8)) return to === Oid.int8 ? 'implicit' : 'assignment';
  if ((from === Oid.int2vector && to === Oid.int2) || (from === Oid.oidvector && to === Oid.oid)) return null;
  if (from === Oid.int2vector && to === 1005 /* _int2 */) return 'implicit';
  if (from === Oid.oidvector && to === 1028 /* _oid */) return 'implicit';
  if (from === Oid.pg_node_tree && to === Oid.text) return 'implicit';
  // money: from numeric and integers by assignment (numeric_cash, int4_cash, int8_cash), to numeric by assignment.
  if (to === Oid.money && (from === Oid.numeric || from === Oid.int4 || from === Oid.int8)) return 'assignment';
  if (from === Oid.money && to === Oid.numeric) return 'assignment';
  if (from === Oid.money || to === Oid.money) return isStringType(from) ? 'explicit' : isStringType(to) ? 'assignment' : null;
  if (from === Oid.json && to === Oid.jsonb) return 'explicit';
  if (from === Oid.jsonb && to === Oid.json) return 'explicit';
  // I/O conversion casts: anything to a string type is assignment, from a string type explicit.
  if (isStringType(to)) return 'assignment';
  if (isStringType(from)) return 'explicit';
  return null;
}

/** The element type of an array type, or undefined. */
function arrayElement(oid: number): number | undefined {
  const t = typeByOid(oid);
  return t && t.category === 'A' && t.elemOid !== 0 ? t.elemOid : undefined;
}

export function canCast(from: number, to: number, ctx: CastContext): boolean {
  const c = castContext(from, to);
  if (c === null) return false;
  if (ctx === 'explicit') return true;
  if (ctx === 'assignment') return c !== 'explicit';
  return c === 'implicit';
}

function typeDisplay(oid: number): string {
  return typeByOid(oid)?.displayName ?? String(oid);
}

export function cannotCast(from: number, to: number): DbError {
  return new DbError(SqlState.CannotCoerce, `cannot cast type ${typeDisplay(from)} to ${typeDisplay(to)}`);
}

const RANGE_MESSAGES: Record<number, string> = {
  [Oid.int2]: 'smallint out of range',
  [Oid.int4]: 'integer out of range',
  [Oid.int8]: 'bigint out of range',
  [Oid.oid]: 'OID out of range',
};
const INT_RANGE: Record<number, [number, number]> = {
  [Oid.int2]: [-32768, 32767],
  [Oid.int4]: [-2147483648, 2147483647],
  [Oid.oid]: [0, 4294967295],
};

function toIntFromNumber(v: number, to: number): Value {
  if (Number.isNaN(v) || !Number.isFinite(v)) throw new DbError(SqlState.NumericValueOutOfRange, RANGE_MESSAGES[to]!);
  // rint(): round half to even, as float8 → int casts do.
  let r = Math.round(v);
  if (Math.abs(v % 1) === 0.5 && r % 2 !== 0) r -= 1;
  if (to === Oid.int8) {
    if (r < -9223372036854775808 || r >= 9223372036854775808) throw new DbError(SqlState.NumericValueOutOfRange, RANGE_MESSAGES[to]!);
    return BigInt(r);
  }
  const [lo, hi] = INT_RANGE[to]!;
  if (r < lo || r > hi) throw new DbError(SqlState.NumericValueOutOfRange, RANGE_MESSAGES[to]!);
  return r || 0;
}

function toIntFromBigint(v: bigint, to: number): Value {
  if (to === Oid.int8) return v;
  const [lo, hi] = INT_RANGE[to]!;
  if (v < BigInt(lo) || v > BigInt(hi)) throw new DbError(SqlState.NumericValueOutOfRange, RANGE_MESSAGES[to]!);
  return Number(v);
}

function numericCast(v: Value, from: number, to: number): Value {
  if (to === Oid.numeric) {
    if (from === Oid.int8) return Numeric.fromBigInt(v as bigint);
    return Numeric.fromNumber(v as number);
  }
  if (to === Oid.float8 || to === Oid.float4) {
    const n = from === Oid.int8 ? Number(v as bigint) : from === Oid.numeric ? (v as Numeric).toNumber() : (v as number);
    if (to === Oid.float4) {
      const f = Math.fround(n);
      if (!Number.isFinite(f) && Number.isFinite(n)) throw new DbError(SqlState.NumericValueOutOfRange, 'value out of range: overflow');
      return f;
    }
    return n;
  }
  // to an integer type
  if (from === Oid.int8) return toIntFromBigint(v as bigint, to);
  if (from === Oid.numeric) {
    const n = v as Numeric;
    if (to === Oid.int8) return n.toBigInt('bigint');
    if (to === Oid.oid) return toIntFromBigint(n.toBigInt('bigint'), to);
    return n.toInt(to === Oid.int2 ? 'smallint' : 'integer');
  }
  if (from === Oid.float4 || from === Oid.float8) return toIntFromNumber(v as number, to);
  return to === Oid.int8 ? BigInt(v as number) : toIntFromBigint(BigInt(v as number), to);
}

/**
 * Converts a non-null value between types. `typmod` (-1 for none) is applied to the
 * result; `explicit` selects explicit-cast typmod behaviour (truncation for varchar).
 */
export function castValue(v: Value, from: number, to: number, typmod: number, explicit: boolean, fmt: FormatContext): Value {
  const target = typeByOid(to);
  if (!target) throw cannotCast(from, to);
  let out: Value;
  const vectorCast = from === to ? undefined : findVectorCast(from, to);
  if (vectorCast) return vectorCast.convert(v, typmod);
  const fromElem = from === to ? undefined : arrayElement(from);
  const toElem = fromElem === undefined ? undefined : arrayElement(to);
  if (fromElem !== undefined && toElem !== undefined) {
    const a = v as PgArray<unknown>;
    return new PgArray(a.items.map((x) => (x === null ? null : castValue(x, fromElem, toElem, typmod, explicit, fmt))), a.dims, a.lbounds);
  }
  if (from === to) out = v;
  else if (OID_ALIAS_TYPES.has(from) && OID_ALIAS_TYPES.has(to)) out = v;
  else if (OID_ALIAS_TYPES.has(to) && (from === Oid.int2 || from === Oid.int4)) out = toIntFromNumber(v as number, Oid.oid);
  else if (OID_ALIAS_TYPES.has(to) && from === Oid.int8) out = toIntFromNumber(Number(v as bigint), Oid.oid);
  else if (OID_ALIAS_TYPES.has(from) && to === Oid.int8) out = BigInt(v as number);
  else if (OID_ALIAS_TYPES.has(from) && to === Oid.int4) out = (v as number) | 0;
  else if ((from === Oid.int2vector || from === Oid.oidvector) && typeByOid(to)?.category === 'A') out = v;
  else if (to === Oid.money && from === Oid.numeric) out = numericToMoney(v as Numeric);
  else if (to === Oid.money && from === Oid.int4) out = BigInt(v as number) * 100n;
  else if (to === Oid.money && from === Oid.int8) out = checkMoney((v as bigint) * 100n);
  else if (from === Oid.money && to === Oid.numeric) out = moneyToNumeric(v as bigint);
  else if (isNumericType(from) && isNumericType(to)) out = numericCast(v, from, to);
  else if (from === Oid.bool && to === Oid.int4) out = v ? 1 : 0;
  else if (from === Oid.int4 && to === Oid.bool) out = v !== 0;
  else if ((from === Oid.int2 || from === Oid.int4) && to === Oid.oid) out = toIntFromNumber(v as number, Oid.oid);
  else if (from === Oid.int8 && to === Oid.oid) out = toIntFromNumber(Number(v as bigint), Oid.oid);
  else if (from === Oid.oid && to === Oid.int8) out = BigInt(v as number);
  else if (from === Oid.oid && to === Oid.int4) out = (v as number) | 0;
  else if (isStringType(from) && isStringType(to)) out = from === Oid.bpchar ? (v as string).replace(/ +$/, '') : v;
  else if (isStringType(from)) out = target.textIn(v as string, typmod, fmt);
  else if (from === Oid.bool && isStringType(to)) out = v ? 'true' : 'false'; // booltext(), unlike boolout's t/f
  else if (isStringType(to)) {
    const source = typeByOid(from);
    if (!source) throw cannotCast(from, to);
    out = source.textOut(v, fmt);
  } else {
    // Remaining built-in casts (date/time, json) go through the text form, which is exact for them.
    const source = typeByOid(from);
    if (!source || castContext(from, to) === null) throw cannotCast(from, to);
    out = target.textIn(source.textOut(v, fmt), -1, fmt);
  }
  if (typmod >= 0 && target.applyTypmod) out = target.applyTypmod(out, typmod, explicit);
  return out;
}
