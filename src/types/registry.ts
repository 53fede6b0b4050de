/**
 * types/: the type catalog: every built-in PgType by OID and by name (pg_type names and SQL
 * spellings), the array type of each element type, and type-name resolution with typmods as
 * the parser hands them over (typmodin rules and their errors).
 */
import { DbError, SqlState } from '../errors/index.ts';
import { PgArray, arrayBinaryIn, arrayBinaryOut, arrayTextIn, arrayTextOut } from './array.ts';
import { INTERVAL_FULL_PRECISION, INTERVAL_FULL_RANGE, INTERVAL_MASK, encodeIntervalTypmod } from './interval.ts';
import { bitType, bitTypmodIn, varbitType } from './bit.ts';
import { halfvecType } from './halfvec.ts';
import { encodeNumericTypmod } from './numeric.ts';
import { moneyType } from './money.ts';
import { timetzType } from './timetz.ts';
import type { PgType } from './pg-type.ts';
import { dateType, intervalType, timeType, timestampType, timestamptzType } from './types-datetime.ts';
import { boolType, float4Type, float8Type, int2Type, int4Type, int8Type, numericType, oidType } from './types-numeric.ts';
import {
  MAX_CHAR_LENGTH, bpcharType, byteaType, charType, jsonType, jsonbType, nameType, recordType, textType, unknownType, uuidType, varcharType, voidType,
} from './types-text.ts';
import { SPARSEVEC_MAX_DIM, sparsevecType } from './sparsevec.ts';
import { catalogTypes } from './reg-types.ts';
import { vectorType, vectorTypmodIn } from './vector.ts';

/** Builds the PgType of `elem[]` (array_in/out/recv/send over the element type). */
export function makeArrayType<T>(elem: PgType<T>, arrayOid: number): PgType<PgArray<T>> {
  return {
    oid: arrayOid,
    name: `_${elem.name}`,
    displayName: `${elem.displayName}[]`,
    typlen: -1,
    category: 'A',
    arrayOid: 0,
    elemOid: elem.oid,
    textIn: (text, typmod, ctx) => arrayTextIn(text, elem, typmod, ctx),
    textOut: (v, ctx) => arrayTextOut(v, elem, ctx),
    binaryIn: (buf, typmod, ctx) => arrayBinaryIn(buf, elem, typmod, ctx, (oid) => byOid.get(oid)?.displayName),
    binaryOut: (v, ctx) => arrayBinaryOut(v, elem, ctx),
    applyTypmod(v, typmod, explicit) {
      const apply = elem.applyTypmod;
      if (!apply || typmod < 0) return v;
      return new PgArray(v.items.map((x) => (x === null ? null : apply(x, typmod, explicit))), v.dims, v.lbounds);
    },
    formatTypmod: (typmod) => `${elem.formatTypmod && typmod >= 0 ? elem.formatTypmod(typmod) : elem.displayName}[]`,
  };
}

/** Every scalar type object, in OID order. */
export const scalarTypes: readonly PgType<any>[] = [
  boolType, byteaType, charType, nameType, int8Type, int2Type, int4Type, textType, oidType, jsonType, float4Type, float8Type,
  unknownType, moneyType, bpcharType, varcharType, dateType, timeType, timestampType, timestamptzType, intervalType, timetzType, bitType, varbitType, numericType,
  uuidType, voidType, recordType, jsonbType,
];

/** pgvector's types, with OIDs Tessera fixes (PostgreSQL assigns them at CREATE EXTENSION). */
export const vectorTypes: readonly PgType<any>[] = [vectorType, halfvecType, sparsevecType];

const byOid = new Map<number, PgType<any>>();
const byTypname = new Map<string, PgType<any>>();
for (const t of [...scalarTypes, ...vectorTypes, ...catalogTypes]) {
  byOid.set(t.oid, t);
  byTypname.set(t.name, t);
  if (t.arrayOid !== 0) {
    const made = makeArrayType(t, t.arrayOid);
    // record[] is a pseudo-type in pg_type (category P)
    const arr = t.category === 'P' ? { ...made, category: 'P' as const } : made;
    byOid.set(arr.oid, arr);
    byTypname.set(arr.name, arr);
  }
}

/** Every type (arrays included) in OID order, for pg_type. */
export function allTypes(): PgType<any>[] {
  return [...byOid.values()].sort((a, b) => a.oid - b.oid);
}

/** The type with this OID, or undefined. */
export function typeByOid(oid: number): PgType<any> | undefined {
  return byOid.get(oid);
}

/** The array type whose elements have `elemOid`, or undefined. */
export function arrayTypeOf(elemOid: number): PgType<PgArray<any>> | undefined {
  const elem = byOid.get(elemOid);
  return elem && elem.arrayOid !== 0 ? (byOid.get(elem.arrayOid) as PgType<PgArray<any>>) : undefined;
}

/** SQL spellings that are not pg_type names (what gram.y's SystemTypeName rewrites). */
const SQL_ALIASES: Record<string, string> = {
  integer: 'int4', int: 'int4', smallint: 'int2', bigint: 'int8', real: 'float4', 'double precision': 'float8', float: 'float8',
  decimal: 'numeric', dec: 'numeric', boolean: 'bool', 'character varying': 'varchar', 'char varying': 'varchar', character: 'bpchar',
  char: 'bpchar', '"char"': 'char', 'timestamp without time zone': 'timestamp', 'timestamp with time zone': 'timestamptz',
  'time without time zone': 'time', 'time with time zone': 'timetz', 'bit varying': 'varbit',
};

/**
 * A type by name: pg_type names (int4, _text, timestamptz, "char" quoted), SQL spellings
 * (integer, double precision, character varying, timestamp with time zone…), an optional
 * pg_catalog. prefix, and trailing [] for arrays. Case and extra spaces are ignored.
 */
export function typeByName(name: string): PgType<any> | undefined {
  let n = name.trim().replace(/\s+/g, ' ').toLowerCase().replace(/^pg_catalog\./, '');
  let arrayDims = 0;
  while (/\s*\[\s*\d*\s*\]$/.test(n)) {
    n = n.replace(/\s*\[\s*\d*\s*\]$/, '');
    arrayDims++;
  }
  const base = byTypname.get(SQL_ALIASES[n] ?? n);
  if (!base) return undefined;
  return arrayDims > 0 ? (base.category === 'A' ? base : arrayTypeOf(base.oid)) : base;
}

/** float(p): real for p <= 24, double precision for p <= 53 (gram.y's rule and errors). */
export function floatTypeForPrecision(precision: number): PgType<number> {
  if (precision < 1) throw new DbError(SqlState.InvalidParameterValue, 'precision for type float must be at least 1 bit');
  if (precision <= 24) return float4Type;
  if (precision <= 53) return float8Type;
  throw new DbError(SqlState.InvalidParameterValue, 'precision for type float must be less than 54 bits');
}

/** The typmod a type's typmodin function computes from the modifier list. */
export function computeTypmod(type: PgType<any>, mods: readonly number[], displayName = type.name): number {
  if (mods.length === 0) return -1;
  const elem = type.category === 'A' ? byOid.get(type.elemOid)! : type;
  const invalid = (what?: string): DbError => new DbError(SqlState.InvalidParameterValue, what ? `invalid ${what} type modifier` : 'invalid type modifier');
  switch (elem.name) {
    case 'varchar':
    case 'bpchar': {
      if (mods.length !== 1) throw invalid();
      const n = mods[0]!;
      const label = elem.name === 'varchar' ? 'varchar' : 'char';
      if (n < 1) throw new DbError(SqlState.InvalidParameterValue, `length for type ${label} must be at least 1`);
      if (n > MAX_CHAR_LENGTH) throw new DbError(SqlState.InvalidParameterValue, `length for type ${label} cannot exceed ${MAX_CHAR_LENGTH}`);
      return n + 4;
    }
    case 'numeric':
      if (mods.length > 2) throw invalid('NUMERIC');
      return encodeNumericTypmod(mods[0]!, mods[1] ?? 0);
    case 'time':
    case 'timetz':
    case 'timestamp':
    case 'timestamptz': {
      if (mods.length !== 1) throw invalid();
      const p = mods[0]!;
      const label = elem.name === 'time' || elem.name === 'timetz' ? 'TIME' : 'TIMESTAMP';
      const withTz = elem.name === 'timestamptz' || elem.name === 'timetz' ? ' WITH TIME ZONE' : '';
      if (p < 0) throw new DbError(SqlState.InvalidParameterValue, `${label}(${p})${withTz} precision must not be negative`);
      return Math.min(p, 6);
    }
    case 'interval': {
      const range = mods[0]!;
      const valid = new Set<number>([
        INTERVAL_MASK.YEAR, INTERVAL_MASK.MONTH, INTERVAL_MASK.DAY, INTERVAL_MASK.HOUR, INTERVAL_MASK.MINUTE, INTERVAL_MASK.SECOND,
        INTERVAL_MASK.YEAR | INTERVAL_MASK.MONTH, INTERVAL_MASK.DAY | INTERVAL_MASK.HOUR,
        INTERVAL_MASK.DAY | INTERVAL_MASK.HOUR | INTERVAL_MASK.MINUTE,
        INTERVAL_MASK.DAY | INTERVAL_MASK.HOUR | INTERVAL_MASK.MINUTE | INTERVAL_MASK.SECOND,
        INTERVAL_MASK.HOUR | INTERVAL_MASK.MINUTE, INTERVAL_MASK.HOUR | INTERVAL_MASK.MINUTE | INTERVAL_MASK.SECOND,
        INTERVAL_MASK.MINUTE | INTERVAL_MASK.SECOND, INTERVAL_FULL_RANGE,
      ]);
      if (!valid.has(range) || mods.length > 2) throw invalid('INTERVAL');
      if (mods.length === 1) return range !== INTERVAL_FULL_RANGE ? encodeIntervalTypmod(range, INTERVAL_FULL_PRECISION) : -1;
      const p = mods[1]!;
      if (p < 0) throw new DbError(SqlState.InvalidParameterValue, `INTERVAL(${p}) precision must not be negative`);
      return encodeIntervalTypmod(range, Math.min(p, 6));
    }
    case 'bit':
    case 'varbit':
      return bitTypmodIn(elem.name, mods);
    case 'vector':
    case 'halfvec':
      return vectorTypmodIn(elem.name, mods);
    case 'sparsevec':
      return vectorTypmodIn('sparsevec', mods, SPARSEVEC_MAX_DIM);
    default:
      throw new DbError(SqlState.SyntaxError, `type modifier is not allowed for type "${displayName}"`);
  }
}

/** A resolved type name. `type` repeats `oid` for callers that name it so. */
export interface ResolvedTypeName {
  readonly oid: number;
  readonly type: number;
  readonly typmod: number;
}

/**
 * Resolves a parser TypeName (names as libpg-query gives them, e.g. ["pg_catalog","int4"],
 * integer typmod arguments, number of array bounds) to { oid, typmod }, applying the type's
 * typmodin rules. Unqualified names are pg_type names, as in PostgreSQL (SQL keywords such as
 * INTEGER arrive already rewritten). Returns undefined when no such type exists.
 */
export function resolveTypeName(names: readonly string[], typmods: readonly number[] = [], arrayDims = 0): ResolvedTypeName | undefined {
  let parts = names;
  if (parts.length === 2 && parts[0] === 'pg_catalog') parts = parts.slice(1);
  if (parts.length !== 1) return undefined;
  const base = byTypname.get(parts[0]!);
  if (!base) return undefined;
  const typmod = computeTypmod(base, typmods, names.join('.'));
  if (arrayDims > 0 && base.category !== 'A') {
    const arr = arrayTypeOf(base.oid);
    if (!arr) return undefined;
    return { oid: arr.oid, type: arr.oid, typmod };
  }
  return { oid: base.oid, type: base.oid, typmod };
}

const INTERVAL_FIELDS: Record<string, number> = {
  year: INTERVAL_MASK.YEAR, month: INTERVAL_MASK.MONTH, day: INTERVAL_MASK.DAY, hour: INTERVAL_MASK.HOUR,
  minute: INTERVAL_MASK.MINUTE, second: INTERVAL_MASK.SECOND,
  'year to month': INTERVAL_MASK.YEAR | INTERVAL_MASK.MONTH,
  'day to hour': INTERVAL_MASK.DAY | INTERVAL_MASK.HOUR,
  'day to minute': INTERVAL_MASK.DAY | INTERVAL_MASK.HOUR | INTERVAL_MASK.MINUTE,
  'day to second': INTERVAL_MASK.DAY | INTERVAL_MASK.HOUR | INTERVAL_MASK.MINUTE | INTERVAL_MASK.SECOND,
  'hour to minute': INTERVAL_MASK.HOUR | INTERVAL_MASK.MINUTE,
  'hour to second': INTERVAL_MASK.HOUR | INTERVAL_MASK.MINUTE | INTERVAL_MASK.SECOND,
  'minute to second': INTERVAL_MASK.MINUTE | INTERVAL_MASK.SECOND,
};

/**
 * Parses a SQL type spelling with modifiers, e.g. "varchar(10)", "numeric(10,2)", "char",
 * "float(24)", "timestamp(3) with time zone", "interval day to second(3)", "text[]".
 * Bare char/character means character(1), as in SQL. Returns undefined for unknown names.
 */
export function parseTypeName(sql: string): ResolvedTypeName | undefined {
  let s = sql.trim().replace(/\s+/g, ' ').toLowerCase().replace(/^pg_catalog\./, '');
  let arrayDims = 0;
  while (/\s*\[\s*\d*\s*\]$/.test(s)) {
    s = s.replace(/\s*\[\s*\d*\s*\]$/, '');
    arrayDims++;
  }
  const wrap = (oid: number, typmod: number): ResolvedTypeName | undefined => {
    if (arrayDims === 0) return { oid, type: oid, typmod };
    const arr = arrayTypeOf(oid);
    return arr ? { oid: arr.oid, type: arr.oid, typmod } : undefined;
  };
  const interval = /^interval(?: ?\( ?(\d+) ?\))?(?: (year|month|day|hour|minute|second|year to month|day to hour|day to minute|day to second|hour to minute|hour to second|minute to second))?(?: ?\( ?(\d+) ?\))?$/.exec(s);
  if (interval) {
    const range = interval[2] ? INTERVAL_FIELDS[interval[2]]! : INTERVAL_FULL_RANGE;
    const precision = interval[1] ?? interval[3];
    const mods = precision !== undefined ? [range, Number(precision)] : interval[2] ? [range] : [];
    return wrap(intervalType.oid, computeTypmod(intervalType, mods));
  }
  const ts = /^(timestamp|time)(?: ?\( ?(\d+) ?\))?(?: (with|without) time zone)?$/.exec(s);
  if (ts) {
    const type = ts[1] === 'time' ? (ts[3] === 'with' ? timetzType : timeType) : ts[3] === 'with' ? timestamptzType : timestampType;
    return wrap(type.oid, computeTypmod(type, ts[2] !== undefined ? [Number(ts[2])] : []));
  }
  const m = /^([a-z_"][a-z0-9_ "]*?)(?: ?\(([^)]*)\))?$/.exec(s);
  if (!m) return undefined;
  const name = m[1]!.trim();
  const mods = m[2] !== undefined ? m[2].split(',').map((x) => Number(x.trim())) : [];
  if (mods.some((x) => !Number.isInteger(x))) return undefined;
  if (name === 'float') return wrap(mods.length > 0 ? floatTypeForPrecision(mods[0]!).oid : float8Type.oid, -1);
  const type = typeByName(name);
  if (!type) return undefined;
  // Bare CHAR means char(1) and bare BIT means bit(1), as gram.y rewrites them.
  const isChar = name === 'char' || name === 'character' || name === 'bit';
  const typmod = computeTypmod(type, mods.length === 0 && isChar ? [1] : mods, name);
  return wrap(type.oid, typmod);
}

/**
 * format_type(oid, typmod): "integer", "character varying(10)", "numeric(10,2)", "text[]".
 * With no typmod argument (SQL NULL) bpchar prints as "character"; with -1 as "bpchar".
 */
export function formatType(oid: number, typmod?: number): string | undefined {
  const t = byOid.get(oid);
  if (!t) return undefined;
  if (typmod !== undefined && t.formatTypmod) return t.formatTypmod(typmod);
  return t.displayName;
}
