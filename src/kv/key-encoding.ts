/**
 * kv/: order-preserving key encoding — SQL key values to byte strings whose unsigned byte
 * order (memcmp) is the SQL order, so an ordered KvStore can answer equality, prefix and
 * range lookups on primary keys. Each value is a tag byte then a body:
 *   0x10 integer (int2/int4/int8/oid): 8 bytes big-endian two's complement with the sign
 *        bit flipped (so all integer widths compare with each other);
 *   0x20 text: UTF-8 (C collation = byte order) with 0x00 escaped as 0x00 0xff, ended by
 *        0x00 0x01 (so "a" < "a\0" < "ab" and composite keys stay prefix-free);
 *   0x30 uuid: the 16 bytes;
 *   0x40 bool: one byte; 0x50 float: IEEE 754 bits made sortable (sign flipped, negatives
 *        inverted); 0x60 anything else (numeric, bytea, dates as numbers...): a canonical
 *        text form escaped like text — unique, but ordered only as that text.
 * A composite key is the concatenation. NULL has no encoding: keys with a NULL are not
 * indexed for uniqueness (UNIQUE allows many NULLs), so encodeKey returns null.
 */
import { Numeric } from '../types/index.ts';

const TAG_INT = 0x10;
const TAG_TEXT = 0x20;
const TAG_UUID = 0x30;
const TAG_BOOL = 0x40;
const TAG_FLOAT = 0x50;
const TAG_OTHER = 0x60;

const SIGN = 0x8000000000000000n;
const U64 = 0xffffffffffffffffn;

/** Growable byte buffer for building keys. */
class KeyWriter {
  buf = Buffer.allocUnsafe(32);
  len = 0;
  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  byte(b: number): void {
    this.room(1);
    this.buf[this.len++] = b;
  }
  u64(v: bigint): void {
    this.room(8);
    this.buf.writeBigUInt64BE(v, this.len);
    this.len += 8;
  }
  escaped(bytes: Uint8Array): void {
    this.room(bytes.length * 2 + 2);
    for (const b of bytes) {
      this.buf[this.len++] = b;
      if (b === 0) this.buf[this.len++] = 0xff;
    }
    this.buf[this.len++] = 0x00;
    this.buf[this.len++] = 0x01;
  }
  raw(bytes: Uint8Array): void {
    this.room(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }
  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The canonical text of a value of an "other" type (equal SQL values → equal text). */
function canonicalText(v: unknown): string {
  if (v instanceof Numeric) return v.isFinite() ? v.toString().replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '') : v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toString();
  if (typeof v === 'bigint') return v.toString();
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

function writeValue(w: KeyWriter, typeOid: number, v: unknown): void {
  switch (typeOid) {
    case 20: // int8
    case 21: // int2
    case 23: // int4
    case 26: // oid
      w.byte(TAG_INT);
      w.u64((BigInt(v as number | bigint) & U64) ^ SIGN);
      return;
    case 25: // text
    case 1043: // varchar
    case 1042: // bpchar
    case 19: // name
      w.byte(TAG_TEXT);
      w.escaped(Buffer.from(v as string, 'utf8'));
      return;
    case 2950: // uuid
      if (typeof v === 'string' && UUID_RE.test(v)) {
        w.byte(TAG_UUID);
        w.raw(Buffer.from(v.replaceAll('-', ''), 'hex'));
        return;
      }
      break;
    case 16:
      w.byte(TAG_BOOL);
      w.byte(v ? 1 : 0);
      return;
    case 700:
    case 701: {
      w.byte(TAG_FLOAT);
      const f = Buffer.allocUnsafe(8);
      // PostgreSQL: -0 = 0 and NaN equals NaN (sorting above everything).
      f.writeDoubleBE(Number.isNaN(v) ? NaN : (v as number) === 0 ? 0 : (v as number));
      let bits = f.readBigUInt64BE(0);
      bits = bits & SIGN ? ~bits & U64 : bits ^ SIGN;
      w.u64(bits);
      return;
    }
  }
  w.byte(TAG_OTHER);
  w.escaped(Buffer.from(canonicalText(v), 'utf8'));
}

/**
 * Encodes a (composite) key: one value per key column with that column's type OID. Returns
 * null when any value is NULL (such keys never conflict and are not indexed).
 */
export function encodeKey(typeOids: readonly number[], values: readonly unknown[], prefix?: Uint8Array): Buffer | null {
  const w = new KeyWriter();
  if (prefix !== undefined) w.raw(prefix);
  for (let i = 0; i < typeOids.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) return null;
    writeValue(w, typeOids[i]!, v);
  }
  return w.done();
}

const TWO32 = 2 ** 32;
const INT_OIDS = new Set([20, 21, 23, 26]);
const latin1Int = (hi: number, lo: number): string =>
  String.fromCharCode(TAG_INT, hi >>> 24, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255, lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255);

/**
 * `encodeKey(typeOids, values)` as a latin1 string (one char per byte), the form the
 * primary-key index keeps keys in memory. A single integer column (the usual primary key)
 * is encoded without building Buffers.
 */
export function encodeKeyLatin1(typeOids: readonly number[], values: readonly unknown[]): string | null {
  if (typeOids.length === 1 && INT_OIDS.has(typeOids[0]!)) {
    const v = values[0];
    if (v === null || v === undefined) return null;
    if (typeof v === 'number' && Number.isSafeInteger(v)) {
      // Two's complement halves of a safe integer, then the sign bit flipped.
      const hi = Math.floor(v / TWO32);
      const lo = v - hi * TWO32;
      return latin1Int(((hi >>> 0) ^ 0x80000000) >>> 0, lo >>> 0);
    }
    if (typeof v === 'bigint') {
      // Most bigint keys are safe integers: the number path, without four BigInt allocations.
      const n = Number(v);
      if (Number.isSafeInteger(n)) {
        const hi = Math.floor(n / TWO32);
        return latin1Int(((hi >>> 0) ^ 0x80000000) >>> 0, (n - hi * TWO32) >>> 0);
      }
      const x = BigInt.asUintN(64, v) ^ SIGN;
      return latin1Int(Number(x >> 32n), Number(x & 0xffffffffn));
    }
  }
  const k = encodeKey(typeOids, values);
  return k === null ? null : k.toString('latin1');
}

/** Reads an escaped run starting at `pos`; returns the bytes and the position after the terminator. */
function readEscaped(b: Buffer, pos: number): [Buffer, number] {
  const out: number[] = [];
  for (let i = pos; i < b.length; i++) {
    if (b[i] !== 0) out.push(b[i]!);
    else if (b[i + 1] === 0xff) {
      out.push(0);
      i++;
    } else return [Buffer.from(out), i + 2];
  }
  throw new Error('unterminated key text');
}

/**
 * Decodes a key for reports and tests: integers as bigint, text/uuid as string, bool,
 * float as number, other types as their canonical text.
 */
export function decodeKey(b: Buffer, start = 0): unknown[] {
  const out: unknown[] = [];
  let pos = start;
  while (pos < b.length) {
    const tag = b[pos++];
    if (tag === TAG_INT) {
      out.push(BigInt.asIntN(64, b.readBigUInt64BE(pos) ^ SIGN));
      pos += 8;
    } else if (tag === TAG_UUID) {
      const h = b.subarray(pos, pos + 16).toString('hex');
      out.push(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`);
      pos += 16;
    } else if (tag === TAG_BOOL) {
      out.push(b[pos++] === 1);
    } else if (tag === TAG_FLOAT) {
      let bits = b.readBigUInt64BE(pos);
      bits = bits & SIGN ? bits ^ SIGN : ~bits & U64;
      const f = Buffer.allocUnsafe(8);
      f.writeBigUInt64BE(bits);
      out.push(f.readDoubleBE(0));
      pos += 8;
    } else if (tag === TAG_TEXT || tag === TAG_OTHER) {
      const [bytes, next] = readEscaped(b, pos);
      out.push(bytes.toString('utf8'));
      pos = next;
    } else {
      throw new Error(`bad key tag ${tag} at ${pos - 1}`);
    }
  }
  return out;
}
