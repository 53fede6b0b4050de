/**
 * Tessera's own SQL AST: readonly tagged unions produced by sql/convert.ts from
 * libpg-query's parse tree. Layers above (planner/, session/) see only these types.
 * `location` is a 0-based UTF-8 byte offset into the whole query string (-1 unknown).
 */

import type { IndexStatement } from './ast-index.ts';
import type { SecurityStatement } from './ast-security.ts';

export type * from './ast-security.ts';

export interface TypeName {
  /** Qualified name parts as written, lower-cased by the parser (e.g. ["pg_catalog","int4"]). */
  readonly names: readonly string[];
  /** Integer typmod arguments, e.g. [10, 2] for numeric(10,2). */
  readonly typmods: readonly number[];
  /** Number of array dimensions ([] or ARRAY suffixes); 0 for a scalar type. */
  readonly arrayDims: number;
  readonly location: number;
}

export type LiteralKind = 'integer' | 'numeric' | 'string' | 'boolean' | 'null' | 'bitstring';

export type Expr =
  | { readonly kind: 'const'; readonly literal: LiteralKind; readonly text: string; readonly location: number }
  | { readonly kind: 'param'; readonly number: number; readonly location: number }
  | { readonly kind: 'column'; readonly names: readonly string[]; readonly star: boolean; readonly location: number }
  | { readonly kind: 'cast'; readonly arg: Expr; readonly type: TypeName; readonly location: number }
  | { readonly kind: 'op'; readonly name: string; readonly left: Expr | null; readonly right: Expr; readonly location: number }
  | { readonly kind: 'and' | 'or'; readonly args: readonly Expr[]; readonly location: number }
  | { readonly kind: 'not'; readonly arg: Expr; readonly location: number }
  | {
      readonly kind: 'func';
      readonly name: readonly string[];
      readonly args: readonly Expr[];
      readonly star: boolean;
      readonly distinct: boolean;
      /** Aggregates: FILTER (WHERE ...) and ORDER BY inside the call. */
      readonly filter?: Expr | null;
      readonly orderBy?: readonly SortItem[];
      /** `f(direct args) WITHIN GROUP (ORDER BY x)`: args are the direct arguments, then the ORDER BY expression. */
      readonly withinGroup?: boolean;
      readonly location: number;
    }
  /** Array subscripts and slices: `a[i]`, `a[i:j]`, `a[:j]`, one entry per bracket pair. */
  | {
      readonly kind: 'subscript';
      readonly arg: Expr;
      readonly indices: readonly { readonly lower: Expr | null; readonly upper: Expr | null; readonly slice: boolean }[];
      readonly location: number;
    }
  | { readonly kind: 'nulltest'; readonly arg: Expr; readonly isNull: boolean; readonly location: number }
  | {
      readonly kind: 'booltest';
      readonly arg: Expr;
      readonly test: 'true' | 'not_true' | 'false' | 'not_false' | 'unknown' | 'not_unknown';
      readonly location: number;
    }
  | {
      readonly kind: 'case';
      readonly arg: Expr | null;
      readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
      readonly otherwise: Expr | null;
      readonly location: number;
    }
  | { readonly kind: 'coalesce'; readonly args: readonly Expr[]; readonly location: number }
  | { readonly kind: 'minmax'; readonly op: 'greatest' | 'least'; readonly args: readonly Expr[]; readonly location: number }
  | { readonly kind: 'nullif'; readonly left: Expr; readonly right: Expr; readonly location: number }
  | { readonly kind: 'in'; readonly arg: Expr; readonly list: readonly Expr[]; readonly negated: boolean; readonly location: number }
  | {
      readonly kind: 'between';
      readonly arg: Expr;
      readonly low: Expr;
      readonly high: Expr;
      readonly negated: boolean;
      readonly symmetric: boolean;
      readonly location: number;
    }
  | { readonly kind: 'distinct'; readonly left: Expr; readonly right: Expr; readonly negated: boolean; readonly location: number }
  | { readonly kind: 'sqlvalue'; readonly fn: SqlValueFunction; readonly location: number }
  | { readonly kind: 'array'; readonly elements: readonly Expr[]; readonly location: number }
  /**
   * A subquery used as an expression: EXISTS (...), a scalar (...), ARRAY(...), or
   * `left op ANY|ALL (...)` (IN is ANY with =, NOT IN is ALL with <>).
   */
  | {
      readonly kind: 'sublink';
      readonly sub: 'exists' | 'scalar' | 'array' | 'any' | 'all';
      readonly left: Expr | null;
      readonly op: string | null;
      readonly query: SelectStmt;
      readonly location: number;
    }
  /** `left op ANY|ALL (array)`, e.g. `x = ANY($1)`. */
  | { readonly kind: 'array_op'; readonly quantifier: 'any' | 'all'; readonly op: string; readonly left: Expr; readonly right: Expr; readonly location: number }
  /** Field selection from a composite value: `(expr).field`. */
  | { readonly kind: 'field'; readonly arg: Expr; readonly field: string; readonly location: number }
  /** A row constructor `(a, b)` / `ROW(a, b)`: only in comparisons (expanded pairwise). */
  | { readonly kind: 'row'; readonly args: readonly Expr[]; readonly location: number }
  /** A window function call: `fn(args) OVER (...)`. */
  | { readonly kind: 'window'; readonly call: Expr & { readonly kind: 'func' }; readonly over: WindowSpec; readonly location: number };

/** CREATE TABLE ... PARTITION BY: strategy and key columns (expressions are refused at conversion). */
export interface PartitionSpec {
  readonly strategy: 'list' | 'hash' | 'range';
  readonly columns: readonly string[];
  readonly location: number;
}

/** CREATE TABLE name PARTITION OF parent FOR VALUES IN (values): a named partition (LIST bounds only). */
export interface PartitionOf {
  readonly parent: QualifiedName;
  /** The bound's kind: FOR VALUES IN (list), FROM ... TO (range), WITH (MODULUS ...) (hash); DEFAULT is refused at conversion. */
  readonly strategy: 'list' | 'range' | 'hash';
  readonly values: readonly Expr[];
  readonly location: number;
}

/** A window definition: OVER (PARTITION BY ... ORDER BY ... frame) or a reference to a named one. */
export interface WindowSpec {
  readonly refName: string | null;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly SortItem[];
  /** PostgreSQL's FRAMEOPTION_* bit mask (0 = default frame). */
  readonly frameOptions: number;
  readonly startOffset: Expr | null;
  readonly endOffset: Expr | null;
  readonly location: number;
}

export type SqlValueFunction =
  | 'current_date'
  | 'current_time'
  | 'current_timestamp'
  | 'localtime'
  | 'localtimestamp'
  | 'current_role'
  | 'current_user'
  | 'user'
  | 'session_user'
  | 'current_catalog'
  | 'current_schema';

export interface SelectTarget {
  readonly expr: Expr;
  readonly alias: string | null;
  readonly location: number;
}

export interface SortItem {
  readonly expr: Expr;
  readonly descending: boolean;
  /** null: the default (NULLS LAST for ASC, NULLS FIRST for DESC). */
  readonly nullsFirst: boolean | null;
}

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'cross';

export type FromItem =
  | {
      readonly kind: 'table';
      readonly schema: string | null;
      readonly name: string;
      readonly alias: string | null;
      readonly columnAliases: readonly string[];
      readonly location: number;
    }
  | {
      readonly kind: 'function';
      readonly call: Expr & { readonly kind: 'func' };
      readonly alias: string | null;
      readonly columnAliases: readonly string[];
      readonly lateral: boolean;
      readonly ordinality: boolean;
      readonly location: number;
    }
  | {
      readonly kind: 'subquery';
      readonly query: SelectStmt;
      readonly alias: string | null;
      readonly columnAliases: readonly string[];
      readonly lateral: boolean;
      readonly location: number;
    }
  | {
      readonly kind: 'join';
      readonly joinType: JoinType;
      readonly left: FromItem;
      readonly right: FromItem;
      readonly on: Expr | null;
      readonly using: readonly string[] | null;
      readonly natural: boolean;
      readonly alias: string | null;
      readonly location: number;
    };

/** One WITH entry. */
export interface CommonTableExpr {
  readonly name: string;
  readonly columnAliases: readonly string[];
  readonly query: SelectStmt;
  readonly materialized: boolean | null;
  readonly location: number;
}

export interface WithClause {
  readonly recursive: boolean;
  readonly ctes: readonly CommonTableExpr[];
}

export interface SelectStmt {
  readonly kind: 'select';
  readonly targets: readonly SelectTarget[];
  readonly from: readonly FromItem[];
  readonly where: Expr | null;
  readonly groupBy: readonly Expr[];
  readonly having: Expr | null;
  readonly orderBy: readonly SortItem[];
  readonly limit: Expr | null;
  readonly offset: Expr | null;
  /** FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE [OF t] [NOWAIT | SKIP LOCKED]. */
  readonly locking?: { readonly policy: 'block' | 'nowait' | 'skip'; readonly of: readonly string[] } | null;
  /** FETCH FIRST n ROWS WITH TIES: rows tying with the last one on the ORDER BY keys come too. */
  readonly withTies?: boolean;
  /** VALUES (...), (...): rows of expressions instead of targets over FROM. */
  readonly values: readonly (readonly Expr[])[] | null;
  /** null: no DISTINCT; []: SELECT DISTINCT; otherwise DISTINCT ON (exprs). */
  readonly distinct: readonly Expr[] | null;
  readonly with: WithClause | null;
  /** WINDOW name AS (...) definitions. */
  readonly windows: readonly { readonly name: string; readonly spec: WindowSpec }[];
  /**
   * A set operation: the rows of left op right; targets/from/where/... are then empty and
   * orderBy/limit/offset apply to the combined rows.
   */
  readonly setOp: { readonly op: 'union' | 'intersect' | 'except'; readonly all: boolean; readonly left: SelectStmt; readonly right: SelectStmt } | null;
}

/** A possibly schema-qualified relation name. */
export interface QualifiedName {
  readonly schema: string | null;
  readonly name: string;
  readonly location: number;
}

/**
 * An expression kept in the catalog (DEFAULT, CHECK): its bound form is rebuilt from `raw`,
 * libpg-query's JSON for the expression, whenever a statement needs it.
 */
export interface StoredExpr {
  readonly expr: Expr;
  readonly raw: string;
}

export interface ColumnDefinition {
  readonly name: string;
  readonly type: TypeName;
  readonly notNull: boolean;
  readonly defaultExpr: StoredExpr | null;
  readonly identity: 'always' | 'by default' | null;
  readonly primaryKey: boolean;
  readonly unique: boolean;
  readonly checks: readonly { readonly name: string | null; readonly expr: StoredExpr }[];
  readonly location: number;
}

export interface TableConstraint {
  readonly kind: 'primary' | 'unique' | 'check';
  readonly name: string | null;
  readonly columns: readonly string[];
  readonly expr: StoredExpr | null;
  readonly location: number;
}

export type AlterTableCommand =
  | { readonly kind: 'add_column'; readonly column: ColumnDefinition; readonly ifNotExists: boolean }
  | { readonly kind: 'drop_column'; readonly name: string; readonly ifExists: boolean; readonly cascade?: boolean }
  | { readonly kind: 'rename_column'; readonly from: string; readonly to: string }
  | { readonly kind: 'rename_table'; readonly to: string }
  /** SET (name = value, ...) / RESET (name, ...): table storage options (values as text; RESET: names only). */
  | { readonly kind: 'set_options'; readonly options: Readonly<Record<string, string>>; readonly reset: boolean }
  | { readonly kind: 'add_constraint'; readonly constraint: TableConstraint }
  | { readonly kind: 'drop_constraint'; readonly name: string; readonly ifExists: boolean }
  | { readonly kind: 'set_not_null'; readonly column: string; readonly notNull: boolean }
  /** ALTER COLUMN SET DEFAULT expr / DROP DEFAULT (null). */
  | { readonly kind: 'set_default'; readonly column: string; readonly expr: StoredExpr | null }
  /** ALTER COLUMN TYPE: only its partition-key guard exists (session/ddl-partitions.ts); otherwise 0A000. */
  | { readonly kind: 'alter_column_type'; readonly column: string };

/** INSERT's row source. `null` entries in VALUES rows stand for DEFAULT. */
export type InsertSource =
  | { readonly kind: 'values'; readonly rows: readonly (readonly (Expr | null)[])[] }
  | { readonly kind: 'select'; readonly select: SelectStmt }
  | { readonly kind: 'default_values' };

export interface CopyOptions {
  readonly format: 'text' | 'csv' | 'binary';
  readonly delimiter: string | null;
  readonly null: string | null;
  readonly header: boolean;
  readonly quote: string | null;
  readonly escape: string | null;
}

export type TransactionOp = 'begin' | 'start' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback_to';

export type Statement =
  | SelectStmt
  | {
      readonly kind: 'set';
      readonly name: string;
      /** null means DEFAULT. Values are the literal texts of the SET list. */
      readonly values: readonly { readonly text: string; readonly literal: LiteralKind }[] | null;
      readonly local: boolean;
    }
  | { readonly kind: 'reset'; readonly name: string | null /* null = ALL */ }
  /** SET TRANSACTION ... / SET SESSION CHARACTERISTICS AS TRANSACTION ... (null: not given). */
  | { readonly kind: 'set_transaction'; readonly session: boolean; readonly isolation: string | null; readonly readOnly: boolean | null }
  | { readonly kind: 'set_transaction_snapshot'; readonly id: string }
  | { readonly kind: 'show'; readonly name: string }
  | {
      readonly kind: 'transaction';
      readonly op: TransactionOp;
      readonly savepoint: string | null;
      readonly isolation: string | null;
      readonly readOnly: boolean | null;
      readonly chain: boolean;
    }
  | { readonly kind: 'discard'; readonly target: 'all' | 'plans' | 'sequences' | 'temp' }
  | {
      readonly kind: 'prepare';
      readonly name: string;
      readonly paramTypes: readonly TypeName[];
      readonly body: Statement;
    }
  | { readonly kind: 'execute'; readonly name: string; readonly params: readonly Expr[] }
  | { readonly kind: 'deallocate'; readonly name: string | null /* null = ALL */ }
  /** DECLARE name [BINARY] [SCROLL] CURSOR [WITH HOLD] FOR query (SQL-level cursors). */
  | { readonly kind: 'declare_cursor'; readonly name: string; readonly query: Statement; readonly hold: boolean; readonly scroll: boolean; readonly binary: boolean }
  /** FETCH / MOVE; `count` is the row count (ALL = 2147483647) or the ABSOLUTE/RELATIVE position. */
  | { readonly kind: 'fetch'; readonly name: string; readonly direction: 'forward' | 'backward' | 'absolute' | 'relative'; readonly count: number; readonly move: boolean }
  | { readonly kind: 'close_cursor'; readonly name: string | null /* null = ALL */ }
  | {
      readonly kind: 'create_table';
      readonly table: QualifiedName;
      readonly ifNotExists: boolean;
      readonly columns: readonly ColumnDefinition[];
      readonly constraints: readonly TableConstraint[];
      readonly options: Readonly<Record<string, string>>;
      /** PARTITION BY strategy (columns): null when absent. */
      readonly partitionBy: PartitionSpec | null;
      /** PARTITION OF parent FOR VALUES IN (...): null for an ordinary table. */
      readonly partitionOf: PartitionOf | null;
    }
  | { readonly kind: 'create_schema'; readonly name: string; readonly ifNotExists: boolean }
  | {
      readonly kind: 'drop';
      readonly objectType: 'table' | 'schema' | 'view';
      readonly names: readonly QualifiedName[];
      readonly ifExists: boolean;
      readonly cascade: boolean;
    }
  | { readonly kind: 'alter_table'; readonly table: QualifiedName; readonly ifExists: boolean; readonly commands: readonly AlterTableCommand[] }
  | { readonly kind: 'truncate'; readonly tables: readonly QualifiedName[] }
  /** LOCK [TABLE] [ONLY] name [, ...] [IN mode MODE] [NOWAIT]; `mode` is PostgreSQL's lock mode number (1 ACCESS SHARE ... 8 ACCESS EXCLUSIVE). */
  | { readonly kind: 'lock_table'; readonly tables: readonly QualifiedName[]; readonly mode: number; readonly nowait: boolean }
  | {
      readonly kind: 'insert';
      readonly table: QualifiedName;
      readonly alias: string | null;
      readonly columns: readonly { readonly name: string; readonly location: number }[] | null;
      readonly source: InsertSource;
      readonly returning: readonly SelectTarget[] | null;
      /** ON CONFLICT clause (issue 6); absent or null when the statement has none. */
      readonly onConflict?: OnConflictClause | null;
    }
  | {
      readonly kind: 'update';
      readonly table: QualifiedName;
      readonly alias: string | null;
      readonly set: readonly { readonly column: string; readonly expr: Expr | null; readonly location: number }[];
      /** UPDATE ... FROM items (joined with the target table). */
      readonly from: readonly FromItem[];
      readonly where: Expr | null;
      readonly returning: readonly SelectTarget[] | null;
    }
  | {
      readonly kind: 'delete';
      readonly table: QualifiedName;
      readonly alias: string | null;
      /** DELETE ... USING items (joined with the target table). */
      readonly from: readonly FromItem[];
      readonly where: Expr | null;
      readonly returning: readonly SelectTarget[] | null;
    }
  | {
      readonly kind: 'copy';
      readonly table: QualifiedName | null;
      readonly query: SelectStmt | null;
      readonly columns: readonly string[] | null;
      readonly direction: 'from' | 'to';
      readonly options: CopyOptions;
    }
  /** VACUUM: runs the storage maintenance (seal, merge, compaction, cleaner) now. */
  | { readonly kind: 'vacuum'; readonly tables: readonly QualifiedName[] }
  /** CREATE EXTENSION (one name) / DROP EXTENSION (session/extensions.ts). */
  | { readonly kind: 'extension'; readonly op: 'create' | 'drop'; readonly names: readonly string[]; readonly ifExists: boolean }
  /** COMMENT ON TABLE / COLUMN name IS 'text' | NULL. */
  /** CREATE [OR REPLACE] VIEW (sql/convert-view.ts); the stored text is viewQueryText(statement sql). */
  | { readonly kind: 'create_view'; readonly view: QualifiedName; readonly columnNames: readonly string[]; readonly query: SelectStmt; readonly replace: boolean }
  /** ALTER VIEW v RENAME TO w; with `column`, ALTER VIEW v RENAME COLUMN column TO w. */
  | { readonly kind: 'rename_view'; readonly view: QualifiedName; readonly ifExists: boolean; readonly to: string; readonly column?: string }
  | { readonly kind: 'comment'; readonly target: 'table' | 'column' | 'view'; readonly names: readonly string[]; readonly text: string | null }
  /** EXPLAIN [ANALYZE] of a SELECT / INSERT / UPDATE / DELETE. */
  | { readonly kind: 'explain'; readonly stmt: Statement; readonly analyze: boolean }
  /** CREATE INDEX, DROP INDEX, REINDEX (ast-index.ts). */
  | IndexStatement
  /** Roles, GRANT/REVOKE, SET ROLE, policies, ROW LEVEL SECURITY (ast-security.ts). */
  | SecurityStatement
  | { readonly kind: 'unsupported'; readonly what: string; readonly location: number };

/** One statement of a query string, with its own text (for errors, logs, pg_stat views). */
export interface ParsedStatement {
  readonly stmt: Statement;
  /** The statement's source text as sliced from the query string. */
  readonly sql: string;
  /** Byte offset of `sql` in the whole query string (AST locations are byte offsets in the whole string). */
  readonly offset: number;
}

/**
 * INSERT ... ON CONFLICT [(cols) [WHERE ...] | ON CONSTRAINT name] DO NOTHING | DO UPDATE SET ... [WHERE ...].
 * `columns` / `constraint` are the conflict target (both null: none given); `targetWhere` is the
 * inference predicate (for partial unique indexes); `set` / `where` belong to DO UPDATE.
 */
export interface OnConflictClause {
  readonly action: 'nothing' | 'update';
  readonly columns: readonly { readonly name: string; readonly location: number }[] | null;
  readonly constraint: string | null;
  readonly targetWhere: Expr | null;
  readonly set: readonly { readonly column: string; readonly expr: Expr | null; readonly location: number }[];
  readonly where: Expr | null;
  readonly location: number;
}
