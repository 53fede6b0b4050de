/**
 * sql/: the AST of index DDL — CREATE INDEX, DROP INDEX, REINDEX — kept beside ast.ts (which
 * includes these in its Statement union). Produced by convert-index.ts; bound by
 * planner/plan-index.ts; run by session/ddl.ts.
 */
import type { QualifiedName } from './ast.ts';

/** One indexed column: a plain column name with an optional operator class. */
export interface IndexElement {
  readonly column: string;
  /** Operator class name as written (e.g. vector_l2_ops), or null for the default. */
  readonly opclass: string | null;
  readonly descending: boolean;
  readonly location: number;
}

export type IndexStatement =
  | {
      readonly kind: 'create_index';
      /** null: PostgreSQL picks `<table>_<cols>_idx` (numbered on a clash). */
      readonly name: string | null;
      readonly table: QualifiedName;
      /** Access method as written (hnsw, ivfflat, btree, ...), lower case. */
      readonly method: string;
      readonly elements: readonly IndexElement[];
      /** WITH (name = value) options, values as text. */
      readonly options: Readonly<Record<string, string>>;
      readonly ifNotExists: boolean;
      readonly concurrently: boolean;
      readonly unique: boolean;
      readonly location: number;
    }
  | { readonly kind: 'drop_index'; readonly names: readonly QualifiedName[]; readonly ifExists: boolean; readonly concurrently: boolean }
  | { readonly kind: 'reindex'; readonly target: 'index' | 'table'; readonly name: QualifiedName; readonly concurrently: boolean };
