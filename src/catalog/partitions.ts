/**
 * catalog/: named partitions (CREATE TABLE ... PARTITION OF parent FOR VALUES IN (...)) of a
 * LIST-partitioned table, rows of the Partitions table (migrations 0004, 0006). A named
 * partition owns no storage: it is a view of the parent's rows whose key is in its list
 * (docs/tenants.md, "SQL surface"). Its id comes from the Tables id sequence, so it is a
 * relation OID no table ever has.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { type CatalogDb, nowMicros } from './catalog-db.ts';

/** A named partition: its relation id (pg_class OID), parent table, name and key values. */
export interface PartitionDef {
  readonly partitionId: number;
  /** The partitioned (parent) table. */
  readonly tableId: number;
  readonly schema: string;
  readonly name: string;
  /** The key values in canonical text (the key type's text output), in declaration order. */
  readonly values: readonly string[];
  readonly createdOn: number;
}

interface PartitionRowDb {
  partition_id: number;
  table_id: number;
  schema_name: string;
  name: string;
  bound: string;
  created_on: number;
}

const SELECT = `SELECT p.partition_id, p.table_id, s.name AS schema_name, p.name, p.bound, p.created_on
  FROM Partitions p JOIN Schemas s ON s.schema_id = p.schema_id`;

function toDef(r: PartitionRowDb): PartitionDef {
  return { partitionId: r.partition_id, tableId: r.table_id, schema: r.schema_name, name: r.name, values: JSON.parse(r.bound) as string[], createdOn: r.created_on };
}

function schemaIdOf(cdb: CatalogDb, schema: string): number {
  const row = cdb.get<{ schema_id: number }>('SELECT schema_id FROM Schemas WHERE name = ?', schema);
  if (row === undefined) throw new DbError(SqlState.InvalidSchemaName, `schema "${schema}" does not exist`);
  return row.schema_id;
}

/** True when a named partition of this name exists in the schema. */
export function partitionNameTaken(cdb: CatalogDb, schema: string, name: string): boolean {
  return cdb.get('SELECT 1 FROM Partitions p JOIN Schemas s ON s.schema_id = p.schema_id WHERE s.name = ? AND p.name = ?', schema, name) !== undefined;
}

/** The named partition by schema and name, or undefined. */
export function getPartition(cdb: CatalogDb, schema: string, name: string): PartitionDef | undefined {
  const r = cdb.get<PartitionRowDb>(`${SELECT} WHERE s.name = ? AND p.name = ?`, schema, name);
  return r ? toDef(r) : undefined;
}

/** Named partitions of one table (every table when omitted), in id order. */
export function listPartitions(cdb: CatalogDb, tableId?: number): PartitionDef[] {
  const rows = tableId === undefined
    ? cdb.all<PartitionRowDb>(`${SELECT} ORDER BY p.partition_id`)
    : cdb.all<PartitionRowDb>(`${SELECT} WHERE p.table_id = ? ORDER BY p.partition_id`, tableId);
  return rows.map(toDef);
}

/**
 * Records a named partition of a live table: 42P07 when a table, index or partition of the
 * schema has the name, 42P17 (PostgreSQL's wording) when a value is in another partition's list.
 * `values` must already be canonical and free of duplicates.
 */
export function createPartition(cdb: CatalogDb, p: { tableId: number; schema: string; name: string; values: readonly string[] }): PartitionDef {
  return cdb.tx(() => {
    const schemaId = schemaIdOf(cdb, p.schema);
    const taken = cdb.get('SELECT 1 FROM Tables WHERE schema_id = ? AND table_name = ? AND state = 0', schemaId, p.name) !== undefined
      || cdb.get('SELECT 1 FROM Indexes WHERE schema_id = ? AND index_name = ?', schemaId, p.name) !== undefined
      || cdb.get('SELECT 1 FROM Partitions WHERE schema_id = ? AND name = ?', schemaId, p.name) !== undefined;
    if (taken) throw new DbError(SqlState.DuplicateTable, `relation "${p.name}" already exists`);
    const mine = new Set(p.values);
    for (const other of listPartitions(cdb, p.tableId)) {
      if (other.values.some((v) => mine.has(v))) {
        throw new DbError(SqlState.InvalidObjectDefinition, `partition "${p.name}" would overlap partition "${other.name}"`);
      }
    }
    // The next table id, taken from the Tables sequence so no table will ever get it.
    cdb.run("UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'Tables'");
    const id = cdb.get<{ seq: number }>("SELECT seq FROM sqlite_sequence WHERE name = 'Tables'")!.seq;
    cdb.run('INSERT INTO Partitions (table_id, schema_id, name, bound, created_on, partition_id) VALUES (?, ?, ?, ?, ?, ?)',
      p.tableId, schemaId, p.name, JSON.stringify(p.values), nowMicros(), id);
    return listPartitions(cdb, p.tableId).find((x) => x.partitionId === id)!;
  });
}

/** Forgets one named partition (the rows are the caller's to delete). */
export function dropPartition(cdb: CatalogDb, partitionId: number): void {
  cdb.run('DELETE FROM Partitions WHERE partition_id = ?', partitionId);
}

/** Forgets every named partition of a table (DROP TABLE of the parent). */
export function dropPartitionsOf(cdb: CatalogDb, tableId: number): number {
  return cdb.run('DELETE FROM Partitions WHERE table_id = ?', tableId).changes;
}

/** ALTER TABLE partition RENAME TO: 42P07 when the name is taken in the schema. */
export function renamePartition(cdb: CatalogDb, partitionId: number, newName: string): void {
  cdb.tx(() => {
    const row = cdb.get<{ schema_id: number }>('SELECT schema_id FROM Partitions WHERE partition_id = ?', partitionId);
    if (row === undefined) throw new DbError(SqlState.UndefinedTable, `partition ${partitionId} does not exist`);
    const taken = cdb.get('SELECT 1 FROM Tables WHERE schema_id = ? AND table_name = ? AND state = 0', row.schema_id, newName) !== undefined
      || cdb.get('SELECT 1 FROM Indexes WHERE schema_id = ? AND index_name = ?', row.schema_id, newName) !== undefined
      || cdb.get('SELECT 1 FROM Partitions WHERE schema_id = ? AND name = ?', row.schema_id, newName) !== undefined;
    if (taken) throw new DbError(SqlState.DuplicateTable, `relation "${newName}" already exists`);
    cdb.run('UPDATE Partitions SET name = ? WHERE partition_id = ?', newName, partitionId);
  });
}
