/**
 * catalog/: the SQLite handle under Catalog — prepared-statement cache, transactions, and
 * the fault-injection hook (failNthWrite) that lets tests prove a transaction rolled back.
 * Every catalog write goes through CatalogDb.run() so the hook sees it.
 */
import Database from 'better-sqlite3';
import { DbError, SqlState } from '../errors/index.ts';

/** better-sqlite3's types under short names. */
export type SqliteDb = Database.Database;
export type SqliteStatement = Database.Statement;

/** Owns the connection; all catalog modules talk to SQLite through it. */
export class CatalogDb {
  private readonly statements = new Map<string, SqliteStatement>();
  private readonly bigintStatements = new Map<string, SqliteStatement>();
  private readonly txRunner: Database.Transaction<(fn: () => unknown) => unknown>;
  private writesUntilFault = 0;

  constructor(readonly db: SqliteDb) {
    this.txRunner = db.transaction((fn: () => unknown) => fn());
  }

  /** The cached prepared statement for sql; with bigints, INTEGER columns read as bigint. */
  stmt(sql: string, bigints = false): SqliteStatement {
    const cache = bigints ? this.bigintStatements : this.statements;
    let s = cache.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      if (bigints) s.safeIntegers(true);
      cache.set(sql, s);
    }
    return s;
  }

  /** Runs one write statement; counts toward failNthWrite. Returns the number of rows changed. */
  run(sql: string, ...params: unknown[]): { changes: number; lastId: number } {
    if (this.writesUntilFault > 0 && --this.writesUntilFault === 0) {
      throw new DbError(SqlState.IoError, 'injected catalog write failure', { detail: sql });
    }
    const r = this.stmt(sql).run(...params);
    return { changes: r.changes, lastId: Number(r.lastInsertRowid) };
  }

  /** First row of a read, or undefined. */
  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  /** All rows of a read. */
  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }

  /** All rows of a read with INTEGER columns as bigint. */
  allBig<T>(sql: string, ...params: unknown[]): T[] {
    return this.stmt(sql, true).all(...params) as T[];
  }

  /**
   * Runs fn in one SQLite transaction (BEGIN IMMEDIATE, or a savepoint when nested); any
   * throw rolls everything back and is rethrown.
   */
  tx<T>(fn: () => T): T {
    return this.txRunner.immediate(fn) as T;
  }

  /** Makes the n-th subsequent write statement throw (58030); n <= 0 disarms. */
  failNthWrite(n: number): void {
    this.writesUntilFault = Math.max(0, Math.trunc(n));
  }

  close(): void {
    this.statements.clear();
    this.bigintStatements.clear();
    if (this.db.open) this.db.close();
  }
}

/** Now in microseconds since the Unix epoch. */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** YYYYMMDD (UTC) of a µs timestamp, as TableFiles.date. */
export function dateOf(micros: number): number {
  const d = new Date(Math.floor(micros / 1000));
  return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/** Binds a list for `IN (SELECT value FROM json_each(?))`, keeping one cached statement per query. */
export function jsonList(values: readonly (number | string)[]): string {
  return JSON.stringify(values);
}
