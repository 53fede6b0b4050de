/**
 * Runs DDL: CREATE/DROP TABLE, CREATE/DROP SCHEMA, ALTER TABLE, TRUNCATE. The planner
 * binds; this applies the result to the catalog (each change one SQLite transaction) and
 * tells the storage engine. DDL takes effect at once, also inside a transaction block:
 * it is not undone by ROLLBACK (documented in docs/architecture.md).
 */
import { resolveTableIfExists } from './resolve-table.ts';
import { dropDependentViews, dropSchemaViews, dropViewsReadingColumn, refuseRenameUnderViews, runDropViews, runRenameView } from './ddl-views.ts';
import type { TableDef } from '../catalog/index.ts';
import { DbError, SqlState, assertNever } from '../errors/index.ts';
import { alterTableOptions, bindColumn, bindCreateTable, evaluateMissingValue, resolvePartition, resolveTable, resolveView, type PartitionTarget, type PlanEnv } from '../planner/index.ts';
import type { Statement } from '../sql/index.ts';
import type { ExecContext } from '../executor/index.ts';
import type { Database } from './database.ts';
import { dropIndexesOnColumn, dropIndexRows, runIndexDdl } from './ddl-index.ts';
import { alterConstraint } from './ddl-constraints.ts';
import { recordCreator, requireCreateSchema, requireOwner, requireOwnerOf, requireSchemaOwner } from './roles-owner.ts';
import { tableLocksOf } from './table-locks.ts';
import type { Transaction } from './transaction.ts';
import { alterNamedPartition, checkPartitionKeyAlter, createNamedPartition, dropNamedPartitions, dropPartitionsInSchema, refuseIndexOnPartition, truncateNamedPartition } from './ddl-partitions.ts';

export interface DdlHost {
  readonly db: Database;
  readonly tx: Transaction;
  planEnv(): PlanEnv;
  execContext(): ExecContext;
  notice(severity: 'WARNING' | 'NOTICE', code: string, message: string, hint?: string): void;
}

type DdlStatement = Statement & { kind: 'create_table' | 'create_schema' | 'drop' | 'alter_table' | 'truncate' | 'create_index' | 'drop_index' | 'reindex' };

function dropSequences(db: Database, t: TableDef): void {
  for (const c of t.columns) if (c.sequence && db.catalog.sequenceExists(c.sequence)) db.catalog.dropSequence(c.sequence);
}

function dropTable(db: Database, t: TableDef): void {
  db.catalog.dropPartitionsOf(t.tableId);
  db.catalog.dropTable(t.tableId);
  dropIndexRows(db, t.tableId);
  db.storage.dropTable(t.tableId);
  db.unique.forget(t.tableId);
  dropSequences(db, t);
}

/** Rewrites column references named `from` to `to` in a stored (libpg-query JSON) expression. */
function renameColumnRefs(raw: string, from: string, to: string): string {
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== 'object') return node;
    const o = node as Record<string, unknown>;
    if (o.ColumnRef) {
      const ref = o.ColumnRef as { fields: { String?: { sval: string } }[] };
      const fields = ref.fields.map((f, i) => (i === ref.fields.length - 1 && f.String?.sval === from ? { String: { sval: to } } : f));
      return { ColumnRef: { ...ref, fields } };
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, visit(v)]));
  };
  return JSON.stringify(visit(JSON.parse(raw)));
}

/** ACCESS EXCLUSIVE for this statement: waits for other transactions' LOCK TABLE ... ACCESS SHARE (table-locks.ts). */
function waitForLocks(host: DdlHost, tables: readonly TableDef[]): Promise<void> {
  return tableLocksOf(host.db).waitExclusive(host.tx, tables.map((t) => t.tableId), host.execContext());
}

/** Runs one DDL statement; returns its command tag. */
export async function runDdl(host: DdlHost, stmt: DdlStatement): Promise<string> {
  const { db } = host;
  db.catalogGeneration.value++;
  const env = host.planEnv();
  switch (stmt.kind) {
    case 'create_table': {
      if (stmt.partitionOf) return createNamedPartition(host, stmt);
      const bound = bindCreateTable(stmt, env);
      requireCreateSchema(env, bound.def.schema);
      // Tables and indexes share PostgreSQL's relation namespace.
      if (db.catalog.getIndex(bound.def.schema, bound.def.name) !== undefined) {
        if (!stmt.ifNotExists) throw new DbError(SqlState.DuplicateTable, `relation "${bound.def.name}" already exists`);
        host.notice('NOTICE', SqlState.DuplicateTable, `relation "${stmt.table.name}" already exists, skipping`);
        return 'CREATE TABLE';
      }
      const def = db.catalog.createTable(bound.def, stmt.ifNotExists);
      if (!def) {
        host.notice('NOTICE', SqlState.DuplicateTable, `relation "${stmt.table.name}" already exists, skipping`);
        return 'CREATE TABLE';
      }
      for (const s of bound.sequences) db.catalog.createSequence(s);
      recordCreator(db, env, { table: def.tableId });
      db.storage.attachTable(def);
      await db.unique.attach(def, db.storage);
      return 'CREATE TABLE';
    }
    case 'create_schema':
      requireCreateSchema(env, null);
      if (!db.catalog.createSchema(stmt.name, stmt.ifNotExists)) {
        host.notice('NOTICE', SqlState.DuplicateSchema, `schema "${stmt.name}" already exists, skipping`);
      } else recordCreator(db, env, { schema: stmt.name });
      return 'CREATE SCHEMA';
    case 'drop':
      if (stmt.objectType === 'view') return runDropViews(host, stmt);
      if (stmt.objectType === 'schema') {
        for (const n of stmt.names) requireSchemaOwner(env, n.name);
        for (const n of stmt.names) {
          const tables = db.catalog.listTables().filter((t) => t.schema === n.name);
          await waitForLocks(host, tables);
          await dropPartitionsInSchema(host, n.name, stmt.cascade);
          if (db.catalog.schemaExists(n.name)) dropSchemaViews(host, n.name, tables, stmt.cascade);
          if (!db.catalog.dropSchema(n.name, stmt.ifExists, stmt.cascade)) {
            host.notice('NOTICE', SqlState.SuccessfulCompletion, `schema "${n.name}" does not exist, skipping`);
            continue;
          }
          for (const t of tables) {
            db.catalog.dropPartitionsOf(t.tableId);
            dropIndexRows(db, t.tableId);
            db.storage.dropTable(t.tableId);
            db.unique.forget(t.tableId);
            dropSequences(db, t);
          }
        }
        return 'DROP SCHEMA';
      }
      {
        // Resolve every name first: DROP TABLE a, b drops nothing if b is missing.
        const found: TableDef[] = [];
        const parts: PartitionTarget[] = [];
        for (const n of stmt.names) {
          const part = resolvePartition(env, n);
          if (part) {
            parts.push(part);
            continue;
          }
          if (resolveView(env, n)) throw new DbError(SqlState.WrongObjectType, `"${n.name}" is not a table`, { hint: 'Use DROP VIEW to remove a view.' });
          try {
            found.push(resolveTable(env, n));
          } catch (err) {
            if (!(err instanceof DbError) || err.code !== SqlState.UndefinedTable) throw err;
            const shown = n.schema ? `${n.schema}.${n.name}` : n.name;
            if (!stmt.ifExists) throw new DbError(SqlState.UndefinedTable, `table "${shown}" does not exist`);
            host.notice('NOTICE', SqlState.SuccessfulCompletion, `table "${shown}" does not exist, skipping`);
          }
        }
        for (const t of [...found, ...parts.map((p) => p.parent)]) requireOwner(env, t);
        // Views reading a dropped table: 2BP01 unless CASCADE (ddl-views.ts).
        for (const t of found) dropDependentViews(host, [t.tableId], `table ${t.name}`, stmt.cascade);
        await waitForLocks(host, [...found, ...parts.map((p) => p.parent)]);
        await dropNamedPartitions(host, parts);
        for (const t of found) dropTable(db, t);
        return 'DROP TABLE';
      }
    case 'alter_table': {
      const part = resolvePartition(env, stmt.table);
      if (part) requireOwner(env, part.parent);
      if (part) await waitForLocks(host, [part.parent]);
      if (part) return alterNamedPartition(host, part, stmt);
      // ALTER TABLE v RENAME TO w also renames a view, as in PostgreSQL.
      const onView = stmt.commands.length === 1 && stmt.commands[0]!.kind === 'rename_table' ? resolveView(env, stmt.table) : null;
      if (onView) {
        runRenameView(host, { kind: 'rename_view', view: stmt.table, ifExists: stmt.ifExists, to: (stmt.commands[0] as { to: string }).to });
        return 'ALTER TABLE';
      }
      const found = resolveTableIfExists(env, stmt.table, stmt.ifExists, host);
      if (found === null) return 'ALTER TABLE';
      let t: TableDef = found;
      requireOwner(env, t);
      await waitForLocks(host, [t]);
      for (const cmd of stmt.commands) {
        checkPartitionKeyAlter(t, cmd);
        switch (cmd.kind) {
          case 'alter_column_type':
            throw new DbError(SqlState.FeatureNotSupported, 'ALTER TABLE ALTER COLUMN TYPE is not supported yet');
          case 'add_column': {
            if (t.columns.some((c) => !c.dropped && c.name === cmd.column.name)) {
              if (cmd.ifNotExists) {
                host.notice('NOTICE', SqlState.DuplicateColumn, `column "${cmd.column.name}" of relation "${t.name}" already exists, skipping`);
                continue;
              }
              throw new DbError(SqlState.DuplicateColumn, `column "${cmd.column.name}" of relation "${t.name}" already exists`);
            }
            const b = bindColumn(t.name, cmd.column, env);
            if (b.sequence) throw new DbError(SqlState.FeatureNotSupported, 'adding a serial or identity column to an existing table is not supported yet');
            const missingValue = evaluateMissingValue(b.def, cmd.column.defaultExpr?.expr ?? null, env, host.execContext());
            if (b.def.notNull && missingValue === null && db.catalog.rowCount(t.tableId) > 0) {
              throw new DbError(SqlState.NotNullViolation, `column "${b.def.name}" of relation "${t.name}" contains null values`);
            }
            t = db.catalog.addColumn(t.tableId, { ...b.def, missingValue });
            // Column constraints of the new column: added (and checked against the rows) like ADD CONSTRAINT.
            const col = cmd.column;
            const location = col.location;
            const added = [
              ...(col.primaryKey ? [{ kind: 'primary' as const, name: null, columns: [col.name], expr: null, location }] : []),
              ...(col.unique ? [{ kind: 'unique' as const, name: null, columns: [col.name], expr: null, location }] : []),
              ...col.checks.map((c) => ({ kind: 'check' as const, name: c.name, columns: [], expr: c.expr, location })),
            ];
            try {
              for (const constraint of added) t = await alterConstraint(host, t, { kind: 'add_constraint', constraint });
            } catch (err) {
              // The existing rows break a constraint: the column goes again (DDL applies at once otherwise).
              t = db.catalog.dropColumn(t.tableId, col.name);
              db.storage.attachTable(t);
              await db.unique.attach(t, db.storage);
              throw err;
            }
            break;
          }
          case 'drop_column':
            if (!t.columns.some((c) => !c.dropped && c.name === cmd.name) && cmd.ifExists) {
              host.notice('NOTICE', SqlState.SuccessfulCompletion, `column "${cmd.name}" of relation "${t.name}" does not exist, skipping`);
              continue;
            }
            dropViewsReadingColumn(host, t, cmd.name, cmd.cascade === true);
            dropIndexesOnColumn(db, t, cmd.name);
            t = db.catalog.dropColumn(t.tableId, cmd.name);
            break;
          case 'rename_column':
            refuseRenameUnderViews(host, t.tableId, `column ${cmd.from} of table ${t.name}`, cmd.from);
            t = db.catalog.renameColumn(t.tableId, cmd.from, cmd.to);
            // CHECK expressions are stored as parse trees naming columns: follow the rename.
            t = db.catalog.setConstraints(
              t.tableId,
              t.constraints.map((k) => (k.expr === null ? k : { ...k, expr: renameColumnRefs(k.expr, cmd.from, cmd.to) })),
            );
            break;
          case 'rename_table':
            if (db.catalog.relationNameTaken(t.schema, cmd.to)) throw new DbError(SqlState.DuplicateTable, `relation "${cmd.to}" already exists`);
            refuseRenameUnderViews(host, t.tableId, `table ${t.name}`, null);
            t = db.catalog.renameTable(t.tableId, cmd.to);
            break;
          case 'set_options':
            t = db.catalog.setTableOptions(t.tableId, alterTableOptions(t.options, cmd.options, cmd.reset));
            break;
          case 'add_constraint':
          case 'drop_constraint':
          case 'set_not_null':
          case 'set_default':
            t = await alterConstraint(host, t, cmd);
            break;
          default:
            assertNever(cmd, 'ALTER TABLE command');
        }
      }
      db.storage.attachTable(t);
      await db.unique.attach(t, db.storage);
      return 'ALTER TABLE';
    }
    case 'truncate': {
      const parts = stmt.tables.map((n) => resolvePartition(env, n));
      for (const [i, n] of stmt.tables.entries()) if (!parts[i] && resolveView(env, n)) throw new DbError(SqlState.WrongObjectType, `"${n.name}" is not a table`);
      const tables = stmt.tables.flatMap((n, i) => (parts[i] ? [] : [resolveTable(env, n)]));
      for (const t of [...tables, ...parts.flatMap((p) => (p ? [p.parent] : []))]) requireOwner(env, t, 'D');
      for (const p of parts) if (p) requireOwner(env, p.parent, 'D');
      await waitForLocks(host, [...tables, ...parts.flatMap((p) => (p ? [p.parent] : []))]);
      for (const p of parts) if (p) await truncateNamedPartition(host, p);
      for (const t of tables) {
        db.catalog.truncateTable(t.tableId);
        await db.storage.truncate(t.tableId);
        db.unique.clear(t.tableId);
      }
      return 'TRUNCATE TABLE';
    }
    case 'create_index':
    case 'drop_index':
    case 'reindex':
      if (stmt.kind === 'create_index') refuseIndexOnPartition(env, stmt.table);
      if (stmt.kind === 'create_index') requireOwnerOf(env, stmt.table);
      return runIndexDdl(host, stmt);
    default:
      return assertNever(stmt, 'DDL statement');
  }
}
