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
/** parseVector's literal as bytes for plainVector (grown on demand; one caller at a time). */
let literalBytes = Buffer.allocUnsafeSlow(4096);
const encoder = new TextEncoder();
/** Powers of ten exactly representable as doubles (Clinger's fast path). */
const EXACT_POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** isVectorSpace over a byte: ' ', \t, \n, \v, \f, \r. */
const isSpaceByte = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);

/**
 * Whether `f`, the float32 nearest to the double `d` (≠ f), is also strtof's rounding of the
 * decimal `d` was correctly rounded from. Rounding to the nearest double is monotonic and
 * every float32 midpoint is a double, so the double lies on the decimal's side of a midpoint
 * unless it is one. The halfway test: h = 2d − f is exact and lies strictly between f and the
 * other neighbour, unless d is their midpoint, where it is that neighbour, a float32. Zero
 * (underflow) and infinity (overflow) are left to strtof and its errors.
 */
const isStrtofRounding = (d: number, f: number): boolean => {
  if (f === 0 || !Number.isFinite(f)) return false;
  const h = d + (d - f);
  return Math.fround(h) !== h;
};

/** strtof's float32 of the decimal a double `d` is the correct rounding of, or NaN when isStrtofRounding cannot vouch for fround(d). */
function strtofOf(d: number): number {
  const f = Math.fround(d);
  return (f === d && Number.isFinite(f)) || isStrtofRounding(d, f) ? f : NaN;
}

/**
 * strtof of mantissa × 10^scale (mantissa < 2^53, |scale| ≤ 22: Clinger's fast path — both
 * operands are exact, so the one multiplication or division rounds correctly), or NaN.
 */
function clingerFloat32(mantissa: number, scale: number): number {
  return strtofOf(scale >= 0 ? mantissa * EXACT_POW10[scale]! : mantissa / EXACT_POW10[-scale]!);
}

/**
 * The float32 of an unsigned token b[start..end) beyond the plain Clinger case (more digits
 * than 2^53 holds, e.g. a JavaScript number's 17, or a large exponent), or NaN for the exact
 * path. The first 15 significant digits are the mantissa; later ones only scale it and, when
 * not zero, make the token lie strictly between mantissa and mantissa + 1 (times the scale):
 * when both round to one float32, so does the token. Otherwise JavaScript's correctly rounded
 * Number() decides.
 */
function longElement(b: Buffer, start: number, end: number): number {
  // Tight int32 phases (no double multiply-add chain per digit): leading zeros, 9 digits into
  // hi, 6 into lo, then the rest only for `sticky`. The decimal point may fall in any phase.
  let i = start;
  let point = -1;
  let c = b[i]!;
  for (; c === 48 || (c === 46 && point < 0); c = b[++i]!) if (c === 46) point = i;
  let hi = 0;
  for (let n = 0; n < 9; c = b[++i]!) {
    if (c >= 48 && c <= 57) {
      hi = hi * 10 + (c - 48);
      n++;
    } else if (c === 46 && point < 0) point = i;
    else break;
  }
  let lo = 0;
  let loDigits = 0;
  for (; loDigits < 6; c = b[++i]!) {
    if (c >= 48 && c <= 57) {
      lo = lo * 10 + (c - 48);
      loDigits++;
    } else if (c === 46 && point < 0) point = i;
    else break;
  }
  const mantissaEnd = i;
  let sticky = false;
  for (; ; c = b[++i]!) {
    if (c >= 49 && c <= 57) sticky = true;
    else if (c !== 48 && !(c === 46 && point < 0)) break;
    else if (c === 46) point = i;
  }
  // The mantissa's digits after the point scale it down; digits dropped before the point, up.
  let scale = point < 0 ? i - mantissaEnd : point < mantissaEnd ? point + 1 - mantissaEnd : point - mantissaEnd;
  if (i < end) scale += exponentEnd(b, i) < 0 ? NaN : exponent; // the exponent after 'e'
  const mantissa = hi * EXACT_POW10[loDigits]! + lo;
  if (scale >= -22 && scale <= 22) {
    const f = clingerFloat32(mantissa, scale);
    if (f === f && (!sticky || clingerFloat32(mantissa + 1, scale) === f)) return f;
  }
  return strtofOf(Number(b.toString('latin1', start, end))); // Number(): correctly rounded
}

/** Where the exponent digits after the 'e' at b[i] end (value in `exponent`), or -1; stops at any non-digit. */
function exponentEnd(b: Buffer, i: number): number {
  let c = b[++i]!;
  let negative = false;
  if (c === 43 || c === 45) {
    negative = c === 45;
    c = b[++i]!;
  }
  let exp = 0;
  let digits = 0;
  while (c >= 48 && c <= 57 && digits < 4) {
    exp = exp * 10 + (c - 48);
    digits++;
    c = b[++i]!;
  }
  if (digits === 0 || (c >= 48 && c <= 57)) return -1;
  exponent = negative ? -exp : exp;
  return i;
}
let exponent = 0;

/**
 * The common vector literal in one tight pass over b[start..end): `[`, plain decimal tokens
 * (digits, optional fraction and exponent) separated by ',', optional whitespace around them,
 * `]`. A token's double is computed exactly when its digits fit in 2^53 and the power of ten
 * is exact (Clinger's fast path), else by JavaScript's correctly rounded Number(); its float32
 * is strtof's when isStrtofRounding says so. Anything else — other tokens, syntax errors, no
 * elements or too many — returns null, and the caller runs the exact string parser from the
 * start (which also raises pgvector's errors). One function: a call per element cost a third.
 */
function plainVector(b: Buffer, start: number, end: number): Float32Array | null {
  let i = start;
  while (i < end && isSpaceByte(b[i]!)) i++;
  let close = end - 1;
  while (close > i && isSpaceByte(b[close]!)) close--;
  // b[close] is ']': every scan below stops at a byte that is not part of a number, at the
  // latest at that ']', so none reads past it (no bounds check per byte).
  if (close <= i || b[i] !== 91 || b[close] !== 93) return null; // '[' ... ']'
  i++;
  for (let count = 0; count < VECTOR_MAX_DIM; ) {
    let c = b[i]!;
    while (isSpaceByte(c)) c = b[++i]!;
    const pt = i;
    const negative = c === 45; // '-'
    if (negative) c = b[++i]!;
    // The digits accumulate in an int32 (a double's multiply-add chain was most of the time);
    // past 2^31 / 10 `long` is set instead, and longElement() takes the token.
    let mantissa = 0;
    let scale = 0;
    let long = false;
    const digitsAt = i;
    while (c >= 48 && c <= 57) {
      if (mantissa <= 214748363) mantissa = mantissa * 10 + (c - 48); // stays an int32: never overflows
      else long = true;
      c = b[++i]!;
    }
    let digits = i - digitsAt;
    if (c === 46) {
      c = b[++i]!;
      const fractionAt = i;
      while (c >= 48 && c <= 57) {
        if (mantissa <= 214748363) mantissa = mantissa * 10 + (c - 48);
        else long = true;
        c = b[++i]!;
      }
      scale = fractionAt - i;
      digits += i - fractionAt;
    }
    if (digits === 0) return null;
    if (c === 101 || c === 69) {
      // 'e' / 'E'
      i = exponentEnd(b, i);
      if (i < 0) return null;
      scale += exponent;
      c = b[i]!;
    }
    if (c !== 44 && c !== 93 && !isSpaceByte(c)) return null; // ',' or ']' or space must follow
    let f: number;
    if (!long && scale >= -22 && scale <= 22) {
      // clingerFloat32() written out: a double returned from a call that is not inlined is a
      // heap object, 2 KiB of garbage per 128-dim vector. Both operands are exact, so the one
      // operation rounds correctly; the quotient or product is finite and not 0 unless exactly 0.
      const d = scale >= 0 ? mantissa * EXACT_POW10[scale]! : mantissa / EXACT_POW10[-scale]!;
      f = Math.fround(d);
      if (f !== d) {
        const h = d + (d - f); // isStrtofRounding() written out
        if (Math.fround(h) === h) return null;
      }
    } else {
      f = longElement(b, negative ? pt + 1 : pt, i);
      if (f !== f) return null; // NaN: the exact path
    }
    if (negative) f = -f;
    scratch[count++] = f;
    while (isSpaceByte(c)) c = b[++i]!;
    i++;
    if (c === 44) continue; // ','
    if (c !== 93 || i !== close + 1) return null; // not the closing ']'
    const v = newVector(count);
    for (let k = 0; k < count; k++) v[k] = scratch[k]!;
    return v;
  }
  return null;
}

/** vector_in's element check: strtof overflow is a 22003 range error quoting the token. */
function vectorElement(x: number, erange: boolean, token: string): number {
  if (erange && !Number.isFinite(x)) throw new DbError(SqlState.NumericValueOutOfRange, `"${token}" is out of range for type vector`);
  return x;
}

/** vector_in: the text form `[1,2.5,3]`. */
export function parseVector(lit: string, typmod = -1): Float32Array {
  if (literalBytes.length < lit.length * 3) literalBytes = Buffer.allocUnsafeSlow(lit.length * 3);
  // written === length: every character was one byte (ASCII), the only text the fast path reads.
  const { written } = encoder.encodeInto(lit, literalBytes);
  const plain = written === lit.length ? plainVector(literalBytes, 0, written) : null;
  if (plain === null) return parseDenseVector(lit, typmod, 'vector', vectorElement);
  checkExpectedDim(typmod, plain.length);
  return plain;
}

/** vector_in over the bytes b[start..end) (a COPY text field without escapes, valid UTF-8). */
export function parseVectorBytes(b: Buffer, start: number, end: number, typmod = -1): Float32Array {
  const plain = plainVector(b, start, end);
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
