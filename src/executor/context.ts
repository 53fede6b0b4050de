/**
 * What a running statement may ask of its session: settings, identity, the statement's
 * clock and cancellation. session/ implements it; executor/ only reads through it, so the
 * executor never imports the session layer.
 */
import type { FormatContext } from '../types/index.ts';
import type { GraphMetric, SegmentGraph, Sketch } from '../ann/index.ts';
import type { TenantFilter, VectorColumnOptions, VectorColumnRead } from '../storage/index.ts';

/** EXPLAIN ANALYZE's counts of a vector top-k's work. */
export interface VectorTopKTrace {
  /** Segment graph searches (each widening round counts again). */
  graphSearches: number;
  /** The largest k asked of a graph. */
  maxK: number;
  /** Segments scanned exactly (growing, no graph, few rows passing, or past hnsw.max_scan_tuples). */
  exactScans: number;
  /** Segments whose graph search hit hnsw.max_scan_tuples and went exact. */
  scanCapped: number;
}

/** One batch of a table scan: row ids and the requested columns (undefined = absent in that segment). */
export interface ScanBatch {
  readonly rowIds: readonly number[];
  readonly rows: readonly unknown[][];
}

/**
 * Table data as the executor sees it: reads go through the statement's snapshot plus the
 * transaction's own writes; writes go into the session's write transaction. Implemented by
 * session/ over storage/.
 */
export interface DataAccess {
  /** A table's visible rows; with `tenants`, only the rows of those tenants (a partitioned table, docs/tenants.md). */
  scan(tableId: number, attnums: readonly number[], tenants?: TenantFilter): AsyncIterable<ScanBatch>;
  /** Exact visible row count of a partitioned table's tenants, from the tenant directory (no row reads where clustered). */
  countTenants(tableId: number, tenants: TenantFilter): Promise<number>;
  /** Inserts full rows (values in `attnums` order); returns their (provisional) row ids. */
  /** `owned`: the rows are given away (kept as they are, not copied); the caller never changes them again. */
  insert(tableId: number, attnums: readonly number[], rows: readonly unknown[][], owned?: boolean): Promise<readonly number[]>;
  /** Deletes rows; `oldRows` are their full live-column values (for unique-key bookkeeping). */
  delete(tableId: number, rowIds: readonly number[], oldRows: readonly (readonly unknown[])[]): Promise<void>;
  /**
   * UPDATE / DELETE: locks rows (waiting for other writers) and returns the ids of those a
   * committed transaction changed meanwhile (no longer live).
   */
  lockForWrite(tableId: number, rowIds: readonly number[]): Promise<number[]>;
  /**
   * The current version of a row by its primary key (after a concurrent update), or null when
   * the table has no primary key or the row is gone. `row` is the old row's live columns.
   */
  latestVersion(tableId: number, row: readonly unknown[]): Promise<{ rowId: number; row: unknown[] } | null | undefined>;
  /** SELECT ... FOR UPDATE / SHARE: locks rows until the transaction ends; returns which were locked. */
  lockRows(tableId: number, rowIds: readonly number[], policy: 'block' | 'nowait' | 'skip', table: string): Promise<boolean[]>;
  /** Next value of a sequence (serial / identity columns, nextval()). */
  nextval(sequence: string): bigint;
  /** A query (SELECT / INSERT / UPDATE / DELETE) starts: a REPEATABLE READ block's first one takes its snapshot, as in PostgreSQL. */
  beginQuery?(): void;
  /** pg_export_snapshot(): exports the transaction's snapshot until it ends; returns its id. */
  exportSnapshot?(backendPid: number): string;
  /** SET TRANSACTION SNAPSHOT id (a REPEATABLE READ block before its first read). */
  importSnapshot?(id: string): void;
  /** A sequence's stored state (value: the next value to hand out, null once exhausted); undefined when it does not exist. */
  sequenceState?(sequence: string): { value: bigint | null; increment: bigint; min: bigint; max: bigint } | undefined;
  /** Current rows of a system view (e.g. "tessera.tables"). */
  /** `roles`: the current role, for views that show only what it may see (tessera.tenants). */
  systemView(name: string, roles?: import('./privileges.ts').RoleContext): unknown[][] | Promise<unknown[][]>;
  /** Catalog lookups of the pg_catalog functions (functions-catalog.ts); absent outside a session. */
  pgCatalog?(): PgCatalogAccess;
  // ---- vector search (executor/vector-topk.ts) ----
  /** A vector column (and extra columns) per segment of the statement's snapshot (packed float32, deletes) plus the transaction's own rows. */
  vectorColumn(tableId: number, attnum: number, opts?: VectorColumnOptions): Promise<VectorColumnRead>;
  /** The segment's graph for an ANN index, or null when none is built (search that segment exactly). */
  annGraph(indexId: number, segmentId: number): Promise<SegmentGraph> | null;
  /** The segment's graph when loaded already (annGraph loads it); else null. */
  annLoadedGraph(indexId: number, segmentId: number): SegmentGraph | null;
  /** The cold-start sketch of the segment's vectors (while its graph loads); null when its index file has none. */
  /** Whether the segment's index file is local (its graph loads faster than sketched queries pay off). */
  annGraphIsLocal(indexId: number, segmentId: number): boolean;
  annSketch(indexId: number, segmentId: number): Promise<{ sketch: Sketch; metric: GraphMetric } | null> | null;
  /** Rows by id in the statement's snapshot (undefined for ids no longer visible). */
  fetchRows(tableId: number, rowIds: readonly number[], attnums: readonly number[]): Promise<(unknown[] | undefined)[]>;
  /**
   * Point lookup through the primary-key index: the visible rows whose key equals one of
   * `keys` (values of `keyAttnums`, exactly a PRIMARY KEY / UNIQUE constraint's columns in
   * order), projected onto `attnums`, with their row ids. Null when no constraint matches.
   */
  lookupByKey(tableId: number, keyAttnums: readonly number[], keys: readonly (readonly unknown[])[], attnums: readonly number[]): Promise<ScanBatch | null>;
  /**
   * Range lookup through the primary-key index: visible rows whose first key column lies
   * between the bounds (null = open), in ascending key order, at most `limit` rows; null
   * when no constraint has exactly `keyAttnums`.
   */
  rangeByKey(
    tableId: number,
    keyAttnums: readonly number[],
    lower: { readonly value: unknown; readonly inclusive: boolean } | null,
    upper: { readonly value: unknown; readonly inclusive: boolean } | null,
    limit: number | null,
    attnums: readonly number[],
  ): Promise<ScanBatch | null>;
  /**
   * The row (full live columns, with its row id) holding the key of `row` under any unique
   * constraint of the table (or only `constraint`), as this transaction sees it, after
   * waiting for other open transactions holding the key; null when there is none (ON CONFLICT).
   */
  findConflict(tableId: number, row: readonly unknown[], constraint: string | null): Promise<{ rowId: number; row: unknown[] } | null>;
  /**
   * Optional read-ahead before `findConflict` is called for each of `rows` in order: reads
   * their keys' index entries in one batch. Only a speed-up; results never depend on it.
   */
  prefetchConflicts?(tableId: number, rows: readonly (readonly unknown[])[], constraint: string | null): void;
  /** tessera.verify_pk_index(table): the index compared with the segments, as JSON text. */
  verifyPkIndex(table: string): Promise<string>;
}

/**
 * What pg_get_constraintdef, pg_get_indexdef, pg_table_is_visible and friends read from the
 * catalog, by the OIDs pg_catalog shows (catalog/pg-catalog implements it). Name lookups
 * throw DbError as PostgreSQL does (42P01, 3F000, 42703).
 */
export interface PgCatalogAccess {
  constraintDef(oid: number, pretty?: boolean): string | null;
  indexDef(oid: number, column: number, pretty?: boolean): string | null;
  /** pg_get_viewdef: a plain view's definition, or null when the OID is no view. */
  viewDef?(oid: number, pretty?: boolean): string | null;
  /** pg_get_ruledef: a view's _RETURN rule as CREATE RULE, or null when the OID is no rule. */
  ruleDef?(oid: number, pretty?: boolean): string | null;
  tableIsVisible(oid: number): boolean | null;
  serialSequence(table: string, column: string): string | null;
  relationOid(name: string): number;
  relationSizeBytes(oid: number): bigint | null;
  schemaExists(name: string): boolean;
  functionSignature(oid: number): { args: readonly number[]; result: number; returnsSet: boolean } | null;
  roleName(oid: number): string | undefined;
  /** A COMMENT ON text of a table (attnum 0) or column, or null. */
  description(tableOid: number, attnum: number): string | null;
  /** pg_get_partkeydef / pg_get_partition_constraintdef (named partitions, docs/tenants.md). */
  partKeyDef?(oid: number): string | null;
  partitionConstraintDef?(oid: number): string | null;
  /** pg_partition_ancestors: the relation, then its partitioned parent if it is a named partition. */
  partitionAncestors?(oid: number): number[];
  /** pg_partition_tree rows: [relid, parentrelid, isleaf, level]. */
  partitionTree?(oid: number): [number, number | null, boolean, number][];
  /** The schema format_type must name a type with (not found along search_path), or null. */
  typeSchemaIfHidden?(oid: number): string | null;
}

export interface ExecContext {
  readonly format: FormatContext;
  /** current_user. */
  readonly user: string;
  /** session_user (current_user when absent). */
  readonly sessionUser?: string;
  /** The current role's privileges (every privilege when absent: the bootstrap superuser). */
  readonly roles?: import('./privileges.ts').RoleContext;
  readonly database: string;
  readonly backendPid: number;
  /** Transaction start, microseconds since 2000-01-01 UTC (now(), current_timestamp). */
  readonly transactionStartMicros: bigint;
  /** Statement start, same unit (statement_timestamp()). */
  readonly statementStartMicros: bigint;
  getSetting(name: string, missingOk: boolean): string | null;
  setSetting(name: string, value: string, isLocal: boolean): void;
  /** Throws 57014 if the statement was cancelled or timed out. Cheap; call between batches. */
  checkCancel(): void;
  /** Resolves after ms, or rejects with 57014 as soon as the statement is cancelled. */
  sleep(ms: number): Promise<void>;
  readonly data: DataAccess;
  /** Set by EXPLAIN ANALYZE: what the statement's vector top-k nodes did (vector-topk.ts counts into it). */
  readonly vectorTrace?: VectorTopKTrace;
  /** Current rows of the enclosing queries (correlated subqueries, LATERAL), innermost first. */
  readonly outerRows?: readonly (readonly unknown[])[];
  /** Per-execution state shared by a statement's plan nodes (CTE results, uncorrelated subqueries). */
  readonly runState?: Map<unknown, unknown>;
}

/** A context whose innermost outer row is `row` (for evaluating a correlated subquery or a LATERAL item). */
export function withOuterRow(ctx: ExecContext, row: readonly unknown[]): ExecContext {
  const derived = Object.create(ctx) as { outerRows: readonly (readonly unknown[])[] };
  derived.outerRows = [row, ...(ctx.outerRows ?? [])];
  return derived as unknown as ExecContext;
}

/** A context with fresh per-execution state, unless it already has some (nested plans share it). */
export function withRunState(ctx: ExecContext): ExecContext {
  if (ctx.runState) return ctx;
  const derived = Object.create(ctx) as { runState: Map<unknown, unknown> };
  derived.runState = new Map();
  return derived as unknown as ExecContext;
}
