/**
 * types/: the PgType objects of bool, int2, int4, int8, oid, float4, float8 and numeric:
 * boolin/int*in/oidin/float*in/numeric_in and their out/send/recv counterparts.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { formatFloat4, formatFloat8, parseFloat4, parseFloat8 } from './float-format.ts';
import { Numeric, decodeNumericTypmod } from './numeric.ts';
import { ArrayOid, Oid } from './oids.ts';
import type { PgType } from './pg-type.ts';
import { BinaryReader, BinaryWriter } from './wire.ts';

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

function readAll<V>(buf: Uint8Array, read: (r: BinaryReader) => V): V {
  const r = new BinaryReader(buf);
  const v = read(r);
  r.end();
  return v;
}

/** parse_bool_with_len: prefixes of true/false/yes/no, on/off (at least two letters), 1/0. */
export function parseBoolText(value: string): boolean | undefined {
  const len = value.length;
  if (len === 0) return undefined;
  const v = value.toLowerCase();
  const prefixOf = (word: string, minLen = 1): boolean => len >= minLen && len <= word.length && word.startsWith(v);
  switch (v[0]) {
    case 't': return prefixOf('true') ? true : undefined;
    case 'f': return prefixOf('false') ? false : undefined;
    case 'y': return prefixOf('yes') ? true : undefined;
    case 'n': return prefixOf('no') ? false : undefined;
    case 'o':
      if (prefixOf('on', 2)) return true;
      if (prefixOf('off', 2)) return false;
      return undefined;
    case '1': return len === 1 ? true : undefined;
    case '0': return len === 1 ? false : undefined;
    default: return undefined;
  }
}

export const boolType: PgType<boolean> = {
  oid: Oid.bool, name: 'bool', displayName: 'boolean', typlen: 1, category: 'B', arrayOid: ArrayOid.bool, elemOid: 0,
  textIn(text) {
    let a = 0;
    let b = text.length;
    while (a < b && isSpace(text[a])) a++;
    while (b > a && isSpace(text[b - 1])) b--;
    const v = parseBoolText(text.slice(a, b));
    if (v === undefined) throw new DbError(SqlState.InvalidTextRepresentation, `invalid input syntax for type boolean: "${text}"`);
    return v;
  },
  textOut: (v) => (v ? 't' : 'f'),
  binaryIn: (buf) => readAll(buf, (r) => r.uint8() !== 0),
  binaryOut: (v) => Uint8Array.of(v ? 1 : 0),
};

/** pg_strtoint16/32/64: whitespace, sign, digits; range errors win over trailing garbage. */
function parseInteger(text: string, typeName: string, min: bigint, max: bigint): bigint {
  let i = 0;
  while (i < text.length && isSpace(text[i])) i++;
  let neg = false;
  if (text[i] === '-') {
    neg = true;
    i++;
  } else if (text[i] === '+') i++;
  const start = i;
  while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
  if (i === start) throw new DbError(SqlState.InvalidTextRepresentation, `invalid input syntax for type ${typeName}: "${text}"`);
  const v = neg ? -BigInt(text.slice(start, i)) : BigInt(text.slice(start, i));
  if (v < min || v > max) throw new DbError(SqlState.NumericValueOutOfRange, `value "${text}" is out of range for type ${typeName}`);
  while (i < text.length && isSpace(text[i])) i++;
  if (i !== text.length) throw new DbError(SqlState.InvalidTextRepresentation, `invalid input syntax for type ${typeName}: "${text}"`);
  return v;
}

export const int2Type: PgType<number> = {
  oid: Oid.int2, name: 'int2', displayName: 'smallint', typlen: 2, category: 'N', arrayOid: ArrayOid.int2, elemOid: 0,
  textIn: (text) => Number(parseInteger(text, 'smallint', -32768n, 32767n)),
  textOut: (v) => String(v),
  binaryIn: (buf) => readAll(buf, (r) => r.int16()),
  binaryOut: (v) => new BinaryWriter().int16(v).finish(),
};

export const int4Type: PgType<number> = {
  oid: Oid.int4, name: 'int4', displayName: 'integer', typlen: 4, category: 'N', arrayOid: ArrayOid.int4, elemOid: 0,
  textIn: (text) => Number(parseInteger(text, 'integer', -2147483648n, 2147483647n)),
  textOut: (v) => String(v),
  binaryIn: (buf) => readAll(buf, (r) => r.int32()),
  binaryOut: (v) => new BinaryWriter().int32(v).finish(),
};

export const int8Type: PgType<bigint> = {
  oid: Oid.int8, name: 'int8', displayName: 'bigint', typlen: 8, category: 'N', arrayOid: ArrayOid.int8, elemOid: 0,
  textIn: (text) => parseInteger(text, 'bigint', -9223372036854775808n, 9223372036854775807n),
  textOut: (v) => v.toString(),
  binaryIn: (buf) => readAll(buf, (r) => r.int64()),
  binaryOut: (v) => new BinaryWriter().int64(v).finish(),
};

/** oidin: strtoul semantics, so "-1" is 4294967295; values must fit after sign extension. */
function parseOid(text: string): number {
  const invalid = (): DbError => new DbError(SqlState.InvalidTextRepresentation, `invalid input syntax for type oid: "${text}"`);
  const range = (): DbError => new DbError(SqlState.NumericValueOutOfRange, `value "${text}" is out of range for type oid`);
  if (text.length === 0) throw invalid();
  let i = 0;
  while (i < text.length && isSpace(text[i])) i++;
  let neg = false;
  if (text[i] === '+' || text[i] === '-') {
    neg = text[i] === '-';
    i++;
  }
  const start = i;
  while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
  if (i === start) throw invalid();
  const mag = BigInt(text.slice(start, i));
  if (mag > 0xffffffffffffffffn) throw range();
  const cvt = neg ? (0x10000000000000000n - mag) % 0x10000000000000000n : mag;
  const result = cvt & 0xffffffffn;
  const signExtended = BigInt.asUintN(64, BigInt.asIntN(32, result));
  if (cvt !== result && cvt !== signExtended) throw range();
  while (i < text.length && isSpace(text[i])) i++;
  if (i !== text.length) throw invalid();
  return Number(result);
}

export const oidType: PgType<number> = {
  oid: Oid.oid, name: 'oid', displayName: 'oid', typlen: 4, category: 'N', arrayOid: ArrayOid.oid, elemOid: 0,
  textIn: (text) => parseOid(text),
  textOut: (v) => String(v),
  binaryIn: (buf) => readAll(buf, (r) => r.uint32()),
  binaryOut: (v) => new BinaryWriter().uint32(v).finish(),
};

export const float4Type: PgType<number> = {
  oid: Oid.float4, name: 'float4', displayName: 'real', typlen: 4, category: 'N', arrayOid: ArrayOid.float4, elemOid: 0,
  textIn: (text) => parseFloat4(text),
  textOut: (v, ctx) => formatFloat4(v, ctx.extraFloatDigits),
  binaryIn: (buf) => readAll(buf, (r) => r.float32()),
  binaryOut: (v) => new BinaryWriter().float32(v).finish(),
};

export const float8Type: PgType<number> = {
  oid: Oid.float8, name: 'float8', displayName: 'double precision', typlen: 8, category: 'N', arrayOid: ArrayOid.float8, elemOid: 0,
  textIn: (text) => parseFloat8(text),
  textOut: (v, ctx) => formatFloat8(v, ctx.extraFloatDigits),
  binaryIn: (buf) => readAll(buf, (r) => r.float64()),
  binaryOut: (v) => new BinaryWriter().float64(v).finish(),
};

export const numericType: PgType<Numeric> = {
  oid: Oid.numeric, name: 'numeric', displayName: 'numeric', typlen: -1, category: 'N', arrayOid: ArrayOid.numeric, elemOid: 0,
  textIn: (text, typmod) => Numeric.parse(text).applyTypmod(typmod),
  textOut: (v) => v.toString(),
  binaryIn: (buf, typmod) => Numeric.fromBinary(buf).applyTypmod(typmod),
  binaryOut: (v) => v.toBinary(),
  applyTypmod: (v, typmod) => v.applyTypmod(typmod),
  formatTypmod(typmod) {
    if (typmod < 4) return 'numeric';
    const { precision, scale } = decodeNumericTypmod(typmod);
    return `numeric(${precision},${scale})`;
  },
};
