/**
 * Logical/physical plan nodes: immutable tagged data, printable by planner/explain.ts and
 * run by executor/run-plan.ts. Every plan declares its output columns. Defined in executor/
 * (what it can run) and produced by planner/.
 */
import type { BoundExpr } from './bound.ts';
import type { ScalarFunction } from './functions.ts';
import type { AggregateFunction } from './aggregates.ts';
import type { VectorTopKPlan } from './plan-vector-topk.ts';

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

/**
 * The tenants of a partitioned table a read is pinned to: the key values `key = v`,
 * `key IN (...)` or `key = ANY(array)` names, as expressions evaluated once per execution
 * (constants, parameters, stable calls such as current_setting()); `spread`: each yields an
 * array of values.
 */
export interface TenantPin {
  readonly attnum: number;
  readonly values: readonly BoundExpr[];
  readonly spread: boolean;
  /** The WHERE conjunct the pin came from (it stays in the plan: a node replacing the scan must still check it). */
  readonly source: BoundExpr;
  /** The restriction alone decides `source` (a bare key column): a consumer may skip evaluating it. */
  readonly exact: boolean;
}

export type Plan =
  /** pgvector's ORDER BY col <op> q LIMIT k over one table (plan-vector-topk.ts). */
  | VectorTopKPlan
  /** One row with no columns: the input of a FROM-less SELECT. */
  | { readonly kind: 'result' }
  /** Rows of a set-returning function in FROM: one column, or fn.setColumns when it has several. */
  | { readonly kind: 'function-scan'; readonly fn: ScalarFunction; readonly args: readonly BoundExpr[]; readonly ordinality?: boolean }
  | { readonly kind: 'filter'; readonly input: Plan; readonly predicate: BoundExpr }
  | { readonly kind: 'project'; readonly input: Plan; readonly exprs: readonly BoundExpr[] }
  /** Sorts by keys (stable); with `keep`, only the first `keep` rows are needed (a LIMIT above: top-N). */
  | { readonly kind: 'sort'; readonly input: Plan; readonly keys: readonly SortKey[]; readonly keep?: { readonly limit: BoundExpr; readonly offset: BoundExpr | null } }
  /** OFFSET / LIMIT; with `withTies` (the ORDER BY keys), rows equal to the last one on them also pass. */
  | { readonly kind: 'limit'; readonly input: Plan; readonly limit: BoundExpr | null; readonly offset: BoundExpr | null; readonly withTies?: readonly SortKey[] }
  /**
   * A full scan of a table's visible rows: the given attnums, with `missing` filling values
   * of columns added after a segment was written; `withRowId` appends the row id column.
   */
  | {
      readonly kind: 'seq-scan';
      readonly tableId: number;
      readonly table: string;
      readonly attnums: readonly number[];
      readonly missing: readonly unknown[];
      readonly withRowId: boolean;
      /** A partitioned table's partition key attnum (docs/tenants.md). */
      readonly partitionKey?: number;
      /** Rows restricted to the tenants a WHERE conjunct pins (planner/plan-tenants.ts); the filter above still applies. */
      readonly tenants?: TenantPin;
      /** Per output column, whether it is read at all (a DELETE needs only its keys and conditions); unread ones are undefined. */
      readonly read?: readonly boolean[];
    }
  /**
   * Grouping and aggregation: output rows are the group key values followed by one value
   * per aggregate. Without GROUP BY there is exactly one output row.
   */
  | {
      readonly kind: 'aggregate'; readonly input: Plan; readonly groupBy: readonly BoundExpr[]; readonly aggregates: readonly AggregateCall[];
      /** count(*) of a tenant-pinned scan with no other condition: answered from the tenant directory (planner/plan-tenants.ts). */
      readonly fromTenantDirectory?: boolean;
    }
  /** A tessera.* system view, read from the catalog when the plan runs. */
  | { readonly kind: 'system-view'; readonly name: string }
  /**
   * Rows whose key is one of the given ones, fetched through the primary-key index
   * (issue 6): `keys` holds, per key column (`keyAttnums`, a PRIMARY KEY / UNIQUE
   * constraint's columns in order), the candidate values (constants / parameters); the keys
   * are their cartesian product. Output as the seq-scan it replaces.
   */
  | {
      readonly kind: 'pk-lookup';
      readonly tableId: number;
      readonly table: string;
      readonly constraint: string;
      readonly keyAttnums: readonly number[];
      readonly keys: readonly (readonly BoundExpr[])[];
      /** Per key column: its expressions yield arrays whose elements are the values (`pk = ANY($1)`). */
      readonly spread?: readonly boolean[];
      /**
       * Instead of `keys` (then empty): the rows whose first key column lies in this range,
       * returned in ascending key order; `limit` (if set) stops after that many rows — only
       * valid when nothing above filters rows out before the LIMIT.
       */
      readonly range?: PkRange;
      readonly attnums: readonly number[];
      readonly missing: readonly unknown[];
      readonly withRowId: boolean;
      /** As the seq-scan's: per output column, whether it is fetched at all (unread ones are undefined). */
      readonly read?: readonly boolean[];
    }
  /** VALUES lists: one row per list of expressions. */
  | { readonly kind: 'values'; readonly rows: readonly (readonly BoundExpr[])[] }
  /**
   * A join by nested loop: for each left row, the right rows (re-opened per left row when
   * `lateral`, with the left row as the innermost outer row; materialised once otherwise)
   * that satisfy `on` (over left ++ right). Left/full joins add unmatched left rows with
   * NULLs; right/full joins add unmatched right rows.
   */
  | {
      readonly kind: 'nested-loop';
      readonly joinType: JoinKind;
      readonly left: Plan;
      readonly right: Plan;
      readonly on: BoundExpr | null;
      readonly lateral: boolean;
      readonly leftWidth: number;
      readonly rightWidth: number;
    }
  /**
   * An equi-join: builds a hash table of the right rows on `rightKeys` and probes it with
   * each left row's `leftKeys` (NULL keys never match); `residual` is checked over
   * left ++ right for key matches.
   */
  | {
      readonly kind: 'hash-join';
      readonly joinType: JoinKind;
      readonly left: Plan;
      readonly right: Plan;
      readonly leftKeys: readonly BoundExpr[];
      readonly rightKeys: readonly BoundExpr[];
      /** The `=` operator of each key pair (for printing and re-planning the condition). */
      readonly equalities: readonly ScalarFunction[];
      readonly residual: BoundExpr | null;
      readonly leftWidth: number;
      readonly rightWidth: number;
    }
  /** Removes duplicate rows (all columns), keeping the first of each. */
  | { readonly kind: 'distinct'; readonly input: Plan }
  /** DISTINCT ON: keeps the first row of each run of equal `keys` (input is sorted on them). */
  | { readonly kind: 'unique'; readonly input: Plan; readonly keys: readonly BoundExpr[] }
  /** UNION / INTERSECT / EXCEPT [ALL] of two inputs with the same column types. */
  | { readonly kind: 'set-op'; readonly op: 'union' | 'intersect' | 'except'; readonly all: boolean; readonly left: Plan; readonly right: Plan }
  /** The rows of a WITH query, computed once per statement execution and shared by every reference. */
  | { readonly kind: 'cte-scan'; readonly cteId: number; readonly name: string; readonly input: Plan }
  /** WITH RECURSIVE: the non-recursive rows, then the recursive term repeated over the last rows until none are new. */
  | { readonly kind: 'recursive-union'; readonly cteId: number; readonly all: boolean; readonly base: Plan; readonly step: Plan }
  /** Inside a recursive term: the rows the previous iteration produced. */
  | { readonly kind: 'worktable-scan'; readonly cteId: number; readonly name: string }
  /**
   * Set-returning functions of the SELECT list (ProjectSet): each input row followed by the
   * calls' values, one output row per value of the longest; shorter ones give NULLs.
   */
  | { readonly kind: 'project-set'; readonly input: Plan; readonly calls: readonly (BoundExpr & { readonly kind: 'call' })[] }
  /**
   * SELECT ... FOR UPDATE / SHARE: locks each input row (its row id at `rowIdIndex`) until the
   * transaction ends; with SKIP LOCKED rows locked by others are left out.
   */
  | {
      readonly kind: 'lock-rows';
      readonly input: Plan;
      readonly tableId: number;
      readonly table: string;
      readonly rowIdIndex: number;
      readonly policy: 'block' | 'nowait' | 'skip';
      /** Under a LIMIT: lock one row at a time, so no row beyond the limit is locked. */
      readonly oneByOne: boolean;
    }
  /** Window functions: each input row followed by one value per call. */
  | { readonly kind: 'window'; readonly input: Plan; readonly calls: readonly WindowCall[] };

export type JoinKind = 'inner' | 'left' | 'right' | 'full' | 'cross' | 'semi' | 'anti';

/** One window function call over the window node's input rows. */
export interface WindowCall {
  /** A ranking/value window function (row_number, lag...) or an aggregate over the frame. */
  readonly fn: { readonly kind: 'window'; readonly name: string } | { readonly kind: 'aggregate'; readonly call: AggregateCall };
  readonly args: readonly BoundExpr[];
  readonly partitionBy: readonly BoundExpr[];
  readonly orderBy: readonly SortKey[];
  readonly frame: WindowFrame;
  readonly type: number;
}

/** A window frame (PostgreSQL's frameOptions, resolved). */
export interface WindowFrame {
  readonly mode: 'rows' | 'range' | 'groups';
  readonly start: FrameBound;
  readonly end: FrameBound;
  readonly exclude: 'no_others' | 'current_row' | 'group' | 'ties';
}

export type FrameBound =
  | { readonly kind: 'unbounded_preceding' | 'current_row' | 'unbounded_following' }
  | { readonly kind: 'preceding' | 'following'; readonly offset: BoundExpr };

export interface AggregateCall {
  readonly fn: AggregateFunction;
  readonly args: readonly BoundExpr[];
  readonly argTypes: readonly number[];
  readonly distinct: boolean;
  readonly type: number;
  /** FILTER (WHERE ...): only input rows where it is true are aggregated. */
  readonly filter?: BoundExpr | null;
  /** ORDER BY inside the call: the order in which rows are fed to the aggregate. */
  readonly orderBy?: readonly SortKey[];
}

/** A range of the first key column for a `pk-lookup` (bounds are constants or parameters). */
export interface PkRange {
  readonly lower: BoundExpr | null;
  readonly lowerInclusive: boolean;
  readonly upper: BoundExpr | null;
  readonly upperInclusive: boolean;
  readonly limit: BoundExpr | null;
}

/** Row checks of INSERT/UPDATE, evaluated over the new row (all live columns, attnum order). */
/** The name of a RowChecks check that is a named partition's constraint (23514 "violates partition constraint"). */
export const PARTITION_CONSTRAINT = '\u0000partition';

export interface RowChecks {
  readonly table: string;
  /** Index into the new row and column name of each NOT NULL column. */
  readonly notNull: readonly { readonly index: number; readonly column: string }[];
  readonly checks: readonly { readonly name: string; readonly expr: BoundExpr }[];
  /** Row-level security WITH CHECK options (planner/rls.ts), checked before NOT NULL and CHECK. */
  readonly rls?: readonly RlsCheck[];
}

/**
 * A row-level security check: the row must make expr true, else 42501 "new row violates
 * row-level security policy [(USING expression)] ["policy"] for table" ('conflict': the
 * existing row of ON CONFLICT DO UPDATE).
 */
export interface RlsCheck {
  readonly expr: BoundExpr;
  /** The restrictive policy's name; null for the permissive policies combined. */
  readonly policy: string | null;
  readonly kind: 'check' | 'conflict';
}

/**
 * A data-changing statement over the rows of PlannedQuery.plan: for INSERT `newRow` computes the
 * full new row from a source row; UPDATE's input rows end with the row id, and `newRow`
 * computes the replacement from the old row; DELETE's input rows end with the row id.
 * `returning` is evaluated over the new row (INSERT/UPDATE) or the old row (DELETE).
 */
export interface ModifyPlan {
  readonly kind: 'insert' | 'update' | 'delete';
  readonly tableId: number;
  readonly attnums: readonly number[];
  readonly newRow: readonly BoundExpr[] | null;
  readonly checks: RowChecks | null;
  readonly returning: readonly BoundExpr[] | null;
  /** INSERT ... ON CONFLICT (issue 6). */
  readonly onConflict?: OnConflictPlan;
  /**
   * UPDATE / DELETE: the WHERE condition over a target row (live columns ‖ row id), re-checked
   * on the latest version of a row a concurrent transaction changed and committed (READ
   * COMMITTED). null when it cannot be (UPDATE ... FROM, subqueries): such a conflict is 40001.
   */
  readonly recheck?: BoundExpr | null;
}

/**
 * What INSERT does with a proposed row whose key a unique constraint already holds:
 * nothing, or update the existing row. `set` computes the full replacement row and `where`
 * filters, both over (existing row ‖ EXCLUDED row), each the table's live columns in attnum order.
 */
export interface OnConflictPlan {
  readonly action: 'nothing' | 'update';
  /** The arbiter constraint's name; null = any unique constraint (DO NOTHING without a target). */
  readonly constraint: string | null;
  readonly set: readonly BoundExpr[] | null;
  readonly where: BoundExpr | null;
  /** Values of columns an existing row's segment predates (its `missing` value). */
  readonly missing: readonly unknown[];
  /** DO UPDATE assigns no column of any unique constraint (updates may then run in batches). */
  readonly keyPreserving: boolean;
  /** Row-level security: checks of the existing row, and of the updated row (instead of INSERT's). */
  readonly rlsExisting?: readonly RlsCheck[];
  readonly rlsUpdate?: readonly RlsCheck[];
}

/** A planned query: the plan, its output columns, and its parameters' types. */
export interface PlannedQuery {
  readonly plan: Plan;
  /** For INSERT/UPDATE/DELETE: the modification run over `plan`'s rows. */
  readonly modify?: ModifyPlan;
  readonly columns: readonly OutputColumn[];
  readonly paramTypes: readonly number[];
}
