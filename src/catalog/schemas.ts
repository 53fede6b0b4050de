/**
 * catalog/: Schemas rows. `public` and `tessera` come from migration 0001; `tessera` holds
 * the system views and cannot be dropped. DROP SCHEMA ... CASCADE soft-deletes the tables.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { type CatalogDb, nowMicros } from './catalog-db.ts';
import { dropTable } from './tables.ts';

/** Schemas the database system needs. */
export const SYSTEM_SCHEMAS: readonly string[] = ['tessera'];

/** True when the schema exists. */
export function schemaExists(cdb: CatalogDb, name: string): boolean {
  return cdb.get('SELECT 1 FROM Schemas WHERE name = ?', name) !== undefined;
}

/** Schema names in creation order. */
export function listSchemas(cdb: CatalogDb): string[] {
  return cdb.all<{ name: string }>('SELECT name FROM Schemas ORDER BY schema_id').map((r) => r.name);
}

/** CREATE SCHEMA; false when ifNotExists skipped an existing one. 42P06 / 42939 as PostgreSQL. */
export function createSchema(cdb: CatalogDb, name: string, ifNotExists: boolean): boolean {
  if (name.startsWith('pg_')) {
    throw new DbError(SqlState.ReservedName, `unacceptable schema name "${name}"`, { detail: 'The prefix "pg_" is reserved for system schemas.' });
  }
  return cdb.tx(() => {
    if (schemaExists(cdb, name)) {
      if (ifNotExists) return false;
      throw new DbError(SqlState.DuplicateSchema, `schema "${name}" already exists`);
    }
    cdb.run('INSERT INTO Schemas (name, created_on) VALUES (?, ?)', name, nowMicros());
    return true;
  });
}

/**
 * DROP SCHEMA; false when ifExists skipped a missing one. Without cascade a schema holding
 * tables is refused (2BP01, detail listing them as PostgreSQL does); with it, they are dropped.
 */
export function dropSchema(cdb: CatalogDb, name: string, ifExists: boolean, cascade: boolean): boolean {
  return cdb.tx(() => {
    const row = cdb.get<{ schema_id: number }>('SELECT schema_id FROM Schemas WHERE name = ?', name);
    if (row === undefined) {
      if (ifExists) return false;
      throw new DbError(SqlState.InvalidSchemaName, `schema "${name}" does not exist`);
    }
    if (SYSTEM_SCHEMAS.includes(name)) {
      throw new DbError(SqlState.DependentObjectsStillExist, `cannot drop schema ${name} because it is required by the database system`);
    }
    const tables = cdb.all<{ table_id: number; table_name: string }>(
      'SELECT table_id, table_name FROM Tables WHERE schema_id = ? AND state = 0 ORDER BY table_id', row.schema_id,
    );
    if (tables.length > 0 && !cascade) {
      throw new DbError(SqlState.DependentObjectsStillExist, `cannot drop schema ${name} because other objects depend on it`, {
        detail: tables.map((t) => `table ${name}.${t.table_name} depends on schema ${name}`).join('\n'),
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
    for (const t of tables) dropTable(cdb, t.table_id);
    cdb.run('DELETE FROM Schemas WHERE schema_id = ?', row.schema_id);
    return true;
  });
}
