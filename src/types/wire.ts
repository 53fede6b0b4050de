/**
 * types/: big-endian readers and writers for the binary (send/recv) formats, and the
 * errors PostgreSQL raises when binary input is malformed.
 */
import { DbError, SqlState } from '../errors/index.ts';

/** "insufficient data left in message", as pq_getmsg* raises it (08P01). */
export function insufficientData(): DbError {
  return new DbError(SqlState.ProtocolViolation, 'insufficient data left in message');
}

/**
 * Raised when a binary value has bytes left over after its recv function; the session adds
 * the parameter number ("incorrect binary data format in bind parameter N").
 */
export function incorrectBinaryFormat(): DbError {
  return new DbError(SqlState.InvalidBinaryRepresentation, 'incorrect binary data format');
}

/** A cursor over a binary value, mirroring PostgreSQL's StringInfo reading (pq_getmsg*). */
export class BinaryReader {
  private readonly view: DataView;
  offset = 0;

  constructor(readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private need(n: number): void {
    if (n < 0 || this.offset + n > this.buf.length) throw insufficientData();
  }

  int8(): number {
    this.need(1);
    return this.view.getInt8(this.offset++);
  }

  uint8(): number {
    this.need(1);
    return this.view.getUint8(this.offset++);
  }

  int16(): number {
    this.need(2);
    const v = this.view.getInt16(this.offset);
    this.offset += 2;
    return v;
  }

  uint16(): number {
    this.need(2);
    const v = this.view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.view.getInt32(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  int64(): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.offset);
    this.offset += 8;
    return v;
  }

  float32(): number {
    this.need(4);
    const v = this.view.getFloat32(this.offset);
    this.offset += 4;
    return v;
  }

  float64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.offset);
    this.offset += 8;
    return v;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }

  /** Throws 22P03 unless every byte was consumed, as exec_bind_message checks. */
  end(): void {
    if (this.offset !== this.buf.length) throw incorrectBinaryFormat();
  }
}

/** A growable big-endian buffer, mirroring pq_send*. */
export class BinaryWriter {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  int8(v: number): this {
    this.grow(1);
    this.view.setInt8(this.length, v);
    this.length += 1;
    return this;
  }

  uint8(v: number): this {
    this.grow(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
    return this;
  }

  int16(v: number): this {
    this.grow(2);
    this.view.setInt16(this.length, v);
    this.length += 2;
    return this;
  }

  uint16(v: number): this {
    this.grow(2);
    this.view.setUint16(this.length, v);
    this.length += 2;
    return this;
  }

  int32(v: number): this {
    this.grow(4);
    this.view.setInt32(this.length, v);
    this.length += 4;
    return this;
  }

  uint32(v: number): this {
    this.grow(4);
    this.view.setUint32(this.length, v);
    this.length += 4;
    return this;
  }

  int64(v: bigint): this {
    this.grow(8);
    this.view.setBigInt64(this.length, v);
    this.length += 8;
    return this;
  }

  float32(v: number): this {
    this.grow(4);
    this.view.setFloat32(this.length, v);
    this.length += 4;
    return this;
  }

  float64(v: number): this {
    this.grow(8);
    this.view.setFloat64(this.length, v);
    this.length += 8;
    return this;
  }

  bytes(v: Uint8Array): this {
    this.grow(v.length);
    this.buf.set(v, this.length);
    this.length += v.length;
    return this;
  }

  /** Patches a big-endian int32 at an earlier offset (for length prefixes). */
  setInt32At(offset: number, v: number): void {
    this.view.setInt32(offset, v);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 bytes of a string. */
export function encodeUtf8(s: string): Uint8Array {
  return utf8Encoder.encode(s);
}

/** Decodes UTF-8, raising PostgreSQL's 22021 error for invalid sequences. */
export function decodeUtf8(b: Uint8Array): string {
  try {
    return utf8Decoder.decode(b);
  } catch {
    const bad = Array.from(b.subarray(0, Math.min(b.length, 8)), (x) => '0x' + x.toString(16).padStart(2, '0')).join(' ');
    throw new DbError(SqlState.CharacterNotInRepertoire, `invalid byte sequence for encoding "UTF8": ${bad}`);
  }
}
