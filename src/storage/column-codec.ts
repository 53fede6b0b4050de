/**
 * storage/: the per-column value codec shared by WAL insert records and segment column
 * blocks. Fixed-width core types are packed as typed arrays; Float32Array values (the
 * `vector` family) as raw float32s; anything else through its type's binaryOut/binaryIn.
 * Codecs are pluggable by type OID (`registerColumnCodec`) so types/ can add its own.
 *
 * Block layout (little-endian), self-describing so a block decodes without the table def:
 *   u8 codecKind | u8 flags (1 = null bitmap, 2 = missing bitmap) | u32 typeOid | u32 rowCount
 *   [null bitmap ceil(rowCount/8)] [missing bitmap ceil(rowCount/8)] | u32 presentCount | payload
 * "Missing" rows (value `undefined`) come from segments written before a column existed.
 */
import os from 'node:os';
import { DbError, SqlState } from '../errors/index.ts';
import { defaultFormatContext, Oid, typeByOid } from '../types/index.ts';
import { ByteReader, ByteWriter, corrupted } from './bytes.ts';
import { allocVectorFloats } from './vector-memory.ts';

if (os.endianness() !== 'LE') throw new Error('storage/ assumes a little-endian host (typed-array column blocks)');

/** Encodes and decodes the present (non-NULL, non-missing) values of one column. */
export interface ColumnCodec {
  /** Stable on-disk id: 1–63 built in, 64–255 for registered codecs. */
  readonly kind: number;
  readonly name: string;
  /** Bytes per present value when every value takes the same width (typed-array codecs); else undefined. */
  readonly fixedWidth?: number;
  /** With fixedWidth: decodes the one value stored at `at` of `b` (as decode would). */
  readonly decodeOne?: (b: Buffer, at: number) => unknown;
  encode(present: readonly unknown[], typeOid: number, w: ByteWriter): void;
  /** encode() in steps, yielding between slices of rows (large columns; encodeColumnSteps()). */
  encodeSteps?(present: readonly unknown[], typeOid: number, w: ByteWriter): Generator<void, void>;
  decode(r: ByteReader, count: number, typeOid: number): unknown[];
  /** decode() in steps, yielding between slices of rows (large columns; decodeColumnSteps()). */
  decodeSteps?(r: ByteReader, count: number, typeOid: number): Generator<void, unknown[]>;
}

/** Rows a stepwise encode writes between yields. */
export const ENCODE_STEP_ROWS = 16_384;

/** Bytes a stepwise decode copies between yields. */
const DECODE_STEP_BYTES = 4 << 20;

/** Runs a generator of encoding or decoding steps to its end, synchronously. */
export function drain<T>(steps: Generator<void, T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

type TypedCtor = Int16Array | Int32Array | Uint32Array | Float32Array | Float64Array | BigInt64Array | Uint8Array;

function typedCodec<T extends TypedCtor>(
  kind: number, name: string, width: number,
  make: (n: number | ArrayBuffer) => T,
  toRaw: (v: unknown) => number | bigint, fromRaw: (raw: number | bigint) => unknown,
  readRaw: (b: Buffer, at: number) => number | bigint,
): ColumnCodec {
  return {
    kind, name, fixedWidth: width,
    decodeOne: (b, at) => fromRaw(readRaw(b, at)),
    encode(present, _oid, w) {
      const arr = make(present.length);
      for (let i = 0; i < present.length; i++) (arr as unknown as (number | bigint)[])[i] = toRaw(present[i]);
      w.bytes(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    },
    decode(r, count) {
      const bytes = r.bytes(count * width);
      const arr = make(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
      const out = new Array<unknown>(count);
      for (let i = 0; i < count; i++) out[i] = fromRaw((arr as unknown as (number | bigint)[])[i]!);
      return out;
    },
  };
}

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : (v as number));
const big = (v: unknown): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));
const same = (raw: number | bigint): unknown => raw;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

export const boolCodec = typedCodec(1, 'bool', 1, (n) => new Uint8Array(n as number), (v) => (v ? 1 : 0), (r) => r === 1, (b, at) => b.readUInt8(at));
export const int16Codec = typedCodec(2, 'int16', 2, (n) => new Int16Array(n as number), num, same, (b, at) => b.readInt16LE(at));
export const int32Codec = typedCodec(3, 'int32', 4, (n) => new Int32Array(n as number), num, same, (b, at) => b.readInt32LE(at));
export const uint32Codec = typedCodec(4, 'uint32', 4, (n) => new Uint32Array(n as number), num, same, (b, at) => b.readUInt32LE(at));
export const int64Codec = typedCodec(5, 'int64', 8, (n) => new BigInt64Array(n as number), big, same, (b, at) => b.readBigInt64LE(at));
export const float32Codec = typedCodec(6, 'float32', 4, (n) => new Float32Array(n as number), num, same, (b, at) => b.readFloatLE(at));
export const float64Codec = typedCodec(7, 'float64', 8, (n) => new Float64Array(n as number), num, same, (b, at) => b.readDoubleLE(at));
/** date: days since 2000-01-01 as int32, ±Infinity as PostgreSQL's DATEVAL_NOBEGIN/NOEND. */
export const dateCodec = typedCodec(
  8, 'date32', 4, (n) => new Int32Array(n as number),
  (v) => (v === Infinity ? INT32_MAX : v === -Infinity ? INT32_MIN : (v as number)),
  (r) => (r === INT32_MAX ? Infinity : r === INT32_MIN ? -Infinity : r),
  (b, at) => b.readInt32LE(at),
);

/** Float32Array values of any dimension: u32 dims per value, then all floats back to back. */
export const float32VectorCodec: ColumnCodec = {
  kind: 20, name: 'float32-vector',
  encode(present, oid, w) {
    drain(this.encodeSteps!(present, oid, w));
  },
  *encodeSteps(present, _oid, w) {
    let total = 0;
    const dims = new Uint32Array(present.length);
    present.forEach((v, i) => (total += dims[i] = (v as Float32Array).length));
    w.reserve(dims.byteLength + total * 4);
    w.bytes(new Uint8Array(dims.buffer));
    // Vectors that lie back to back in one buffer (parsed ones share 16 KiB blocks, decoded
    // ones a whole column) are copied as one run: no view per row.
    for (let i = 0; i < present.length; ) {
      const f = present[i] as Float32Array;
      const stepEnd = (Math.floor(i / ENCODE_STEP_ROWS) + 1) * ENCODE_STEP_ROWS;
      let end = f.byteOffset + f.byteLength;
      let j = i + 1;
      for (; j < present.length && j < stepEnd; j++) {
        const g = present[j] as Float32Array;
        if (g.buffer !== f.buffer || g.byteOffset !== end) break;
        end += g.byteLength;
      }
      w.bytes(new Uint8Array(f.buffer, f.byteOffset, end - f.byteOffset));
      i = j;
      if (i === stepEnd) yield;
    }
  },
  decode(r, count, typeOid) {
    return drain(this.decodeSteps!(r, count, typeOid));
  },
  *decodeSteps(r, count) {
    const dimBytes = r.bytes(count * 4);
    const dims = new Uint32Array(dimBytes.buffer.slice(dimBytes.byteOffset, dimBytes.byteOffset + dimBytes.byteLength) as ArrayBuffer);
    let total = 0;
    for (const d of dims) total += d;
    const flatBytes = r.bytes(total * 4);
    const flat = allocVectorFloats(total);
    const into = new Uint8Array(flat.buffer, flat.byteOffset, flat.byteLength);
    for (let at = 0; at < flatBytes.length; at += DECODE_STEP_BYTES) {
      into.set(flatBytes.subarray(at, at + DECODE_STEP_BYTES), at);
      yield;
    }
    const out = new Array<unknown>(count);
    let at = 0;
    for (let i = 0; i < count; i++) {
      out[i] = flat.subarray(at, at + dims[i]!);
      at += dims[i]!;
      if (i % ENCODE_STEP_ROWS === ENCODE_STEP_ROWS - 1) yield;
    }
    return out;
  },
};

/**
 * Types whose values are JS strings and whose binary format is their UTF-8 bytes: the binary
 * codec writes and reads them directly, without a Uint8Array per value (same bytes on disk).
 */
const UTF8_STRING_OIDS = new Set<number>([Oid.text, Oid.varchar, Oid.bpchar, Oid.name]);

/** Any type with a binary wire format: u32 length + the type's binaryOut bytes per value. */
export const binaryCodec: ColumnCodec = {
  kind: 30, name: 'binary',
  encode(present, typeOid, w) {
    if (UTF8_STRING_OIDS.has(typeOid)) {
      for (const v of present) w.lengthPrefixedUtf8(v as string);
      return;
    }
    const type = typeByOid(typeOid);
    if (type === undefined && present.length > 0) throw noCodec(typeOid);
    for (const v of present) {
      const bytes = type!.binaryOut(v, defaultFormatContext);
      w.u32(bytes.length).bytes(bytes);
    }
  },
  decode(r, count, typeOid) {
    if (UTF8_STRING_OIDS.has(typeOid)) {
      const strings = new Array<unknown>(count);
      for (let i = 0; i < count; i++) strings[i] = r.utf8(r.u32());
      return strings;
    }
    const type = typeByOid(typeOid);
    if (type === undefined && count > 0) throw corrupted('column block', `no type with OID ${typeOid} to decode it`);
    const out = new Array<unknown>(count);
    for (let i = 0; i < count; i++) out[i] = type!.binaryIn(r.bytes(r.u32()), -1, defaultFormatContext);
    return out;
  },
};

function noCodec(typeOid: number): DbError {
  return new DbError(SqlState.FeatureNotSupported, `no storage codec for type with OID ${typeOid}`);
}

/** The fast paths for PostgreSQL's fixed-width core types. */
const fixedByOid = new Map<number, ColumnCodec>([
  [16, boolCodec], [21, int16Codec], [23, int32Codec], [20, int64Codec], [700, float32Codec], [701, float64Codec],
  [26, uint32Codec], [1082, dateCodec], [1114, int64Codec], [1184, int64Codec],
]);
const registeredByOid = new Map<number, ColumnCodec>();
const byKind = new Map<number, ColumnCodec>(
  [boolCodec, int16Codec, int32Codec, uint32Codec, int64Codec, float32Codec, float64Codec, dateCodec, float32VectorCodec, binaryCodec].map((c) => [c.kind, c]),
);

/**
 * Makes `codec` the storage format of columns of type `typeOid` (e.g. types/ registering
 * `float32VectorCodec` for `vector`). Its kind must be unused or already this codec.
 */
export function registerColumnCodec(typeOid: number, codec: ColumnCodec): void {
  const existing = byKind.get(codec.kind);
  if (existing !== undefined && existing !== codec) throw new Error(`column codec kind ${codec.kind} already used by ${existing.name}`);
  byKind.set(codec.kind, codec);
  registeredByOid.set(typeOid, codec);
}

/** The codec a column of `typeOid` holding `present` values is written with. */
export function codecFor(typeOid: number, present: readonly unknown[]): ColumnCodec {
  const c = fixedByOid.get(typeOid) ?? registeredByOid.get(typeOid);
  if (c !== undefined) return c;
  if (typeByOid(typeOid) !== undefined || present.length === 0) return binaryCodec;
  if (present.every((v) => v instanceof Float32Array)) return float32VectorCodec;
  throw noCodec(typeOid);
}

/** A codec storing every value in `fixedWidth` bytes. */
export type FixedWidthCodec = ColumnCodec & { readonly fixedWidth: number; readonly decodeOne: (b: Buffer, at: number) => unknown };

/**
 * The codec columns of `typeOid` are always written with when it stores each value in a fixed
 * number of bytes (so row i of a block without NULL or missing values sits at a known offset);
 * undefined for variable-width types.
 */
export function fixedWidthCodec(typeOid: number): FixedWidthCodec | undefined {
  const c = fixedByOid.get(typeOid) ?? registeredByOid.get(typeOid);
  return c !== undefined && c.fixedWidth !== undefined && c.decodeOne !== undefined ? (c as FixedWidthCodec) : undefined;
}

/** About the encoded size of a column block of `values` (judged by its first value), so a writer sized with it rarely grows. */
export function estimateColumnBytes(values: readonly unknown[]): number {
  const v = values[0];
  const perValue = v instanceof Float32Array ? 4 * v.length + 4 : typeof v === 'string' ? 4 + 2 * v.length : 8;
  return 64 + ((values.length + 7) >> 3) * 2 + Math.ceil(perValue * values.length * 1.1);
}

/** Encodes one column block (layout in the file header) onto `w`. */
export function encodeColumn(typeOid: number, values: readonly unknown[], w: ByteWriter): void {
  drain(encodeColumnSteps(typeOid, values, w));
}

/** encodeColumn in steps (a codec with encodeSteps yields between slices of rows). */
export function* encodeColumnSteps(typeOid: number, values: readonly unknown[], w: ByteWriter): Generator<void, void> {
  const n = values.length;
  const bitmapBytes = (n + 7) >> 3;
  let nulls: Uint8Array | undefined;
  let missing: Uint8Array | undefined;
  const present: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v === null) (nulls ??= new Uint8Array(bitmapBytes))[i >> 3]! |= 1 << (i & 7);
    else if (v === undefined) (missing ??= new Uint8Array(bitmapBytes))[i >> 3]! |= 1 << (i & 7);
    else present.push(v);
  }
  const codec = codecFor(typeOid, present);
  w.u8(codec.kind).u8((nulls ? 1 : 0) | (missing ? 2 : 0)).u32(typeOid).u32(n);
  if (nulls) w.bytes(nulls);
  if (missing) w.bytes(missing);
  w.u32(present.length);
  if (codec.encodeSteps !== undefined) yield* codec.encodeSteps(present, typeOid, w);
  else codec.encode(present, typeOid, w);
}

/** Decodes one column block from `r`: a value per row, NULL as null, missing as undefined. */
export function decodeColumn(r: ByteReader): { typeOid: number; values: unknown[] } {
  return drain(decodeColumnSteps(r));
}

/** decodeColumn in steps (a codec with decodeSteps yields between slices of rows). */
export function* decodeColumnSteps(r: ByteReader): Generator<void, { typeOid: number; values: unknown[] }> {
  const kind = r.u8();
  const flags = r.u8();
  const typeOid = r.u32();
  const n = r.u32();
  const codec = byKind.get(kind);
  if (codec === undefined) throw corrupted('column block', `unknown codec kind ${kind}`);
  const bitmapBytes = (n + 7) >> 3;
  const nulls = flags & 1 ? r.bytes(bitmapBytes) : undefined;
  const missing = flags & 2 ? r.bytes(bitmapBytes) : undefined;
  const presentCount = r.u32();
  if (presentCount > n) throw corrupted('column block', `present count ${presentCount} > rows ${n}`);
  const present = codec.decodeSteps !== undefined ? yield* codec.decodeSteps(r, presentCount, typeOid) : codec.decode(r, presentCount, typeOid);
  if (presentCount === n) return { typeOid, values: present };
  const values = new Array<unknown>(n);
  let p = 0;
  for (let i = 0; i < n; i++) {
    const bit = 1 << (i & 7);
    if (nulls && nulls[i >> 3]! & bit) values[i] = null;
    else if (missing && missing[i >> 3]! & bit) values[i] = undefined;
    else values[i] = present[p++];
  }
  if (p !== presentCount) throw corrupted('column block', 'null bitmap disagrees with present count');
  return { typeOid, values };
}

// pgvector's dense types are stored as raw float32s (halfvec values are already half-rounded).
registerColumnCodec(Oid.vector, float32VectorCodec);
registerColumnCodec(Oid.halfvec, float32VectorCodec);
