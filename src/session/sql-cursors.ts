/**
 * session/: SQL-level cursors — DECLARE / FETCH / MOVE / CLOSE (psycopg2's named cursors,
 * psql's FETCH_COUNT). DECLARE runs the query to the end and keeps its rows (storage snapshots
 * live only for one statement), so memory grows with the result; FETCH hands them out forward.
 * Cursors without HOLD close when the transaction ends (Transaction.onEnd); WITH HOLD ones
 * outlive it, as in PostgreSQL.
 * @see https://www.postgresql.org/docs/15/sql-declare.html
 */
import { DbError, SqlState, notSupported } from '../errors/index.ts';
import { ArrayCursor, type OutputColumn, type Row, type RowCursor } from '../executor/index.ts';
import type { Statement } from '../sql/index.ts';
import type { Prepared } from './prepared.ts';

/** FETCH ALL's count (libpg-query reports FETCH_ALL as INT_MAX). */
const FETCH_ALL = 2147483647;

/** One open SQL cursor. */
export interface SqlCursor {
  readonly name: string;
  readonly columns: readonly OutputColumn[];
  readonly hold: boolean;
  readonly scroll: boolean;
  /** The query's rows (read at DECLARE), handed out forward. */
  readonly source: RowCursor;
  /** Rows read from `source` but not yet fetched. */
  buffered: Row[];
  /** `source` has returned null. */
  exhausted: boolean;
}

/** What cursor statements need from their session. */
export interface CursorHost {
  readonly sqlCursors: Map<string, SqlCursor>;
  readonly tx: { readonly inBlock: boolean };
}

/** Up to `count` more rows of the cursor, in batches (never more than `count` in all). */
class FetchCursor implements RowCursor {
  private remaining: number;
  constructor(private readonly c: SqlCursor, count: number) {
    this.remaining = count;
  }
  async next(): Promise<Row[] | null> {
    if (this.remaining <= 0) return null;
    let batch = this.c.buffered;
    this.c.buffered = [];
    if (batch.length === 0) {
      if (this.c.exhausted) return null;
      const more = await this.c.source.next();
      if (!more) {
        this.c.exhausted = true;
        return null;
      }
      batch = more;
    }
    if (batch.length > this.remaining) {
      this.c.buffered = batch.slice(this.remaining);
      batch = batch.slice(0, this.remaining);
    }
    this.remaining -= batch.length;
    return batch;
  }
  close(): void {
    this.remaining = 0;
  }
}

function lookup(host: CursorHost, name: string): SqlCursor {
  const c = host.sqlCursors.get(name);
  if (!c) throw new DbError(SqlState.InvalidCursorName, `cursor "${name}" does not exist`);
  return c;
}

/**
 * DECLARE: `prepareQuery` prepares the cursor's query (a SELECT); running the DECLARE opens it.
 * Without HOLD it may only run in a transaction block (25P01), as in PostgreSQL.
 */
export function declareCursor(
  host: CursorHost,
  sql: string,
  stmt: Statement & { kind: 'declare_cursor' },
  query: Prepared,
): Prepared {
  if (query.kind !== 'select' || !query.columns) {
    throw new DbError(SqlState.SyntaxError, 'DECLARE CURSOR must be a SELECT query');
  }
  if (stmt.binary) throw notSupported('BINARY cursors are not supported yet');
  const columns = query.columns;
  return {
    sql,
    kind: 'declare_cursor',
    paramTypes: query.paramTypes,
    columns: null,
    endsFailedTransaction: false,
    run: async (params) => {
      if (!stmt.hold && !host.tx.inBlock) {
        throw new DbError(SqlState.NoActiveSqlTransaction, 'DECLARE CURSOR can only be used in transaction blocks');
      }
      if (host.sqlCursors.has(stmt.name)) throw new DbError(SqlState.DuplicateCursor, `cursor "${stmt.name}" already exists`);
      const outcome = await query.run(params);
      // Read to the end now: the statement's storage snapshots are released when DECLARE ends,
      // and the rows are what the query saw at DECLARE, as PostgreSQL's cursor snapshot.
      const rows: Row[] = [];
      const open = outcome.cursor;
      if (open) {
        try {
          for (let b = await open.next(); b; b = await open.next()) rows.push(...b);
        } finally {
          open.close();
        }
      }
      const source = new ArrayCursor(rows);
      host.sqlCursors.set(stmt.name, { name: stmt.name, columns, hold: stmt.hold, scroll: stmt.scroll, source, buffered: [], exhausted: false });
      return { tag: 'DECLARE CURSOR' };
    },
  };
}

/** FETCH (rows, tag `FETCH n`) and MOVE (no rows, tag `MOVE n`): forward only so far. */
export function fetchCursor(host: CursorHost, sql: string, stmt: Statement & { kind: 'fetch' }): Prepared {
  const cursor = lookup(host, stmt.name);
  const count = stmt.count;
  if (stmt.direction !== 'forward' || count <= 0) {
    if (!cursor.scroll && (stmt.direction === 'backward' || count < 0)) {
      throw new DbError(SqlState.ObjectNotInPrerequisiteState, 'cursor can only scan forward', {
        hint: 'Declare it with SCROLL option to enable backward scan.',
      });
    }
    throw notSupported('FETCH other than FORWARD n / NEXT / ALL is not supported yet');
  }
  const verb = stmt.move ? 'MOVE' : 'FETCH';
  const open = (): FetchCursor => new FetchCursor(lookup(host, stmt.name), count === FETCH_ALL ? Number.MAX_SAFE_INTEGER : count);
  if (!stmt.move) {
    return {
      sql,
      kind: 'fetch',
      paramTypes: [],
      columns: cursor.columns,
      endsFailedTransaction: false,
      run: async () => ({ tag: verb, cursor: open() }),
    };
  }
  return {
    sql,
    kind: 'fetch',
    paramTypes: [],
    columns: null,
    endsFailedTransaction: false,
    run: async () => {
      const c = open();
      let moved = 0;
      for (let b = await c.next(); b; b = await c.next()) moved += b.length;
      return { tag: `${verb} ${moved}` };
    },
  };
}

/** CLOSE name / CLOSE ALL. */
export function closeCursor(host: CursorHost, sql: string, stmt: Statement & { kind: 'close_cursor' }): Prepared {
  return {
    sql,
    kind: 'close_cursor',
    paramTypes: [],
    columns: null,
    endsFailedTransaction: false,
    run: async () => {
      if (stmt.name === null) closeAllCursors(host.sqlCursors);
      else {
        lookup(host, stmt.name).source.close();
        host.sqlCursors.delete(stmt.name);
      }
      return { tag: stmt.name === null ? 'CLOSE CURSOR ALL' : 'CLOSE CURSOR' };
    },
  };
}

/** Closes every cursor (CLOSE ALL, DISCARD ALL, disconnect). */
export function closeAllCursors(cursors: Map<string, SqlCursor>): void {
  for (const c of cursors.values()) c.source.close();
  cursors.clear();
}

/** At the end of a transaction: cursors declared without HOLD close. */
export function closeTransactionCursors(cursors: Map<string, SqlCursor>): void {
  for (const [name, c] of cursors) {
    if (c.hold) continue;
    c.source.close();
    cursors.delete(name);
  }
}
