/**
 * executor/: runs the vector top-k node (plan-vector-topk.ts). Per segment of the statement's
 * snapshot: search the segment's HNSW graph when the plan's index has one for it (over-fetching
 * past deleted and filtered-out rows, widening ef when short), otherwise scan exactly over the
 * packed Float32Array (ann/exact.ts). With a WHERE, the predicate is evaluated first into a
 * per-segment bitset; a segment where few rows pass is scanned exactly, else its graph is
 * searched with k widened by the selectivity. Survivors of every segment are fetched (late
 * materialisation) and re-ranked by the exact ORDER BY keys — pgvector's own distance — so
 * ordering and distances match a full sort; OFFSET/LIMIT apply last. Long scans yield to the
 * event loop so other connections keep being served.
 */
import { exactDistance, squaredNorm, TopK, type ExactMetric } from '../ann/exact.ts';
import { searchGraphs, type SegmentGraph } from '../ann/graph.ts';
import { sketchCandidates } from '../ann/sketch-search.ts';
import { distancesBelow, simdServes } from '../ann/simd.ts';
import { codeCandidates, codesServe, runCodes } from '../ann/codes.ts';
import { DbError, SqlState } from '../errors/index.ts';
import { isDeleted, type VectorColumnRead, type VectorSegment } from '../storage/index.ts';
import { loadLater } from './background-loads.ts';
import { compile, compileAsync, isAsync } from './compile.ts';
import type { ExecContext } from './context.ts';
import { compareSortValues } from './sort-keys.ts';
import { tenantFilter } from './tenant-keys.ts';
import type { VectorTopKPlan } from './plan-vector-topk.ts';
import { ArrayCursor, type RowCursor } from './run-plan.ts';
import type { Row, Value } from './value.ts';

/** Extra candidates kept per exactly scanned segment beyond k, absorbing float rounding near ties. */
const EXACT_MARGIN = 8;
/** Up to this LIMIT + OFFSET a cold segment is ranked by its sketch while its graph loads. */
const SKETCH_MAX_NEED = 1000;
/** A filtered segment with at most this many passing rows is scanned exactly instead of searched. */
const EXACT_FILTER_MAX_ROWS = 4096;
/** Rows scanned exactly between yields to the event loop. */
const YIELD_EVERY_ROWS = 16384;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const EXACT_METRIC: Record<string, ExactMetric> = { '<->': 'l2', '<#>': 'ip', '<=>': 'cosine', '<+>': 'l1' };

function toCount(v: Value, what: 'LIMIT' | 'OFFSET'): number | null {
  if (v === null) return null;
  const n = Number(v as bigint);
  if (n < 0) {
    throw new DbError(what === 'LIMIT' ? SqlState.InvalidRowCountInLimitClause : SqlState.InvalidRowCountInResultOffsetClause, `${what} must not be negative`);
  }
  return n;
}

/** Input column positions an expression reads (a conservative walk over the bound tree). */
function referencedColumns(e: unknown, out: Set<number>): Set<number> {
  if (Array.isArray(e)) {
    for (const x of e) referencedColumns(x, out);
  } else if (e !== null && typeof e === 'object') {
    const o = e as Record<string, unknown>;
    if (o.kind === 'column' && typeof o.index === 'number') out.add(o.index);
    for (const [k, v] of Object.entries(o)) if (k !== 'fn' && typeof v === 'object') referencedColumns(v, out);
  }
  return out;
}

/** Rows passing the WHERE: per segment id a bitset over offsets, and provisional row ids. */
interface PassSet {
  readonly bySegment: Map<number, { bits: Uint8Array; count: number }>;
  readonly provisional: Set<number>;
}

/**
 * Evaluates the WHERE over the segments' own column arrays (read with the vector column, same
 * snapshot): one reused row, no per-row allocation, deleted rows skipped.
 */
async function evaluateFilter(plan: VectorTopKPlan, params: readonly Value[], ctx: ExecContext, col: VectorColumnRead, cols: readonly number[]): Promise<PassSet> {
  const predicate = plan.predicate!;
  // A synchronous predicate is called without await: an await per row would cost a microtask each.
  const asyncPred = isAsync(predicate) ? compileAsync(predicate) : null;
  const syncPred = asyncPred === null ? compile(predicate) : null;
  const bySegment = new Map<number, { bits: Uint8Array; count: number }>();
  const provisional = new Set<number>();
  const row: Row = new Array(plan.attnums.length).fill(null);
  const fill = (j: number, v: unknown): void => {
    row[cols[j]!] = (v === undefined ? plan.missing[cols[j]!] : v) as Value;
  };
  let scanned = 0;
  for (const seg of col.segments) {
    const bits = new Uint8Array(seg.rowCount);
    let count = 0;
    const n = rowsOf(seg);
    for (let j = 0; j < n; j++) {
      const off = seg.rows === null ? j : seg.rows[j]!;
      if (isDeleted(seg.deletes, off)) continue;
      if (++scanned % YIELD_EVERY_ROWS === 0) {
        await yieldToLoop();
        ctx.checkCancel();
      }
      for (let j = 0; j < cols.length; j++) fill(j, seg.extra[j]?.[off]);
      if ((syncPred !== null ? syncPred(row, params, ctx) : await asyncPred!(row, params, ctx)) !== true) continue;
      bits[off] = 1;
      count++;
    }
    bySegment.set(seg.segmentId, { bits, count });
  }
  for (let k = 0; k < col.provisionalIds.length; k++) {
    const values = col.provisionalExtra[k]!;
    for (let j = 0; j < cols.length; j++) fill(j, values[j]);
    if ((syncPred !== null ? syncPred(row, params, ctx) : await asyncPred!(row, params, ctx)) === true) provisional.add(col.provisionalIds[k]!);
  }
  return { bySegment, provisional };
}

/** How many offsets a segment's search visits: all rows, or a tenant pin's (then `seg.rows[j]`). */
function rowsOf(seg: VectorSegment): number {
  return seg.rows === null ? seg.rowCount : seg.rows.length;
}

/**
 * Candidate rows of one statement, each with a float32-kernel distance (ann/exact.ts) or
 * pgvector's; only the nearest `need + EXACT_MARGIN` (and ties) are fetched and re-ranked.
 */
class Candidates {
  /** A candidate's distance, or for a sketch's row the upper bound of its true distance. */
  readonly dist: number[] = [];
  /** The lower bound of its true distance (= dist when exact). */
  readonly lower: number[] = [];
  readonly ids: number[] = [];
  /** Where a candidate's stored vector lies in memory (packed rows, element offset in srcAt); null when not known. */
  readonly src: (Float32Array | null)[] = [];
  readonly srcAt: number[] = [];
  /** Live rows whose vector is NULL (they sort last): kept only up to `need`. */
  readonly nullIds: number[] = [];
  constructor(readonly need: number) {}
  add(d: number, id: number, lower = d, src: Float32Array | null = null, at = 0): void {
    this.dist.push(d);
    this.lower.push(lower);
    this.ids.push(id);
    this.src.push(src);
    this.srcAt.push(at);
  }
  addNull(id: number): void {
    if (this.nullIds.length < this.need) this.nullIds.push(id);
  }
  /** The heap's rows; with `seg`, their vectors are its packed rows (an exact scan's). */
  addTop(top: TopK, seg?: VectorSegment): void {
    const packed = seg?.packed ?? null;
    for (let i = 0; i < top.size; i++) {
      const id = top.ids[i]!;
      if (packed === null) this.add(top.dist[i]!, id);
      else this.add(top.dist[i]!, id, top.dist[i]!, packed.data, (id - seg!.rowIdBase - seg!.packedBase) * packed.dim);
    }
  }
  /**
   * Rows to fetch: the exact candidates among the nearest need + margin (ties at the cut
   * included), the bounded ones (a sketch's rows) whose lower bound can reach the need-th
   * smallest distance (upper bound) — a hair over it, for pgvector's own rounding — then the
   * NULL rows. `vectors` holds a view of each one's stored vector when every one is known (late
   * materialisation then reads the other columns only), else is null.
   */
  chosen(dim: number): { ids: number[]; vectors: Float32Array[] | null } {
    const keep = this.need + EXACT_MARGIN;
    const sorted = [...this.dist].sort((a, b) => a - b);
    const bar = sorted.length > keep ? sorted[keep - 1]! : Infinity;
    const t = sorted.length > this.need ? sorted[this.need - 1]! : Infinity;
    const reach = t + Math.abs(t) * 1e-5 + 1e-9;
    const ids: number[] = [];
    const at: number[] = [];
    for (let i = 0; i < this.ids.length; i++) {
      const exact = this.lower[i] === this.dist[i];
      if (exact ? this.dist[i]! <= bar : this.lower[i]! <= reach) {
        ids.push(this.ids[i]!);
        at.push(i);
      }
    }
    const known = this.nullIds.length === 0 && at.every((i) => this.src[i] !== null);
    const vectors = known ? at.map((i) => this.src[i]!.subarray(this.srcAt[i]!, this.srcAt[i]! + dim)) : null;
    return { ids: [...ids, ...this.nullIds], vectors };
  }
}

/** Top-k statements running in this process (a search is inlined only when it is alone). */
let activeSearches = 0;
/** Sum over a statement's graph searches of max(ef, k) up to which it searches on the main thread when alone. */
const INLINE_EF_BUDGET = Number(process.env.TESSERA_SEARCH_INLINE_EF ?? 800);
/** Split a lone statement's graph searches between this thread and the workers (TESSERA_SEARCH_SPLIT=0: all here). */
const SPLIT = process.env.TESSERA_SEARCH_SPLIT !== '0';
/** Mean max(ef, k) per graph from which a lone statement splits (TESSERA_SEARCH_SPLIT_EF). */
const SPLIT_MIN_EF = Number(process.env.TESSERA_SEARCH_SPLIT_EF ?? 150);

/** A segment whose graph is searched (batched with the statement's other graph searches). */
interface GraphJob {
  readonly seg: VectorSegment;
  readonly graph: SegmentGraph;
  readonly live: (off: number) => boolean;
  readonly liveRows: number;
  readonly filtered: boolean;
  k: number;
}

export function openVectorTopK(plan: VectorTopKPlan, params: readonly Value[], ctx: ExecContext): RowCursor {
  let result: ArrayCursor | null = null;
  let closed = false;
  return {
    async next() {
      if (closed) return null;
      result ??= new ArrayCursor(await run(plan, params, ctx));
      return result.next();
    },
    close() {
      closed = true;
    },
  };
}

type Compiled = ReturnType<typeof compile>;

/** A plan's expressions compiled once (prepared statements run the same plan many times). */
interface CompiledTopK {
  readonly limit: Compiled;
  readonly offset: Compiled | null;
  readonly query: Compiled;
  readonly keys: readonly (VectorTopKPlan['keys'][number] & { eval: Compiled; type: number })[];
  /** plan.attnums without the vector column (fetched when the candidates' vectors are in hand). */
  readonly others: readonly number[];
  /** Positions in plan.attnums of the columns the WHERE reads. */
  readonly predCols: readonly number[];
}

const compiledPlans = new WeakMap<VectorTopKPlan, CompiledTopK>();

function compiled(plan: VectorTopKPlan): CompiledTopK {
  let c = compiledPlans.get(plan);
  if (c === undefined) {
    c = {
      limit: compile(plan.limit),
      offset: plan.offset === null ? null : compile(plan.offset),
      query: compile(plan.query),
      keys: plan.keys.map((k) => ({ ...k, eval: compile(k.expr), type: k.expr.type })),
      others: plan.attnums.filter((_a, j) => j !== plan.column),
      predCols: plan.predicate === null ? [] : [...referencedColumns(plan.predicate, new Set())].filter((i) => i < plan.attnums.length),
    };
    compiledPlans.set(plan, c);
  }
  return c;
}

async function run(plan: VectorTopKPlan, params: readonly Value[], ctx: ExecContext): Promise<Row[]> {
  activeSearches++;
  try {
    return await runTopK(plan, params, ctx);
  } finally {
    activeSearches--;
  }
}

async function runTopK(plan: VectorTopKPlan, params: readonly Value[], ctx: ExecContext): Promise<Row[]> {
  const c = compiled(plan);
  const limit = toCount(c.limit([], params, ctx), 'LIMIT');
  const offset = c.offset === null ? 0 : (toCount(c.offset([], params, ctx), 'OFFSET') ?? 0);
  if (limit === 0) return [];
  const need = limit === null ? Infinity : limit + offset;
  const query = c.query([], params, ctx);
  // Under concurrency, let pending I/O (other connections' messages) run first: a short query
  // on another connection should not queue behind this statement's synchronous stretches.
  if (activeSearches > 1) await yieldToLoop();
  const predCols = c.predCols;
  const tenants = plan.tenants === undefined ? undefined : await tenantFilter(plan.tenants, params, ctx);
  // Without a WHERE or a tenant pin, a cold file's column is not read when its graph serves
  // (the graph holds the vectors; late materialisation reads only the chosen rows).
  const deferColumn = plan.predicate === null && tenants === undefined && plan.index?.graphMetric != null && query instanceof Float32Array;
  const col = await ctx.data.vectorColumn(plan.tableId, plan.attnum, {
    extraAttnums: predCols.map((i) => plan.attnums[i]!), tenants, deferColumn, prefetchAttnums: c.others,
  });
  // What cold segments need starts loading together: the sketch of a deferred segment whose
  // graph is not loaded (the graph itself follows the statement), else its graph, else the column.
  const cold: VectorSegment[] = [];
  for (const seg of col.segments) {
    if (plan.index !== null && seg.load !== null && need <= SKETCH_MAX_NEED && ctx.data.annLoadedGraph(plan.index.indexId, seg.segmentId) === null && !ctx.data.annGraphIsLocal(plan.index.indexId, seg.segmentId)) {
      const sk = ctx.data.annSketch(plan.index.indexId, seg.segmentId);
      if (sk !== null) {
        sk.catch(() => undefined);
        cold.push(seg);
        continue;
      }
    }
    const g = plan.index === null ? null : ctx.data.annGraph(plan.index.indexId, seg.segmentId);
    if (g !== null) g.catch(() => undefined);
    else if (seg.load !== null) seg.load().catch(() => undefined);
  }
  const pass = plan.predicate === null ? null : await evaluateFilter(plan, params, ctx, col, predCols);
  const cands = new Candidates(Number.isFinite(need) ? need : Number.MAX_SAFE_INTEGER);
  const efSearch = Number(ctx.getSetting('hnsw.ef_search', true) ?? '40') || 40;

  const jobs: GraphJob[] = [];
  let scanned = false;
  for (const seg of col.segments) {
    const segPass = pass?.bySegment.get(seg.segmentId) ?? null;
    if (segPass !== null && segPass.count === 0) continue;
    if (scanned) await yieldToLoop();
    ctx.checkCancel();
    const job = await searchSegment(plan, ctx, seg, col.ownDeletes, segPass, query, need, cands);
    if (job !== null) jobs.push(job);
    else scanned = true;
  }
  if (jobs.length > 0) await searchGraphJobs(plan, ctx, jobs, query as Float32Array, need, efSearch, cands);
  // The transaction's own rows, exactly (pgvector's distance).
  if (col.provisionalIds.length > 0) {
    const provisional = new TopK(Number.isFinite(need) ? need + EXACT_MARGIN : col.provisionalIds.length);
    col.provisionalIds.forEach((id, i) => {
      if (pass !== null && !pass.provisional.has(id)) return;
      const v = col.provisionalValues[i];
      const value = (v === undefined ? plan.missing[plan.column] : v) as Value;
      const d = value === null || query === null ? null : (plan.distance.fn.impl([value, query], ctx) as number);
      if (d === null) cands.addNull(id);
      else provisional.push(Number.isNaN(d) ? Infinity : d, id);
    });
    cands.addTop(provisional);
  }

  // Late materialisation (only the nearest candidates) and exact re-rank by every ORDER BY key.
  // (The vectors of rows scanned exactly are in hand: only the other columns are read.)
  const { ids, vectors } = cands.chosen(query instanceof Float32Array ? query.length : 0);
  const fetched = await ctx.data.fetchRows(plan.tableId, ids, vectors === null ? plan.attnums : c.others);
  // For the queries that follow, in the background: graphs of segments ranked by their
  // sketch, and deferred columns (late materialisation then reads memory, not object storage).
  for (const seg of cold) loadLater(`graph:${plan.index!.indexId}:${seg.segmentId}`, () => ctx.data.annGraph(plan.index!.indexId, seg.segmentId) ?? Promise.resolve());
  for (const seg of col.segments) if (seg.load !== null) loadLater(`column:${plan.tableId}:${seg.segmentId}:${plan.attnum}`, seg.load);
  const keys = c.keys;
  const keyed: { r: Row; k: Value[] }[] = [];
  for (let i = 0; i < fetched.length; i++) {
    const src = fetched[i];
    if (src === undefined) continue;
    // The row in plan.attnums order; the vector column from `vectors` when it was not fetched.
    const r: Row = new Array(plan.attnums.length);
    for (let j = 0, from = 0; j < r.length; j++) {
      const v = vectors !== null && j === plan.column ? vectors[i] : src[from++];
      r[j] = (v === undefined ? plan.missing[j] : v) as Value;
    }
    keyed.push({ r, k: keys.map((k) => k.eval(r, params, ctx)) });
  }
  keyed.sort((a, b) => compareSortValues(keys, a.k, b.k));
  return keyed.slice(offset, limit === null ? undefined : offset + limit).map((x) => x.r);
}

/**
 * Scans the segment exactly and adds its best `need` live, passing rows (plus a margin) to
 * `cands` — or, when its graph serves, returns the graph search to batch.
 */
async function searchSegment(
  plan: VectorTopKPlan, ctx: ExecContext, seg: VectorSegment, ownDeletes: ReadonlySet<number>, segPass: { bits: Uint8Array; count: number } | null,
  query: Value, need: number, cands: Candidates,
): Promise<GraphJob | null> {
  if (seg.load !== null) {
    const job = await deferredSearch(plan, ctx, seg, ownDeletes, query, need, cands);
    if (job === 'done') return null;
    if (job !== null) return job;
    seg = await seg.load();
  }
  const checkOwn = ownDeletes.size > 0;
  const live = (off: number): boolean =>
    !isDeleted(seg.deletes, off) && (segPass === null || segPass.bits[off] === 1) && !(checkOwn && ownDeletes.has(seg.rowIdBase + off));
  const packed = seg.packed;
  const metric = EXACT_METRIC[plan.operator];
  const dense = packed !== null && metric !== undefined && query instanceof Float32Array;
  if (dense && packed.nonNull > 0 && query.length !== packed.dim) {
    // Let pgvector's operator raise its own error (different vector dimensions).
    const first = packed.present.indexOf(1);
    plan.distance.fn.impl([(seg.values?.[first + seg.packedBase] ?? packed.data.subarray(first * packed.dim, (first + 1) * packed.dim)) as Value, query], ctx);
  }

  // ---- graph search (batched by the caller) ----
  const index = plan.index;
  if (dense && index !== null && index.graphMetric !== null && seg.fileRowId !== null && query !== null && seg.rows === null) {
    const g = ctx.data.annGraph(index.indexId, seg.segmentId);
    const liveRows = segPass !== null ? segPass.count : seg.rowCount - seg.deletes.count;
    if (g !== null && !(segPass !== null && liveRows <= EXACT_FILTER_MAX_ROWS)) {
      const graph = await g;
      const selectivity = Math.min(1, Math.max(liveRows, 1) / Math.max(graph.count, 1));
      const k = Math.min(graph.count, Math.ceil(need / selectivity * (segPass === null ? 1 : 1.5)) + (segPass === null ? 0 : 10));
      return { seg, graph, live, liveRows, filtered: segPass !== null, k };
    }
  }
  if (dense) {
    await exactSegment(plan, ctx, seg, live, metric!, query, need, cands);
    return null;
  }

  // ---- generic exact path (sparsevec, bit, mixed dimensions, missing column) ----
  if (ctx.vectorTrace !== undefined) ctx.vectorTrace.exactScans++;
  const top = new TopK(Number.isFinite(need) ? need + EXACT_MARGIN : seg.rowCount);
  const n = rowsOf(seg);
  for (let j = 0; j < n; j++) {
    const off = seg.rows === null ? j : seg.rows[j]!;
    if (!live(off)) continue;
    const v = seg.values === undefined ? plan.missing[plan.column] : seg.values[off];
    const value = (v === undefined ? plan.missing[plan.column] : v) as Value;
    const d = value === null || query === null ? null : (plan.distance.fn.impl([value, query], ctx) as number);
    if (d === null) cands.addNull(seg.rowIdBase + off);
    else top.push(Number.isNaN(d) ? Infinity : d, seg.rowIdBase + off);
    if ((j & (YIELD_EVERY_ROWS - 1)) === YIELD_EVERY_ROWS - 1) await yieldToLoop();
  }
  cands.addTop(top);
  return null;
}

/**
 * A segment whose column was not read (`VectorSegment.load`): while its graph is still
 * loading (a cold file), its rows are ranked by the index file's sketch and the best go to
 * the exact re-rank ('done'); with the graph loaded, it is searched there when the graph holds
 * every row (no NULL vectors) and has an in-process copy to read candidates' vectors from.
 * null: neither serves — the caller reads the column.
 */
async function deferredSearch(
  plan: VectorTopKPlan, ctx: ExecContext, seg: VectorSegment, ownDeletes: ReadonlySet<number>, query: Value, need: number, cands: Candidates,
): Promise<GraphJob | 'done' | null> {
  if (plan.index === null || !(query instanceof Float32Array)) return null;
  const checkOwn = ownDeletes.size > 0;
  const live = (off: number): boolean => !isDeleted(seg.deletes, off) && !(checkOwn && ownDeletes.has(seg.rowIdBase + off));
  let graph = ctx.data.annLoadedGraph(plan.index.indexId, seg.segmentId);
  if (graph === null && need <= SKETCH_MAX_NEED && !ctx.data.annGraphIsLocal(plan.index.indexId, seg.segmentId)) {
    const sk = await ctx.data.annSketch(plan.index.indexId, seg.segmentId);
    if (sk != null && sk.sketch.n === seg.rowCount && sk.sketch.dim === query.length) {
      const got = sketchCandidates(sk.sketch, sk.metric, query, need, live);
      got.offsets.forEach((off, j) => cands.add(got.upper[j]!, seg.rowIdBase + off, got.lower[j]!));
      return 'done';
    }
  }
  graph ??= await ctx.data.annGraph(plan.index.indexId, seg.segmentId);
  if (graph === null || graph.local === null || graph.count !== seg.rowCount || graph.header.dim !== query.length) return null;
  const liveRows = seg.rowCount - seg.deletes.count;
  return { seg, graph, live, liveRows, filtered: false, k: Math.min(graph.count, Math.ceil(need / (Math.max(liveRows, 1) / Math.max(graph.count, 1)))) };
}

/**
 * Searches the statement's segment graphs: all at once (one message per search worker), or on
 * this thread when this is the only top-k running and the searches are short. Labels that are
 * deleted or filtered out are dropped; a segment left short of `need` widens k (doubling) and
 * past a bound is scanned exactly. Survivors get the float32 kernel's distance, so only the
 * statement's nearest candidates are fetched.
 */
async function searchGraphJobs(plan: VectorTopKPlan, ctx: ExecContext, jobs: GraphJob[], query: Float32Array, need: number, efSearch: number, cands: Candidates): Promise<void> {
  const metric = EXACT_METRIC[plan.operator]!;
  const qNorm = metric === 'cosine' ? squaredNorm(query) : 0;
  let pending = jobs;
  // Statements of other connections may be waiting in their sockets: one turn of the event loop
  // lets them in, so a statement that looks alone (and would search here) sees them and sends
  // its searches to the workers. Without it, under concurrent clients every search ran on this
  // thread one after another and the search workers sat idle.
  if (activeSearches === 1) await yieldToLoop();
  // hnsw.max_scan_tuples (pgvector's cap on the tuples an iterative scan visits): no graph is
  // asked for more labels than that. Where pgvector would stop and return fewer rows, the
  // segment is scanned exactly instead — the answer stays complete; the setting moves the point
  // where over-fetching gives way to the exact scan.
  const maxScan = Number(ctx.getSetting('hnsw.max_scan_tuples', true) ?? '20000') || 20000;
  const capped = pending.filter((j) => j.k > maxScan);
  pending = pending.filter((j) => j.k <= maxScan);
  for (const { seg, live } of capped) {
    if (ctx.vectorTrace !== undefined) ctx.vectorTrace.scanCapped++;
    await exactSegment(plan, ctx, seg.load === null ? seg : await seg.load(), live, metric, query, need, cands);
  }
  while (pending.length > 0) {
    let cost = 0;
    for (const j of pending) cost += Math.max(efSearch, j.k);
    // Alone: short searches on this thread; several long ones half here, half in the workers (a
    // worker round trip costs about one short search, so splitting pays only for long ones).
    const split = SPLIT && pending.length > 1 && cost / pending.length >= SPLIT_MIN_EF;
    const mode = activeSearches !== 1 ? 'pool' : split ? (cost <= 2 * INLINE_EF_BUDGET ? 'split' : 'pool') : cost <= INLINE_EF_BUDGET ? 'inline' : 'pool';
    const trace = ctx.vectorTrace;
    if (trace !== undefined) {
      trace.graphSearches += pending.length;
      for (const j of pending) trace.maxK = Math.max(trace.maxK, j.k);
    }
    const results = await searchGraphs(pending.map((j) => ({ graph: j.graph, k: j.k, ef: Math.max(efSearch, j.k) })), query, mode);
    ctx.checkCancel();
    const next: GraphJob[] = [];
    for (const [i, job] of pending.entries()) {
      const labels = results[i]!;
      const { seg, live } = job;
      let got = 0;
      for (let x = 0; x < labels.length; x++) if (live(labels[x]!)) got++;
      if (got >= need || job.k >= job.graph.count) {
        if (seg.packed !== null) {
          const { data, dim } = seg.packed;
          for (let x = 0; x < labels.length; x++) {
            const off = labels[x]!;
            if (live(off)) {
              const d = exactDistance(metric, query, data, (off - seg.packedBase) * dim, dim, qNorm);
              cands.add(d, seg.rowIdBase + off, d, data, (off - seg.packedBase) * dim);
            }
          }
          if (seg.packed.nonNull < seg.rowCount) addNulls(seg, live, cands);
        } else {
          // A deferred column (every row is in the graph): the candidates' vectors from the graph
          // — the stored ones for l2 and ip graphs (a cosine graph holds them normalised).
          const dim = query.length;
          const data = job.graph.local!.points(labels, dim);
          const stored = plan.index!.graphMetric === 'cosine' ? null : data;
          for (let x = 0; x < labels.length; x++) {
            if (!live(labels[x]!)) continue;
            const d = exactDistance(metric, query, data, x * dim, dim, qNorm);
            cands.add(d, seg.rowIdBase + labels[x]!, d, stored, x * dim);
          }
        }
      } else if (job.k * 2 >= job.liveRows * 4 || job.k * 2 > maxScan) {
        // Widening further costs more than scanning the passing rows, or would pass
        // hnsw.max_scan_tuples: go exact.
        if (job.k * 2 > maxScan && ctx.vectorTrace !== undefined) ctx.vectorTrace.scanCapped++;
        await exactSegment(plan, ctx, seg.load === null ? seg : await seg.load(), live, metric, query, need, cands);
      } else {
        job.k = Math.min(job.graph.count, job.k * 2);
        next.push(job);
      }
    }
    pending = next;
  }
}

function addNulls(seg: VectorSegment, live: (off: number) => boolean, cands: Candidates): void {
  const present = seg.packed!.present;
  const n = rowsOf(seg);
  for (let j = 0; j < n && cands.nullIds.length < cands.need; j++) {
    const off = seg.rows === null ? j : seg.rows[j]!;
    if (present[off - seg.packedBase] === 0 && live(off)) cands.addNull(seg.rowIdBase + off);
  }
}

async function exactSegment(
  plan: VectorTopKPlan, ctx: ExecContext, seg: VectorSegment, live: (off: number) => boolean, metric: ExactMetric, query: Float32Array, need: number, cands: Candidates,
): Promise<void> {
  if (ctx.vectorTrace !== undefined) ctx.vectorTrace.exactScans++;
  const { data, present, dim } = seg.packed!;
  const base = seg.packedBase;
  const top = new TopK(Number.isFinite(need) ? need + EXACT_MARGIN : seg.rowCount);
  const n = rowsOf(seg);
  if (simdServes(metric, dim)) {
    // Runs of consecutive offsets (a tenant's run, or the whole segment in slices) in one SIMD
    // call each, which hands back only the rows below the heap's bar: most rows lose to the
    // k-th, and only a winner's liveness is looked up.
    const rows = seg.rows;
    // One run (a tenant in a clustered file): sliced like a whole segment, no per-row offset
    // reads; slices double from a few times the heap, so the bar tightens early.
    const oneRun = rows === null || n === 0 || rows[n - 1]! - rows[0]! === n - 1;
    const start = rows === null || n === 0 ? 0 : rows[0]!;
    const allPresent = seg.packed!.nonNull === present.length;
    if (CODES && metric === 'l2' && seg.fileRowId !== null && oneRun && allPresent && n >= CODES_MIN_ROWS && n <= CODES_MAX_ROWS && top.k * 16 <= n && codesServe(dim)) {
      // A sealed file's run (its vectors never change) in a quarter of the bytes: byte codes rank
      // it, and only the few rows that can make the top-k get true distances.
      const codes = runCodes(data, start - base, n, dim);
      const found: number[] = [];
      if (codes !== null && codeCandidates(codes, query, top.k, (i) => live(start + i), found)) {
        for (const i of found) {
          const off = start + i;
          const d = exactDistance('l2', query, data, (off - base) * dim, dim, 0);
          if (d < top.worst) top.push(d, seg.rowIdBase + off);
        }
        cands.addTop(top, seg);
        return;
      }
    }
    let slice = Math.min(YIELD_EVERY_ROWS, Math.max(256, 4 * top.k));
    let scanned = 0;
    for (let j = 0; j < n;) {
      const first = oneRun ? start + j : rows![j]!;
      let len = 1;
      if (oneRun) {
        len = Math.min(n - j, slice);
        slice = Math.min(YIELD_EVERY_ROWS, 2 * slice);
      } else while (j + len < n && rows![j + len] === first + len) len++;
      if (hitAt.length < len) {
        hitDist = new Float32Array(Math.max(len, hitAt.length * 2));
        hitAt = new Int32Array(hitDist.length);
      }
      const hits = distancesBelow(metric as 'l2' | 'ip', query, data, first - base, len, dim, top.worst, hitDist, hitAt);
      for (let h = 0; h < hits; h++) {
        const off = first + hitAt[h]!;
        if (hitDist[h]! < top.worst && (allPresent || present[off - base] === 1) && live(off)) top.push(hitDist[h]!, seg.rowIdBase + off);
      }
      if (!allPresent) for (let off = first; off < first + len; off++) if (present[off - base] === 0 && live(off)) cands.addNull(seg.rowIdBase + off);
      j += len;
      if ((scanned += len) >= YIELD_EVERY_ROWS * 4) {
        scanned = 0;
        await yieldToLoop();
        ctx.checkCancel();
      }
    }
    cands.addTop(top, seg);
    return;
  }
  const qNorm = metric === 'cosine' ? squaredNorm(query) : 0;
  for (let j = 0; j < n; j++) {
    const off = seg.rows === null ? j : seg.rows[j]!;
    if (!live(off)) continue;
    if (present[off - base] === 0) {
      cands.addNull(seg.rowIdBase + off);
      continue;
    }
    const d = exactDistance(metric, query, data, (off - base) * dim, dim, qNorm);
    if (d < top.worst) top.push(d, seg.rowIdBase + off);
    if ((j & (YIELD_EVERY_ROWS - 1)) === YIELD_EVERY_ROWS - 1) {
      await yieldToLoop();
      ctx.checkCancel();
    }
  }
  void plan;
  cands.addTop(top, seg);
}

/** Runs scanned through byte codes (ann/codes.ts; TESSERA_CODES=0 turns them off, for A/B runs): at least this many rows (below, floats are cheap enough) … */
const CODES = process.env.TESSERA_CODES !== '0';
const CODES_MIN_ROWS = 4096;
/** … and at most this many (coded on first scan, synchronously: ~0.7 ms per 1,000 × 128 rows). */
const CODES_MAX_ROWS = 32_768;

/** The rows one SIMD call hands back (grown on demand, reused across statements: calls never interleave). */
let hitDist = new Float32Array(YIELD_EVERY_ROWS);
let hitAt = new Int32Array(YIELD_EVERY_ROWS);
