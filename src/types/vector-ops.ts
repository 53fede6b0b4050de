/**
 * types/: pgvector 0.8's non-distance operations on vector, halfvec and sparsevec:
 * element-wise + - *, concatenation, l2_normalize, binary_quantize, subvector, the btree
 * comparison functions (*_cmp_internal), and the avg() transition helpers. halfvec results
 * are re-rounded to half precision after each float operation, as halfvec.c does.
 */
import { makeBitString, type BitString } from './bit.ts';
import type { SparseVector } from './sparsevec.ts';
import { float32ToHalfBits, halfBitsToNumber, roundToHalf } from './vector-float.ts';
import { atLeastOneDimension, checkDim, checkElement, checkExpectedDim, checkSameDims, floatOverflow, floatUnderflow } from './vector.ts';

/** Dense element kinds: vector (float32) or halfvec (float32 holding binary16 values). */
export type DenseKind = 'vector' | 'halfvec';

const f = Math.fround;

/** float → half without a range check (Float4ToHalfUnchecked after a float op). */
function toHalfUnchecked(x: number): number {
  return halfBitsToNumber(float32ToHalfBits(f(x)));
}

function narrow(kind: DenseKind): (x: number) => number {
  return kind === 'vector' ? f : toHalfUnchecked;
}

/** vector_add / halfvec_add: 22003 overflow when any element becomes infinite. */
export function denseAdd(kind: DenseKind, a: Float32Array, b: Float32Array): Float32Array {
  checkSameDims(kind, a.length, b.length);
  const n = narrow(kind);
  const r = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = n(a[i]! + b[i]!);
  for (const x of r) if (!Number.isFinite(x)) throw floatOverflow();
  return r;
}

/** vector_sub / halfvec_sub. */
export function denseSub(kind: DenseKind, a: Float32Array, b: Float32Array): Float32Array {
  checkSameDims(kind, a.length, b.length);
  const n = narrow(kind);
  const r = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = n(a[i]! - b[i]!);
  for (const x of r) if (!Number.isFinite(x)) throw floatOverflow();
  return r;
}

/** vector_mul / halfvec_mul: overflow, and underflow when a nonzero product rounds to 0. */
export function denseMul(kind: DenseKind, a: Float32Array, b: Float32Array): Float32Array {
  checkSameDims(kind, a.length, b.length);
  const n = narrow(kind);
  const r = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = n(a[i]! * b[i]!);
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(r[i]!)) throw floatOverflow();
    if (r[i] === 0 && !(a[i] === 0 || b[i] === 0)) throw floatUnderflow();
  }
  return r;
}

/** vector_concat / halfvec_concat: at most 16000 dimensions in the result. */
export function denseConcat(kind: DenseKind, a: Float32Array, b: Float32Array): Float32Array {
  checkDim(kind, a.length + b.length);
  const r = new Float32Array(a.length + b.length);
  r.set(a);
  r.set(b, a.length);
  return r;
}

/** l2_normalize for vector/halfvec: divide by the float64 norm; a zero vector stays zero. */
export function denseNormalize(kind: DenseKind, a: Float32Array): Float32Array {
  const r = new Float32Array(a.length);
  let norm = 0;
  for (let i = 0; i < a.length; i++) norm += a[i]! * a[i]!;
  norm = Math.sqrt(norm);
  if (norm > 0) {
    const n = narrow(kind);
    for (let i = 0; i < a.length; i++) r[i] = n(a[i]! / norm);
    for (const x of r) if (!Number.isFinite(x)) throw floatOverflow();
  }
  return r;
}

/** binary_quantize: bit i is set when element i > 0. */
export function binaryQuantize(a: Float32Array): BitString {
  const out = makeBitString(a.length);
  for (let i = 0; i < a.length; i++) if (a[i]! > 0) out.bytes[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

/** subvector(v, start, count): 1-based like substring, clipped at the end, never empty. */
export function subvector(kind: DenseKind, a: Float32Array, startArg: number, count: number): Float32Array {
  if (count < 1) throw atLeastOneDimension(kind);
  let start = startArg;
  const end = start > a.length - count ? a.length + 1 : start + count;
  if (start < 1) start = 1;
  else if (start > a.length) throw atLeastOneDimension(kind);
  const dim = end - start;
  checkDim(kind, dim);
  return a.slice(start - 1, start - 1 + dim);
}

/** vector_cmp_internal / halfvec_cmp_internal: element-wise, then the shorter vector first. */
export function compareDense(a: Float32Array, b: Float32Array): number {
  const dim = Math.min(a.length, b.length);
  for (let i = 0; i < dim; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** sparsevec_cmp_internal: the order of the equivalent dense vectors, computed sparsely. */
export function compareSparse(a: SparseVector, b: SparseVector): number {
  const ax = a.values;
  const bx = b.values;
  const nnz = Math.min(ax.length, bx.length);
  for (let i = 0; i < nnz; i++) {
    if (a.indices[i]! < b.indices[i]!) return ax[i]! < 0 ? -1 : 1;
    if (a.indices[i]! > b.indices[i]!) return bx[i]! < 0 ? 1 : -1;
    if (ax[i]! < bx[i]!) return -1;
    if (ax[i]! > bx[i]!) return 1;
  }
  if (ax.length < bx.length && b.indices[nnz]! < a.dim) return bx[nnz]! < 0 ? 1 : -1;
  if (ax.length > bx.length && a.indices[nnz]! < b.dim) return ax[nnz]! < 0 ? -1 : 1;
  return a.dim < b.dim ? -1 : a.dim > b.dim ? 1 : 0;
}

/** sparsevec_l2_normalize: values divided by the float64 norm; values that become 0 are dropped. */
export function sparseNormalize(a: SparseVector): SparseVector {
  let norm = 0;
  for (const x of a.values) norm += x * x;
  norm = Math.sqrt(norm);
  if (!(norm > 0)) return { dim: a.dim, indices: new Int32Array(a.indices.length), values: new Float32Array(a.values.length) };
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < a.values.length; i++) {
    const x = f(a.values[i]! / norm);
    if (!Number.isFinite(x)) throw floatOverflow();
    if (x !== 0) {
      indices.push(a.indices[i]!);
      values.push(x);
    }
  }
  return { dim: a.dim, indices: Int32Array.from(indices), values: Float32Array.from(values) };
}

// ---- avg(vector) / avg(halfvec) transition state: float8[] {n, sum_1, ..., sum_dim} ----

/** vector_accum / halfvec_accum: adds one vector to the float64 running sums. */
export function vectorAccum(state: readonly number[], v: Float32Array): number[] {
  const dim = state.length - 1;
  if (dim !== 0) checkExpectedDim(dim, v.length);
  const out = [state[0]! + 1];
  for (let i = 0; i < v.length; i++) {
    const x = dim === 0 ? v[i]! : state[i + 1]! + v[i]!;
    if (!Number.isFinite(x)) throw floatOverflow();
    out.push(x);
  }
  return out;
}

/** vector_combine: merges two transition states. */
export function vectorCombine(s1: readonly number[], s2: readonly number[]): number[] {
  if (s1[0] === 0) return [...s2];
  if (s2[0] === 0) return [...s1];
  checkExpectedDim(s1.length - 1, s2.length - 1);
  const out = [s1[0]! + s2[0]!];
  for (let i = 1; i < s1.length; i++) {
    const x = s1[i]! + s2[i]!;
    if (!Number.isFinite(x)) throw floatOverflow();
    out.push(x);
  }
  return out;
}

/** vector_avg / halfvec_avg: the final mean, or null for no rows. */
export function vectorAvg(kind: DenseKind, state: readonly number[]): Float32Array | null {
  const n = state[0]!;
  if (n === 0) return null;
  const dim = state.length - 1;
  checkDim(kind, dim);
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    out[i] = kind === 'vector' ? f(state[i + 1]! / n) : roundToHalf(state[i + 1]! / n);
    checkElement(kind, out[i]!);
  }
  return out;
}
