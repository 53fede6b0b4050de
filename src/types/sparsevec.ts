/**
 * types/: pgvector 0.8's `sparsevec` type: `{1:1.5,3:2}/5` (1-based indices in text, 0-based
 * in the value and on the wire). sparsevec_in / _out / _recv / _send with pgvector's
 * messages; only nonzero elements are stored, indices strictly ascending.
 * @see https://github.com/pgvector/pgvector/blob/v0.8.0/src/sparsevec.c
 */
import { DbError, SqlState } from '../errors/index.ts';
import { ArrayOid, Oid } from './oids.ts';
import type { PgType } from './pg-type.ts';
import { formatVectorElement, isVectorSpace, scanStrtof, scanStrtol } from './vector-float.ts';
import { applyVectorTypmod, checkDim, checkElement, checkExpectedDim, invalidVectorSyntax } from './vector.ts';
import { BinaryReader, BinaryWriter } from './wire.ts';

/** SPARSEVEC_MAX_DIM. */
export const SPARSEVEC_MAX_DIM = 1000000000;
/** SPARSEVEC_MAX_NNZ. */
export const SPARSEVEC_MAX_NNZ = 16000;

/** A sparsevec value: `indices` are 0-based and strictly ascending; `values` are nonzero float32. */
export interface SparseVector {
  readonly dim: number;
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

function tooManyNonzero(): DbError {
  return new DbError(SqlState.ProgramLimitExceeded, `sparsevec cannot have more than ${SPARSEVEC_MAX_NNZ} non-zero elements`);
}

/** CheckNnz. */
function checkNnz(nnz: number, dim: number): void {
  if (nnz < 0) throw new DbError(SqlState.DataException, 'sparsevec cannot have negative number of elements');
  if (nnz > SPARSEVEC_MAX_NNZ) throw tooManyNonzero();
  if (nnz > dim) throw new DbError(SqlState.ProgramLimitExceeded, 'sparsevec cannot have more elements than dimensions');
}

/** CheckIndex: in [0, dim) and strictly above the previous index. */
function checkIndex(indices: Int32Array, i: number, dim: number): void {
  const index = indices[i]!;
  if (index < 0 || index >= dim) throw new DbError(SqlState.DataException, 'sparsevec index out of bounds');
  if (i > 0) {
    if (index < indices[i - 1]!) throw new DbError(SqlState.DataException, 'sparsevec indices must be in ascending order');
    if (index === indices[i - 1]!) throw new DbError(SqlState.DataException, 'sparsevec indices must not contain duplicates');
  }
}

/** sparsevec_in: `{index:value,...}/dim` with whitespace between tokens; zero values are dropped. */
export function parseSparsevec(lit: string, typmod = -1): SparseVector {
  let maxNnz = 1;
  for (let i = 0; i < lit.length; i++) if (lit[i] === ',') maxNnz++;
  if (maxNnz > SPARSEVEC_MAX_NNZ) throw tooManyNonzero();
  const elements: { index: number; value: number }[] = [];
  let pt = 0;
  while (isVectorSpace(lit[pt])) pt++;
  if (lit[pt] !== '{') throw invalidVectorSyntax('sparsevec', lit, 'Vector contents must start with "{".');
  pt++;
  while (isVectorSpace(lit[pt])) pt++;
  if (lit[pt] === '}') pt++;
  else {
    for (;;) {
      while (isVectorSpace(lit[pt])) pt++;
      if (pt >= lit.length) throw invalidVectorSyntax('sparsevec', lit);
      const idx = scanStrtol(lit, pt);
      if (idx.end === pt) throw invalidVectorSyntax('sparsevec', lit);
      const index = Math.min(INT_MAX, Math.max(INT_MIN + 1, idx.value));
      pt = idx.end;
      while (isVectorSpace(lit[pt])) pt++;
      if (lit[pt] !== ':') throw invalidVectorSyntax('sparsevec', lit);
      pt++;
      while (isVectorSpace(lit[pt])) pt++;
      const scanned = scanStrtof(lit, pt);
      if (scanned.end === pt) throw invalidVectorSyntax('sparsevec', lit);
      if (scanned.erange) {
        throw new DbError(SqlState.NumericValueOutOfRange, `"${lit.slice(pt, scanned.end)}" is out of range for type sparsevec`);
      }
      checkElement('sparsevec', scanned.value);
      if (scanned.value !== 0) elements.push({ index: index - 1, value: scanned.value });
      pt = scanned.end;
      while (isVectorSpace(lit[pt])) pt++;
      if (lit[pt] === ',') pt++;
      else if (lit[pt] === '}') {
        pt++;
        break;
      } else throw invalidVectorSyntax('sparsevec', lit);
    }
  }
  while (isVectorSpace(lit[pt])) pt++;
  if (lit[pt] !== '/') throw invalidVectorSyntax('sparsevec', lit, 'Unexpected end of input.');
  pt++;
  while (isVectorSpace(lit[pt])) pt++;
  const dimScan = scanStrtol(lit, pt);
  if (dimScan.end === pt) throw invalidVectorSyntax('sparsevec', lit);
  const dim = Math.min(INT_MAX, Math.max(INT_MIN, dimScan.value));
  pt = dimScan.end;
  while (isVectorSpace(lit[pt])) pt++;
  if (pt < lit.length) throw invalidVectorSyntax('sparsevec', lit, 'Junk after closing.');
  checkDim('sparsevec', dim, SPARSEVEC_MAX_DIM);
  checkExpectedDim(typmod, dim);
  elements.sort((a, b) => a.index - b.index);
  const indices = new Int32Array(elements.length);
  const values = new Float32Array(elements.length);
  for (let i = 0; i < elements.length; i++) {
    indices[i] = elements[i]!.index;
    values[i] = elements[i]!.value;
    checkIndex(indices, i, dim);
  }
  return { dim, indices, values };
}

/** sparsevec_out: `{i:v,...}/dim` with 1-based indices and shortest float4 digits. */
export function formatSparsevec(v: SparseVector): string {
  let out = '{';
  for (let i = 0; i < v.indices.length; i++) {
    if (i > 0) out += ',';
    out += `${v.indices[i]! + 1}:${formatVectorElement(v.values[i]!)}`;
  }
  return `${out}}/${v.dim}`;
}

/** sparsevec_recv: int32 dim, int32 nnz, int32 unused (0), nnz × int32 index (0-based), nnz × float4. */
export function sparsevecRecv(buf: Uint8Array, typmod: number): SparseVector {
  const r = new BinaryReader(buf);
  const dim = r.int32();
  const nnz = r.int32();
  const unused = r.int32();
  checkDim('sparsevec', dim, SPARSEVEC_MAX_DIM);
  checkNnz(nnz, dim);
  checkExpectedDim(typmod, dim);
  if (unused !== 0) throw new DbError(SqlState.DataException, `expected unused to be 0, not ${unused}`);
  const indices = new Int32Array(nnz);
  for (let i = 0; i < nnz; i++) {
    indices[i] = r.int32();
    checkIndex(indices, i, dim);
  }
  const values = new Float32Array(nnz);
  for (let i = 0; i < nnz; i++) {
    values[i] = r.float32();
    checkElement('sparsevec', values[i]!);
    if (values[i] === 0) throw new DbError(SqlState.DataException, 'binary representation of sparsevec cannot contain zero values');
  }
  r.end();
  return { dim, indices, values };
}

/** sparsevec_send: the inverse of sparsevecRecv. */
export function sparsevecSend(v: SparseVector): Uint8Array {
  const w = new BinaryWriter().int32(v.dim).int32(v.indices.length).int32(0);
  for (const i of v.indices) w.int32(i);
  for (const x of v.values) w.float32(x);
  return w.finish();
}

/** Builds a SparseVector from dense float32 values, keeping the nonzero ones (-0 counts as zero). */
export function sparseFromDense(dense: ArrayLike<number>): SparseVector {
  let nnz = 0;
  for (let i = 0; i < dense.length; i++) if (dense[i] !== 0) nnz++;
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let j = 0;
  for (let i = 0; i < dense.length; i++) {
    if (dense[i] !== 0) {
      indices[j] = i;
      values[j++] = dense[i]!;
    }
  }
  return { dim: dense.length, indices, values };
}

/** The pgvector `sparsevec` type (Tessera OID 16389, array 16390). */
export const sparsevecType: PgType<SparseVector> = {
  oid: Oid.sparsevec,
  name: 'sparsevec',
  displayName: 'sparsevec',
  typlen: -1,
  category: 'U',
  arrayOid: ArrayOid.sparsevec,
  elemOid: 0,
  textIn: (text, typmod) => parseSparsevec(text, typmod),
  textOut: (v) => formatSparsevec(v),
  binaryIn: (buf, typmod) => sparsevecRecv(buf, typmod),
  binaryOut: (v) => sparsevecSend(v),
  applyTypmod: (v, typmod) => applyVectorTypmod(v, typmod),
  formatTypmod: (typmod) => (typmod >= 0 ? `sparsevec(${typmod})` : 'sparsevec'),
};
