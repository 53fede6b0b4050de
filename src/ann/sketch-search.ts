/**
 * ann/: ranks a segment's rows by their cold-start sketch (sketch.mjs): per query a table of
 * partial distances (dim × 256 entries, one per dimension and byte value), then one lookup
 * and add per stored byte. A sketch's distance is approximate, but its error is bounded: the
 * sketch stores each row's ‖x − x̂‖, so a row's true distance lies within a known radius of
 * its sketch distance. sketchCandidates() keeps exactly the rows whose interval can
 * reach the query's top-`want`, and says whether that set is certified to hold the true top
 * `want` (it is, unless the pool would have to grow past its bound); the caller fetches them
 * and re-ranks exactly. Distances are on the exact kernels' scales (squared L2, −ip, 1 − cos:
 * ann/exact.ts).
 */
import { TopK } from './exact.ts';
import type { GraphMetric } from './envelope.ts';
import type { Sketch } from './sketch.mjs';

/** The `keep` live rows nearest `query` by the sketch (offsets as ids). */
function sketchTopK(sk: Sketch, metric: GraphMetric, query: Float32Array, keep: number, live: (off: number) => boolean): TopK {
  const dim = sk.dim;
  const q = metric === 'cosine' ? unit(query) : query;
  const lut = new Float64Array(dim * 256);
  for (let d = 0; d < dim; d++) {
    const lo = sk.lo[d]!;
    const step = sk.step[d]!;
    const qd = q[d]!;
    for (let c = 0; c < 256; c++) {
      const v = lo + step * c;
      lut[(d << 8) | c] = metric === 'l2' ? (qd - v) * (qd - v) : -qd * v;
    }
  }
  const top = new TopK(keep);
  const codes = sk.codes;
  const start = metric === 'cosine' ? 1 : 0; // 1 − cos
  for (let i = 0, base = 0; i < sk.n; i++, base += dim) {
    let s = start;
    for (let d = 0; d < dim; d++) s += lut[(d << 8) | codes[base + d]!]!;
    if (s < top.worst && live(i)) top.push(s, i);
  }
  return top;
}

/** Rows (offsets) to re-rank exactly, with bounds on their true distances. */
export interface SketchCandidates {
  readonly offsets: number[];
  readonly lower: number[];
  readonly upper: number[];
  /** The rows hold the true nearest `want` (false: the pool hit its bound; the rows are the sketch's best). */
  readonly certified: boolean;
}

/** Pool growth: starts at want + POOL_EXTRA rows, doubles up to POOL_ROUNDS times. */
const POOL_EXTRA = 48;
const POOL_ROUNDS = 3;

/** The rows whose true distance can be among the nearest `want` live rows (see the header). */
export function sketchCandidates(sk: Sketch, metric: GraphMetric, query: Float32Array, want: number, live: (off: number) => boolean): SketchCandidates {
  // |q·x − q·x̂| ≤ ‖q‖·‖x − x̂‖; for l2 the bound is on the distance itself, not its square;
  // cosine works on unit rows and a unit query.
  let scale = 1;
  if (metric === 'ip') {
    let q2 = 0;
    for (let d = 0; d < query.length; d++) q2 += query[d]! * query[d]!;
    scale = Math.sqrt(q2);
  }
  const slack = 1e-9;
  const lowerOf = (s: number, e: number): number => (metric === 'l2' ? Math.max(0, Math.sqrt(Math.max(0, s)) - e) ** 2 : s - scale * e) - slack;
  const upperOf = (s: number, e: number): number => (metric === 'l2' ? (Math.sqrt(Math.max(0, s)) + e) ** 2 : s + scale * e) + slack;
  for (let round = 0, keep = want + POOL_EXTRA; ; round++, keep *= 2) {
    const top = sketchTopK(sk, metric, query, keep, live);
    const upper = Array.from({ length: top.size }, (_v, j) => upperOf(top.dist[j]!, sk.err[top.ids[j]!]!)).sort((a, b) => a - b);
    // The want-th smallest upper bound: the true top `want` lie at or below it.
    const bar = upper.length >= want ? upper[want - 1]! : Infinity;
    const everyRow = top.size < keep; // the pool holds every live row
    const certified = everyRow || lowerOf(top.worst, sk.maxErr) > bar; // rows outside the pool cannot get under the bar
    if (certified || round === POOL_ROUNDS || keep >= sk.n) {
      const out: SketchCandidates = { offsets: [], lower: [], upper: [], certified };
      for (let j = 0; j < top.size; j++) {
        const e = sk.err[top.ids[j]!]!;
        const lo = lowerOf(top.dist[j]!, e);
        if (lo > bar) continue;
        out.offsets.push(top.ids[j]!);
        out.lower.push(lo);
        out.upper.push(upperOf(top.dist[j]!, e));
      }
      return out;
    }
  }
}

function unit(v: Float32Array): number[] {
  let s = 0;
  for (let d = 0; d < v.length; d++) s += v[d]! * v[d]!;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  return Array.from(v, (x) => x * inv);
}
