/**
 * DDL of named partitions (docs/tenants.md, "SQL surface"): CREATE TABLE ... PARTITION OF
 * parent FOR VALUES IN (...), DROP / TRUNCATE / ALTER TABLE of a named partition, and the
 * partition-key guards of ALTER TABLE on the parent, with PostgreSQL's errors. A named
 * partition is catalog metadata over the parent's rows, so dropping or truncating it deletes
 * those rows through the ordinary DELETE path. Dispatched from ddl.ts.
 */
import type { TableDef } from '../catalog/index.ts';
import { DbError, SqlState, notSupported } from '../errors/index.ts';
import { runModify } from '../executor/index.ts';
import { bindPartitionValues, creationSchema, planUpdateOrDelete, resolvePartition, resolveTable, type PartitionTarget, type PlanEnv } from '../planner/index.ts';
import { errorPosition, type AlterTableCommand, type QualifiedName, type Statement } from '../sql/index.ts';
import type { DdlHost } from './ddl.ts';
import { requireOwner } from './roles-owner.ts';

type CreateTable = Statement & { kind: 'create_table' };
type AlterTable = Statement & { kind: 'alter_table' };

/** CREATE TABLE name PARTITION OF parent FOR VALUES IN (...). */
export function createNamedPartition(host: DdlHost, stmt: CreateTable): string {
  const { db } = host;
  const env = host.planEnv();
  const of = stmt.partitionOf!;
  const parentPart = resolvePartition(env, of.parent);
  if (parentPart) throw new DbError(SqlState.InvalidObjectDefinition, `"${parentPart.partition.name}" is not partitioned`);
  const parent = resolveTable(env, of.parent);
  if (!parent.partitionKey) throw new DbError(SqlState.InvalidObjectDefinition, `"${parent.name}" is not partitioned`);
  requireOwner(env, parent);
  const key = parent.columns.find((c) => c.attnum === parent.partitionKey!.attnum && !c.dropped)!;
  const schema = creationSchema(env, stmt.table.schema);
  if (db.catalog.relationNameTaken(schema, stmt.table.name)) {
    if (!stmt.ifNotExists) throw new DbError(SqlState.DuplicateTable, `relation "${stmt.table.name}" already exists`);
    host.notice('NOTICE', SqlState.DuplicateTable, `relation "${stmt.table.name}" already exists, skipping`);
    return 'CREATE TABLE';
  }
  // Every partitioned table is LIST-partitioned: other bounds get PostgreSQL's error for a list partition.
  if (of.strategy !== 'list') throw new DbError(SqlState.InvalidTableDefinition, 'invalid bound specification for a list partition').at(errorPosition(of.location));
  const values = bindPartitionValues(key, of.values, env, host.execContext());
  // As PostgreSQL, the first value (in the order written) another partition holds is the one reported.
  const others = db.catalog.listPartitions(parent.tableId);
  for (const e of of.values) {
    const [v] = bindPartitionValues(key, [e], env, host.execContext());
    const other = others.find((o) => o.values.includes(v!));
    if (other) throw new DbError(SqlState.InvalidObjectDefinition, `partition "${stmt.table.name}" would overlap partition "${other.name}"`).at(errorPosition(e.location));
  }
  db.catalog.createPartition({ tableId: parent.tableId, schema, name: stmt.table.name, values });
  return 'CREATE TABLE';
}

/**
 * Deletes the rows of a named partition (DROP / TRUNCATE of it) through the ordinary DELETE
 * path. The caller has checked ownership; like PostgreSQL's DROP and TRUNCATE, the deletion is
 * not limited by DELETE privileges or row-level security policies (planned without a role).
 */
async function deletePartitionRows(host: DdlHost, p: PartitionTarget): Promise<void> {
  const planned = planUpdateOrDelete(
    { kind: 'delete', table: { schema: p.partition.schema, name: p.partition.name, location: -1 }, alias: null, from: [], where: null, returning: null },
    [],
    { ...host.planEnv(), roles: undefined },
  );
  await runModify(planned.modify, planned.plan, planned.rowColumns, [], host.execContext());
}

/** DROP TABLE of named partitions: their rows go, then the catalog rows (a partition already gone with its parent is skipped). */
export async function dropNamedPartitions(host: DdlHost, parts: readonly PartitionTarget[]): Promise<void> {
  // A named partition belongs to its parent's owner; every check before any change.
  const env = host.planEnv();
  for (const p of parts) requireOwner(env, p.parent);
  for (const p of parts) {
    if (!host.db.catalog.getPartition(p.partition.schema, p.partition.name)) continue;
    await deletePartitionRows(host, p);
    host.db.catalog.dropPartition(p.partition.partitionId);
  }
}

/** TRUNCATE of a named partition: its rows only. */
export async function truncateNamedPartition(host: DdlHost, p: PartitionTarget): Promise<void> {
  await deletePartitionRows(host, p);
}

/**
 * ALTER TABLE on a named partition: RENAME TO renames it; column changes get PostgreSQL's
 * errors (a partition's columns are its parent's); anything else is not supported.
 */
export function alterNamedPartition(host: DdlHost, p: PartitionTarget, stmt: AlterTable): string {
  requireOwner(host.planEnv(), p.parent);
  for (const cmd of stmt.commands) {
    switch (cmd.kind) {
      case 'rename_table':
        host.db.catalog.renamePartition(p.partition.partitionId, cmd.to);
        break;
      case 'add_column':
        throw new DbError(SqlState.WrongObjectType, 'cannot add column to a partition');
      case 'drop_column':
        throw new DbError(SqlState.InvalidTableDefinition, `cannot drop inherited column "${cmd.name}"`);
      case 'rename_column':
        throw new DbError(SqlState.InvalidTableDefinition, `cannot rename inherited column "${cmd.from}"`);
      default:
        throw notSupported(`ALTER TABLE on the partition "${p.partition.name}" is not supported: alter its parent "${p.parent.name}"`);
    }
  }
  return 'ALTER TABLE';
}

/** ALTER TABLE on a partitioned table: the partition key column can be renamed, but not dropped or retyped (42P16). */
export function checkPartitionKeyAlter(t: TableDef, cmd: AlterTableCommand | { kind: 'alter_column_type'; column: string }): void {
  if (!t.partitionKey) return;
  const key = t.columns.find((c) => c.attnum === t.partitionKey!.attnum && !c.dropped);
  if (!key) return;
  if (cmd.kind === 'drop_column' && cmd.name === key.name) {
    throw new DbError(SqlState.InvalidTableDefinition, `cannot drop column "${key.name}" because it is part of the partition key of relation "${t.name}"`);
  }
  if (cmd.kind === 'alter_column_type' && cmd.column === key.name) {
    throw new DbError(SqlState.InvalidTableDefinition, `cannot alter column "${key.name}" because it is part of the partition key of relation "${t.name}"`);
  }
}

/** CREATE INDEX on a named partition: it has no rows of its own to index (its copies of the parent's indexes are listed). */
export function refuseIndexOnPartition(env: PlanEnv, table: QualifiedName): void {
  const p = resolvePartition(env, table);
  if (p) throw notSupported(`CREATE INDEX on the partition "${p.partition.name}" is not supported: index its parent "${p.parent.name}"`);
}

/**
 * DROP SCHEMA of a schema holding named partitions (of tables anywhere): refused without
 * CASCADE as PostgreSQL refuses it (2BP01); with CASCADE their rows are deleted and they go.
 */
export async function dropPartitionsInSchema(host: DdlHost, schema: string, cascade: boolean): Promise<void> {
  const { db } = host;
  if (!db.catalog.schemaExists(schema)) return;
  const named = db.catalog.listPartitions().filter((p) => p.schema === schema);
  if (named.length === 0) return;
  if (!cascade) {
    throw new DbError(SqlState.DependentObjectsStillExist, `cannot drop schema ${schema} because other objects depend on it`, {
      detail: named.map((p) => `table ${schema}.${p.name} depends on schema ${schema}`).join('\n'),
      hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
    });
  }
  const env = host.planEnv();
  const targets = named.flatMap((p) => {
    const t = resolvePartition(env, { schema, name: p.name, location: -1 });
    return t ? [t] : [];
  });
  await dropNamedPartitions(host, targets);
}
