/**
 * session/: CREATE EXTENSION / DROP EXTENSION. Tessera has pgvector's types and access
 * methods built in; creating `vector` records it (catalog Meta), which makes pg_extension
 * list it and moves its types to schema public as pgvector's would be. plpgsql is always
 * there, as in a fresh PostgreSQL database; other extensions are not available.
 */
import { DbError, SqlState, type SqlStateCode } from '../errors/index.ts';
import { createdExtensions, forgetExtension, recordExtension } from './pg-catalog-access.ts';
import type { StatementHost } from './statements.ts';

/** Extensions CREATE EXTENSION accepts. */
const AVAILABLE = new Set(['vector']);
const DUPLICATE_OBJECT = '42710' as SqlStateCode;

/** Runs CREATE EXTENSION [IF NOT EXISTS] name. */
export function createExtension(host: StatementHost, name: string, ifNotExists: boolean): void {
  const catalog = host.db.catalog;
  if (name === 'plpgsql' || createdExtensions(catalog).includes(name)) {
    if (ifNotExists) {
      host.notice('NOTICE', DUPLICATE_OBJECT, `extension "${name}" already exists, skipping`);
      return;
    }
    throw new DbError(DUPLICATE_OBJECT, `extension "${name}" already exists`);
  }
  if (!AVAILABLE.has(name)) {
    throw new DbError(SqlState.FeatureNotSupported, `extension "${name}" is not available`, {
      hint: 'The extension must first be installed on the system where PostgreSQL is running.',
    });
  }
  recordExtension(catalog, name);
}

/** Runs DROP EXTENSION [IF EXISTS] names. Tessera's vector types stay usable (they are built in). */
export function dropExtensions(host: StatementHost, names: readonly string[], ifExists: boolean): void {
  const catalog = host.db.catalog;
  for (const name of names) {
    if (createdExtensions(catalog).includes(name)) continue;
    if (ifExists) {
      host.notice('NOTICE', SqlState.UndefinedObject, `extension "${name}" does not exist, skipping`);
      continue;
    }
    throw new DbError(SqlState.UndefinedObject, `extension "${name}" does not exist`);
  }
  for (const name of names) forgetExtension(catalog, name);
}
