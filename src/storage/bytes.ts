/**
 * storage/: little-endian byte writers/readers and the CRC used by every file storage/
 * writes (WAL records, segment headers and blocks, delete files). The checksum is zlib's
 * CRC-32 (IEEE), native in Node ≥ 20.15.
 */
import zlib from 'node:zlib';
import { DbError, SqlState } from '../errors/index.ts';

/** CRC-32 of `data`, continuing from `seed` when given. */
export function crc32(data: Uint8Array, seed = 0): number {
  return zlib.crc32(data, seed) >>> 0;
}

/** The XX001 error for anything storage/ finds damaged on read. */
export function corrupted(what: string, detail?: string): DbError {
  return new DbError(SqlState.DataCorrupted, `invalid ${what}`, detail === undefined ? {} : { detail });
}

/** A growable little-endian buffer writer. */
export class ByteWriter {
  private buf: Buffer;
  length = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  /** Makes room for n more bytes at once (one allocation instead of doublings). */
  reserve(n: number): this {
    this.ensure(n);
    return this;
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf.writeUInt8(v, this.length);
    this.length += 1;
    return this;
  }
  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16LE(v, this.length);
    this.length += 2;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.length);
    this.length += 4;
    return this;
  }
  i32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32LE(v, this.length);
    this.length += 4;
    return this;
  }
  u64(v: bigint | number): this {
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt(v), this.length);
    this.length += 8;
    return this;
  }
  i64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64LE(v, this.length);
    this.length += 8;
    return this;
  }
  f64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.length);
    this.length += 8;
    return this;
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }
  /** `u32 byteLength | UTF-8 bytes` of a string, without an intermediate Uint8Array. */
  lengthPrefixedUtf8(s: string): this {
    this.ensure(4 + 3 * s.length);
    const n = this.buf.write(s, this.length + 4, 'utf8');
    this.buf.writeUInt32LE(n, this.length);
    this.length += 4 + n;
    return this;
  }
  /** Overwrites a u32 at an earlier position (for back-patched lengths). */
  patchU32(at: number, v: number): void {
    this.buf.writeUInt32LE(v >>> 0, at);
  }
  /** The bytes written so far (a view, valid until the next write). */
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }
  /** A copy of the bytes written so far. */
  finish(): Buffer {
    return Buffer.from(this.view());
  }
}

/** A bounds-checked little-endian reader; any overrun is reported as corruption of `what`. */
export class ByteReader {
  offset = 0;
  constructor(readonly buf: Buffer, private readonly what: string) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }
  need(n: number): void {
    if (n < 0 || this.offset + n > this.buf.length) throw corrupted(this.what, `truncated at byte ${this.offset}`);
  }
  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.offset++);
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.offset);
    this.offset += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.offset);
    this.offset += 4;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.buf.readInt32LE(this.offset);
    this.offset += 4;
    return v;
  }
  /** The string of the next `n` bytes, decoded as UTF-8. */
  utf8(n: number): string {
    this.need(n);
    const s = this.buf.toString('utf8', this.offset, this.offset + n);
    this.offset += n;
    return s;
  }
  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.offset);
    this.offset += 8;
    return v;
  }
  i64(): bigint {
    this.need(8);
    const v = this.buf.readBigInt64LE(this.offset);
    this.offset += 8;
    return v;
  }
  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.offset);
    this.offset += 8;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }
}
