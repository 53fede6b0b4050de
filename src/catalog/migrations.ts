/**
 * catalog/: schema migrations. sql/catalog/NNNN_name.sql files are applied in version order,
 * each with its schema_migrations row in one SQLite transaction; a catalog whose recorded
 * version is newer than the newest file known here is refused rather than misread.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DbError, SqlState } from '../errors/index.ts';
import type { SqliteDb } from './catalog-db.ts';
import { nowMicros } from './catalog-db.ts';

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** The folder holding the catalog's migrations (repository's sql/catalog/). */
export const MIGRATIONS_DIR = fileURLToPath(new URL('../../sql/catalog/', import.meta.url));

const FILE_NAME = /^(\d{4})_([A-Za-z0-9_]+)\.sql$/;

/** Reads the migrations of dir in version order; versions must run 1, 2, 3… without gaps. */
export function loadMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  const found: Migration[] = [];
  for (const file of fs.readdirSync(dir)) {
    const m = FILE_NAME.exec(file);
    if (m === null) continue;
    found.push({ version: Number(m[1]), name: m[2]!, sql: fs.readFileSync(`${dir}/${file}`, 'utf8') });
  }
  found.sort((a, b) => a.version - b.version);
  found.forEach((mig, i) => {
    if (mig.version !== i + 1) {
      throw new DbError(SqlState.InternalError, `catalog migrations in ${dir} are not numbered 1..n: found ${mig.version} at position ${i + 1}`);
    }
  });
  return found;
}

/** The highest applied migration version; 0 for an empty database. */
export function schemaVersion(db: SqliteDb): number {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (exists === undefined) return 0;
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null };
  return row.v ?? 0;
}

/**
 * Brings db up to the newest of migrations and returns the versions applied now. Throws
 * 55000 when db records a version newer than any known migration, or a known version under
 * another name (a different build wrote it).
 */
export function applyMigrations(db: SqliteDb, migrations: readonly Migration[], label = 'catalog'): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_on INTEGER NOT NULL)');
  const known = migrations.length === 0 ? 0 : migrations[migrations.length - 1]!.version;
  const current = schemaVersion(db);
  if (current > known) {
    throw new DbError(SqlState.ObjectNotInPrerequisiteState, `${label} is at schema version ${current}, newer than this server supports`, {
      detail: `The catalog was written by a newer Tessera; this build knows schema versions up to ${known}.`,
      hint: 'Run a Tessera release that supports this catalog.',
    });
  }
  const applied = new Map(
    (db.prepare('SELECT version, name FROM schema_migrations').all() as { version: number; name: string }[]).map((r) => [r.version, r.name]),
  );
  const insert = db.prepare('INSERT INTO schema_migrations (version, name, applied_on) VALUES (?, ?, ?)');
  const done: number[] = [];
  for (const mig of migrations) {
    const name = applied.get(mig.version);
    if (name !== undefined) {
      if (name !== mig.name) {
        throw new DbError(SqlState.ObjectNotInPrerequisiteState, `${label} migration ${mig.version} is "${name}" but this server's is "${mig.name}"`);
      }
      continue;
    }
    db.transaction(() => {
      db.exec(mig.sql);
      insert.run(mig.version, mig.name, nowMicros());
    }).immediate();
    done.push(mig.version);
  }
  return done;
}
