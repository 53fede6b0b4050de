/**
 * types/: pgvector 0.8's `vector` type: a Float32Array of 1..16000 finite elements.
 * vector_in / vector_out / vector_recv / vector_send / vector_typmod_in, with pgvector's
 * messages and SQLSTATEs, plus the dimension checks the other vector types share.
 * @see https://github.com/pgvector/pgvector/blob/v0.8.0/src/vector.c
 */
import { DbError, SqlState } from '../errors/index.ts';
import type { PgType } from './pg-type.ts';
import { ArrayOid, Oid } from './oids.ts';
import { formatVectorElement, isVectorSpace, scanStrtof } from './vector-float.ts';
import { literalArea, vectorInArea, VECTOR_MAX_DIM } from './vector-text.mjs';
import { BinaryReader, BinaryWriter } from './wire.ts';

/** VECTOR_MAX_DIM (also HALFVEC_MAX_DIM). */
export { VECTOR_MAX_DIM };

/** The three pgvector type names as they appear in messages. */
export type VectorKind = 'vector' | 'halfvec' | 'sparsevec';

/** CheckDims: "different vector dimensions 2 and 3" (22000). */
export function checkSameDims(kind: VectorKind, a: number, b: number): void {
  if (a !== b) throw new DbError(SqlState.DataException, `different ${kind} dimensions ${a} and ${b}`);
}

/** CheckExpectedDim: typmod -1 accepts any dimension count. */
export function checkExpectedDim(typmod: number, dim: number): void {
  if (typmod !== -1 && typmod !== dim) throw new DbError(SqlState.DataException, `expected ${typmod} dimensions, not ${dim}`);
}

/** CheckDim: at least 1 and at most `maxDim` dimensions. */
export function checkDim(kind: VectorKind, dim: number, maxDim = VECTOR_MAX_DIM): void {
  if (dim < 1) throw atLeastOneDimension(kind);
  if (dim > maxDim) throw tooManyDimensions(kind, maxDim);
}

/** "vector must have at least 1 dimension" (22000). */
export function atLeastOneDimension(kind: VectorKind): DbError {
  return new DbError(SqlState.DataException, `${kind} must have at least 1 dimension`);
}

function tooManyDimensions(kind: VectorKind, maxDim: number): DbError {
  return new DbError(SqlState.ProgramLimitExceeded, `${kind} cannot have more than ${maxDim} dimensions`);
}

/** CheckElement: NaN and ±Infinity are rejected with 22000. */
export function checkElement(kind: VectorKind, x: number): void {
  if (Number.isNaN(x)) throw new DbError(SqlState.DataException, `NaN not allowed in ${kind}`);
  if (!Number.isFinite(x)) throw new DbError(SqlState.DataException, `infinite value not allowed in ${kind}`);
}

/** The 22P02 "invalid input syntax for type vector" error, with pgvector's optional DETAIL. */
export function invalidVectorSyntax(kind: VectorKind, lit: string, detail?: string): DbError {
  return new DbError(SqlState.InvalidTextRepresentation, `invalid input syntax for type ${kind}: "${lit}"`, detail === undefined ? {} : { detail });
}

/** "value out of range: overflow" (22003), as float_overflow_error. */
export function floatOverflow(): DbError {
  return new DbError(SqlState.NumericValueOutOfRange, 'value out of range: overflow');
}

/** "value out of range: underflow" (22003), as float_underflow_error. */
export function floatUnderflow(): DbError {
  return new DbError(SqlState.NumericValueOutOfRange, 'value out of range: underflow');
}

/**
 * The dense text format shared by vector_in and halfvec_in: `[x, y, ...]` with optional
 * whitespace around every token. `convert` narrows each strtof result (identity for
 * vector, half rounding for halfvec) and raises the element's range error.
 */
export function parseDenseVector(lit: string, typmod: number, kind: 'vector' | 'halfvec', convert: (scanned: number, erange: boolean, token: string) => number): Float32Array {
  // Elements go into a reusable scratch array (vector_in runs once per value on COPY's hot path).
  const values = scratch;
  let count = 0;
  let pt = 0;
  while (isVectorSpace(lit[pt])) pt++;
  if (lit[pt] !== '[') throw invalidVectorSyntax(kind, lit, 'Vector contents must start with "[".');
  pt++;
  while (isVectorSpace(lit[pt])) pt++;
  if (lit[pt] === ']') throw atLeastOneDimension(kind);
  for (;;) {
    if (count === VECTOR_MAX_DIM) throw tooManyDimensions(kind, VECTOR_MAX_DIM);
    while (isVectorSpace(lit[pt])) pt++;
    if (pt >= lit.length) throw invalidVectorSyntax(kind, lit);
    const scanned = scanStrtof(lit, pt);
    if (scanned.end === pt) throw invalidVectorSyntax(kind, lit);
    const x = convert(scanned.value, scanned.erange, lit.slice(pt, scanned.end));
    checkElement(kind, x);
    values[count++] = x;
    pt = scanned.end;
    while (isVectorSpace(lit[pt])) pt++;
    if (lit[pt] === ',') pt++;
    else if (lit[pt] === ']') {
      pt++;
      break;
    } else throw invalidVectorSyntax(kind, lit);
  }
  while (isVectorSpace(lit[pt])) pt++;
  if (pt < lit.length) throw invalidVectorSyntax(kind, lit, 'Junk after closing right brace.');
  checkDim(kind, count);
  checkExpectedDim(typmod, count);
  return values.slice(0, count);
}

/** Scratch space for the parsers; float32 storage rounds nothing further (elements are float32 already). */
const scratch = new Float32Array(VECTOR_MAX_DIM);

/**
 * A new vector of `dim` floats, carved from a shared 16 KiB block (a fresh block when it is
 * full; wider vectors get their own): COPY makes one vector per row, and an ArrayBuffer each
 * cost more than parsing it, most of it in allocation and garbage collection. A kept vector
 * keeps at most its 16 KiB block alive.
 */
function newVector(dim: number): Float32Array {
  if (dim > ARENA_FLOATS >> 2) return new Float32Array(dim);
  if (arenaUsed + dim > ARENA_FLOATS) {
    arena = new Float32Array(ARENA_FLOATS);
    arenaUsed = 0;
  }
  const v = arena.subarray(arenaUsed, arenaUsed + dim);
  arenaUsed += dim;
  return v;
}
const ARENA_FLOATS = 4096;
let arena = new Float32Array(ARENA_FLOATS);
let arenaUsed = 0;
const encoder = new TextEncoder();
/** The fast path's parse of the literal area's first `length` bytes (vector-text.mjs) as a new vector, or null for the exact parser. */
function plainVector(length: number): Float32Array | null {
  const count = vectorInArea(0, length, scratch, 0);
  if (count < 0) return null;
  const v = newVector(count);
  for (let k = 0; k < count; k++) v[k] = scratch[k]!;
  return v;
}

/** vector_in's element check: strtof overflow is a 22003 range error quoting the token. */
function vectorElement(x: number, erange: boolean, token: string): number {
  if (erange && !Number.isFinite(x)) throw new DbError(SqlState.NumericValueOutOfRange, `"${token}" is out of range for type vector`);
  return x;
}

/** vector_in: the text form `[1,2.5,3]`. */
export function parseVector(lit: string, typmod = -1): Float32Array {
  // written === length: every character was one byte (ASCII), the only text the fast path reads.
  const { written } = encoder.encodeInto(lit, literalArea(lit.length * 3));
  const plain = written === lit.length ? plainVector(written) : null;
  if (plain === null) return parseDenseVector(lit, typmod, 'vector', vectorElement);
  checkExpectedDim(typmod, plain.length);
  return plain;
}

/** vector_in over the bytes b[start..end) (a COPY text field without escapes, valid UTF-8). */
export function parseVectorBytes(b: Buffer, start: number, end: number, typmod = -1): Float32Array {
  literalArea(end - start).set(b.subarray(start, end));
  const plain = plainVector(end - start);
  if (plain === null) return parseDenseVector(b.toString('utf8', start, end), typmod, 'vector', vectorElement);
  checkExpectedDim(typmod, plain.length);
  return plain;
}

/** vector_out / halfvec_out: `[` + shortest float4 digits joined by `,` + `]`. */
export function formatDenseVector(v: Float32Array): string {
  let out = '[';
  for (let i = 0; i < v.length; i++) {
    if (i > 0) out += ',';
    out += formatVectorElement(v[i]!);
  }
  return out + ']';
}

/**
 * The typmod_in shared by vector, halfvec and sparsevec: exactly one modifier, the
 * dimension count, within [1, maxDim]; errors are 22023 as in pgvector.
 */
export function vectorTypmodIn(kind: VectorKind, mods: readonly number[], maxDim = VECTOR_MAX_DIM): number {
  if (mods.length !== 1) throw new DbError(SqlState.InvalidParameterValue, 'invalid type modifier');
  const n = mods[0]!;
  if (n < 1) throw new DbError(SqlState.InvalidParameterValue, `dimensions for type ${kind} must be at least 1`);
  if (n > maxDim) throw new DbError(SqlState.InvalidParameterValue, `dimensions for type ${kind} cannot exceed ${maxDim}`);
  return n;
}

/** vector_recv: int16 dim, int16 unused (must be 0), dim × float4, big-endian. */
export function vectorRecv(buf: Uint8Array, typmod: number): Float32Array {
  const r = new BinaryReader(buf);
  const dim = r.int16();
  const unused = r.int16();
  checkDim('vector', dim);
  checkExpectedDim(typmod, dim);
  if (unused !== 0) throw new DbError(SqlState.DataException, `expected unused to be 0, not ${unused}`);
  const bytes = 4 * Math.max(dim, 0);
  if (buf.length !== 4 + bytes) {
    for (let i = 0; i < dim; i++) checkElement('vector', r.float32()); // the errors, in order, of a short or long value
    r.end();
  }
  // Big-endian float32s: each word assembled from its bytes; NaN and ±Infinity have all exponent bits set.
  const out = newVector(dim);
  const words = new Uint32Array(out.buffer, out.byteOffset, dim);
  for (let i = 0, o = 4; i < dim; i++, o += 4) {
    const w = (buf[o]! << 24) | (buf[o + 1]! << 16) | (buf[o + 2]! << 8) | buf[o + 3]!;
    words[i] = w;
    if ((w & 0x7f800000) === 0x7f800000) checkElement('vector', out[i]!);
  }
  return out;
}

/** vector_send: the inverse of vectorRecv (what the `pgvector` npm package's fromSql reads). */
export function vectorSend(v: Float32Array): Uint8Array {
  const w = new BinaryWriter().int16(v.length).int16(0);
  for (const x of v) w.float32(x);
  return w.finish();
}

/** vector(vector, typmod, explicit): the length-coercion cast only checks the dimension count. */
export function applyVectorTypmod<T extends { length: number } | { dim: number }>(v: T, typmod: number): T {
  checkExpectedDim(typmod, 'dim' in v ? v.dim : v.length);
  return v;
}

/** The pgvector `vector` type (Tessera OID 16385, array 16386); values are Float32Array. */
export const vectorType: PgType<Float32Array> = {
  oid: Oid.vector,
  name: 'vector',
  displayName: 'vector',
  typlen: -1,
  category: 'U',
  arrayOid: ArrayOid.vector,
  elemOid: 0,
  textIn: (text, typmod) => parseVector(text, typmod),
  textInBytes: (b, start, end, typmod) => parseVectorBytes(b, start, end, typmod),
  textOut: (v) => formatDenseVector(v),
  binaryIn: (buf, typmod) => vectorRecv(buf, typmod),
  binaryOut: (v) => vectorSend(v),
  applyTypmod: (v, typmod) => applyVectorTypmod(v, typmod),
  formatTypmod: (typmod) => (typmod >= 0 ? `vector(${typmod})` : 'vector'),
};
