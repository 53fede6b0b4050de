/**
 * session/: DDL of plain views — CREATE [OR REPLACE] VIEW, DROP VIEW, ALTER VIEW RENAME, and
 * the dependency rules DROP TABLE / DROP SCHEMA follow for views (2BP01 unless CASCADE). The
 * planner binds the defining query (planner/plan-view.ts); this stores it in the catalog.
 * Like the other DDL, it takes effect at once and is not undone by ROLLBACK.
 */
import type { ViewDef } from '../catalog/index.ts';
import { DbError, SqlState } from '../errors/index.ts';
import { privileges } from '../executor/index.ts';
import { bindViewDefinition, creationSchema, resolveView, type PlanEnv } from '../planner/index.ts';
import { viewQueryMentions, viewQueryText, type QualifiedName, type Statement } from '../sql/index.ts';
import { typeByOid } from '../types/index.ts';
import type { DdlHost } from './ddl.ts';
import { recordCreator, requireCreateSchema } from './roles-owner.ts';

const DEPENDENTS_HINT = 'Use DROP ... CASCADE to drop the dependent objects too.';

function shown(n: QualifiedName): string {
  return n.schema ? `${n.schema}.${n.name}` : n.name;
}

function typeName(oid: number): string {
  return typeByOid(oid)?.displayName ?? `oid ${oid}`;
}

/** 42501 `must be owner of view v` unless the current role owns the view. */
function requireViewOwner(env: PlanEnv, view: ViewDef): void {
  const rc = env.roles;
  if (rc === undefined) return;
  if (!privileges.hasOwnership(rc, rc.security.tableSecurity(view.viewId).ownerOid)) {
    throw new DbError(SqlState.InsufficientPrivilege, `must be owner of view ${view.name}`);
  }
}

/** CREATE [OR REPLACE] VIEW; `sql` is the statement's text (the view stores its query's part). */
export function runCreateView(host: DdlHost, stmt: Statement & { kind: 'create_view' }, sql: string): string {
  const { db } = host;
  db.catalogGeneration.value++;
  const env = host.planEnv();
  const schema = creationSchema(env, stmt.view.schema);
  requireCreateSchema(env, schema);
  const query = viewQueryText(sql, { name: stmt.view.name, columns: stmt.columnNames });
  const bound = bindViewDefinition(env, stmt.query, stmt.columnNames);
  const existing = db.catalog.getView(schema, stmt.view.name);
  const def = { query, columns: bound.columns, searchPath: [...env.searchPath], dependsOn: bound.dependsOn };
  if (existing) {
    if (!stmt.replace) throw new DbError(SqlState.DuplicateTable, `relation "${stmt.view.name}" already exists`);
    requireViewOwner(env, existing);
    checkReplacementColumns(existing, bound.columns);
    db.catalog.replaceView(existing.viewId, def);
    return 'CREATE VIEW';
  }
  if (stmt.replace && db.catalog.getTable(schema, stmt.view.name)) {
    throw new DbError(SqlState.WrongObjectType, `"${stmt.view.name}" is not a view`);
  }
  const view = db.catalog.createView({ schema, name: stmt.view.name, ...def });
  recordCreator(db, env, { table: view.viewId });
  return 'CREATE VIEW';
}

/** CREATE OR REPLACE VIEW may only add columns at the end (PostgreSQL's checkViewTupleDesc). */
function checkReplacementColumns(old: ViewDef, next: readonly { name: string; typeOid: number; typmod: number }[]): void {
  if (next.length < old.columns.length) throw new DbError(SqlState.InvalidTableDefinition, 'cannot drop columns from view');
  old.columns.forEach((c, i) => {
    const n = next[i]!;
    if (n.name !== c.name) {
      throw new DbError(SqlState.InvalidTableDefinition, `cannot change name of view column "${c.name}" to "${n.name}"`, {
        hint: 'Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.',
      });
    }
    if (n.typeOid !== c.typeOid || n.typmod !== c.typmod) {
      throw new DbError(SqlState.InvalidTableDefinition, `cannot change data type of view column "${c.name}" from ${typeName(c.typeOid)} to ${typeName(n.typeOid)}`);
    }
  });
}

/** Views that read any of `ids`, directly or through other views, in creation order (those ids' own views excluded). */
export function dependentViews(host: DdlHost, ids: readonly number[]): ViewDef[] {
  const all = host.db.catalog.listViews();
  const reached = new Set(ids);
  let grew = true;
  while (grew) {
    grew = false;
    for (const v of all) {
      if (!reached.has(v.viewId) && v.dependsOn.some((d) => reached.has(d))) {
        reached.add(v.viewId);
        grew = true;
      }
    }
  }
  return all.filter((v) => reached.has(v.viewId) && !ids.includes(v.viewId));
}

/**
 * Before dropping the objects `ids` (named `what`, e.g. `table t`): 2BP01 when views depend
 * on them and cascade is false; with cascade, drops those views with PostgreSQL's NOTICE.
 */
export function dropDependentViews(host: DdlHost, ids: readonly number[], what: string, cascade: boolean): void {
  const deps = dependentViews(host, ids);
  if (deps.length === 0) return;
  const direct = (v: ViewDef): string => {
    const on = v.dependsOn.find((d) => ids.includes(d)) !== undefined ? what : `view ${deps.find((x) => v.dependsOn.includes(x.viewId))?.name ?? '?'}`;
    return `view ${v.name} depends on ${on}`;
  };
  if (!cascade) {
    throw new DbError(SqlState.DependentObjectsStillExist, `cannot drop ${what} because other objects depend on it`, {
      detail: deps.map(direct).join('\n'),
      hint: DEPENDENTS_HINT,
    });
  }
  if (deps.length === 1) host.notice('NOTICE', SqlState.SuccessfulCompletion, `drop cascades to view ${deps[0]!.name}`);
  else host.notice('NOTICE', SqlState.SuccessfulCompletion, `drop cascades to ${deps.length} other objects`);
  host.db.catalogGeneration.value++;
  for (const v of deps) host.db.catalog.dropView(v.viewId);
}

/** DROP VIEW [IF EXISTS] a, b [CASCADE]: every name is resolved before anything is dropped. */
export function runDropViews(host: DdlHost, stmt: Statement & { kind: 'drop' }): string {
  const { db } = host;
  db.catalogGeneration.value++;
  const env = host.planEnv();
  const found: ViewDef[] = [];
  for (const n of stmt.names) {
    const v = resolveView(env, n);
    if (v) {
      if (!found.some((f) => f.viewId === v.viewId)) found.push(v);
      continue;
    }
    const schemas = n.schema !== null ? [n.schema] : env.searchPath;
    if (schemas.some((s) => db.catalog.getTable(s, n.name))) {
      throw new DbError(SqlState.WrongObjectType, `"${n.name}" is not a view`, { hint: 'Use DROP TABLE to remove a table.' });
    }
    if (!stmt.ifExists) throw new DbError(SqlState.UndefinedTable, `view "${shown(n)}" does not exist`);
    host.notice('NOTICE', SqlState.SuccessfulCompletion, `view "${shown(n)}" does not exist, skipping`);
  }
  for (const v of found) requireViewOwner(env, v);
  for (const v of found) dropDependentViews(host, found.map((f) => f.viewId), `view ${v.name}`, stmt.cascade);
  for (const v of found) db.catalog.dropView(v.viewId);
  return 'DROP VIEW';
}

/** ALTER VIEW [IF EXISTS] v RENAME TO w. */
export function runRenameView(host: DdlHost, stmt: Statement & { kind: 'rename_view' }): string {
  const { db } = host;
  db.catalogGeneration.value++;
  const env = host.planEnv();
  const v = resolveView(env, stmt.view);
  if (!v) {
    const schemas = stmt.view.schema !== null ? [stmt.view.schema] : env.searchPath;
    if (schemas.some((s) => db.catalog.getTable(s, stmt.view.name))) throw new DbError(SqlState.WrongObjectType, `"${stmt.view.name}" is not a view`);
    if (!stmt.ifExists) throw new DbError(SqlState.UndefinedTable, `relation "${shown(stmt.view)}" does not exist`);
    host.notice('NOTICE', SqlState.SuccessfulCompletion, `relation "${shown(stmt.view)}" does not exist, skipping`);
    return 'ALTER VIEW';
  }
  requireViewOwner(env, v);
  if (stmt.column !== undefined) {
    const i = v.columns.findIndex((c) => c.name === stmt.column);
    if (i < 0) throw new DbError(SqlState.UndefinedColumn, `column "${stmt.column}" does not exist`);
    if (v.columns.some((c) => c.name === stmt.to)) throw new DbError(SqlState.DuplicateColumn, `column "${stmt.to}" of relation "${v.name}" already exists`);
    refuseRenameUnderViews(host, v.viewId, `column ${stmt.column} of view ${v.name}`, stmt.column);
    // Only the stored name changes: the query's own output names are matched by position.
    db.catalog.replaceView(v.viewId, { ...v, columns: v.columns.map((c, k) => (k === i ? { ...c, name: stmt.to } : c)) });
    return 'ALTER VIEW';
  }
  if (db.catalog.relationNameTaken(v.schema, stmt.to)) throw new DbError(SqlState.DuplicateTable, `relation "${stmt.to}" already exists`);
  refuseRenameUnderViews(host, v.viewId, `view ${v.name}`, null);
  db.catalog.renameView(v, stmt.to);
  return 'ALTER VIEW';
}

/** COMMENT ON VIEW v / COMMENT ON COLUMN v.c: the relation id and attnum to comment, or null when the name is no view. */
export function viewCommentTarget(host: DdlHost, names: readonly string[], column: string | null): { id: number; attnum: number } | null {
  const env = host.planEnv();
  const v = resolveView(env, { schema: names.length > 1 ? names[names.length - 2]! : null, name: names[names.length - 1]!, location: -1 });
  if (!v) return null;
  requireViewOwner(env, v);
  if (column === null) return { id: v.viewId, attnum: 0 };
  const i = v.columns.findIndex((c) => c.name === column);
  if (i < 0) throw new DbError(SqlState.UndefinedColumn, `column "${column}" of relation "${v.name}" does not exist`);
  return { id: v.viewId, attnum: i + 1 };
}

/**
 * DROP SCHEMA s: its views, and views elsewhere reading its tables or views. Without CASCADE
 * any of them is 2BP01 (listing the schema's tables too, as PostgreSQL lists every dependent);
 * with CASCADE they are dropped before the schema's tables.
 */
export function dropSchemaViews(host: DdlHost, schema: string, tables: readonly { tableId: number; name: string }[], cascade: boolean): void {
  const own = host.db.catalog.listViews().filter((v) => v.schema === schema);
  const outside = dependentViews(host, [...tables.map((t) => t.tableId), ...own.map((v) => v.viewId)]).filter((v) => v.schema !== schema);
  if (own.length === 0 && outside.length === 0) return;
  if (!cascade) {
    const lines = [
      ...tables.map((t) => `table ${schema}.${t.name} depends on schema ${schema}`),
      ...own.map((v) => `view ${schema}.${v.name} depends on schema ${schema}`),
      ...outside.map((v) => `view ${v.schema}.${v.name} depends on a relation of schema ${schema}`),
    ];
    throw new DbError(SqlState.DependentObjectsStillExist, `cannot drop schema ${schema} because other objects depend on it`, { detail: lines.join('\n'), hint: DEPENDENTS_HINT });
  }
  host.db.catalogGeneration.value++;
  for (const v of [...outside, ...own]) host.db.catalog.dropView(v.viewId);
}

/**
 * Renaming a relation or column views read: a view stores its query as text, so the rename
 * would break it. 0A000 (PostgreSQL, which binds views by OID and attnum, allows it).
 */
export function refuseRenameUnderViews(host: DdlHost, id: number, what: string, column: string | null): void {
  const readers = host.db.catalog.listViews().filter((v) => v.dependsOn.includes(id) && (column === null || viewQueryMentions(v.query, column)));
  if (readers.length === 0) return;
  throw new DbError(SqlState.FeatureNotSupported, `cannot rename ${what} because view ${readers[0]!.name} depends on it`, {
    detail: 'Tessera stores a view as its query text; drop and re-create the view around the rename.',
  });
}

/**
 * ALTER TABLE t DROP COLUMN c: 2BP01 while a view reads c (names it, or selects `*`), unless
 * CASCADE, which drops those views (and the views reading them).
 */
export function dropViewsReadingColumn(host: DdlHost, table: { tableId: number; name: string }, column: string, cascade: boolean): void {
  const readers = host.db.catalog.listViews().filter((v) => v.dependsOn.includes(table.tableId) && viewQueryMentions(v.query, column));
  if (readers.length === 0) return;
  const what = `column ${column} of table ${table.name}`;
  const deps = [...readers, ...dependentViews(host, readers.map((v) => v.viewId))];
  if (!cascade) {
    throw new DbError(SqlState.DependentObjectsStillExist, `cannot drop ${what} because other objects depend on it`, {
      detail: readers.map((v) => `view ${v.name} depends on ${what}`).join('\n'),
      hint: DEPENDENTS_HINT,
    });
  }
  if (deps.length === 1) host.notice('NOTICE', SqlState.SuccessfulCompletion, `drop cascades to view ${deps[0]!.name}`);
  else host.notice('NOTICE', SqlState.SuccessfulCompletion, `drop cascades to ${deps.length} other objects`);
  host.db.catalogGeneration.value++;
  for (const v of deps) host.db.catalog.dropView(v.viewId);
}
