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
import { BinaryReader, BinaryWriter } from './wire.ts';

/** VECTOR_MAX_DIM (also HALFVEC_MAX_DIM). */
export const VECTOR_MAX_DIM = 16000;

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
    const end = kind === 'vector' ? fastElement(lit, pt) : -1;
    if (end >= 0) {
      values[count++] = fastValue;
      pt = end;
    } else {
      const scanned = scanStrtof(lit, pt);
      if (scanned.end === pt) throw invalidVectorSyntax(kind, lit);
      const x = convert(scanned.value, scanned.erange, lit.slice(pt, scanned.end));
      checkElement(kind, x);
      values[count++] = x;
      pt = scanned.end;
    }
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

/** The value parsed by the last successful fastElement() (returned out of band: no object per element). */
let fastValue = 0;
/** Scratch space for parseDenseVector; float32 storage rounds nothing further (elements are float32 already). */
const scratch = new Float32Array(VECTOR_MAX_DIM);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** Powers of ten exactly representable as doubles (Clinger's fast path). */
const EXACT_POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/**
 * The common case of vector_in, fast: a plain decimal token (digits, optional fraction and
 * exponent) followed by a separator. Its double is computed exactly when the digits fit in
 * 2^53 and the power of ten is exact (Clinger's fast path), else by JavaScript's correctly
 * rounded Number(); its float32 rounding through that double is provably strtof's when the
 * double is not exactly halfway between two float32s (rounding to the nearest double is
 * monotonic and every float32 midpoint is a double, so the double lies on the decimal's side
 * of the midpoint). Returns the end offset (value in fastValue), or -1 for the exact path.
 */
function fastElement(lit: string, pt: number): number {
  let i = pt;
  let c = lit.charCodeAt(i);
  const negative = c === 45; // '-'
  if (negative) c = lit.charCodeAt(++i);
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  while (c >= 48 && c <= 57) {
    mantissa = mantissa * 10 + (c - 48);
    digits++;
    c = lit.charCodeAt(++i);
  }
  if (c === 46) {
    c = lit.charCodeAt(++i);
    while (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      scale--;
      c = lit.charCodeAt(++i);
    }
  }
  if (digits === 0) return -1;
  if (c === 101 || c === 69) {
    // 'e' / 'E'
    c = lit.charCodeAt(++i);
    let expNegative = false;
    if (c === 43 || c === 45) {
      expNegative = c === 45;
      c = lit.charCodeAt(++i);
    }
    let exp = 0;
    let expDigits = 0;
    while (c >= 48 && c <= 57 && expDigits < 4) {
      exp = exp * 10 + (c - 48);
      expDigits++;
      c = lit.charCodeAt(++i);
    }
    if (expDigits === 0 || (c >= 48 && c <= 57)) return -1;
    scale += expNegative ? -exp : exp;
  }
  if (c !== 44 && c !== 93 && !isVectorSpace(lit[i])) return -1; // ',' or ']' or space must follow
  let d: number;
  if (digits > 15 || scale < -22 || scale > 22) {
    // Beyond Clinger's case (e.g. a JavaScript number's 17 digits): JS parses to the correctly
    // rounded double, and the halfway check below makes its float32 rounding strtof's.
    d = Number(lit.slice(pt, i));
  } else {
    d = scale >= 0 ? mantissa * EXACT_POW10[scale]! : mantissa / EXACT_POW10[-scale]!;
    if (scale > 0 && d > 9007199254740992) return -1; // the product may have rounded
    if (negative) d = -d;
  }
  const f = Math.fround(d);
  if (!Number.isFinite(f)) return -1;
  if (f === d) {
    fastValue = f;
    return i;
  }
  if (f === 0) return -1; // underflow near the smallest subnormal: let strtof decide
  f32[0] = f;
  u32[0] = d > f === f > 0 ? u32[0]! + 1 : u32[0]! - 1;
  const g = f32[0]!;
  if (!Number.isFinite(g) || (f + g) / 2 === d) return -1;
  fastValue = f;
  return i;
}

/** vector_in's element check: strtof overflow is a 22003 range error quoting the token. */
function vectorElement(x: number, erange: boolean, token: string): number {
  if (erange && !Number.isFinite(x)) throw new DbError(SqlState.NumericValueOutOfRange, `"${token}" is out of range for type vector`);
  return x;
}

/** vector_in: the text form `[1,2.5,3]`. */
export function parseVector(lit: string, typmod = -1): Float32Array {
  const plain = plainVector(lit);
  if (plain === null) return parseDenseVector(lit, typmod, 'vector', vectorElement);
  checkExpectedDim(typmod, plain.length);
  return plain;
}

/**
 * The most common vector literal, in one tight pass: `[`, fastElement() tokens separated by ','
 * with no spaces, `]`, nothing after. Anything else — spaces, tokens fastElement leaves to the
 * exact path, errors — returns null and goes through parseDenseVector from the start.
 */
function plainVector(lit: string): Float32Array | null {
  if (lit.charCodeAt(0) !== 91) return null; // '['
  let count = 0;
  for (let i = 1; count < VECTOR_MAX_DIM; ) {
    const end = fastElement(lit, i);
    if (end < 0) return null;
    scratch[count++] = fastValue;
    const c = lit.charCodeAt(end);
    i = end + 1;
    if (c === 44) continue; // ','
    return c === 93 && i === lit.length ? scratch.slice(0, count) : null; // ']' and the end
  }
  return null;
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
  // Big-endian float32s: copy, then swap each word in place (native), then check the values.
  const out = new Float32Array(dim);
  const view = Buffer.from(out.buffer);
  view.set(buf.subarray(4, 4 + bytes));
  view.swap32();
  for (let i = 0; i < dim; i++) {
    const x = out[i]!;
    if (x - x !== 0) checkElement('vector', x); // NaN or ±Infinity
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
  textOut: (v) => formatDenseVector(v),
  binaryIn: (buf, typmod) => vectorRecv(buf, typmod),
  binaryOut: (v) => vectorSend(v),
  applyTypmod: (v, typmod) => applyVectorTypmod(v, typmod),
  formatTypmod: (typmod) => (typmod >= 0 ? `vector(${typmod})` : 'vector'),
};
