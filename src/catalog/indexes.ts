/**
 * catalog/: SQL indexes (the Indexes table of migration 0002) and the file transitions of
 * their per-segment graph files, generalising seed 001 to several indexes per table: the
 * builder moves a sealed RAW file TO_INDEX, records each graph NEW_INDEX → INDEX with
 * source_file_id = the raw file and index_id = the index, and the raw file becomes BACKUP.
 * DROP INDEX sends the index's files TO_DELETE and, once no ANN index is left on the table,
 * BACKUP / TO_INDEX files back to RAW. Each operation is one SQLite transaction.
 */
import { randomUUID } from 'node:crypto';
import { DbError, SqlState } from '../errors/index.ts';
import { type CatalogDb, dateOf, jsonList, nowMicros } from './catalog-db.ts';
import { FileState } from './file-state.ts';
import { requireTable, setIndexSpec } from './tables.ts';

/** One indexed column. */
export interface IndexColumnDef {
  attnum: number;
  /** Operator class (vector_l2_ops, ...); null for btree's default. */
  opclass: string | null;
  descending: boolean;
}

/** An Indexes row. */
export interface IndexDef {
  indexId: number;
  schema: string;
  name: string;
  tableId: number;
  /** Access method: hnsw, ivfflat, btree, ... */
  method: string;
  columns: IndexColumnDef[];
  options: Record<string, string>;
  createdOnMicros: number;
}

export type NewIndexDef = Omit<IndexDef, 'indexId' | 'createdOnMicros'>;

/** Access methods whose indexes have graph files per segment. */
export const ANN_METHODS: readonly string[] = ['hnsw', 'ivfflat'];

/** A graph file of an index, as the builder and the searcher see it. */
export interface IndexFileRow {
  id: number;
  indexId: number;
  segmentId: number;
  sourceFileId: number;
  location: string;
  fileSize: number;
}

interface IndexRowDb {
  index_id: number; schema_name: string; index_name: string; table_id: number; method: string; columns: string; options: string; created_on: number;
}

const SELECT_INDEX = `SELECT i.index_id, s.name AS schema_name, i.index_name, i.table_id, i.method, i.columns, i.options, i.created_on
  FROM Indexes i JOIN Schemas s ON s.schema_id = i.schema_id`;

function toIndexDef(r: IndexRowDb): IndexDef {
  return {
    indexId: r.index_id, schema: r.schema_name, name: r.index_name, tableId: r.table_id, method: r.method,
    columns: JSON.parse(r.columns) as IndexColumnDef[], options: JSON.parse(r.options) as Record<string, string>, createdOnMicros: r.created_on,
  };
}

function schemaIdOf(cdb: CatalogDb, schema: string): number {
  const row = cdb.get<{ schema_id: number }>('SELECT schema_id FROM Schemas WHERE name = ?', schema);
  if (row === undefined) throw new DbError(SqlState.InvalidSchemaName, `schema "${schema}" does not exist`);
  return row.schema_id;
}

/** True when a live table, an index or a view of that name exists in the schema (they share PostgreSQL's relation namespace). */
export function relationNameTaken(cdb: CatalogDb, schema: string, name: string): boolean {
  const schemaId = schemaIdOf(cdb, schema);
  return cdb.get('SELECT 1 FROM Tables WHERE schema_id = ? AND table_name = ? AND state = 0', schemaId, name) !== undefined
    || cdb.get('SELECT 1 FROM Indexes WHERE schema_id = ? AND index_name = ?', schemaId, name) !== undefined
    || cdb.get('SELECT 1 FROM Views WHERE schema = ? AND name = ?', schema, name) !== undefined;
}

/** CREATE INDEX: 42P07 when the name is taken by a table or index; null when ifNotExists skipped it. */
export function createIndex(cdb: CatalogDb, def: NewIndexDef, ifNotExists: boolean): IndexDef | null {
  return cdb.tx(() => {
    requireTable(cdb, def.tableId);
    if (relationNameTaken(cdb, def.schema, def.name)) {
      if (ifNotExists) return null;
      throw new DbError(SqlState.DuplicateTable, `relation "${def.name}" already exists`);
    }
    const id = cdb.run('INSERT INTO Indexes (schema_id, index_name, table_id, method, columns, options, created_on) VALUES (?, ?, ?, ?, ?, ?, ?)',
      schemaIdOf(cdb, def.schema), def.name, def.tableId, def.method, JSON.stringify(def.columns), JSON.stringify(def.options), nowMicros()).lastId;
    if (ANN_METHODS.includes(def.method)) setIndexSpec(cdb, def.tableId, { engineType: engineTypeOf(def.method), metricType: 1, params: { index: def.name, ...def.options } });
    return getIndexById(cdb, id)!;
  });
}

/** Tables.engine_type of a table with an ANN index (Milvus numbers its index kinds; 11 is Tessera's HNSW). */
function engineTypeOf(method: string): number {
  return method === 'ivfflat' ? 12 : 11;
}

export function getIndex(cdb: CatalogDb, schema: string, name: string): IndexDef | undefined {
  const r = cdb.get<IndexRowDb>(`${SELECT_INDEX} WHERE s.name = ? AND i.index_name = ?`, schema, name);
  return r === undefined ? undefined : toIndexDef(r);
}

export function getIndexById(cdb: CatalogDb, indexId: number): IndexDef | undefined {
  const r = cdb.get<IndexRowDb>(`${SELECT_INDEX} WHERE i.index_id = ?`, indexId);
  return r === undefined ? undefined : toIndexDef(r);
}

/** Indexes of one table (or of every table), in creation order. */
export function listIndexes(cdb: CatalogDb, tableId?: number): IndexDef[] {
  const rows = tableId === undefined
    ? cdb.all<IndexRowDb>(`${SELECT_INDEX} ORDER BY i.index_id`)
    : cdb.all<IndexRowDb>(`${SELECT_INDEX} WHERE i.table_id = ? ORDER BY i.index_id`, tableId);
  return rows.map(toIndexDef);
}

/**
 * DROP INDEX: the row goes, its graph files go TO_DELETE, and when no ANN index remains on
 * the table its BACKUP and TO_INDEX files return to RAW (engine type back to FLAT).
 */
export function dropIndex(cdb: CatalogDb, indexId: number): void {
  cdb.tx(() => {
    const def = getIndexById(cdb, indexId);
    if (def === undefined) throw new DbError(SqlState.UndefinedObject, `index with id ${indexId} does not exist`);
    cdb.run('DELETE FROM Indexes WHERE index_id = ?', indexId);
    retireIndexFiles(cdb, indexId);
    const annLeft = listIndexes(cdb, def.tableId).some((i) => ANN_METHODS.includes(i.method));
    if (!annLeft && getTableLive(cdb, def.tableId)) {
      setIndexSpec(cdb, def.tableId, null);
      cdb.run('UPDATE TableFiles SET file_type = ?, updated_time = ? WHERE table_id = ? AND file_type IN (?, ?)',
        FileState.RAW, nowMicros(), def.tableId, FileState.BACKUP, FileState.TO_INDEX);
    }
  });
}

function getTableLive(cdb: CatalogDb, tableId: number): boolean {
  return cdb.get('SELECT 1 FROM Tables WHERE table_id = ? AND state = 0', tableId) !== undefined;
}

/** REINDEX (and DROP INDEX): the index's INDEX files go TO_DELETE; returns files moved. */
export function retireIndexFiles(cdb: CatalogDb, indexId: number): number {
  return cdb.tx(() => cdb.run('UPDATE TableFiles SET file_type = ?, updated_time = ? WHERE index_id = ? AND file_type IN (?, ?)',
    FileState.TO_DELETE, nowMicros(), indexId, FileState.INDEX, FileState.NEW_INDEX).changes);
}

/** Forgets the index rows of a dropped table (its files went TO_DELETE with the table). */
export function dropIndexesOfTable(cdb: CatalogDb, tableId: number): number {
  return cdb.tx(() => cdb.run('DELETE FROM Indexes WHERE table_id = ?', tableId).changes);
}

/** The builder takes a sealed raw file: RAW → TO_INDEX (BACKUP / TO_INDEX files stay). False when it is in no state to index. */
export function takeForIndexing(cdb: CatalogDb, rawFileId: number): boolean {
  return cdb.tx(() => {
    cdb.run('UPDATE TableFiles SET file_type = ?, updated_time = ? WHERE id = ? AND file_type = ?', FileState.TO_INDEX, nowMicros(), rawFileId, FileState.RAW);
    return cdb.get('SELECT 1 FROM TableFiles WHERE id = ? AND file_type IN (?, ?)', rawFileId, FileState.TO_INDEX, FileState.BACKUP) !== undefined;
  });
}

/**
 * Records a built graph: inserted NEW_INDEX and flipped to INDEX, the raw file TO_INDEX →
 * BACKUP, in one transaction. 55000 (rolled back) when the raw file is no longer TO_INDEX or
 * BACKUP or the index was dropped meanwhile.
 */
export function commitIndexFile(cdb: CatalogDb, rawFileId: number, indexId: number, file: { fileSize: number; location: string }): IndexFileRow {
  return cdb.tx(() => {
    const raw = cdb.get<{ id: number; table_id: number; segment_id: number; file_type: number; row_count: number; deleted_count: number; wal_lsn: number | bigint; min_max: string | null; engine_type: number }>(
      'SELECT id, table_id, segment_id, file_type, row_count, deleted_count, wal_lsn, min_max, engine_type FROM TableFiles WHERE id = ?', rawFileId);
    if (raw === undefined || (raw.file_type !== FileState.TO_INDEX && raw.file_type !== FileState.BACKUP) || getIndexById(cdb, indexId) === undefined) {
      throw new DbError(SqlState.ObjectNotInPrerequisiteState, `cannot commit index file for table file ${rawFileId}: it or its index is gone`);
    }
    const now = nowMicros();
    const id = cdb.run(
      `INSERT INTO TableFiles (table_id, segment_id, file_id, file_type, file_size, row_count, deleted_count, updated_time, created_on, date,
         location, wal_lsn, min_max, engine_type, source_file_id, index_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      raw.table_id, raw.segment_id, randomUUID(), FileState.NEW_INDEX, file.fileSize, raw.row_count, raw.deleted_count, now, now, dateOf(now),
      file.location, raw.wal_lsn, raw.min_max, raw.engine_type, raw.id, indexId,
    ).lastId;
    cdb.run('UPDATE TableFiles SET file_type = ?, updated_time = ? WHERE id = ? AND file_type = ?', FileState.INDEX, now, id, FileState.NEW_INDEX);
    cdb.run('UPDATE TableFiles SET file_type = ?, updated_time = ? WHERE id = ? AND file_type = ?', FileState.BACKUP, now, rawFileId, FileState.TO_INDEX);
    return { id, indexId, segmentId: raw.segment_id, sourceFileId: raw.id, location: file.location, fileSize: file.fileSize };
  });
}

/** The INDEX files of one index. */
export function indexFiles(cdb: CatalogDb, indexId: number): IndexFileRow[] {
  return cdb.all<{ id: number; index_id: number; segment_id: number; source_file_id: number; location: string; file_size: number }>(
    'SELECT id, index_id, segment_id, source_file_id, location, file_size FROM TableFiles WHERE index_id = ? AND file_type = ? ORDER BY id', indexId, FileState.INDEX,
  ).map((r) => ({ id: r.id, indexId: r.index_id, segmentId: r.segment_id, sourceFileId: r.source_file_id, location: r.location, fileSize: r.file_size }));
}

/** Raw files of a table a search reads as data and an index can be built on: RAW, TO_INDEX, BACKUP. */
export function indexableFiles(cdb: CatalogDb, tableId: number): { id: number; segmentId: number; fileType: number; rowCount: number }[] {
  return cdb.all<{ id: number; segment_id: number; file_type: number; row_count: number }>(
    `SELECT id, segment_id, file_type, row_count FROM TableFiles WHERE table_id = ? AND file_type IN (SELECT value FROM json_each(?)) ORDER BY id`,
    tableId, jsonList([FileState.RAW, FileState.TO_INDEX, FileState.BACKUP]),
  ).map((r) => ({ id: r.id, segmentId: r.segment_id, fileType: r.file_type, rowCount: r.row_count }));
}
