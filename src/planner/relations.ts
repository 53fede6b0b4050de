/**
 * Looking up tables the way PostgreSQL does: a qualified name in its schema, an unqualified
 * one along search_path ("$user" skipped unless such a schema exists). Also the planner's
 * environment (catalog, search path, formats) shared by every plan function.
 */
import { SYSTEM_VIEWS, type ColumnDef, type TableDef, type ViewDef } from '../catalog/index.ts';
import { DbError, SqlState } from '../errors/index.ts';
import { errorPosition, type QualifiedName } from '../sql/index.ts';
import type { FormatContext } from '../types/index.ts';
import { privileges, type RoleContext } from '../executor/index.ts';

/** What the planner reads from the catalog. */
export interface CatalogReader {
  getTable(schema: string, name: string): TableDef | undefined;
  schemaExists(name: string): boolean;
  /** Every table (to find the serial / identity sequences, which belong to their table's schema). */
  listTables?(): readonly TableDef[];
  /** A plain view (CREATE VIEW), or undefined; absent: no views. */
  getView?(schema: string, name: string): ViewDef | undefined;
}

/**
 * The qualified name of the system view a FROM item names, if any (tessera.tables,
 * pg_catalog.pg_class, information_schema.columns). As in PostgreSQL, pg_catalog is searched
 * before search_path unless search_path names it explicitly, so an unqualified pg_class
 * shadows a user table of that name.
 */
export function systemViewName(env: PlanEnv, name: QualifiedName): string | null {
  if (name.schema !== null) {
    const q = `${name.schema}.${name.name}`;
    return q in SYSTEM_VIEWS ? q : null;
  }
  const path = env.searchPath.includes('pg_catalog') ? env.searchPath : ['pg_catalog', ...env.searchPath];
  for (const schema of path) {
    const q = `${schema}.${name.name}`;
    if (q in SYSTEM_VIEWS) return q;
    // A user table or view earlier on the path wins over a system view of a later schema.
    if (schema !== 'pg_catalog' && (env.catalog.getTable(schema, name.name) || env.catalog.getView?.(schema, name.name))) return null;
  }
  return null;
}

export interface PlanEnv {
  readonly catalog: CatalogReader;
  readonly searchPath: readonly string[];
  readonly format: FormatContext;
  /** current_user. */
  readonly user: string;
  /** The current role's privileges; absent: the bootstrap superuser (every privilege, no RLS). */
  readonly roles?: RoleContext;
  /** The row_security setting; false: a query policies would filter fails with 42501 (rls.ts). Absent: on. */
  readonly rowSecurity?: boolean;
}

/** Parses a search_path setting into schema names ('"$user", public' → ['postgres', 'public']). */
export function parseSearchPath(setting: string, user: string): string[] {
  return setting
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s.toLowerCase()))
    .map((s) => (s === '$user' ? user : s));
}

const at = errorPosition;

/** Schemas that always exist (their relations are system views). */
const BUILT_IN_SCHEMAS = new Set(['pg_catalog', 'information_schema']);

/** Refuses INSERT/UPDATE/DELETE/TRUNCATE of a system catalog or view (before resolving user tables). */
export function assertWritable(env: PlanEnv, name: QualifiedName): void {
  const view = systemViewName(env, name);
  if (view) throw new DbError(SqlState.InsufficientPrivilege, `permission denied: "${name.name}" is a system catalog`).at(at(name.location));
  const userView = resolveView(env, name);
  if (userView) {
    throw new DbError(SqlState.FeatureNotSupported, `cannot modify view "${userView.name}": views are not updatable in Tessera`, {
      hint: 'Write to the view\'s tables instead.',
    }).at(at(name.location));
  }
}

/** A table-only statement naming a view: 42809, as PostgreSQL refuses it. */
function notATable(name: QualifiedName): DbError {
  return new DbError(SqlState.WrongObjectType, `"${name.name}" is not a table`).at(at(name.location));
}

/** Resolves a table name or throws 42P01 (42809 when it names a view) (3F000 for a missing schema). */
export function resolveTable(env: PlanEnv, name: QualifiedName): TableDef {
  if (name.schema !== null) {
    if (!env.catalog.schemaExists(name.schema) && !BUILT_IN_SCHEMAS.has(name.schema)) {
      throw new DbError(SqlState.InvalidSchemaName, `schema "${name.schema}" does not exist`).at(at(name.location));
    }
    privileges.requireSchemaPrivilege(env.roles, name.schema, 'U');
    const t = env.catalog.getTable(name.schema, name.name);
    if (t) return t;
    if (env.catalog.getView?.(name.schema, name.name)) throw notATable(name);
    throw new DbError(SqlState.UndefinedTable, `relation "${name.schema}.${name.name}" does not exist`).at(at(name.location));
  }
  for (const schema of env.searchPath) {
    // Without USAGE a schema on the path is skipped, as in PostgreSQL.
    if (env.roles && !privileges.hasSchemaPrivilege(env.roles, schema, 'U')) continue;
    const t = env.catalog.getTable(schema, name.name);
    if (t) return t;
    if (env.catalog.getView?.(schema, name.name)) throw notATable(name);
  }
  throw new DbError(SqlState.UndefinedTable, `relation "${name.name}" does not exist`).at(at(name.location));
}

/**
 * The plain view a name refers to, or null when it names something else (or nothing): a
 * qualified name in its schema, an unqualified one along search_path, where a table earlier
 * on the path wins (tables and views share one namespace per schema).
 */
export function resolveView(env: PlanEnv, name: QualifiedName): ViewDef | null {
  if (!env.catalog.getView) return null;
  if (name.schema !== null) {
    const v = env.catalog.getView(name.schema, name.name);
    if (v) privileges.requireSchemaPrivilege(env.roles, name.schema, 'U');
    return v ?? null;
  }
  for (const schema of env.searchPath) {
    if (env.roles && !privileges.hasSchemaPrivilege(env.roles, schema, 'U')) continue;
    if (env.catalog.getTable(schema, name.name)) return null;
    const v = env.catalog.getView(schema, name.name);
    if (v) return v;
  }
  return null;
}

/** The schema new objects go to: the first existing schema on search_path. */
export function creationSchema(env: PlanEnv, explicit: string | null): string {
  if (explicit !== null) {
    if (!env.catalog.schemaExists(explicit)) throw new DbError(SqlState.InvalidSchemaName, `schema "${explicit}" does not exist`);
    return explicit;
  }
  const s = env.searchPath.find((p) => env.catalog.schemaExists(p));
  if (!s) throw new DbError(SqlState.InvalidSchemaName, 'no schema has been selected to create in');
  return s;
}

/** Columns users see (not dropped), in attnum order. */
export function liveColumns(t: TableDef): ColumnDef[] {
  return t.columns.filter((c) => !c.dropped);
}
