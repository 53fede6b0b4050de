/**
 * ann/: byte codes of a run of vectors, so an exact L2 top-k scan reads a quarter of the bytes
 * (a 10,000 × 128 tenant: 1.3 MB instead of 5 MB — less than the cache it would otherwise
 * fight other work for). Dimension d of a row x is stored as c = round((x − lo[d]) / s) in
 * 0..255, one scale s for every dimension, so that a code distance is an integer sum the SIMD
 * kernel (simd/kernels.wat, l2_codes_below) adds exactly; each row keeps its reconstruction
 * error e = ‖x − x̂‖, x̂ = lo + s·c. A query q is rounded the same way to q̂ (error e_q), and
 * the triangle inequality bounds every row's true distance:
 *
 *   s·√D − e_q − e  ≤  ‖q − x‖  ≤  s·√D + e_q + e,    D = Σ_d (q̂_d − c_d)² in code units.
 *
 * `codeCandidates` keeps the rows whose lower bound reaches the k-th smallest upper bound: a
 * superset of the exact top-k, which the caller then ranks by true distances (recall stays 1).
 */
import { TopK } from './exact.ts';
import { kernelsOver, type Instance } from './simd.ts';

/** The codes memory starts with the query as int16 (≤ 16,384 dims = 32 KiB), then the kernel's output pairs. */
const OUT_AT = 32_768;
const SCRATCH = 2 * 65_536;
/** Rows one kernel call may return (8-byte pairs in the scratch area). */
const CALL_ROWS = (SCRATCH - OUT_AT) >> 3;
/** Query codes this far outside 0..255 still keep every |q − c| ≤ 511, so int32 sums cannot overflow at 16,384 dims. */
const Q_MIN = -256;
const Q_MAX = 511;
/** Relative slack on the bounds for float64 rounding. */
const SLACK = 1e-9;

export interface RowCodes {
  readonly rows: number;
  readonly dim: number;
  readonly lo: Float64Array;
  readonly scale: number;
  /** ‖x − x̂‖ per row, and their maximum (the kernel's bar assumes it). */
  readonly err: Float64Array;
  readonly errMax: number;
  readonly kernels: Instance;
  readonly query: Int16Array;
}

/** A run's codes by its vectors and first row; null where they cannot be made. */
const codesOf = new WeakMap<Float32Array, Map<number, RowCodes | null>>();
/** Codes whose candidates came out too many (one wide dimension coarsens the rest): floats serve better. */
const ineffective = new WeakSet<RowCodes>();

/**
 * The codes of rows [first, first + rows) of `data`, made on first use and kept with `data`
 * (whose rows must never change: a sealed file's); null when they cannot be made or did not pay.
 */
export function runCodes(data: Float32Array, first: number, rows: number, dim: number): RowCodes | null {
  let byFirst = codesOf.get(data);
  if (byFirst === undefined) codesOf.set(data, (byFirst = new Map()));
  let codes = byFirst.get(first);
  if (codes === undefined || (codes !== null && codes.rows !== rows)) byFirst.set(first, (codes = encodeCodes(data, first, rows, dim)));
  return codes === null || ineffective.has(codes) ? null : codes;
}

/** Whether rows of `dim` floats can be coded. */
export function codesServe(dim: number): boolean {
  return dim > 0 && dim % 16 === 0 && dim <= 16_384;
}

/** Codes of rows [first, first + rows) of `data` (row-major, `dim` floats each); null without WebAssembly SIMD. */
export function encodeCodes(data: Float32Array, first: number, rows: number, dim: number): RowCodes | null {
  const lo = new Float64Array(dim).fill(Infinity);
  const hi = new Float64Array(dim).fill(-Infinity);
  const base = first * dim;
  for (let r = 0; r < rows; r++) {
    for (let d = 0, at = base + r * dim; d < dim; d++, at++) {
      const x = data[at]!;
      if (x < lo[d]!) lo[d] = x;
      if (x > hi[d]!) hi[d] = x;
    }
  }
  let range = 0;
  for (let d = 0; d < dim; d++) range = Math.max(range, hi[d]! - lo[d]!);
  const scale = range > 0 ? range / 255 : 1;
  const pages = Math.ceil((SCRATCH + rows * dim) / 65_536);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const kernels = kernelsOver(memory);
  if (kernels === null) return null;
  const codes = new Uint8Array(memory.buffer, SCRATCH, rows * dim);
  const err = new Float64Array(rows);
  const inv = 1 / scale;
  let errMax = 0;
  for (let r = 0; r < rows; r++) {
    let e = 0;
    for (let d = 0, at = base + r * dim, o = r * dim; d < dim; d++, at++, o++) {
      const x = data[at]!;
      // x − lo ∈ [0, range]: rounded by truncation after + 0.5, at most 255 (any code is
      // correct: the error below is measured against the code chosen).
      const c = Math.min(255, ((x - lo[d]!) * inv + 0.5) | 0);
      codes[o] = c;
      const diff = x - (lo[d]! + scale * c);
      e += diff * diff;
    }
    err[r] = Math.sqrt(e) * (1 + SLACK);
    if (err[r]! > errMax) errMax = err[r]!;
  }
  return { rows, dim, lo, scale, err, errMax, kernels, query: new Int16Array(memory.buffer, 0, dim) };
}

/**
 * The rows (0 ≤ i < c.rows) that can be among the k nearest to q by L2 of those `live`
 * accepts, appended to `out` in row order. false (and nothing appended) when q lies too far
 * outside the codes' range for int16: the caller scans the floats instead.
 */
export function codeCandidates(c: RowCodes, q: Float32Array, k: number, live: (i: number) => boolean, out: number[]): boolean {
  const { dim, lo, scale, err, errMax, kernels } = c;
  let eq = 0;
  for (let d = 0; d < dim; d++) {
    const r = Math.round((q[d]! - lo[d]!) / scale);
    if (!(r >= Q_MIN && r <= Q_MAX)) return false;
    c.query[d] = r;
    const diff = q[d]! - (lo[d]! + scale * r);
    eq += diff * diff;
  }
  eq = Math.sqrt(eq) * (1 + SLACK);
  // Upper bounds of live rows: the k-th smallest is the bar a row's lower bound must reach.
  const upper = new TopK(k);
  const rows: number[] = [];
  const lower: number[] = [];
  let slice = Math.max(64, 2 * k);
  for (let first = 0; first < c.rows;) {
    const n = Math.min(c.rows - first, slice, CALL_ROWS);
    slice *= 2;
    // In code units: rows with s·√D − e_q − errMax beyond √bar cannot reach it.
    const t = upper.worst;
    const reach = Number.isFinite(t) ? ((Math.sqrt(t) * (1 + SLACK) + eq + errMax) / scale) ** 2 : Infinity;
    const bar = reach >= 0x7fffffff ? 0x7fffffff : Math.floor(reach) + 1;
    const hits = kernels.k.l2_codes_below(0, SCRATCH + first * dim, n, dim, bar, OUT_AT);
    for (let h = 0; h < hits; h++) {
      const i = first + kernels.i32[(OUT_AT >> 2) + 2 * h + 1]!;
      if (!live(i)) continue;
      const dq = scale * Math.sqrt(kernels.i32[(OUT_AT >> 2) + 2 * h]!);
      const e = eq + err[i]!;
      upper.push((dq + e) ** 2, i);
      rows.push(i);
      lower.push(Math.max(0, dq - e) ** 2);
    }
    first += n;
  }
  const t = upper.worst * (1 + SLACK);
  const before = out.length;
  for (let j = 0; j < rows.length; j++) if (lower[j]! <= t) out.push(rows[j]!);
  if ((out.length - before) * 8 > c.rows) ineffective.add(c); // too coarse for this data: runCodes() refuses it from now on
  return true;
}
