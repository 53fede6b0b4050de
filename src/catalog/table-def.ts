/**
 * catalog/: the shapes the catalog hands out — a table's definition (columns, constraints,
 * options) and a TableFiles row. Columns and constraints are stored as JSON in Tables.
 */
import type { FileStateCode } from './file-state.ts';

/** One column. attnum is the physical id storage keys values by: stable, never reused. */
export interface ColumnDef {
  attnum: number;
  name: string;
  typeOid: number;
  typmod: number;
  notNull: boolean;
  /** DEFAULT expression as SQL text. */
  defaultExpr: string | null;
  /** Text form of the value that rows written before ADD COLUMN read as. */
  missingValue: string | null;
  identity: 'always' | 'by default' | null;
  /** The sequence feeding a serial/identity column; dropped with the column or the table. */
  sequence: string | null;
  /** A dropped column keeps its attnum; its name becomes `........pg.dropped.N........` as in PostgreSQL. */
  dropped: boolean;
}

/** A table constraint over attnums; expr is the CHECK expression as SQL text. */
export interface ConstraintDef {
  name: string;
  kind: 'primary' | 'unique' | 'check' | 'not_null';
  attnums: number[];
  expr: string | null;
  /** The uniqueness of a CREATE UNIQUE INDEX: enforced like a UNIQUE constraint, but not a constraint (not in pg_constraint). */
  indexOnly?: boolean;
}

/** A live table (Tables.state = 0). */
export interface TableDef {
  tableId: number;
  schema: string;
  name: string;
  /** All columns including dropped ones, in attnum order. */
  columns: ColumnDef[];
  constraints: ConstraintDef[];
  /** Tables.index_file_size: RAW files merge up to this size. */
  segmentSizeBytes: number;
  createdOnMicros: bigint | number;
  options: Record<string, string>;
  /** Tables.dimension: the vector dimension when the table has exactly one vector column, else 0. */
  dimension?: number;
  /** Tables.engine_type: the index kind; ENGINE_FLAT when there is no index. */
  engineType?: number;
  metricType?: number;
  indexParams?: Record<string, unknown>;
  /** PARTITION BY LIST (col): the column naming each row's tenant (docs/tenants.md); null/absent otherwise. */
  partitionKey?: PartitionKey | null;
}

/** A table's partition key: tenants are the distinct values of one column. */
export interface PartitionKey {
  strategy: 'list';
  attnum: number;
}

/** What createTable takes: a TableDef without the ids and timestamps the catalog assigns. */
export type NewTableDef = Omit<TableDef, 'tableId' | 'createdOnMicros'>;

/** The index recorded on a table by markToIndex (seed: the target index type and nlist). */
export interface IndexSpec {
  engineType: number;
  metricType: number;
  params: Record<string, unknown>;
}

/** One TableFiles row. Times are µs since the Unix epoch; walLsn is returned as a bigint. */
export interface FileRow {
  id: number;
  tableId: number;
  segmentId: number;
  fileId: string;
  fileType: FileStateCode;
  fileSize: number;
  rowCount: number;
  deletedCount: number;
  updatedTime: number;
  createdOn: number;
  /** YYYYMMDD (UTC) of creation. */
  date: number;
  /** Object-store key. */
  location: string;
  walLsn: bigint | number;
  /** Zone map as stored (parsed JSON), or null. */
  minMax: unknown | null;
  engineType: number;
  /** For an index file, the raw file it was built from. */
  sourceFileId: number | null;
}

/** A Tables row of any state with its file totals, for tessera.tables. */
export interface TableSummary {
  tableId: number;
  /** null when the schema was dropped with CASCADE while the table awaited the cleaner. */
  schema: string | null;
  name: string;
  state: number;
  rowCount: number;
  /** Files not yet TO_DELETE. */
  fileCount: number;
  /** Bytes of files not yet TO_DELETE. */
  sizeBytes: number;
  indexFileSize: number;
  createdOnMicros: number;
}
