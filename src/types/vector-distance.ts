/**
 * types/: pgvector 0.8's distance kernels, bit for bit. Dense sums accumulate in float32
 * exactly as the C loops do (one rounding per operation, in index order; no FMA — PGlite's
 * wasm build has none); norms accumulate in float64. halfvec shares the dense kernels: its
 * elements are exact binary16 values and pgvector converts them to float before the math.
 * Used by executor/vector-functions.ts and by index code that needs pgvector's exact order.
 * @see https://github.com/pgvector/pgvector/blob/v0.8.0/src/vector.c
 */
import { DbError, SqlState } from '../errors/index.ts';
import type { BitString } from './bit.ts';
import type { SparseVector } from './sparsevec.ts';
import { checkSameDims, type VectorKind } from './vector.ts';

const f = Math.fround;

/** VectorL2SquaredDistance (float accumulator). Dimensions must already match. */
export function denseL2Squared(a: Float32Array, b: Float32Array): number {
  let distance = 0;
  for (let i = 0; i < a.length; i++) {
    const diff = f(a[i]! - b[i]!);
    distance = f(distance + f(diff * diff));
  }
  return distance;
}

/** VectorInnerProduct (float accumulator). */
export function denseInnerProduct(a: Float32Array, b: Float32Array): number {
  let distance = 0;
  for (let i = 0; i < a.length; i++) distance = f(distance + f(a[i]! * b[i]!));
  return distance;
}

/** VectorCosineSimilarity: float sums, then `(double) sim / sqrt((double) na * (double) nb)`. */
export function denseCosineSimilarity(a: Float32Array, b: Float32Array): number {
  let similarity = 0;
  let norma = 0;
  let normb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    similarity = f(similarity + f(x * y));
    norma = f(norma + f(x * x));
    normb = f(normb + f(y * y));
  }
  return similarity / Math.sqrt(norma * normb);
}

/** VectorL1Distance (float accumulator of fabsf differences). */
export function denseL1(a: Float32Array, b: Float32Array): number {
  let distance = 0;
  for (let i = 0; i < a.length; i++) distance = f(distance + Math.abs(f(a[i]! - b[i]!)));
  return distance;
}

/** vector_norm / halfvec l2_norm: sqrt of a float64 sum of squares. */
export function denseNorm(a: Float32Array): number {
  let norm = 0;
  for (let i = 0; i < a.length; i++) norm += a[i]! * a[i]!;
  return Math.sqrt(norm);
}

/** cosine_distance's tail: clamp the similarity to [-1, 1] (NaN passes through) and take 1 - s. */
export function cosineDistanceFromSimilarity(similarity: number): number {
  let s = similarity;
  if (s > 1) s = 1;
  else if (s < -1) s = -1;
  return 1 - s;
}

/** The float8 results of the four dense distance operators, with pgvector's dimension check. */
export const denseDistance = {
  l2: (kind: VectorKind, a: Float32Array, b: Float32Array): number => (checkSameDims(kind, a.length, b.length), Math.sqrt(denseL2Squared(a, b))),
  l2Squared: (kind: VectorKind, a: Float32Array, b: Float32Array): number => (checkSameDims(kind, a.length, b.length), denseL2Squared(a, b)),
  innerProduct: (kind: VectorKind, a: Float32Array, b: Float32Array): number => (checkSameDims(kind, a.length, b.length), denseInnerProduct(a, b)),
  negativeInnerProduct: (kind: VectorKind, a: Float32Array, b: Float32Array): number => (checkSameDims(kind, a.length, b.length), -denseInnerProduct(a, b)),
  cosine: (kind: VectorKind, a: Float32Array, b: Float32Array): number =>
    (checkSameDims(kind, a.length, b.length), cosineDistanceFromSimilarity(denseCosineSimilarity(a, b))),
  l1: (kind: VectorKind, a: Float32Array, b: Float32Array): number => (checkSameDims(kind, a.length, b.length), denseL1(a, b)),
  /** vector_spherical_distance: acos of the clamped inner product over pi (assumes unit vectors). */
  spherical: (kind: VectorKind, a: Float32Array, b: Float32Array): number => {
    checkSameDims(kind, a.length, b.length);
    let d = denseInnerProduct(a, b);
    if (d > 1) d = 1;
    else if (d < -1) d = -1;
    return Math.acos(d) / Math.PI;
  },
};

// ---- sparsevec: merge over the two ascending index lists, in pgvector's exact order ----

/** SparsevecL2SquaredDistance. */
export function sparseL2Squared(a: SparseVector, b: SparseVector): number {
  const ax = a.values;
  const bx = b.values;
  let distance = 0;
  let bpos = 0;
  for (let i = 0; i < ax.length; i++) {
    const ai = a.indices[i]!;
    let bi = -1;
    for (let j = bpos; j < bx.length; j++) {
      bi = b.indices[j]!;
      if (ai === bi) {
        const diff = f(ax[i]! - bx[j]!);
        distance = f(distance + f(diff * diff));
      } else if (ai > bi) distance = f(distance + f(bx[j]! * bx[j]!));
      if (ai >= bi) bpos = j + 1;
      if (bi >= ai) break;
    }
    if (ai !== bi) distance = f(distance + f(ax[i]! * ax[i]!));
  }
  for (let j = bpos; j < bx.length; j++) distance = f(distance + f(bx[j]! * bx[j]!));
  return distance;
}

/** SparsevecInnerProduct. */
export function sparseInnerProduct(a: SparseVector, b: SparseVector): number {
  let distance = 0;
  let bpos = 0;
  for (let i = 0; i < a.indices.length; i++) {
    const ai = a.indices[i]!;
    for (let j = bpos; j < b.indices.length; j++) {
      const bi = b.indices[j]!;
      if (ai === bi) distance = f(distance + f(a.values[i]! * b.values[j]!));
      if (ai >= bi) bpos = j + 1;
      if (bi >= ai) break;
    }
  }
  return distance;
}

/** sparsevec_cosine_distance. */
export function sparseCosineDistance(a: SparseVector, b: SparseVector): number {
  checkSameDims('sparsevec', a.dim, b.dim);
  let similarity = sparseInnerProduct(a, b);
  let norma = 0;
  let normb = 0;
  for (const x of a.values) norma = f(norma + f(x * x));
  for (const x of b.values) normb = f(normb + f(x * x));
  similarity /= Math.sqrt(norma * normb);
  return cosineDistanceFromSimilarity(similarity);
}

/** sparsevec_l1_distance's float sum. */
export function sparseL1(a: SparseVector, b: SparseVector): number {
  const ax = a.values;
  const bx = b.values;
  let distance = 0;
  let bpos = 0;
  for (let i = 0; i < ax.length; i++) {
    const ai = a.indices[i]!;
    let bi = -1;
    for (let j = bpos; j < bx.length; j++) {
      bi = b.indices[j]!;
      if (ai === bi) distance = f(distance + Math.abs(f(ax[i]! - bx[j]!)));
      else if (ai > bi) distance = f(distance + Math.abs(bx[j]!));
      if (ai >= bi) bpos = j + 1;
      if (bi >= ai) break;
    }
    if (ai !== bi) distance = f(distance + Math.abs(ax[i]!));
  }
  for (let j = bpos; j < bx.length; j++) distance = f(distance + Math.abs(bx[j]!));
  return distance;
}

/** sparsevec l2_norm: float64 sum of squares of the stored values. */
export function sparseNorm(a: SparseVector): number {
  let norm = 0;
  for (const x of a.values) norm += x * x;
  return Math.sqrt(norm);
}

/** The float8 results of the sparsevec distance operators, with the dimension check. */
export const sparseDistance = {
  l2: (a: SparseVector, b: SparseVector): number => (checkSameDims('sparsevec', a.dim, b.dim), Math.sqrt(sparseL2Squared(a, b))),
  l2Squared: (a: SparseVector, b: SparseVector): number => (checkSameDims('sparsevec', a.dim, b.dim), sparseL2Squared(a, b)),
  innerProduct: (a: SparseVector, b: SparseVector): number => (checkSameDims('sparsevec', a.dim, b.dim), sparseInnerProduct(a, b)),
  negativeInnerProduct: (a: SparseVector, b: SparseVector): number => (checkSameDims('sparsevec', a.dim, b.dim), -sparseInnerProduct(a, b)),
  cosine: sparseCosineDistance,
  l1: (a: SparseVector, b: SparseVector): number => (checkSameDims('sparsevec', a.dim, b.dim), sparseL1(a, b)),
};

// ---- bit ----

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, i) => {
  let n = 0;
  for (let x = i; x; x >>= 1) n += x & 1;
  return n;
});

function checkBitLengths(a: BitString, b: BitString): void {
  if (a.length !== b.length) throw new DbError(SqlState.DataException, `different bit lengths ${a.length} and ${b.length}`);
}

/** hamming_distance: number of differing bits, as float8. */
export function hammingDistance(a: BitString, b: BitString): number {
  checkBitLengths(a, b);
  let distance = 0;
  for (let i = 0; i < a.bytes.length; i++) distance += POPCOUNT[a.bytes[i]! ^ b.bytes[i]!]!;
  return distance;
}

/** jaccard_distance: 1 - |a∧b| / |a∨b|, and 1 when a∧b is empty. */
export function jaccardDistance(a: BitString, b: BitString): number {
  checkBitLengths(a, b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.bytes.length; i++) {
    ab += POPCOUNT[a.bytes[i]! & b.bytes[i]!]!;
    aa += POPCOUNT[a.bytes[i]!]!;
    bb += POPCOUNT[b.bytes[i]!]!;
  }
  return ab === 0 ? 1 : 1 - ab / (aa + bb - ab);
}
