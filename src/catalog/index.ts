/**
 * catalog/: the metadata store of seed 001 (Tables / TableFiles file states) on SQLite,
 * extended with schemas, multi-column table definitions, sequences and engine Meta, plus the
 * tessera.* system views. Storage and the SQL layer use it through this file only.
 */
export { Catalog, type CatalogOpenOptions } from './catalog.ts';
export { FileState, SEARCHABLE_STATES, SHADOW_STATES, ENGINE_FLAT, fileStateName, type FileStateCode } from './file-state.ts';
export type { ColumnDef, ConstraintDef, PartitionKey, TableDef, NewTableDef, FileRow, IndexSpec, TableSummary } from './table-def.ts';
export type { NewFile, MergedFile } from './files.ts';
export { mergeTier } from './files.ts';
export type { PartitionDef } from './partitions.ts';
export type { ViewDef, ViewColumn as ViewColumnDef, NewViewDef } from './views.ts';
export { ANN_METHODS, type IndexDef, type NewIndexDef, type IndexColumnDef, type IndexFileRow } from './indexes.ts';
export type { SequenceOptions } from './sequences.ts';
export { MAX_COLUMNS } from './tables.ts';
export { SYSTEM_SCHEMAS } from './schemas.ts';
export { loadMigrations, MIGRATIONS_DIR, type Migration } from './migrations.ts';
export {
  SYSTEM_VIEWS, TABLES_VIEW_COLUMNS, TABLE_FILES_VIEW_COLUMNS, tablesViewRows, tableFilesViewRows, systemRelationList,
  type SystemViewColumn, type SystemViewResult, type SystemView,
} from './system-views.ts';
export {
  PgCatalogLookup, PgCatalogModel, DEFAULT_VIEW_CONTEXT, NamespaceOid, SUPERUSER_OID, deparseExpr, quoteIdent, systemViewOid,
  type SystemViewContext, type CatalogFunction,
} from './pg-catalog/index.ts';
export { createIndexProgress, type CreateIndexProgress } from './pg-catalog/index.ts';
export { TierLedger, type TierRecord } from './tier-ledger.ts';
export { registerTieringViewSource, type TieringViewSource } from './tiering-views.ts';
export type { TenantRun, TenantFileInfo } from './tenant-runs.ts';
export { SecurityCatalog, BOOTSTRAP_ROLE_OID, PUBLIC_ROLE_OID, type RoleDef, type RoleAttributes, type AclItem, type TableSecurity, type RoleMember } from './roles.ts';
export type { PolicyDef, PolicyCommand } from './policies.ts';
