/**
 * Logical/physical plan nodes: immutable tagged data, printable by planner/explain.ts and
 * run by executor/run-plan.ts. Every plan declares its output columns. Defined in executor/
 * (what it can run) and produced by planner/.
 */
import type { BoundExpr } from './bound.ts';
import type { ScalarFunction } from './functions.ts';

export interface OutputColumn {
  readonly name: string;
  readonly type: number;
  readonly typmod: number;
  /** Source table OID and column number for RowDescription, 0 when computed. */
  readonly tableOid: number;
  readonly columnAttr: number;
}

export interface SortKey {
  readonly expr: BoundExpr;
  readonly descending: boolean;
  readonly nullsFirst: boolean;
}

export type Plan =
  /** One row with no columns: the input of a FROM-less SELECT. */
  | { readonly kind: 'result' }
  /** Rows of a set-returning function in FROM, one column. */
  | { readonly kind: 'function-scan'; readonly fn: ScalarFunction; readonly args: readonly BoundExpr[] }
  | { readonly kind: 'filter'; readonly input: Plan; readonly predicate: BoundExpr }
  | { readonly kind: 'project'; readonly input: Plan; readonly exprs: readonly BoundExpr[] }
  | { readonly kind: 'sort'; readonly input: Plan; readonly keys: readonly SortKey[] }
  | { readonly kind: 'limit'; readonly input: Plan; readonly limit: BoundExpr | null; readonly offset: BoundExpr | null }
  /** VALUES lists: one row per list of expressions. */
  | { readonly kind: 'values'; readonly rows: readonly (readonly BoundExpr[])[] };

/** A planned query: the plan, its output columns, and its parameters' types. */
export interface PlannedQuery {
  readonly plan: Plan;
  readonly columns: readonly OutputColumn[];
  readonly paramTypes: readonly number[];
}
