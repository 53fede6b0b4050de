/**
 * catalog/: Tables rows — create, look up, soft-delete (seed 001: state 1, files TO_DELETE)
 * and the column/constraint changes of ALTER TABLE. Columns and constraints live as JSON in
 * the row; every change is a read-modify-write inside one transaction.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { type CatalogDb, nowMicros } from './catalog-db.ts';
import { ENGINE_FLAT, FileState, SEARCHABLE_STATES } from './file-state.ts';
import { deleteSequences } from './sequences.ts';
import type { ColumnDef, ConstraintDef, IndexSpec, NewTableDef, PartitionKey, TableDef, TableSummary } from './table-def.ts';

/** PostgreSQL's MaxHeapAttributeNumber. */
export const MAX_COLUMNS = 1600;

interface TableRowDb {
  table_id: number;
  schema_name: string;
  table_name: string;
  created_on: number;
  dimension: number;
  index_file_size: number;
  engine_type: number;
  metric_type: number;
  index_params: string;
  columns: string;
  constraints: string;
  options: string;
  partition_key: string | null;
}

const SELECT_LIVE = `SELECT t.table_id, s.name AS schema_name, t.table_name, t.created_on, t.dimension, t.index_file_size,
  t.engine_type, t.metric_type, t.index_params, t.columns, t.constraints, t.options, t.partition_key
  FROM Tables t JOIN Schemas s ON s.schema_id = t.schema_id WHERE t.state = 0`;

function toTableDef(r: TableRowDb): TableDef {
  return {
    tableId: r.table_id,
    schema: r.schema_name,
    name: r.table_name,
    columns: JSON.parse(r.columns) as ColumnDef[],
    constraints: JSON.parse(r.constraints) as ConstraintDef[],
    segmentSizeBytes: r.index_file_size,
    createdOnMicros: r.created_on,
    options: JSON.parse(r.options) as Record<string, string>,
    dimension: r.dimension,
    engineType: r.engine_type,
    metricType: r.metric_type,
    indexParams: JSON.parse(r.index_params) as Record<string, unknown>,
    partitionKey: r.partition_key === null ? null : JSON.parse(r.partition_key) as PartitionKey,
  };
}

function schemaIdOf(cdb: CatalogDb, schema: string): number {
  const row = cdb.get<{ schema_id: number }>('SELECT schema_id FROM Schemas WHERE name = ?', schema);
  if (row === undefined) throw new DbError(SqlState.InvalidSchemaName, `schema "${schema}" does not exist`);
  return row.schema_id;
}

function liveNameTaken(cdb: CatalogDb, schemaId: number, name: string): boolean {
  return cdb.get('SELECT 1 FROM Tables WHERE schema_id = ? AND table_name = ? AND state = 0', schemaId, name) !== undefined;
}

function checkColumnCount(columns: readonly ColumnDef[]): void {
  if (columns.length > MAX_COLUMNS) throw new DbError(SqlState.TooManyColumns, `tables can have at most ${MAX_COLUMNS} columns`);
}

/** The live table by schema and name (case-sensitive), or undefined. */
export function getTable(cdb: CatalogDb, schema: string, name: string): TableDef | undefined {
  const r = cdb.get<TableRowDb>(`${SELECT_LIVE} AND s.name = ? AND t.table_name = ?`, schema, name);
  return r === undefined ? undefined : toTableDef(r);
}

/** The live table with this id, or undefined. */
export function getTableById(cdb: CatalogDb, tableId: number): TableDef | undefined {
  const r = cdb.get<TableRowDb>(`${SELECT_LIVE} AND t.table_id = ?`, tableId);
  return r === undefined ? undefined : toTableDef(r);
}

/** The live table with this id; 42P01 when there is none. */
export function requireTable(cdb: CatalogDb, tableId: number): TableDef {
  const def = getTableById(cdb, tableId);
  if (def === undefined) throw new DbError(SqlState.UndefinedTable, `relation with OID ${tableId} does not exist`);
  return def;
}

/** All live tables in table_id order. */
export function listTables(cdb: CatalogDb): TableDef[] {
  return cdb.all<TableRowDb>(`${SELECT_LIVE} ORDER BY t.table_id`).map(toTableDef);
}

/** Inserts a Tables row (state 0); null when ifNotExists and the name is taken. */
export function createTable(cdb: CatalogDb, def: NewTableDef, ifNotExists: boolean): TableDef | null {
  return cdb.tx(() => {
    const schemaId = schemaIdOf(cdb, def.schema);
    if (liveNameTaken(cdb, schemaId, def.name)) {
      if (ifNotExists) return null;
      throw new DbError(SqlState.DuplicateTable, `relation "${def.name}" already exists`);
    }
    const seen = new Set<string>();
    const attnums = new Set<number>();
    for (const c of def.columns) {
      if (!c.dropped && seen.has(c.name)) throw new DbError(SqlState.DuplicateColumn, `column "${c.name}" specified more than once`);
      if (!Number.isInteger(c.attnum) || c.attnum < 1 || attnums.has(c.attnum)) {
        throw new DbError(SqlState.InternalError, `createTable: attnum ${c.attnum} of column "${c.name}" is not a fresh positive integer`);
      }
      seen.add(c.name);
      attnums.add(c.attnum);
    }
    checkColumnCount(def.columns);
    if (!Number.isSafeInteger(def.segmentSizeBytes) || def.segmentSizeBytes <= 0) {
      throw new DbError(SqlState.InvalidParameterValue, `invalid value for parameter "segment_size": "${def.segmentSizeBytes}"`, {
        detail: 'The segment size must be a positive number of bytes.',
      });
    }
    const columns = [...def.columns].sort((a, b) => a.attnum - b.attnum);
    const { lastId } = cdb.run(
      `INSERT INTO Tables (schema_id, table_name, state, dimension, created_on, index_file_size, engine_type, metric_type, index_params, columns, constraints, options, partition_key)
       VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      schemaId, def.name, def.dimension ?? 0, nowMicros(), def.segmentSizeBytes, def.engineType ?? ENGINE_FLAT, def.metricType ?? 1,
      JSON.stringify(def.indexParams ?? {}), JSON.stringify(columns), JSON.stringify(def.constraints), JSON.stringify(def.options),
      def.partitionKey ? JSON.stringify(def.partitionKey) : null,
    );
    return getTableById(cdb, lastId)!;
  });
}

/** Seed 001 drop_table: state 1 and every file TO_DELETE; the table's sequences go too. */
export function dropTable(cdb: CatalogDb, tableId: number): void {
  cdb.tx(() => {
    const def = requireTable(cdb, tableId);
    cdb.run('UPDATE Tables SET state = 1 WHERE table_id = ?', tableId);
    cdb.run('UPDATE TableFiles SET file_type = ?, updated_time = ? WHERE table_id = ? AND file_type != ?',
      FileState.TO_DELETE, nowMicros(), tableId, FileState.TO_DELETE);
    deleteSequences(cdb, def.columns.flatMap((c) => (c.sequence === null ? [] : [c.sequence])));
  });
}

/** Renames a live table within its schema; 42P07 when the new name is taken. */
export function renameTable(cdb: CatalogDb, tableId: number, newName: string): TableDef {
  return cdb.tx(() => {
    const def = requireTable(cdb, tableId);
    if (def.name === newName) return def;
    if (liveNameTaken(cdb, schemaIdOf(cdb, def.schema), newName)) {
      throw new DbError(SqlState.DuplicateTable, `relation "${newName}" already exists`);
    }
    cdb.run('UPDATE Tables SET table_name = ? WHERE table_id = ?', newName, tableId);
    return requireTable(cdb, tableId);
  });
}

export function setTableOptions(cdb: CatalogDb, tableId: number, options: Record<string, string>): TableDef {
  return cdb.tx(() => {
    requireTable(cdb, tableId);
    cdb.run('UPDATE Tables SET options = ? WHERE table_id = ?', JSON.stringify(options), tableId);
    return requireTable(cdb, tableId);
  });
}

function writeDefinition(cdb: CatalogDb, tableId: number, columns: readonly ColumnDef[], constraints: readonly ConstraintDef[]): TableDef {
  cdb.run('UPDATE Tables SET columns = ?, constraints = ? WHERE table_id = ?', JSON.stringify(columns), JSON.stringify(constraints), tableId);
  return requireTable(cdb, tableId);
}

function liveColumn(def: TableDef, name: string): ColumnDef | undefined {
  return def.columns.find((c) => !c.dropped && c.name === name);
}

function undefinedColumn(def: TableDef, name: string): DbError {
  return new DbError(SqlState.UndefinedColumn, `column "${name}" of relation "${def.name}" does not exist`, { table: def.name, column: name });
}

function duplicateColumn(def: TableDef, name: string): DbError {
  return new DbError(SqlState.DuplicateColumn, `column "${name}" of relation "${def.name}" already exists`, { table: def.name, column: name });
}

/** ALTER TABLE ADD COLUMN: the column gets the next attnum (one past every attnum ever used). */
export function addColumn(cdb: CatalogDb, tableId: number, col: Omit<ColumnDef, 'attnum'>): TableDef {
  return cdb.tx(() => {
    const def = requireTable(cdb, tableId);
    if (liveColumn(def, col.name) !== undefined) throw duplicateColumn(def, col.name);
    const attnum = def.columns.reduce((max, c) => Math.max(max, c.attnum), 0) + 1;
    const columns = [...def.columns, { ...col, attnum, dropped: false }];
    checkColumnCount(columns);
    return writeDefinition(cdb, tableId, columns, def.constraints);
  });
}

/**
 * ALTER TABLE DROP COLUMN: the column stays as a dropped placeholder keeping its attnum,
 * renamed as PostgreSQL does; constraints over it and its sequence are dropped with it.
 */
export function dropColumn(cdb: CatalogDb, tableId: number, name: string): TableDef {
  return cdb.tx(() => {
    const def = requireTable(cdb, tableId);
    const col = liveColumn(def, name);
    if (col === undefined) throw undefinedColumn(def, name);
    const columns = def.columns.map((c) =>
      c.attnum === col.attnum
        ? { ...c, name: `........pg.dropped.${c.attnum}........`, dropped: true, notNull: false, defaultExpr: null, identity: null, sequence: null }
        : c,
    );
    if (col.sequence !== null) deleteSequences(cdb, [col.sequence]);
    return writeDefinition(cdb, tableId, columns, def.constraints.filter((k) => !k.attnums.includes(col.attnum)));
  });
}

/** ALTER TABLE RENAME COLUMN: 42703 when from is missing, 42701 when to is taken. */
export function renameColumn(cdb: CatalogDb, tableId: number, from: string, to: string): TableDef {
  return cdb.tx(() => {
    const def = requireTable(cdb, tableId);
    const col = liveColumn(def, from);
    if (col === undefined) throw undefinedColumn(def, from);
    if (from === to) return def;
    if (liveColumn(def, to) !== undefined) throw duplicateColumn(def, to);
    return writeDefinition(cdb, tableId, def.columns.map((c) => (c.attnum === col.attnum ? { ...c, name: to } : c)), def.constraints);
  });
}

/** Replaces the table's constraints; each must name live columns only. */
export function setConstraints(cdb: CatalogDb, tableId: number, constraints: readonly ConstraintDef[]): TableDef {
  return cdb.tx(() => {
    const def = requireTable(cdb, tableId);
    const live = new Set(def.columns.filter((c) => !c.dropped).map((c) => c.attnum));
    for (const k of constraints) {
      const bad = k.attnums.find((a) => !live.has(a));
      if (bad !== undefined) throw new DbError(SqlState.InternalError, `constraint "${k.name}" refers to attnum ${bad}, not a live column of "${def.name}"`);
    }
    return writeDefinition(cdb, tableId, def.columns, constraints);
  });
}

/** Rewrites a table's columns and constraints in one transaction (ALTER TABLE ... CONSTRAINT / NOT NULL / DEFAULT). */
export function alterDefinition(
  cdb: CatalogDb,
  tableId: number,
  update: (def: TableDef) => { columns: readonly ColumnDef[]; constraints: readonly ConstraintDef[] },
): TableDef {
  return cdb.tx(() => {
    const def = requireTable(cdb, tableId);
    const next = update(def);
    return writeDefinition(cdb, tableId, next.columns, next.constraints);
  });
}

/** Records the index CREATE INDEX asks for (seed: the target index type and its parameters). */
export function setIndexSpec(cdb: CatalogDb, tableId: number, spec: IndexSpec | null): void {
  cdb.run('UPDATE Tables SET engine_type = ?, metric_type = COALESCE(?, metric_type), index_params = ? WHERE table_id = ?',
    spec?.engineType ?? ENGINE_FLAT, spec?.metricType ?? null, JSON.stringify(spec?.params ?? {}), tableId);
}

/** Every Tables row (dropped ones too) with its file totals, in table_id order. */
export function tableSummaries(cdb: CatalogDb): TableSummary[] {
  const rows = cdb.all<{ table_id: number; schema_name: string | null; table_name: string; state: number; row_count: number;
    file_count: number; size_bytes: number; index_file_size: number; created_on: number }>(
    `SELECT t.table_id, s.name AS schema_name, t.table_name, t.state, t.index_file_size, t.created_on,
       COALESCE((SELECT SUM(f.row_count - f.deleted_count) FROM TableFiles f WHERE f.table_id = t.table_id AND f.file_type IN (${SEARCHABLE_STATES.join(', ')})), 0) AS row_count,
       (SELECT COUNT(*) FROM TableFiles f WHERE f.table_id = t.table_id AND f.file_type != ${FileState.TO_DELETE}) AS file_count,
       COALESCE((SELECT SUM(f.file_size) FROM TableFiles f WHERE f.table_id = t.table_id AND f.file_type != ${FileState.TO_DELETE}), 0) AS size_bytes
     FROM Tables t LEFT JOIN Schemas s ON s.schema_id = t.schema_id ORDER BY t.table_id`,
  );
  return rows.map((r) => ({
    tableId: r.table_id, schema: r.schema_name, name: r.table_name, state: r.state, rowCount: r.row_count, fileCount: r.file_count,
    sizeBytes: r.size_bytes, indexFileSize: r.index_file_size, createdOnMicros: r.created_on,
  }));
}

/** Seed 001 cleaner, last step: deletes soft-deleted tables with no TableFiles left; returns their ids. */
export function purgeDroppedTables(cdb: CatalogDb): number[] {
  return cdb.tx(() => {
    const ids = cdb.all<{ table_id: number }>(
      'SELECT table_id FROM Tables t WHERE state = 1 AND NOT EXISTS (SELECT 1 FROM TableFiles f WHERE f.table_id = t.table_id) ORDER BY table_id',
    ).map((r) => r.table_id);
    for (const id of ids) cdb.run('DELETE FROM Tables WHERE table_id = ? AND state = 1', id);
    return ids;
  });
}
