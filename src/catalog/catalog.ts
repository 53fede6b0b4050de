/**
 * catalog/: Catalog, the metadata store of seed 001 on better-sqlite3 — schemas, tables and
 * their columns, TableFiles and their state transitions, sequences and engine Meta. Storage
 * and the SQL layer hold one Catalog; every call is synchronous and durable when it returns.
 * The class only delegates: schemas.ts, tables.ts, files.ts and sequences.ts hold the logic.
 */
import { tenantFileInfo, tenantRunsOfTable, type TenantFileInfo, type TenantRun } from './tenant-runs.ts';
import Database from 'better-sqlite3';
import { DbError, SqlState } from '../errors/index.ts';
import { CatalogDb } from './catalog-db.ts';
import { type FileStateCode, SEARCHABLE_STATES } from './file-state.ts';
import * as fileOps from './files.ts';
import * as indexOps from './indexes.ts';
import * as partitionOps from './partitions.ts';
import { applyMigrations, loadMigrations, type Migration, schemaVersion } from './migrations.ts';
import * as schemaOps from './schemas.ts';
import * as seqOps from './sequences.ts';
import { SecurityCatalog } from './roles.ts';
import type { ColumnDef, ConstraintDef, FileRow, IndexSpec, NewTableDef, TableDef, TableSummary } from './table-def.ts';
import * as tableOps from './tables.ts';
import * as viewOps from './views.ts';
import type { NewViewDef, ViewDef } from './views.ts';

/** Options of Catalog.open; migrations default to the files of sql/catalog/. */
export interface CatalogOpenOptions {
  migrations?: readonly Migration[];
}

/** The catalog. Open a file path for the server, or ':memory:' for the in-memory twin used in tests. */
export class Catalog {
  private constructor(private readonly cdb: CatalogDb, readonly path: string) {
    this.security = new SecurityCatalog(cdb);
  }

  /** Roles, memberships, owners, ACLs and row-level security policies (roles.ts, policies.ts). */
  readonly security: SecurityCatalog;

  /**
   * Opens (creating if needed) and migrates the catalog at path. A file catalog runs with
   * journal_mode=WAL and synchronous=FULL. 55000 when the file's schema is newer than this build.
   */
  static open(path: string, options: CatalogOpenOptions = {}): Catalog {
    let db: Database.Database;
    try {
      db = new Database(path);
    } catch (err) {
      throw new DbError(SqlState.IoError, `could not open catalog "${path}": ${err instanceof Error ? err.message : String(err)}`);
    }
    try {
      if (!db.memory) db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      applyMigrations(db, options.migrations ?? loadMigrations(), `catalog "${path}"`);
    } catch (err) {
      db.close();
      throw err;
    }
    return new Catalog(new CatalogDb(db), path);
  }

  /** Closes the database; the Catalog is unusable afterwards. */
  close(): void {
    this.cdb.close();
  }

  /** The applied schema version (highest migration). */
  schemaVersion(): number {
    return schemaVersion(this.cdb.db);
  }

  /** Test hook: the n-th subsequent write statement throws 58030, so a test can see the transaction roll back; 0 disarms. */
  failNthWrite(n: number): void {
    this.cdb.failNthWrite(n);
  }

  /** CREATE SCHEMA: 42P06 'schema "x" already exists'; returns false when ifNotExists skipped it. */
  createSchema(name: string, ifNotExists: boolean): boolean {
    return schemaOps.createSchema(this.cdb, name, ifNotExists);
  }

  /** DROP SCHEMA: 3F000 when missing, 2BP01 when it holds tables and cascade is false; returns false when ifExists skipped it. */
  dropSchema(name: string, ifExists: boolean, cascade: boolean): boolean {
    return schemaOps.dropSchema(this.cdb, name, ifExists, cascade);
  }

  /** True when the schema exists (names are case-sensitive). */
  schemaExists(name: string): boolean {
    return schemaOps.schemaExists(this.cdb, name);
  }

  /** Schema names in creation order. */
  listSchemas(): string[] {
    return schemaOps.listSchemas(this.cdb);
  }

  /** CREATE TABLE: 3F000 for a missing schema, 42P07 'relation "t" already exists'; null when ifNotExists skipped it. */
  createTable(def: NewTableDef, ifNotExists: boolean): TableDef | null {
    if (partitionOps.partitionNameTaken(this.cdb, def.schema, def.name) || viewOps.getView(this.cdb, def.schema, def.name)) {
      if (ifNotExists) return null;
      throw new DbError(SqlState.DuplicateTable, `relation "${def.name}" already exists`);
    }
    return tableOps.createTable(this.cdb, def, ifNotExists);
  }

  /** The live (state 0) table, or undefined. */
  getTable(schema: string, name: string): TableDef | undefined {
    return tableOps.getTable(this.cdb, schema, name);
  }

  /** The live (state 0) table with this id, or undefined. */
  getTableById(tableId: number): TableDef | undefined {
    return tableOps.getTableById(this.cdb, tableId);
  }

  /** All live tables in table_id order. */
  listTables(): TableDef[] {
    return tableOps.listTables(this.cdb);
  }

  /** DROP TABLE (seed 001): state 1 and every file TO_DELETE, with the table's sequences, in one transaction. 42P01 if not live. */
  dropTable(tableId: number): void {
    tableOps.dropTable(this.cdb, tableId);
  }

  /** ALTER TABLE SET/RESET (...): replaces the table's options (already validated). */
  setTableOptions(tableId: number, options: Record<string, string>): TableDef {
    return tableOps.setTableOptions(this.cdb, tableId, options);
  }

  /** ALTER TABLE RENAME: 42P07 when the name is taken in the schema. */
  renameTable(tableId: number, newName: string): TableDef {
    const t = tableOps.getTableById(this.cdb, tableId);
    if (t && (partitionOps.partitionNameTaken(this.cdb, t.schema, newName) || viewOps.getView(this.cdb, t.schema, newName))) throw new DbError(SqlState.DuplicateTable, `relation "${newName}" already exists`);
    return tableOps.renameTable(this.cdb, tableId, newName);
  }

  /** ADD COLUMN with the next never-used attnum: 42701 'column "c" of relation "t" already exists'. */
  addColumn(tableId: number, col: Omit<ColumnDef, 'attnum'>): TableDef {
    return tableOps.addColumn(this.cdb, tableId, col);
  }

  /** DROP COLUMN: the column is kept as dropped; constraints over it and its sequence go. 42703 if missing. */
  dropColumn(tableId: number, name: string): TableDef {
    return tableOps.dropColumn(this.cdb, tableId, name);
  }

  /** RENAME COLUMN: 42703 when from is missing, 42701 when to exists. */
  renameColumn(tableId: number, from: string, to: string): TableDef {
    return tableOps.renameColumn(this.cdb, tableId, from, to);
  }

  /** Replaces the table's constraints. */
  setConstraints(tableId: number, constraints: readonly ConstraintDef[]): TableDef {
    return tableOps.setConstraints(this.cdb, tableId, constraints);
  }

  alterDefinition(tableId: number, update: (def: TableDef) => { columns: readonly ColumnDef[]; constraints: readonly ConstraintDef[] }): TableDef {
    return tableOps.alterDefinition(this.cdb, tableId, update);
  }

  /** Every Tables row, dropped ones too, with row count and file totals. */
  tableSummaries(): TableSummary[] {
    return tableOps.tableSummaries(this.cdb);
  }

  /** A new segment id: persistent and strictly increasing. */
  nextSegmentId(): number {
    return seqOps.nextSegmentId(this.cdb);
  }

  /** Inserts a file (NEW or RAW) of a live table. */
  addFile(f: fileOps.NewFile): FileRow {
    return fileOps.addFile(this.cdb, f);
  }

  /** Guarded transition: files among fileIds currently in one of from move to `to`; returns rows changed. */
  setFileState(fileIds: readonly number[], from: readonly FileStateCode[], to: FileStateCode): number {
    return fileOps.setFileState(this.cdb, fileIds, from, to);
  }

  /** Sets a file's deleted_count (and its index/backup partner's). */
  setDeletedCount(fileId: number, deletedCount: number): void {
    fileOps.setDeletedCount(this.cdb, fileId, deletedCount);
  }

  /** The table's files in id order, optionally filtered by state. */
  files(tableId: number, states?: readonly FileStateCode[]): FileRow[] {
    return fileOps.files(this.cdb, tableId, states);
  }

  /** Every TableFiles row with its table name. */
  allFiles(): (FileRow & { tableName: string | null })[] {
    return fileOps.allFiles(this.cdb);
  }

  /** Files a search reads: RAW, TO_INDEX, INDEX. */
  searchableFiles(tableId: number): FileRow[] {
    return fileOps.files(this.cdb, tableId, SEARCHABLE_STATES);
  }

  /** SUM(row_count - deleted_count) over RAW, TO_INDEX, INDEX. */
  rowCount(tableId: number): number {
    return fileOps.rowCount(this.cdb, tableId);
  }

  /** Groups (≥ 2 files) of small RAW files of one size tier (files.ts mergeTier) whose total stays within index_file_size. */
  planMerges(tableId: number): number[][] {
    return fileOps.planMerges(this.cdb, tableId);
  }

  /** NEW_MERGE → RAW for the merged file, sources RAW → TO_DELETE, one transaction; 55000 if a source is no longer RAW. */
  commitMerge(tableId: number, sourceIds: readonly number[], merged: fileOps.MergedFile): FileRow {
    return fileOps.commitMerge(this.cdb, tableId, sourceIds, merged);
  }

  /** commitMerge with several result files, each with its tenant runs. */
  commitRewrite(tableId: number, sourceIds: readonly number[], outputs: readonly fileOps.MergedFile[]): FileRow[] {
    return fileOps.commitRewrite(this.cdb, tableId, sourceIds, outputs);
  }

  /** A partitioned table's tenant runs by TableFiles id (catalog/tenant-runs.ts). */
  tenantRuns(tableId: number): Map<number, TenantRun[]> {
    return tenantRunsOfTable(this.cdb, tableId);
  }

  /** A table's data files with size, tier and index state (tessera.tenants). */
  tenantFileInfo(tableId: number): Map<number, TenantFileInfo> {
    return tenantFileInfo(this.cdb, tableId);
  }

  /** CREATE INDEX: RAW → TO_INDEX (and the index spec recorded on the table when given); returns files moved. */
  markToIndex(tableId: number, spec?: IndexSpec): number {
    return fileOps.markToIndex(this.cdb, tableId, spec);
  }

  /** NEW_INDEX → INDEX for the index file and TO_INDEX → BACKUP for the raw file, one transaction; 55000 if the raw file is not TO_INDEX. */
  commitIndex(rawFileId: number, index: { segmentId: number; fileSize: number; location: string }): FileRow {
    return fileOps.commitIndex(this.cdb, rawFileId, index);
  }

  /** DROP INDEX: INDEX → TO_DELETE, BACKUP → RAW, TO_INDEX → RAW, engine back to FLAT. */
  dropIndex(tableId: number): void {
    fileOps.dropIndex(this.cdb, tableId);
  }

  // ---- SQL indexes (indexes.ts) ----

  /** CREATE INDEX: 42P07 when a table or index has the name; null when ifNotExists skipped it. */
  createIndex(def: indexOps.NewIndexDef, ifNotExists: boolean): indexOps.IndexDef | null {
    if (partitionOps.partitionNameTaken(this.cdb, def.schema, def.name)) {
      if (ifNotExists) return null;
      throw new DbError(SqlState.DuplicateTable, `relation "${def.name}" already exists`);
    }
    return indexOps.createIndex(this.cdb, def, ifNotExists);
  }

  getIndex(schema: string, name: string): indexOps.IndexDef | undefined {
    return indexOps.getIndex(this.cdb, schema, name);
  }

  getIndexById(indexId: number): indexOps.IndexDef | undefined {
    return indexOps.getIndexById(this.cdb, indexId);
  }

  /** Indexes of a table (every table when omitted), in creation order. */
  listIndexes(tableId?: number): indexOps.IndexDef[] {
    return indexOps.listIndexes(this.cdb, tableId);
  }

  /** True when a live table, an index or a named partition has this name in the schema. */
  relationNameTaken(schema: string, name: string): boolean {
    return indexOps.relationNameTaken(this.cdb, schema, name) || partitionOps.partitionNameTaken(this.cdb, schema, name);
  }

  // ---- named partitions (partitions.ts, docs/tenants.md "SQL surface") ----

  /** CREATE TABLE ... PARTITION OF: 42P07 when the name is taken, 42P17 when the values overlap another partition's. */
  createPartition(p: { tableId: number; schema: string; name: string; values: readonly string[] }): partitionOps.PartitionDef {
    return partitionOps.createPartition(this.cdb, p);
  }

  /** The named partition by schema and name, or undefined. */
  getPartition(schema: string, name: string): partitionOps.PartitionDef | undefined {
    return partitionOps.getPartition(this.cdb, schema, name);
  }

  /** Named partitions of a table (every table when omitted), in id order. */
  listPartitions(tableId?: number): partitionOps.PartitionDef[] {
    return partitionOps.listPartitions(this.cdb, tableId);
  }

  dropPartition(partitionId: number): void {
    partitionOps.dropPartition(this.cdb, partitionId);
  }

  dropPartitionsOf(tableId: number): number {
    return partitionOps.dropPartitionsOf(this.cdb, tableId);
  }

  renamePartition(partitionId: number, newName: string): void {
    partitionOps.renamePartition(this.cdb, partitionId, newName);
  }

  /** DROP INDEX: its graph files TO_DELETE; without ANN indexes left, BACKUP / TO_INDEX → RAW. */
  dropIndexById(indexId: number): void {
    indexOps.dropIndex(this.cdb, indexId);
  }

  /** REINDEX: the index's graph files TO_DELETE (the builder makes new ones). */
  retireIndexFiles(indexId: number): number {
    return indexOps.retireIndexFiles(this.cdb, indexId);
  }

  /** Forgets the index rows of a dropped table. */
  dropIndexesOfTable(tableId: number): number {
    return indexOps.dropIndexesOfTable(this.cdb, tableId);
  }

  /** RAW → TO_INDEX for a file the builder takes; false when it is not RAW, TO_INDEX or BACKUP. */
  takeForIndexing(rawFileId: number): boolean {
    return indexOps.takeForIndexing(this.cdb, rawFileId);
  }

  /** NEW_INDEX → INDEX for a graph file, raw TO_INDEX → BACKUP; 55000 if the raw file or the index is gone. */
  commitIndexFile(rawFileId: number, indexId: number, file: { fileSize: number; location: string }): indexOps.IndexFileRow {
    return indexOps.commitIndexFile(this.cdb, rawFileId, indexId, file);
  }

  /** The INDEX files of an index. */
  indexFiles(indexId: number): indexOps.IndexFileRow[] {
    return indexOps.indexFiles(this.cdb, indexId);
  }

  /** RAW, TO_INDEX and BACKUP files of a table (data files an index can cover). */
  indexableFiles(tableId: number): { id: number; segmentId: number; fileType: number; rowCount: number }[] {
    return indexOps.indexableFiles(this.cdb, tableId);
  }

  /** TO_DELETE files of every table, for the cleaner. */
  filesToDelete(): FileRow[] {
    return fileOps.filesToDelete(this.cdb);
  }

  /** Deletes the rows of files the cleaner removed (TO_DELETE rows only); returns rows deleted. */
  removeFiles(ids: readonly number[]): number {
    return fileOps.removeFiles(this.cdb, ids);
  }

  /** Deletes soft-deleted tables with no files left; returns their ids. */
  purgeDroppedTables(): number[] {
    return tableOps.purgeDroppedTables(this.cdb);
  }

  /** TRUNCATE: every file TO_DELETE, one transaction. */
  truncateTable(tableId: number): void {
    fileOps.truncateTable(this.cdb, tableId);
  }

  /** Start-up recovery: NEW / NEW_MERGE / NEW_INDEX files left by a crash → TO_DELETE; returns files moved. */
  cleanUpShadowFiles(): number {
    return fileOps.cleanUpShadowFiles(this.cdb);
  }

  /** CREATE SEQUENCE: 42P07 when the name is taken. */
  createSequence(name: string, opts?: seqOps.SequenceOptions): void {
    seqOps.createSequence(this.cdb, name, opts);
  }

  /** DROP SEQUENCE: 42P01 when missing. */
  dropSequence(name: string): void {
    seqOps.dropSequence(this.cdb, name);
  }

  /** The sequence's stored state (pg_dump reads `SELECT last_value, is_called FROM seq`), or undefined. */
  sequenceState(name: string): ReturnType<typeof seqOps.sequenceState> {
    return seqOps.sequenceState(this.cdb, name);
  }

  /** True when the sequence exists. */
  sequenceExists(name: string): boolean {
    return seqOps.sequenceExists(this.cdb, name);
  }

  /** Reserves count values (default 1) and returns the first; committed before it returns. 2200H past the bound. */
  nextval(name: string, count?: number): bigint {
    return seqOps.nextval(this.cdb, name, count);
  }

  /** An engine Meta value (e.g. the WAL checkpoint LSN), or undefined. */
  getMeta(key: string): string | undefined {
    return seqOps.getMeta(this.cdb, key);
  }

  /** Sets an engine Meta value; durable when it returns. */
  setMeta(key: string, value: string): void {
    seqOps.setMeta(this.cdb, key, value);
  }

  deleteMeta(key: string): void {
    seqOps.deleteMeta(this.cdb, key);
  }

  /** COMMENT ON TABLE / COLUMN: the text (null removes it); `attnum` 0 is the table itself. */
  setComment(tableId: number, attnum: number, text: string | null): void {
    const key = `comment:${tableId}:${attnum}`;
    if (text === null) this.deleteMeta(key);
    else this.setMeta(key, text);
  }

  /** Every stored comment: table id, attnum (0 = the table), text. */
  comments(): { tableId: number; attnum: number; text: string }[] {
    return seqOps.metaWithPrefix(this.cdb, 'comment:').map((m) => {
      const [, tableId, attnum] = m.key.split(':');
      return { tableId: Number(tableId), attnum: Number(attnum), text: m.value };
    });
  }

  /** The view, or undefined (views.ts). */
  getView(schema: string, name: string): ViewDef | undefined {
    return viewOps.getView(this.cdb, schema, name);
  }

  /** The view with this id (its pg_class OID), or undefined. */
  getViewById(viewId: number): ViewDef | undefined {
    return viewOps.getViewById(this.cdb, viewId);
  }

  /** Every view in creation order. */
  listViews(): ViewDef[] {
    return viewOps.listViews(this.cdb);
  }

  /** CREATE VIEW: 42P07 when a table, partition or view has the name. */
  createView(def: NewViewDef): ViewDef {
    return this.cdb.tx(() => {
      if (indexOps.relationNameTaken(this.cdb, def.schema, def.name) || partitionOps.partitionNameTaken(this.cdb, def.schema, def.name)) {
        throw new DbError(SqlState.DuplicateTable, `relation "${def.name}" already exists`);
      }
      return viewOps.createView(this.cdb, def);
    });
  }

  /** CREATE OR REPLACE VIEW of an existing view (the caller checked the columns). */
  replaceView(viewId: number, def: Pick<ViewDef, 'query' | 'columns' | 'searchPath' | 'dependsOn'>): ViewDef {
    return this.cdb.tx(() => viewOps.replaceView(this.cdb, viewId, def));
  }

  /** ALTER VIEW RENAME TO: 42P07 when the new name is taken in the view's schema. */
  renameView(view: ViewDef, newName: string): void {
    this.cdb.tx(() => {
      if (indexOps.relationNameTaken(this.cdb, view.schema, newName) || partitionOps.partitionNameTaken(this.cdb, view.schema, newName)) {
        throw new DbError(SqlState.DuplicateTable, `relation "${newName}" already exists`);
      }
      viewOps.renameView(this.cdb, view.viewId, newName);
    });
  }

  /** DROP VIEW of one view, with its comments (dependents are the caller's). */
  dropView(viewId: number): void {
    this.cdb.tx(() => {
      viewOps.dropView(this.cdb, viewId);
      for (const c of this.comments()) if (c.tableId === viewId) this.setComment(viewId, c.attnum, null);
    });
  }
}
