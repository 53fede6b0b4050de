/**
 * executor/: the vector top-k plan node — pgvector's `ORDER BY col <op> q LIMIT k` over one
 * table, produced by planner/plan-vector.ts and run by executor/vector-topk.ts. Part of the
 * Plan union (plan.ts). `describeVectorTopK` prints it for EXPLAIN.
 */
import type { BoundExpr } from './bound.ts';
import type { SortKey, TenantPin } from './plan.ts';

/** The ANN index a top-k may search (graphs per sealed segment), chosen at plan time. */
export interface TopKIndex {
  readonly indexId: number;
  readonly name: string;
  /** hnsw or ivfflat (built as hnsw). */
  readonly method: string;
  readonly opclass: string;
  /** The hnswlib space the graphs use; null when the opclass is searched exactly (l1, bit, sparsevec). */
  readonly graphMetric: 'l2' | 'ip' | 'cosine' | null;
  readonly m: number;
  readonly efConstruction: number;
}

export interface VectorTopKPlan {
  readonly kind: 'vector-topk';
  readonly tableId: number;
  readonly table: string;
  /** Output columns: as the replaced seq-scan (attnums, missing values); never the row id. */
  readonly attnums: readonly number[];
  readonly missing: readonly unknown[];
  /** Position in the output row and attnum of the vector column. */
  readonly column: number;
  readonly attnum: number;
  /** Column type OID (vector, halfvec, sparsevec, bit). */
  readonly typeOid: number;
  /** The distance operator (<-> <#> <=> <+> <~> <%>). */
  readonly operator: string;
  /** The first sort key, `col <op> query` (exact pgvector distance over an output row). */
  readonly distance: BoundExpr & { readonly kind: 'call' };
  /** The query vector (no column references: constants and parameters). */
  readonly query: BoundExpr;
  /** All ORDER BY keys (the distance first) over output rows. */
  readonly keys: readonly SortKey[];
  readonly predicate: BoundExpr | null;
  /** A partitioned table's tenants the search is restricted to (the conjunct naming them is not in `predicate`). */
  readonly tenants?: TenantPin;
  readonly limit: BoundExpr;
  readonly offset: BoundExpr | null;
  readonly index: TopKIndex | null;
  /**
   * For EXPLAIN: how the table's segments are searched now (graph / exact), read from the
   * catalog when called; absent when the planner's catalog cannot tell.
   */
  readonly segmentsNote?: () => string;
}

/** One line for EXPLAIN: which index (or exact scan), its parameters, k. */
export function describeVectorTopK(p: VectorTopKPlan, efSearch?: number): string {
  const how = p.index === null
    ? 'exact scan'
    : p.index.graphMetric === null
      ? `index ${p.index.name} (${p.index.method}, ${p.index.opclass}; exact for this operator class)`
      : `index ${p.index.name} (${p.index.method}, ${p.index.opclass}, m=${p.index.m}, ef_construction=${p.index.efConstruction}${efSearch === undefined ? '' : `, ef_search=${efSearch}`})`;
  const k = p.limit.kind === 'const' ? String(p.limit.value) : p.limit.kind === 'param' ? `$${p.limit.index + 1}` : 'expr';
  const off = p.offset === null ? '' : p.offset.kind === 'const' ? ` offset=${String(p.offset.value)}` : ' offset=expr';
  return `Vector Top-K on ${p.table} order by ${p.operator} using ${how} k=${k}${off}${p.predicate === null ? '' : ' filtered'}`;
}
