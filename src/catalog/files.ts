/**
 * catalog/: TableFiles rows and the transitions of seed 001 — insert (NEW/RAW), merge
 * (NEW_MERGE → RAW, sources TO_DELETE), CREATE INDEX (RAW → TO_INDEX; NEW_INDEX → INDEX, raw
 * → BACKUP), DROP INDEX, and the cleaner's TO_DELETE → gone. Each is one transaction and
 * guards the states it starts from, so a racing change fails instead of being overwritten.
 */
import { randomUUID } from 'node:crypto';
import { deleteTenantRuns, insertTenantRuns, type TenantRun } from './tenant-runs.ts';
import { DbError, SqlState } from '../errors/index.ts';
import { type CatalogDb, dateOf, jsonList, nowMicros } from './catalog-db.ts';
import { FileState, type FileStateCode, SEARCHABLE_STATES, SHADOW_STATES } from './file-state.ts';
import { requireTable, setIndexSpec } from './tables.ts';
import type { FileRow, IndexSpec } from './table-def.ts';

/** What addFile takes: a flushed segment file, NEW while its object is being written, else RAW. */
export interface NewFile {
  tableId: number;
  segmentId: number;
  fileType: FileStateCode;
  fileSize: number;
  rowCount: number;
  location: string;
  walLsn: bigint | number;
  minMax?: unknown;
}

/** What commitMerge takes: the merged file; deletedCount covers deletes it still carries. */
export interface MergedFile {
  segmentId: number;
  fileSize: number;
  rowCount: number;
  location: string;
  walLsn: bigint | number;
  minMax?: unknown;
  deletedCount?: number;
  /** A partitioned table's file: each tenant's contiguous run (catalog/tenant-runs.ts). */
  tenantRuns?: readonly TenantRun[];
}

type Big = bigint;
interface FileRowDb {
  id: Big; table_id: Big; segment_id: Big; file_id: string; file_type: Big; file_size: Big; row_count: Big; deleted_count: Big;
  updated_time: Big; created_on: Big; date: Big; location: string; wal_lsn: Big; min_max: string | null; engine_type: Big;
  source_file_id: Big | null; table_name?: string;
}

const SELECT_FILE = 'SELECT * FROM TableFiles';
const IN_IDS = 'id IN (SELECT value FROM json_each(?))';
const IN_STATES = 'file_type IN (SELECT value FROM json_each(?))';

/** JSON that keeps bigints (zone maps of int8 columns) as {"$bigint": "digits"}. */
function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v));
}

function decodeJson(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { $bigint?: unknown }).$bigint === 'string'
      ? BigInt((v as { $bigint: string }).$bigint)
      : v,
  );
}

function toFileRow(r: FileRowDb): FileRow {
  return {
    id: Number(r.id), tableId: Number(r.table_id), segmentId: Number(r.segment_id), fileId: r.file_id,
    fileType: Number(r.file_type) as FileStateCode, fileSize: Number(r.file_size), rowCount: Number(r.row_count),
    deletedCount: Number(r.deleted_count), updatedTime: Number(r.updated_time), createdOn: Number(r.created_on), date: Number(r.date),
    location: r.location, walLsn: r.wal_lsn, minMax: r.min_max === null ? null : decodeJson(r.min_max),
    engineType: Number(r.engine_type), sourceFileId: r.source_file_id === null ? null : Number(r.source_file_id),
  };
}

function fileById(cdb: CatalogDb, id: number): FileRow | undefined {
  const r = cdb.allBig<FileRowDb>(`${SELECT_FILE} WHERE id = ?`, id)[0];
  return r === undefined ? undefined : toFileRow(r);
}

function insertFile(cdb: CatalogDb, f: NewFile & { deletedCount: number; engineType: number; sourceFileId: number | null }): number {
  const now = nowMicros();
  return cdb.run(
    `INSERT INTO TableFiles (table_id, segment_id, file_id, file_type, file_size, row_count, deleted_count, updated_time, created_on, date,
       location, wal_lsn, min_max, engine_type, source_file_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    f.tableId, f.segmentId, randomUUID(), f.fileType, f.fileSize, f.rowCount, f.deletedCount, now, now, dateOf(now),
    f.location, f.walLsn, f.minMax === undefined || f.minMax === null ? null : encodeJson(f.minMax), f.engineType, f.sourceFileId,
  ).lastId;
}

function flip(cdb: CatalogDb, ids: readonly number[], from: readonly FileStateCode[], to: FileStateCode): number {
  return cdb.run(`UPDATE TableFiles SET file_type = ?, updated_time = ? WHERE ${IN_IDS} AND ${IN_STATES}`,
    to, nowMicros(), jsonList(ids), jsonList(from)).changes;
}

function flipTable(cdb: CatalogDb, tableId: number, from: readonly FileStateCode[], to: FileStateCode): number {
  return cdb.run(`UPDATE TableFiles SET file_type = ?, updated_time = ? WHERE table_id = ? AND ${IN_STATES}`,
    to, nowMicros(), tableId, jsonList(from)).changes;
}

function notInState(message: string): DbError {
  return new DbError(SqlState.ObjectNotInPrerequisiteState, message);
}

/** Inserts a file of a live table, NEW or RAW. */
export function addFile(cdb: CatalogDb, f: NewFile): FileRow {
  if (f.fileType !== FileState.NEW && f.fileType !== FileState.RAW) {
    throw new DbError(SqlState.InternalError, `addFile: file_type ${f.fileType} is neither NEW nor RAW`);
  }
  return cdb.tx(() => {
    const table = requireTable(cdb, f.tableId);
    return fileById(cdb, insertFile(cdb, { ...f, deletedCount: 0, engineType: table.engineType!, sourceFileId: null }))!;
  });
}

/** Moves the listed files that are in one of the from states to `to`; returns how many moved. */
export function setFileState(cdb: CatalogDb, fileIds: readonly number[], from: readonly FileStateCode[], to: FileStateCode): number {
  return cdb.tx(() => flip(cdb, fileIds, from, to));
}

/**
 * Records how many of a file's rows are deleted. The count is per segment, so it is copied to
 * the file's index/backup partner (linked by source_file_id) to survive DROP INDEX.
 */
export function setDeletedCount(cdb: CatalogDb, fileId: number, deletedCount: number): void {
  cdb.tx(() => {
    const f = fileById(cdb, fileId);
    if (f === undefined) throw new DbError(SqlState.UndefinedObject, `table file ${fileId} does not exist`);
    if (deletedCount < 0 || deletedCount > f.rowCount) {
      throw new DbError(SqlState.InternalError, `deleted_count ${deletedCount} out of range for file ${fileId} with ${f.rowCount} rows`);
    }
    cdb.run('UPDATE TableFiles SET deleted_count = ?, updated_time = ? WHERE id = ? OR id = ? OR source_file_id = ?',
      deletedCount, nowMicros(), fileId, f.sourceFileId, fileId);
  });
}

/** A table's files in id order, optionally only those in the given states. */
export function files(cdb: CatalogDb, tableId: number, states?: readonly FileStateCode[]): FileRow[] {
  const rows = states === undefined
    ? cdb.allBig<FileRowDb>(`${SELECT_FILE} WHERE table_id = ? ORDER BY id`, tableId)
    : cdb.allBig<FileRowDb>(`${SELECT_FILE} WHERE table_id = ? AND ${IN_STATES} ORDER BY id`, tableId, jsonList(states));
  return rows.map(toFileRow);
}

/** Every TableFiles row with its table's name, in id order (for tessera.table_files). */
export function allFiles(cdb: CatalogDb): (FileRow & { tableName: string | null })[] {
  return cdb.allBig<FileRowDb>('SELECT f.*, t.table_name FROM TableFiles f LEFT JOIN Tables t ON t.table_id = f.table_id ORDER BY f.id')
    .map((r) => ({ ...toFileRow(r), tableName: r.table_name ?? null }));
}

/** Seed 001 count_table: SUM(row_count - deleted_count) over RAW, TO_INDEX, INDEX. */
export function rowCount(cdb: CatalogDb, tableId: number): number {
  const r = cdb.get<{ n: number | null }>(
    `SELECT SUM(row_count - deleted_count) AS n FROM TableFiles WHERE table_id = ? AND ${IN_STATES}`, tableId, jsonList(SEARCHABLE_STATES),
  );
  return r?.n ?? 0;
}

/**
 * Seed 001's merge: RAW files smaller than index_file_size, oldest first, are packed greedily
 * into groups whose total stays within it; a file that does not fit starts the next group.
 * Only groups of two or more are returned.
 */
export function planMerges(cdb: CatalogDb, tableId: number): number[][] {
  const limit = requireTable(cdb, tableId).segmentSizeBytes;
  const tiers = new Map<number, FileRow[]>();
  for (const f of files(cdb, tableId, [FileState.RAW])) {
    if (f.fileSize >= limit) continue;
    const tier = mergeTier(f.fileSize);
    const list = tiers.get(tier);
    if (list === undefined) tiers.set(tier, [f]);
    else list.push(f);
  }
  const groups: number[][] = [];
  for (const tier of [...tiers.keys()].sort((a, b) => a - b)) {
    let group: number[] = [];
    let groupBytes = 0;
    for (const f of tiers.get(tier)!) {
      if (groupBytes + f.fileSize > limit) {
        if (group.length >= 2) groups.push(group);
        group = [];
        groupBytes = 0;
      }
      group.push(f.id);
      groupBytes += f.fileSize;
    }
    if (group.length >= 2) groups.push(group);
  }
  return groups;
}

/**
 * The size tier of a file for merging: files under 1 MiB share tier 0, then one tier per
 * factor of 4. Merges combine files of one tier, so a big file is not rewritten whole to take
 * in a small one (seed 001 merged in file order: at 10M rows every maintenance pass rewrote the
 * whole table) and each row is rewritten about log4(table / 1 MiB) times.
 */
export function mergeTier(bytes: number): number {
  return Math.floor(Math.log(Math.max(bytes, 1 << 20) / (1 << 20)) / Math.log(4));
}

/**
 * Records a finished merge: the merged file is inserted NEW_MERGE and flipped to RAW, and the
 * sources go TO_DELETE, in one transaction. 55000 (rolled back) unless every source is still
 * a RAW file of the table.
 */
export function commitMerge(cdb: CatalogDb, tableId: number, sourceIds: readonly number[], merged: MergedFile): FileRow {
  return commitRewrite(cdb, tableId, sourceIds, [merged])[0]!;
}

/**
 * commitMerge with several result files (a partitioned table's merge writes large tenants to
 * files of their own): all inserted NEW_MERGE and flipped to RAW with their tenant runs, the
 * sources TO_DELETE, in one transaction.
 */
export function commitRewrite(cdb: CatalogDb, tableId: number, sourceIds: readonly number[], outputs: readonly MergedFile[]): FileRow[] {
  return cdb.tx(() => {
    const table = requireTable(cdb, tableId);
    const sources = [...new Set(sourceIds)];
    if (sources.length === 0) throw new DbError(SqlState.InternalError, 'commitMerge: no source files');
    const ids = outputs.map(({ tenantRuns, ...merged }) => {
      const id = insertFile(cdb, { tableId, fileType: FileState.NEW_MERGE, ...merged, deletedCount: merged.deletedCount ?? 0,
        engineType: table.engineType!, sourceFileId: null });
      if (tenantRuns !== undefined) insertTenantRuns(cdb, id, tenantRuns);
      return id;
    });
    const moved = cdb.run(`UPDATE TableFiles SET file_type = ?, updated_time = ? WHERE ${IN_IDS} AND table_id = ? AND file_type = ?`,
      FileState.TO_DELETE, nowMicros(), jsonList(sources), tableId, FileState.RAW).changes;
    if (moved !== sources.length) {
      throw notInState(`cannot commit merge into table "${table.name}": ${sources.length - moved} of ${sources.length} source files are no longer RAW`);
    }
    flip(cdb, ids, [FileState.NEW_MERGE], FileState.RAW);
    return ids.map((id) => fileById(cdb, id)!);
  });
}

/** CREATE INDEX: records the index (when given) and moves RAW → TO_INDEX; returns files moved. */
export function markToIndex(cdb: CatalogDb, tableId: number, spec?: IndexSpec): number {
  return cdb.tx(() => {
    requireTable(cdb, tableId);
    if (spec !== undefined) setIndexSpec(cdb, tableId, spec);
    return flipTable(cdb, tableId, [FileState.RAW], FileState.TO_INDEX);
  });
}

/**
 * Records a built index: the index file is inserted NEW_INDEX and flipped to INDEX, and the
 * raw file becomes BACKUP, in one transaction. 55000 (rolled back) unless the raw file is
 * still TO_INDEX (DROP INDEX, DROP TABLE or TRUNCATE may have happened meanwhile).
 */
export function commitIndex(cdb: CatalogDb, rawFileId: number, index: { segmentId: number; fileSize: number; location: string }): FileRow {
  return cdb.tx(() => {
    const raw = fileById(cdb, rawFileId);
    if (raw === undefined || raw.fileType !== FileState.TO_INDEX) {
      throw notInState(`cannot commit index for table file ${rawFileId}: it is ${raw === undefined ? 'gone' : 'not TO_INDEX'}`);
    }
    const table = requireTable(cdb, raw.tableId);
    const id = insertFile(cdb, {
      tableId: raw.tableId, segmentId: index.segmentId, fileType: FileState.NEW_INDEX, fileSize: index.fileSize, rowCount: raw.rowCount,
      location: index.location, walLsn: raw.walLsn, minMax: raw.minMax, deletedCount: raw.deletedCount,
      engineType: table.engineType!, sourceFileId: raw.id,
    });
    flip(cdb, [id], [FileState.NEW_INDEX], FileState.INDEX);
    flip(cdb, [raw.id], [FileState.TO_INDEX], FileState.BACKUP);
    return fileById(cdb, id)!;
  });
}

/** DROP INDEX (seed 001): engine back to FLAT, INDEX → TO_DELETE, BACKUP → RAW, TO_INDEX → RAW. */
export function dropIndex(cdb: CatalogDb, tableId: number): void {
  cdb.tx(() => {
    requireTable(cdb, tableId);
    setIndexSpec(cdb, tableId, null);
    flipTable(cdb, tableId, [FileState.INDEX], FileState.TO_DELETE);
    flipTable(cdb, tableId, [FileState.BACKUP, FileState.TO_INDEX], FileState.RAW);
  });
}

/** TRUNCATE: every file of the live table TO_DELETE. */
export function truncateTable(cdb: CatalogDb, tableId: number): void {
  cdb.tx(() => {
    requireTable(cdb, tableId);
    cdb.run('UPDATE TableFiles SET file_type = ?, updated_time = ? WHERE table_id = ? AND file_type != ?',
      FileState.TO_DELETE, nowMicros(), tableId, FileState.TO_DELETE);
  });
}

/** Files awaiting the cleaner (TO_DELETE), of every table, in id order. */
export function filesToDelete(cdb: CatalogDb): FileRow[] {
  return cdb.allBig<FileRowDb>(`${SELECT_FILE} WHERE file_type = ? ORDER BY id`, FileState.TO_DELETE).map(toFileRow);
}

/** Deletes TableFiles rows the cleaner removed from storage; only TO_DELETE rows go. Returns rows deleted. */
export function removeFiles(cdb: CatalogDb, ids: readonly number[]): number {
  return cdb.tx(() => {
    const n = cdb.run(`DELETE FROM TableFiles WHERE ${IN_IDS} AND file_type = ?`, jsonList(ids), FileState.TO_DELETE).changes;
    deleteTenantRuns(cdb, jsonList(ids));
    return n;
  });
}

/** At start-up: files a crash left NEW, NEW_MERGE or NEW_INDEX go TO_DELETE (Milvus's CleanUpShadowFiles). */
export function cleanUpShadowFiles(cdb: CatalogDb): number {
  return cdb.tx(() =>
    cdb.run(`UPDATE TableFiles SET file_type = ?, updated_time = ? WHERE ${IN_STATES}`, FileState.TO_DELETE, nowMicros(), jsonList(SHADOW_STATES)).changes,
  );
}
