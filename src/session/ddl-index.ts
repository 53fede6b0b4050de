/**
 * Runs index DDL: CREATE INDEX (recorded in the catalog; for hnsw/ivfflat the per-segment
 * graphs are built by ann/ in worker threads, and the statement waits for them, as
 * PostgreSQL's CREATE INDEX does), DROP INDEX (graph files TO_DELETE, raw files back to RAW),
 * REINDEX INDEX/TABLE (graphs rebuilt). Called from ddl.ts.
 */
import { ANN_METHODS, type IndexDef, type TableDef } from '../catalog/index.ts';
import { DbError, SqlState } from '../errors/index.ts';
import { bindCreateIndex, resolveTable } from '../planner/index.ts';
import type { QualifiedName, Statement } from '../sql/index.ts';
import type { Database } from './database.ts';
import type { DdlHost } from './ddl.ts';
import { checkUnique } from './ddl-constraints.ts';
import { privileges } from '../executor/index.ts';

type IndexDdl = Statement & { kind: 'create_index' | 'drop_index' | 'reindex' };

/** Forgets the indexes of a table being dropped (their files go TO_DELETE with the table). */
export function dropIndexRows(db: Database, tableId: number): void {
  if (db.catalog.dropIndexesOfTable(tableId) > 0) db.ann.invalidate();
}

/** Dropping a unique index ends the uniqueness it enforced. */
async function dropIndexUniqueness(db: Database, ix: IndexDef): Promise<void> {
  const t = db.catalog.getTableById(ix.tableId);
  if (!t) return;
  const next = db.catalog.alterDefinition(t.tableId, (d) => ({ columns: d.columns, constraints: d.constraints.filter((k) => !(k.indexOnly && k.name === ix.name)) }));
  await db.unique.attach(next, db.storage);
}

/** ALTER TABLE DROP COLUMN drops the indexes on the column, as PostgreSQL does. */
export function dropIndexesOnColumn(db: Database, t: TableDef, column: string): void {
  const col = t.columns.find((c) => !c.dropped && c.name === column);
  if (col === undefined) return;
  for (const ix of db.catalog.listIndexes(t.tableId)) {
    if (!ix.columns.some((c) => c.attnum === col.attnum)) continue;
    db.catalog.dropIndexById(ix.indexId);
    // ALTER TABLE re-attaches the key index afterwards.
    if (ix.options.unique === 'true') {
      db.catalog.alterDefinition(t.tableId, (d) => ({ columns: d.columns, constraints: d.constraints.filter((k) => !(k.indexOnly && k.name === ix.name)) }));
    }
  }
  db.ann.invalidate();
}

function findIndex(host: DdlHost, name: QualifiedName): IndexDef | undefined {
  const { catalog } = host.db;
  if (name.schema !== null) return catalog.getIndex(name.schema, name.name);
  for (const schema of host.planEnv().searchPath) {
    const ix = catalog.getIndex(schema, name.name);
    if (ix !== undefined) return ix;
  }
  return undefined;
}

/** DROP INDEX / REINDEX: 42501 `must be owner of index i` unless the role owns the index's table. */
function requireIndexOwner(host: DdlHost, ix: IndexDef): void {
  const rc = host.planEnv().roles;
  if (rc && !privileges.hasOwnership(rc, rc.security.tableSecurity(ix.tableId).ownerOid)) {
    throw new DbError(SqlState.InsufficientPrivilege, `must be owner of index ${ix.name}`);
  }
}

function shown(n: QualifiedName): string {
  return n.schema ? `${n.schema}.${n.name}` : n.name;
}

function tableExists(host: DdlHost, n: QualifiedName): boolean {
  try {
    resolveTable(host.planEnv(), n);
    return true;
  } catch {
    return false;
  }
}

/** Builds the missing graphs of ANN indexes now and waits (CREATE INDEX, REINDEX). */
async function buildNow(host: DdlHost, command: 'CREATE INDEX' | 'REINDEX'): Promise<void> {
  // pg_stat_progress_create_index shows this backend's build.
  const r = await host.db.ann.buildMissing({ pid: host.execContext().backendPid, command });
  if (r.failed > 0) {
    throw new DbError(SqlState.InternalError, `could not build ${r.failed} segment graph(s); see the server log`, {
      hint: 'Those segments are searched exactly until REINDEX succeeds.',
    });
  }
}

export async function runIndexDdl(host: DdlHost, stmt: IndexDdl): Promise<string> {
  const { db } = host;
  switch (stmt.kind) {
    case 'create_index': {
      const env = host.planEnv();
      if (stmt.ifNotExists && stmt.name !== null) {
        const t = resolveTable(env, stmt.table);
        if (db.catalog.relationNameTaken(t.schema, stmt.name)) {
          host.notice('NOTICE', SqlState.DuplicateTable, `relation "${stmt.name}" already exists, skipping`);
          return 'CREATE INDEX';
        }
      }
      const bound = bindCreateIndex(stmt, env, (schema, name) => db.catalog.relationNameTaken(schema, name));
      const unique = bound.def.options.unique === 'true';
      const attnums = bound.def.columns.map((c) => c.attnum);
      if (unique) await checkUnique(host, bound.table, bound.def.name, attnums);
      const def = db.catalog.createIndex(bound.def, false);
      if (def !== null && unique) {
        const t = db.catalog.alterDefinition(bound.table.tableId, (d) => ({
          columns: d.columns,
          constraints: [...d.constraints, { name: def.name, kind: 'unique', attnums, expr: null, indexOnly: true }],
        }));
        await db.unique.attach(t, db.storage);
      }
      db.ann.invalidate();
      if (def !== null && ANN_METHODS.includes(def.method)) await buildNow(host, 'CREATE INDEX');
      return 'CREATE INDEX';
    }
    case 'drop_index': {
      const found: IndexDef[] = [];
      for (const n of stmt.names) {
        const ix = findIndex(host, n);
        if (ix !== undefined) {
          found.push(ix);
          continue;
        }
        if (tableExists(host, n)) throw new DbError(SqlState.WrongObjectType, `"${shown(n)}" is not an index`, { hint: 'Use DROP TABLE to remove a table.' });
        if (!stmt.ifExists) throw new DbError(SqlState.UndefinedObject, `index "${shown(n)}" does not exist`);
        host.notice('NOTICE', SqlState.SuccessfulCompletion, `index "${shown(n)}" does not exist, skipping`);
      }
      for (const ix of found) requireIndexOwner(host, ix);
      for (const ix of found) {
        db.catalog.dropIndexById(ix.indexId);
        if (ix.options.unique === 'true') await dropIndexUniqueness(db, ix);
      }
      db.ann.invalidate();
      return 'DROP INDEX';
    }
    case 'reindex': {
      let indexes: IndexDef[];
      if (stmt.target === 'index') {
        const ix = findIndex(host, stmt.name);
        if (ix === undefined) throw new DbError(SqlState.UndefinedTable, `relation "${shown(stmt.name)}" does not exist`);
        indexes = [ix];
      } else {
        const t = resolveTable(host.planEnv(), stmt.name);
        indexes = db.catalog.listIndexes(t.tableId);
      }
      for (const ix of indexes) if (ANN_METHODS.includes(ix.method)) db.catalog.retireIndexFiles(ix.indexId);
      db.ann.invalidate();
      await buildNow(host, 'REINDEX');
      return 'REINDEX';
    }
  }
}
