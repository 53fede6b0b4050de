/**
 * Ownership hooks of ordinary DDL (session/ddl.ts): a table or schema records the role that
 * created it (the bootstrap superuser's objects record nothing: OID 10 is the default),
 * CREATE needs the schema's CREATE privilege (PostgreSQL 15: only the owner of public has
 * it), and ALTER / DROP / CREATE INDEX need ownership, TRUNCATE the TRUNCATE privilege.
 */
import { BOOTSTRAP_ROLE_OID, type TableDef } from '../catalog/index.ts';
import { DbError, SqlState } from '../errors/index.ts';
import { privileges } from '../executor/index.ts';
import { creationSchema, resolvePartition, resolveTable, type PlanEnv } from '../planner/index.ts';
import type { QualifiedName } from '../sql/index.ts';
import type { Database } from './database.ts';

/** CREATE TABLE in `schema` (CREATE SCHEMA when null: CREATE on the database, which only superusers hold here). */
export function requireCreateSchema(env: PlanEnv, schema: string | null): void {
  const rc = env.roles;
  if (rc === undefined || rc.superuser) return;
  if (schema === null) {
    const createDb = rc.security.getRoleByOid(rc.roleOid)?.createDb === true;
    if (!createDb) throw new DbError(SqlState.InsufficientPrivilege, 'permission denied for database postgres');
    return;
  }
  privileges.requireSchemaPrivilege(rc, schema ?? creationSchema(env, null), 'C');
}

/** Records the current role as the owner of a new table or schema. */
export function recordCreator(db: Database, env: PlanEnv, object: { table: number } | { schema: string }): void {
  const owner = env.roles?.roleOid ?? BOOTSTRAP_ROLE_OID;
  if (owner === BOOTSTRAP_ROLE_OID) return;
  if ('table' in object) db.catalog.security.updateTableSecurity(object.table, { ownerOid: owner });
  else db.catalog.security.setObjectAcl('schema', object.schema, owner, null);
}

/** Ownership of t (or, with privs, those privileges) is required. */
export function requireOwner(env: PlanEnv, t: TableDef, privs?: string): void {
  if (privs) privileges.requireTablePrivilege(env.roles, t, privs);
  else privileges.requireTableOwner(env.roles, t);
}

/** CREATE INDEX: ownership of the named table (a named partition's: its partitioned table's); other errors are left to the statement. */
export function requireOwnerOf(env: PlanEnv, name: QualifiedName): void {
  if (env.roles === undefined || env.roles.superuser) return;
  let t: TableDef | undefined = resolvePartition(env, name)?.parent;
  if (!t) {
    try {
      t = resolveTable(env, name);
    } catch {
      return;
    }
  }
  privileges.requireTableOwner(env.roles, t);
}

/** DROP SCHEMA: 42501 `must be owner of schema s` (a missing schema is left to the statement's own error). */
export function requireSchemaOwner(env: PlanEnv, schema: string): void {
  const rc = env.roles;
  if (rc === undefined || rc.superuser || !env.catalog.schemaExists(schema)) return;
  if (!privileges.hasOwnership(rc, privileges.schemaAcl(rc.security, schema).ownerOid)) {
    throw new DbError(SqlState.InsufficientPrivilege, `must be owner of schema ${schema}`);
  }
}
