/**
 * types/: PostgreSQL's bit strings, `bit(n)` (OID 1560) and `bit varying(n)` (OID 1562), as
 * varbit.c implements them: text input in binary or `x` hex, output as 0/1 digits, the
 * int32-length binary format, typmod coercion, and bit_cmp ordering. pgvector's
 * binary_quantize produces them and its hamming/jaccard distances consume them.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { ArrayOid, Oid } from './oids.ts';
import type { PgType } from './pg-type.ts';
import { BinaryReader, BinaryWriter } from './wire.ts';

/** A bit string: `length` bits, most significant bit first, padding bits in the last byte zero. */
export interface BitString {
  readonly length: number;
  readonly bytes: Uint8Array;
}

/** VARBITMAXLEN (INT_MAX - BITS_PER_BYTE + 1). */
const VARBITMAXLEN = 2147483647 - 8 + 1;
/** MaxAttrSize * BITS_PER_BYTE: the largest bit(n) / varbit(n) typmod. */
export const BIT_MAX_TYPMOD = 10 * 1024 * 1024 * 8;

/** A zeroed BitString of `length` bits. */
export function makeBitString(length: number): BitString {
  return { length, bytes: new Uint8Array((length + 7) >> 3) };
}

/** The first (possibly multibyte) character at `i`, as `"%.*s", pg_mblen(sp)` prints it. */
function charAt(s: string, i: number): string {
  return String.fromCodePoint(s.codePointAt(i)!);
}

/**
 * bit_in / varbit_in: `101`, `b101`/`B101` or `x1F`/`X1F`. For bit, a typmod > 0 must equal
 * the length (22026); for varbit the length may not exceed it (22001).
 */
export function parseBitString(text: string, typmod: number, varying: boolean): BitString {
  let hex = false;
  let sp = 0;
  if (text[0] === 'b' || text[0] === 'B') sp = 1;
  else if (text[0] === 'x' || text[0] === 'X') {
    hex = true;
    sp = 1;
  }
  const body = text.slice(sp);
  const slen = Buffer.byteLength(body);
  let bitlen: number;
  if (!hex) bitlen = slen;
  else {
    if (slen > VARBITMAXLEN / 4) throw new DbError(SqlState.ProgramLimitExceeded, `bit string length exceeds the maximum allowed (${VARBITMAXLEN})`);
    bitlen = slen * 4;
  }
  let length = bitlen;
  if (typmod > 0) {
    if (!varying && bitlen !== typmod) throw lengthMismatch(bitlen, typmod);
    if (varying && bitlen > typmod) throw tooLongForVarbit(typmod);
    if (!varying) length = typmod;
  }
  const out = makeBitString(length);
  const r = out.bytes;
  if (!hex) {
    let bit = 0;
    for (let i = 0; i < body.length; i++) {
      const c = body[i];
      if (c === '1') r[bit >> 3]! |= 0x80 >> (bit & 7);
      else if (c !== '0') throw new DbError(SqlState.InvalidTextRepresentation, `"${charAt(body, i)}" is not a valid binary digit`);
      bit++;
    }
  } else {
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      let x: number;
      if (c >= '0' && c <= '9') x = c.charCodeAt(0) - 48;
      else if (c >= 'A' && c <= 'F') x = c.charCodeAt(0) - 55;
      else if (c >= 'a' && c <= 'f') x = c.charCodeAt(0) - 87;
      else throw new DbError(SqlState.InvalidTextRepresentation, `"${charAt(body, i)}" is not a valid hexadecimal digit`);
      r[i >> 1]! |= i & 1 ? x : x << 4;
    }
  }
  return out;
}

function lengthMismatch(bitlen: number, typmod: number): DbError {
  return new DbError(SqlState.StringDataLengthMismatch, `bit string length ${bitlen} does not match type bit(${typmod})`);
}

function tooLongForVarbit(typmod: number): DbError {
  return new DbError(SqlState.StringDataRightTruncation, `bit string too long for type bit varying(${typmod})`);
}

/** bit_out / varbit_out: one 0/1 digit per bit. */
export function formatBitString(v: BitString): string {
  let out = '';
  for (let i = 0; i < v.length; i++) out += v.bytes[i >> 3]! & (0x80 >> (i & 7)) ? '1' : '0';
  return out;
}

/** bit_recv / varbit_recv: int32 bit length then the bytes; padding bits are cleared. */
export function bitStringRecv(buf: Uint8Array, typmod: number, varying: boolean): BitString {
  const r = new BinaryReader(buf);
  const bitlen = r.int32();
  if (bitlen < 0 || bitlen > VARBITMAXLEN) throw new DbError(SqlState.InvalidBinaryRepresentation, 'invalid length in external bit string');
  if (typmod > 0 && !varying && bitlen !== typmod) throw lengthMismatch(bitlen, typmod);
  if (typmod > 0 && varying && bitlen > typmod) throw tooLongForVarbit(typmod);
  const out = makeBitString(bitlen);
  out.bytes.set(r.bytes(out.bytes.length));
  r.end();
  padLastByte(out);
  return out;
}

function padLastByte(v: BitString): void {
  const extra = v.bytes.length * 8 - v.length;
  if (extra > 0) v.bytes[v.bytes.length - 1]! &= (0xff << extra) & 0xff;
}

/** bit_send / varbit_send. */
export function bitStringSend(v: BitString): Uint8Array {
  return new BinaryWriter().int32(v.length).bytes(v.bytes).finish();
}

/**
 * bit(bit, int4, bool) and varbit(varbit, int4, bool): the length coercions. An explicit
 * cast truncates (and for bit zero-pads); otherwise a mismatch is an error.
 */
export function applyBitTypmod(v: BitString, typmod: number, explicit: boolean, varying: boolean): BitString {
  if (varying) {
    if (typmod <= 0 || typmod >= v.length) return v;
    if (!explicit) throw tooLongForVarbit(typmod);
  } else {
    if (typmod <= 0 || typmod > VARBITMAXLEN || typmod === v.length) return v;
    if (!explicit) throw lengthMismatch(v.length, typmod);
  }
  const out = makeBitString(typmod);
  out.bytes.set(v.bytes.subarray(0, Math.min(out.bytes.length, v.bytes.length)));
  padLastByte(out);
  return out;
}

/** anybit_typmodin: one modifier in [1, 83886080]; `typeName` is "bit" or "varbit". */
export function bitTypmodIn(typeName: 'bit' | 'varbit', mods: readonly number[]): number {
  if (mods.length !== 1) throw new DbError(SqlState.InvalidParameterValue, 'invalid type modifier');
  const n = mods[0]!;
  if (n < 1) throw new DbError(SqlState.InvalidParameterValue, `length for type ${typeName} must be at least 1`);
  if (n > BIT_MAX_TYPMOD) throw new DbError(SqlState.InvalidParameterValue, `length for type ${typeName} cannot exceed ${BIT_MAX_TYPMOD}`);
  return n;
}

/** bit_cmp: bytewise over the common bytes, then the shorter string first. */
export function compareBitStrings(a: BitString, b: BitString): number {
  const n = Math.min(a.bytes.length, b.bytes.length);
  for (let i = 0; i < n; i++) if (a.bytes[i] !== b.bytes[i]) return a.bytes[i]! < b.bytes[i]! ? -1 : 1;
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** PostgreSQL's `bit` type (bit(n); typmod -1 accepts any length). */
export const bitType: PgType<BitString> = {
  oid: Oid.bit,
  name: 'bit',
  displayName: 'bit',
  typlen: -1,
  category: 'V',
  arrayOid: ArrayOid.bit,
  elemOid: 0,
  textIn: (text, typmod) => parseBitString(text, typmod, false),
  textOut: (v) => formatBitString(v),
  binaryIn: (buf, typmod) => bitStringRecv(buf, typmod, false),
  binaryOut: (v) => bitStringSend(v),
  applyTypmod: (v, typmod, explicit) => applyBitTypmod(v, typmod, explicit, false),
  // format_type prints typmod -1 as "bit" quoted: plain BIT means bit(1) to the parser.
  formatTypmod: (typmod) => (typmod >= 0 ? `bit(${typmod})` : '"bit"'),
};

/** PostgreSQL's `bit varying` type. */
export const varbitType: PgType<BitString> = {
  oid: Oid.varbit,
  name: 'varbit',
  displayName: 'bit varying',
  typlen: -1,
  category: 'V',
  arrayOid: ArrayOid.varbit,
  elemOid: 0,
  textIn: (text, typmod) => parseBitString(text, typmod, true),
  textOut: (v) => formatBitString(v),
  binaryIn: (buf, typmod) => bitStringRecv(buf, typmod, true),
  binaryOut: (v) => bitStringSend(v),
  applyTypmod: (v, typmod, explicit) => applyBitTypmod(v, typmod, explicit, true),
  formatTypmod: (typmod) => (typmod >= 0 ? `bit varying(${typmod})` : 'bit varying'),
};
