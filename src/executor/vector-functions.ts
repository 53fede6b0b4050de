/**
 * executor/: pgvector 0.8's SQL functions and operators (vector--0.8.0.sql) registered in the
 * function catalog: distances and their operators (<-> <#> <=> <+> for vector, halfvec and
 * sparsevec; <~> <%> for bit), arithmetic, ||, btree comparisons, norms, normalize,
 * quantize, subvector, and the callable cast/send functions. The math lives in types/;
 * this file only binds SQL names and signatures to it. Imported for its side effects.
 */
import {
  ArrayOid, Oid, binaryQuantize, compareBitStrings, compareDense, compareSparse, denseAdd, denseConcat, denseDistance, denseMul, denseNorm,
  denseNormalize, denseSub, denseToFloat4Array, denseToSparsevec, halfvecSend, halfvecToVector, hammingDistance, jaccardDistance,
  sparseDistance, sparseNorm, sparseNormalize, sparsevecSend, sparsevecToHalfvec, sparsevecToVector, subvector, vectorSend, vectorToHalfvec,
  arrayToHalfvec, arrayToSparsevec, arrayToVector, checkExpectedDim, type BitString, type DenseKind, type PgArray, type SparseVector,
} from '../types/index.ts';
import { defineFunction, type ScalarFunction } from './functions.ts';
import type { Value } from './value.ts';

const fn = (name: string, argTypes: number[], returnType: number, impl: ScalarFunction['impl']): void =>
  defineFunction({ name, argTypes, returnType, impl, strict: true, volatility: 'immutable' });

const F = (v: Value): Float32Array => v as Float32Array;
const S = (v: Value): SparseVector => v as unknown as SparseVector;
const B = (v: Value): BitString => v as unknown as BitString;
const asValue = (v: unknown): Value => v as Value;

const COMPARISONS: [string, string, (c: number) => boolean][] = [
  ['<', 'lt', (c) => c < 0],
  ['<=', 'le', (c) => c <= 0],
  ['=', 'eq', (c) => c === 0],
  ['<>', 'ne', (c) => c !== 0],
  ['>=', 'ge', (c) => c >= 0],
  ['>', 'gt', (c) => c > 0],
];

// ---- vector and halfvec ----

for (const [kind, t] of [['vector', Oid.vector], ['halfvec', Oid.halfvec]] as [DenseKind, number][]) {
  const prefix = kind === 'vector' ? 'vector' : 'halfvec';
  const pair = [t, t];
  const d = (f: (k: DenseKind, a: Float32Array, b: Float32Array) => number): ScalarFunction['impl'] => ([a, b]) => f(kind, F(a), F(b));
  fn('l2_distance', pair, Oid.float8, d(denseDistance.l2));
  fn('inner_product', pair, Oid.float8, d(denseDistance.innerProduct));
  fn('cosine_distance', pair, Oid.float8, d(denseDistance.cosine));
  fn('l1_distance', pair, Oid.float8, d(denseDistance.l1));
  fn(`${prefix}_l2_squared_distance`, pair, Oid.float8, d(denseDistance.l2Squared));
  fn(`${prefix}_negative_inner_product`, pair, Oid.float8, d(denseDistance.negativeInnerProduct));
  fn(`${prefix}_spherical_distance`, pair, Oid.float8, d(denseDistance.spherical));
  fn('<->', pair, Oid.float8, d(denseDistance.l2));
  fn('<#>', pair, Oid.float8, d(denseDistance.negativeInnerProduct));
  fn('<=>', pair, Oid.float8, d(denseDistance.cosine));
  fn('<+>', pair, Oid.float8, d(denseDistance.l1));

  fn('vector_dims', [t], Oid.int4, ([a]) => F(a).length);
  fn(kind === 'vector' ? 'vector_norm' : 'l2_norm', [t], Oid.float8, ([a]) => denseNorm(F(a)));
  fn('l2_normalize', [t], t, ([a]) => denseNormalize(kind, F(a)));
  fn('binary_quantize', [t], Oid.bit, ([a]) => asValue(binaryQuantize(F(a))));
  fn('subvector', [t, Oid.int4, Oid.int4], t, ([a, start, count]) => subvector(kind, F(a), start as number, count as number));

  for (const [op, name, impl] of [
    ['+', 'add', denseAdd],
    ['-', 'sub', denseSub],
    ['*', 'mul', denseMul],
    ['||', 'concat', denseConcat],
  ] as const) {
    const body: ScalarFunction['impl'] = ([a, b]) => impl(kind, F(a), F(b));
    fn(op, pair, t, body);
    fn(`${prefix}_${name}`, pair, t, body);
  }
  for (const [op, name, test] of COMPARISONS) {
    const body: ScalarFunction['impl'] = ([a, b]) => test(compareDense(F(a), F(b)));
    fn(op, pair, Oid.bool, body);
    fn(`${prefix}_${name}`, pair, Oid.bool, body);
  }
  fn(`${prefix}_cmp`, pair, Oid.int4, ([a, b]) => compareDense(F(a), F(b)));
}

fn('vector_send', [Oid.vector], Oid.bytea, ([a]) => vectorSend(F(a)));
fn('halfvec_send', [Oid.halfvec], Oid.bytea, ([a]) => halfvecSend(F(a)));
fn('sparsevec_send', [Oid.sparsevec], Oid.bytea, ([a]) => sparsevecSend(S(a)));

// ---- sparsevec ----

{
  const t = Oid.sparsevec;
  const pair = [t, t];
  const d = (f: (a: SparseVector, b: SparseVector) => number): ScalarFunction['impl'] => ([a, b]) => f(S(a), S(b));
  fn('l2_distance', pair, Oid.float8, d(sparseDistance.l2));
  fn('inner_product', pair, Oid.float8, d(sparseDistance.innerProduct));
  fn('cosine_distance', pair, Oid.float8, d(sparseDistance.cosine));
  fn('l1_distance', pair, Oid.float8, d(sparseDistance.l1));
  fn('sparsevec_l2_squared_distance', pair, Oid.float8, d(sparseDistance.l2Squared));
  fn('sparsevec_negative_inner_product', pair, Oid.float8, d(sparseDistance.negativeInnerProduct));
  fn('<->', pair, Oid.float8, d(sparseDistance.l2));
  fn('<#>', pair, Oid.float8, d(sparseDistance.negativeInnerProduct));
  fn('<=>', pair, Oid.float8, d(sparseDistance.cosine));
  fn('<+>', pair, Oid.float8, d(sparseDistance.l1));
  fn('l2_norm', [t], Oid.float8, ([a]) => sparseNorm(S(a)));
  fn('l2_normalize', [t], t, ([a]) => asValue(sparseNormalize(S(a))));
  for (const [op, name, test] of COMPARISONS) {
    const body: ScalarFunction['impl'] = ([a, b]) => test(compareSparse(S(a), S(b)));
    fn(op, pair, Oid.bool, body);
    fn(`sparsevec_${name}`, pair, Oid.bool, body);
  }
  fn('sparsevec_cmp', pair, Oid.int4, ([a, b]) => compareSparse(S(a), S(b)));
}

// ---- bit (pgvector's distances; bit/varbit btree comparisons are PostgreSQL's bit_cmp) ----

fn('hamming_distance', [Oid.bit, Oid.bit], Oid.float8, ([a, b]) => hammingDistance(B(a), B(b)));
fn('jaccard_distance', [Oid.bit, Oid.bit], Oid.float8, ([a, b]) => jaccardDistance(B(a), B(b)));
fn('<~>', [Oid.bit, Oid.bit], Oid.float8, ([a, b]) => hammingDistance(B(a), B(b)));
fn('<%>', [Oid.bit, Oid.bit], Oid.float8, ([a, b]) => jaccardDistance(B(a), B(b)));
for (const t of [Oid.bit, Oid.varbit]) {
  for (const [op, , test] of COMPARISONS) fn(op, [t, t], Oid.bool, ([a, b]) => test(compareBitStrings(B(a), B(b))));
}

// ---- cast functions, callable by name (typmod, explicit) as in vector--0.8.0.sql ----

const ARRAY_SOURCES = [ArrayOid.int4, ArrayOid.float4, ArrayOid.float8, ArrayOid.numeric];
const castArgs = (from: number): number[] => [from, Oid.int4, Oid.bool];
const A = (v: Value): PgArray<unknown> => v as unknown as PgArray<unknown>;

for (const from of ARRAY_SOURCES) {
  fn('array_to_vector', castArgs(from), Oid.vector, ([a, typmod]) => arrayToVector(A(a), from, typmod as number));
  fn('array_to_halfvec', castArgs(from), Oid.halfvec, ([a, typmod]) => arrayToHalfvec(A(a), from, typmod as number));
  fn('array_to_sparsevec', castArgs(from), Oid.sparsevec, ([a, typmod]) => asValue(arrayToSparsevec(A(a), from, typmod as number)));
}
fn('vector', castArgs(Oid.vector), Oid.vector, ([a, typmod]) => (checkExpectedDim(typmod as number, F(a).length), a));
fn('halfvec', castArgs(Oid.halfvec), Oid.halfvec, ([a, typmod]) => (checkExpectedDim(typmod as number, F(a).length), a));
fn('sparsevec', castArgs(Oid.sparsevec), Oid.sparsevec, ([a, typmod]) => (checkExpectedDim(typmod as number, S(a).dim), a));
fn('vector_to_float4', castArgs(Oid.vector), ArrayOid.float4, ([a]) => asValue(denseToFloat4Array(F(a))));
fn('halfvec_to_float4', castArgs(Oid.halfvec), ArrayOid.float4, ([a]) => asValue(denseToFloat4Array(F(a))));
fn('halfvec_to_vector', castArgs(Oid.halfvec), Oid.vector, ([a, typmod]) => halfvecToVector(F(a), typmod as number));
fn('vector_to_halfvec', castArgs(Oid.vector), Oid.halfvec, ([a, typmod]) => vectorToHalfvec(F(a), typmod as number));
fn('vector_to_sparsevec', castArgs(Oid.vector), Oid.sparsevec, ([a, typmod]) => asValue(denseToSparsevec(F(a), typmod as number)));
fn('halfvec_to_sparsevec', castArgs(Oid.halfvec), Oid.sparsevec, ([a, typmod]) => asValue(denseToSparsevec(F(a), typmod as number)));
fn('sparsevec_to_vector', castArgs(Oid.sparsevec), Oid.vector, ([a, typmod]) => sparsevecToVector(S(a), typmod as number));
fn('sparsevec_to_halfvec', castArgs(Oid.sparsevec), Oid.halfvec, ([a, typmod]) => sparsevecToHalfvec(S(a), typmod as number));

/**
 * btree order of pgvector's types and bit/varbit, for compareValues (sorting, DISTINCT,
 * merge joins); undefined for any other type OID. The lead wires this into compareValues.
 */
export function compareVectorValues(typeOid: number, a: Value, b: Value): number | undefined {
  switch (typeOid) {
    case Oid.vector:
    case Oid.halfvec:
      return compareDense(F(a), F(b));
    case Oid.sparsevec:
      return compareSparse(S(a), S(b));
    case Oid.bit:
    case Oid.varbit:
      return compareBitStrings(B(a), B(b));
    default:
      return undefined;
  }
}
