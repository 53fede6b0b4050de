/**
 * catalog/: the metadata store of seed 001 (Tables / TableFiles file states) on SQLite,
 * extended with schemas, multi-column table definitions, sequences and engine Meta, plus the
 * tessera.* system views. Storage and the SQL layer use it through this file only.
 */
export { Catalog, type CatalogOpenOptions } from './catalog.ts';
export { FileState, SEARCHABLE_STATES, SHADOW_STATES, ENGINE_FLAT, fileStateName, type FileStateCode } from './file-state.ts';
export type { ColumnDef, ConstraintDef, TableDef, NewTableDef, FileRow, IndexSpec, TableSummary } from './table-def.ts';
export type { NewFile, MergedFile } from './files.ts';
export type { SequenceOptions } from './sequences.ts';
export { MAX_COLUMNS } from './tables.ts';
export { SYSTEM_SCHEMAS } from './schemas.ts';
export { loadMigrations, MIGRATIONS_DIR, type Migration } from './migrations.ts';
export {
  SYSTEM_VIEWS, TABLES_VIEW_COLUMNS, TABLE_FILES_VIEW_COLUMNS, tablesViewRows, tableFilesViewRows,
  type SystemViewColumn, type SystemViewResult,
} from './system-views.ts';
