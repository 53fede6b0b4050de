/**
 * catalog/: rows of the user-visible system views tessera.tables and tessera.table_files
 * (seed 001: "users can read it with SQL"). Pure functions from catalog data to a column list
 * and rows of plain values in the executor's representation; the SQL layer serves them.
 */
import type { Catalog } from './catalog.ts';
import { fileStateName } from './file-state.ts';
import type { FileRow, TableSummary } from './table-def.ts';
import { INFORMATION_SCHEMA_RELATIONS, PG_CATALOG_RELATIONS, type SystemViewContext } from './pg-catalog/index.ts';
import { cacheStatsViewRows, tieringViewRows } from './tiering-views.ts';

/** pg_type OIDs used by the views; must match Oid in src/types/oids.ts. */
const TEXT = 25;
const INT8 = 20;
const INT4 = 23;
const TIMESTAMPTZ = 1184;

/** µs between 1970-01-01 and 2000-01-01; must match UNIX_TO_PG_EPOCH_USECS in src/types/datetime.ts. */
const UNIX_TO_PG_EPOCH_MICROS = 946_684_800_000_000n;

/** One output column of a system view. */
export interface SystemViewColumn {
  name: string;
  typeOid: number;
  /** Type modifier sent in RowDescription (-1 when absent). */
  typmod?: number;
}

/** A system view's contents: int8 as bigint, int4 as number, timestamptz as bigint µs since 2000-01-01 UTC. */
export interface SystemViewResult {
  columns: SystemViewColumn[];
  rows: unknown[][];
}

function pgTimestamp(unixMicros: number): bigint {
  return BigInt(unixMicros) - UNIX_TO_PG_EPOCH_MICROS;
}

/** Columns of tessera.tables. */
export const TABLES_VIEW_COLUMNS: readonly SystemViewColumn[] = [
  { name: 'schema', typeOid: TEXT },
  { name: 'table_name', typeOid: TEXT },
  { name: 'table_id', typeOid: INT8 },
  { name: 'state', typeOid: INT4 },
  { name: 'row_count', typeOid: INT8 },
  { name: 'file_count', typeOid: INT8 },
  { name: 'size_bytes', typeOid: INT8 },
  { name: 'index_file_size', typeOid: INT8 },
  { name: 'created_on', typeOid: TIMESTAMPTZ },
];

/** Columns of tessera.table_files. */
export const TABLE_FILES_VIEW_COLUMNS: readonly SystemViewColumn[] = [
  { name: 'table_name', typeOid: TEXT },
  { name: 'file_id', typeOid: TEXT },
  { name: 'segment_id', typeOid: INT8 },
  { name: 'file_type', typeOid: INT4 },
  { name: 'state', typeOid: TEXT },
  { name: 'row_count', typeOid: INT8 },
  { name: 'deleted_count', typeOid: INT8 },
  { name: 'file_size', typeOid: INT8 },
  { name: 'location', typeOid: TEXT },
  { name: 'updated_time', typeOid: TIMESTAMPTZ },
];

/**
 * Columns of tessera.tenants (docs/tenants.md): one row per tenant of each partitioned table.
 * Its rows come from the storage engine (session/data-access.ts), not the catalog alone: they
 * count the growing segment and deletes too. `index` is 'hnsw' when one of the tenant's own
 * files has a graph, else 'exact'.
 */
export const TENANTS_VIEW_COLUMNS: readonly SystemViewColumn[] = [
  { name: 'schema', typeOid: TEXT },
  { name: 'table_name', typeOid: TEXT },
  { name: 'tenant', typeOid: TEXT },
  { name: 'rows', typeOid: INT8 },
  { name: 'bytes', typeOid: INT8 },
  { name: 'own_files', typeOid: INT8 },
  { name: 'packed_files', typeOid: INT8 },
  { name: 'unclustered_rows', typeOid: INT8 },
  { name: 'index', typeOid: TEXT },
  { name: 'tier', typeOid: TEXT },
];

/**
 * tessera.tables from table summaries: one row per Tables row, soft-deleted ones (state 1)
 * included until the cleaner purges them. row_count counts live rows of RAW/TO_INDEX/INDEX
 * files; file_count and size_bytes cover files not yet TO_DELETE.
 */
export function tablesViewRows(summaries: readonly TableSummary[]): SystemViewResult {
  return {
    columns: [...TABLES_VIEW_COLUMNS],
    rows: summaries.map((t) => [
      t.schema, t.name, BigInt(t.tableId), t.state, BigInt(t.rowCount), BigInt(t.fileCount), BigInt(t.sizeBytes),
      BigInt(t.indexFileSize), pgTimestamp(t.createdOnMicros),
    ]),
  };
}

/** tessera.table_files from file rows: every TableFiles row, TO_DELETE and BACKUP included. */
export function tableFilesViewRows(files: readonly (FileRow & { tableName: string | null })[]): SystemViewResult {
  return {
    columns: [...TABLE_FILES_VIEW_COLUMNS],
    rows: files.map((f) => [
      f.tableName, f.fileId, BigInt(f.segmentId), f.fileType, fileStateName(f.fileType), BigInt(f.rowCount), BigInt(f.deletedCount),
      BigInt(f.fileSize), f.location, pgTimestamp(f.updatedTime),
    ]),
  };
}

/**
 * A system view read from a catalog. `ctx` carries the session (user, search_path, settings,
 * functions) for views that show it; without it, defaults are used (the planner asks only
 * for the columns). Rows of pg_catalog and information_schema relations are generated when
 * `rows` is first read.
 */
export type SystemView = (catalog: Catalog, ctx?: SystemViewContext) => SystemViewResult;

function registry(): Record<string, SystemView> {
  const views: Record<string, SystemView> = {
    'tessera.tables': (catalog) => tablesViewRows(catalog.tableSummaries()),
    'tessera.table_files': (catalog) => tableFilesViewRows(catalog.allFiles()),
    'tessera.tiering': (catalog) => tieringViewRows(catalog),
    'tessera.cache_stats': (catalog) => cacheStatsViewRows(catalog),
    // Rows filled in by the session from the storage engine (see TENANTS_VIEW_COLUMNS).
    'tessera.tenants': () => ({ columns: [...TENANTS_VIEW_COLUMNS], rows: [] }),
  };
  for (const [name, fn] of Object.entries(PG_CATALOG_RELATIONS)) views[`pg_catalog.${name}`] = fn;
  for (const [name, fn] of Object.entries(INFORMATION_SCHEMA_RELATIONS)) views[`information_schema.${name}`] = fn;
  return views;
}

/** The system views by qualified name (tessera.*, pg_catalog.*, information_schema.*). */
export const SYSTEM_VIEWS: Readonly<Record<string, SystemView>> = registry();

/** Names and columns of the pg_catalog and information_schema relations, for pg_class/pg_attribute rows of their own. */
export function systemRelationList(): { name: string; columns: readonly SystemViewColumn[] }[] {
  return Object.entries(SYSTEM_VIEWS)
    .filter(([name]) => !name.startsWith('tessera.'))
    .map(([name, fn]) => ({ name, columns: fn(null as unknown as Catalog).columns }));
}
