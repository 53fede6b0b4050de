/**
 * types/: pgvector 0.8's `halfvec` type. The JS value is a Float32Array whose elements are
 * already rounded to IEEE half precision (so every element is exactly a binary16 value and
 * converts to its 16 bits losslessly); arithmetic on it must re-round with `roundToHalf`.
 * halfvec_in / halfvec_out / halfvec_recv / halfvec_send with pgvector's messages.
 * @see https://github.com/pgvector/pgvector/blob/v0.8.0/src/halfvec.c
 */
import { DbError, SqlState } from '../errors/index.ts';
import { ArrayOid, Oid } from './oids.ts';
import type { PgType } from './pg-type.ts';
import { float32ToHalfBits, formatVectorElement, halfBitsToNumber } from './vector-float.ts';
import { applyVectorTypmod, checkDim, checkElement, checkExpectedDim, formatDenseVector, parseDenseVector } from './vector.ts';
import { BinaryReader, BinaryWriter } from './wire.ts';

/** halfvec_in's element conversion: half rounding; overflow of a finite literal is 22003. */
function halfElement(x: number, erange: boolean, token: string): number {
  const h = halfBitsToNumber(float32ToHalfBits(x));
  if ((erange && !Number.isFinite(x)) || (!Number.isFinite(h) && !Number.isNaN(h) && Number.isFinite(x))) {
    throw new DbError(SqlState.NumericValueOutOfRange, `"${token}" is out of range for type halfvec`);
  }
  return h;
}

/** halfvec_in: the text form `[1,2.5,3]`, each element rounded to half precision. */
export function parseHalfvec(lit: string, typmod = -1): Float32Array {
  return parseDenseVector(lit, typmod, 'halfvec', halfElement);
}

/**
 * Float4ToHalf: a number (first narrowed to float32, as the C float parameter does) to half
 * precision; a finite value that overflows raises `"70000" is out of range for type halfvec`.
 */
export function toHalfChecked(x: number): number {
  const f = Math.fround(x);
  const h = halfBitsToNumber(float32ToHalfBits(f));
  if (!Number.isFinite(h) && !Number.isNaN(h) && Number.isFinite(f)) {
    throw new DbError(SqlState.NumericValueOutOfRange, `"${formatVectorElement(f)}" is out of range for type halfvec`);
  }
  return h;
}

/** halfvec_recv: int16 dim, int16 unused (0), dim × binary16, big-endian. */
export function halfvecRecv(buf: Uint8Array, typmod: number): Float32Array {
  const r = new BinaryReader(buf);
  const dim = r.int16();
  const unused = r.int16();
  checkDim('halfvec', dim);
  checkExpectedDim(typmod, dim);
  if (unused !== 0) throw new DbError(SqlState.DataException, `expected unused to be 0, not ${unused}`);
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    const x = halfBitsToNumber(r.uint16());
    checkElement('halfvec', x);
    out[i] = x;
  }
  r.end();
  return out;
}

/** halfvec_send: the inverse of halfvecRecv. */
export function halfvecSend(v: Float32Array): Uint8Array {
  const w = new BinaryWriter().int16(v.length).int16(0);
  for (const x of v) w.uint16(float32ToHalfBits(x));
  return w.finish();
}

/** The pgvector `halfvec` type (Tessera OID 16387, array 16388). */
export const halfvecType: PgType<Float32Array> = {
  oid: Oid.halfvec,
  name: 'halfvec',
  displayName: 'halfvec',
  typlen: -1,
  category: 'U',
  arrayOid: ArrayOid.halfvec,
  elemOid: 0,
  textIn: (text, typmod) => parseHalfvec(text, typmod),
  textOut: (v) => formatDenseVector(v),
  binaryIn: (buf, typmod) => halfvecRecv(buf, typmod),
  binaryOut: (v) => halfvecSend(v),
  applyTypmod: (v, typmod) => applyVectorTypmod(v, typmod),
  formatTypmod: (typmod) => (typmod >= 0 ? `halfvec(${typmod})` : 'halfvec'),
};
