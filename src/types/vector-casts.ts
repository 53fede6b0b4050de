/**
 * types/: the conversion functions behind pgvector's casts (vector--0.8.0.sql's CREATE CAST
 * list): arrays of int4/float4/float8/numeric to vector/halfvec/sparsevec, vector/halfvec to
 * real[], and between the three vector types. Each takes the target typmod and checks it
 * where pgvector does, so error order matches. executor/casts.ts wires them in by OID.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { PgArray } from './array.ts';
import { parseFloat4 } from './float-format.ts';
import { toHalfChecked } from './halfvec.ts';
import type { Numeric } from './numeric.ts';
import { ArrayOid, Oid } from './oids.ts';
import { sparseFromDense, SPARSEVEC_MAX_DIM, type SparseVector } from './sparsevec.ts';
import { checkDim, checkElement, checkExpectedDim, type VectorKind } from './vector.ts';

/** The array element OIDs pgvector accepts in array_to_vector & co. */
const ARRAY_ELEMENTS: Record<number, number> = {
  [ArrayOid.int4]: Oid.int4,
  [ArrayOid.float4]: Oid.float4,
  [ArrayOid.float8]: Oid.float8,
  [ArrayOid.numeric]: Oid.numeric,
};

/** numeric_float4 (PostgreSQL 17): through numeric_out and float4in, so the range error quotes the digits. */
function numericToFloat4(n: Numeric): number {
  const s = n.toString();
  if (s === 'NaN') return NaN;
  if (s === 'Infinity') return Infinity;
  if (s === '-Infinity') return -Infinity;
  return parseFloat4(s);
}

/** The array's elements as float32 numbers, after pgvector's 1-D and NULL checks and the dimension checks. */
function arrayElementsAsFloat4(kind: VectorKind, arr: PgArray<unknown>, arrayOid: number, typmod: number): number[] {
  const elemOid = ARRAY_ELEMENTS[arrayOid];
  if (elemOid === undefined) throw new DbError(SqlState.DataException, 'unsupported array type');
  if (arr.ndim > 1) throw new DbError(SqlState.DataException, 'array must be 1-D');
  if (arr.items.some((x) => x === null)) throw new DbError(SqlState.NullValueNotAllowed, 'array must not contain nulls');
  const n = arr.items.length;
  checkDim(kind, n, kind === 'sparsevec' ? SPARSEVEC_MAX_DIM : undefined);
  checkExpectedDim(typmod, n);
  return arr.items.map((x) => (elemOid === Oid.numeric ? numericToFloat4(x as Numeric) : Math.fround(x as number)));
}

/** array_to_vector(int4[] | real[] | double precision[] | numeric[], typmod). */
export function arrayToVector(arr: PgArray<unknown>, arrayOid: number, typmod = -1): Float32Array {
  const out = Float32Array.from(arrayElementsAsFloat4('vector', arr, arrayOid, typmod));
  for (const x of out) checkElement('vector', x);
  return out;
}

/** array_to_halfvec: Float4ToHalf per element (its range error first), then the NaN/Inf checks. */
export function arrayToHalfvec(arr: PgArray<unknown>, arrayOid: number, typmod = -1): Float32Array {
  const out = Float32Array.from(arrayElementsAsFloat4('halfvec', arr, arrayOid, typmod).map(toHalfChecked));
  for (const x of out) checkElement('halfvec', x);
  return out;
}

/** array_to_sparsevec: the nonzero elements (NaN/Inf rejected first). */
export function arrayToSparsevec(arr: PgArray<unknown>, arrayOid: number, typmod = -1): SparseVector {
  const dense = arrayElementsAsFloat4('sparsevec', arr, arrayOid, typmod);
  for (const x of dense) checkElement('sparsevec', x);
  return sparseFromDense(dense);
}

/** vector_to_float4 / halfvec_to_float4: a one-dimensional real[] (the typmod is ignored). */
export function denseToFloat4Array(v: Float32Array): PgArray<number> {
  return PgArray.of(Array.from(v));
}

/** halfvec_to_vector: exact widening. */
export function halfvecToVector(v: Float32Array, typmod = -1): Float32Array {
  checkDim('vector', v.length);
  checkExpectedDim(typmod, v.length);
  return Float32Array.from(v);
}

/** vector_to_halfvec: rounds to half; a finite element above 65504 is a 22003 range error. */
export function vectorToHalfvec(v: Float32Array, typmod = -1): Float32Array {
  checkDim('halfvec', v.length);
  checkExpectedDim(typmod, v.length);
  return Float32Array.from(v, toHalfChecked);
}

/** vector_to_sparsevec / halfvec_to_sparsevec: keep the nonzero elements. */
export function denseToSparsevec(v: Float32Array, typmod = -1): SparseVector {
  checkDim('sparsevec', v.length, SPARSEVEC_MAX_DIM);
  checkExpectedDim(typmod, v.length);
  return sparseFromDense(v);
}

/** sparsevec_to_vector: at most 16000 dimensions. */
export function sparsevecToVector(v: SparseVector, typmod = -1): Float32Array {
  checkDim('vector', v.dim);
  checkExpectedDim(typmod, v.dim);
  const out = new Float32Array(v.dim);
  for (let i = 0; i < v.indices.length; i++) out[v.indices[i]!] = v.values[i]!;
  return out;
}

/** sparsevec_to_halfvec: at most 16000 dimensions; values rounded with Float4ToHalf's range error. */
export function sparsevecToHalfvec(v: SparseVector, typmod = -1): Float32Array {
  checkDim('halfvec', v.dim);
  checkExpectedDim(typmod, v.dim);
  const out = new Float32Array(v.dim);
  for (let i = 0; i < v.indices.length; i++) out[v.indices[i]!] = toHalfChecked(v.values[i]!);
  return out;
}

/** A cast pgvector defines: source and target OIDs, pg_cast context, and the conversion. */
export interface VectorCast {
  readonly from: number;
  readonly to: number;
  readonly context: 'implicit' | 'assignment' | 'explicit';
  /** Converts a non-null value; `typmod` is the target's (-1 for none). */
  readonly convert: (value: unknown, typmod: number) => unknown;
}

const arrayCasts = (to: number, fn: (a: PgArray<unknown>, oid: number, typmod: number) => unknown): VectorCast[] =>
  [ArrayOid.int4, ArrayOid.float4, ArrayOid.float8, ArrayOid.numeric].map((from) => ({
    from,
    to,
    context: 'assignment' as const,
    convert: (v: unknown, typmod: number) => fn(v as PgArray<unknown>, from, typmod),
  }));

/**
 * Every CREATE CAST of pgvector 0.8.0 except the three length-coercion self-casts
 * (vector→vector etc., which are the types' applyTypmod).
 */
export const VECTOR_CASTS: readonly VectorCast[] = [
  { from: Oid.vector, to: ArrayOid.float4, context: 'implicit', convert: (v) => denseToFloat4Array(v as Float32Array) },
  ...arrayCasts(Oid.vector, arrayToVector),
  { from: Oid.halfvec, to: Oid.vector, context: 'assignment', convert: (v, t) => halfvecToVector(v as Float32Array, t) },
  { from: Oid.vector, to: Oid.halfvec, context: 'implicit', convert: (v, t) => vectorToHalfvec(v as Float32Array, t) },
  { from: Oid.halfvec, to: ArrayOid.float4, context: 'assignment', convert: (v) => denseToFloat4Array(v as Float32Array) },
  ...arrayCasts(Oid.halfvec, arrayToHalfvec),
  { from: Oid.sparsevec, to: Oid.vector, context: 'assignment', convert: (v, t) => sparsevecToVector(v as SparseVector, t) },
  { from: Oid.vector, to: Oid.sparsevec, context: 'implicit', convert: (v, t) => denseToSparsevec(v as Float32Array, t) },
  { from: Oid.sparsevec, to: Oid.halfvec, context: 'assignment', convert: (v, t) => sparsevecToHalfvec(v as SparseVector, t) },
  { from: Oid.halfvec, to: Oid.sparsevec, context: 'implicit', convert: (v, t) => denseToSparsevec(v as Float32Array, t) },
  ...arrayCasts(Oid.sparsevec, arrayToSparsevec),
];

/** The pgvector cast from → to, if any. */
export function findVectorCast(from: number, to: number): VectorCast | undefined {
  return VECTOR_CASTS.find((c) => c.from === from && c.to === to);
}
