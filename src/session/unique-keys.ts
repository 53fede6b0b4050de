/**
 * PRIMARY KEY and UNIQUE enforcement across all segments, the growing one and the
 * transaction's own uncommitted rows: an in-memory key set per constraint, built from the
 * committed data when the database opens and kept current by every commit. A key another
 * open transaction has inserted makes the inserter wait for that transaction to end, as
 * PostgreSQL does. (The durable, seed-002 primary-key index replaces this in issue 6.)
 */
import type { ConstraintDef, TableDef } from '../catalog/index.ts';
import { DbError, SqlState } from '../errors/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import { Numeric, typeByOid, defaultFormatContext } from '../types/index.ts';

/**
 * One open transaction as other transactions see it: its pending key changes (constraint →
 * keys inserted / deleted), the rows it has locked, and a promise that settles when it ends.
 */
export class UniqueTxChanges {
  readonly inserted = new Map<UniqueConstraint, Set<string>>();
  readonly deleted = new Map<UniqueConstraint, Map<string, number>>();
  /** (tableId, rowId) pairs locked by UPDATE/DELETE (session/row-locks.ts). */
  readonly lockedRows: [number, number][] = [];
  /** Set when the transaction committed (read by waiters after `done`). */
  committed = false;
  /** Resolves when the owning transaction ends (commit or abort). */
  readonly done: Promise<void>;
  end!: () => void;
  constructor() {
    this.done = new Promise((r) => (this.end = r));
  }
}

function keyPart(v: unknown): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Numeric) return `N${v.isFinite() ? v.toString().replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '') : v.toString()}`;
  if (v instanceof Uint8Array) return `B${Buffer.from(v).toString('hex')}`;
  return JSON.stringify(v);
}

export class UniqueConstraint {
  /** Committed keys → number of committed rows with that key (0 or 1 unless data predates the check). */
  readonly committed = new Map<string, number>();
  /** Keys inserted by open transactions. */
  readonly pending = new Map<string, UniqueTxChanges>();

  constructor(
    readonly table: TableDef,
    readonly def: ConstraintDef,
    /** Positions of the key columns within a full live-column row. */
    readonly positions: number[],
  ) {}

  /** The key of a row, or null when a key column is NULL (NULLs never conflict). */
  key(row: readonly unknown[]): string | null {
    let k = '';
    for (const p of this.positions) {
      const v = row[p];
      if (v === null || v === undefined) return null;
      k += `${keyPart(v)}\u0000`;
    }
    return k;
  }

  violation(row: readonly unknown[]): DbError {
    const cols = this.def.attnums.map((a) => this.table.columns.find((c) => c.attnum === a)!);
    const values = this.positions.map((p, i) => typeByOid(cols[i]!.typeOid)!.textOut(row[p], defaultFormatContext));
    return new DbError(SqlState.UniqueViolation, `duplicate key value violates unique constraint "${this.def.name}"`, {
      detail: `Key (${cols.map((c) => c.name).join(', ')})=(${values.join(', ')}) already exists.`,
      table: this.table.name,
      constraint: this.def.name,
    });
  }
}

export class UniqueKeys {
  private readonly byTable = new Map<number, UniqueConstraint[]>();
  /** Tables whose keys could not be loaded (e.g. a corrupt segment): writes fail with the cause. */
  private readonly broken = new Map<number, DbError>();

  /**
   * Builds the key sets of every table with unique constraints from committed data. A table
   * that cannot be read stays writable-never until fixed, but does not stop the server.
   */
  async load(tables: readonly TableDef[], storage: StorageEngine, onError: (t: TableDef, err: unknown) => void): Promise<void> {
    for (const t of tables) {
      try {
        await this.attach(t, storage);
      } catch (err) {
        onError(t, err);
        this.broken.set(t.tableId, err instanceof DbError ? err : new DbError(SqlState.InternalError, String(err)));
      }
    }
  }

  async attach(t: TableDef, storage: StorageEngine): Promise<void> {
    this.broken.delete(t.tableId);
    const live = t.columns.filter((c) => !c.dropped);
    const constraints = t.constraints
      .filter((k) => k.kind === 'primary' || k.kind === 'unique')
      .map((k) => new UniqueConstraint(t, k, k.attnums.map((a) => live.findIndex((c) => c.attnum === a))));
    if (constraints.length === 0) {
      this.byTable.delete(t.tableId);
      return;
    }
    this.byTable.set(t.tableId, constraints);
    const snap = storage.snapshot(t.tableId);
    try {
      for await (const batch of storage.scan(snap, null, live.map((c) => c.attnum))) {
        for (const row of batch.rows) {
          for (const u of constraints) {
            const k = u.key(row);
            if (k !== null) u.committed.set(k, (u.committed.get(k) ?? 0) + 1);
          }
        }
      }
    } finally {
      snap.release();
    }
  }

  forget(tableId: number): void {
    this.byTable.delete(tableId);
    this.broken.delete(tableId);
  }

  /** Empties a table's key sets (TRUNCATE). */
  clear(tableId: number): void {
    for (const u of this.byTable.get(tableId) ?? []) u.committed.clear();
  }

  has(tableId: number): boolean {
    return this.byTable.has(tableId) || this.broken.has(tableId);
  }

  /**
   * Checks and records new rows of a transaction (full live-column rows). Waits for other
   * open transactions holding the same key; throws 23505 on a committed or own duplicate.
   */
  async insert(tableId: number, rows: readonly (readonly unknown[])[], tx: UniqueTxChanges): Promise<void> {
    const broken = this.broken.get(tableId);
    if (broken) throw broken;
    for (const u of this.byTable.get(tableId) ?? []) {
      let mine = tx.inserted.get(u);
      if (!mine) tx.inserted.set(u, (mine = new Set()));
      const gone = tx.deleted.get(u);
      for (const row of rows) {
        const k = u.key(row);
        if (k === null) continue;
        for (;;) {
          const other = u.pending.get(k);
          if (!other || other === tx) break;
          await other.done;
        }
        const committed = (u.committed.get(k) ?? 0) - (gone?.get(k) ?? 0);
        if (committed > 0 || mine.has(k)) throw u.violation(row);
        mine.add(k);
        u.pending.set(k, tx);
      }
    }
  }

  /** Records rows a transaction deletes (full live-column rows), so their keys free up at commit. */
  delete(tableId: number, rows: readonly (readonly unknown[])[], tx: UniqueTxChanges): void {
    for (const u of this.byTable.get(tableId) ?? []) {
      let gone = tx.deleted.get(u);
      if (!gone) tx.deleted.set(u, (gone = new Map()));
      const mine = tx.inserted.get(u);
      for (const row of rows) {
        const k = u.key(row);
        if (k === null) continue;
        if (mine?.delete(k)) {
          u.pending.delete(k);
          continue;
        }
        gone.set(k, (gone.get(k) ?? 0) + 1);
      }
    }
  }

  /** Applies a committed transaction's changes and releases its pending keys. */
  commit(tx: UniqueTxChanges): void {
    for (const [u, gone] of tx.deleted) {
      for (const [k, n] of gone) {
        const left = (u.committed.get(k) ?? 0) - n;
        if (left > 0) u.committed.set(k, left);
        else u.committed.delete(k);
      }
    }
    for (const [u, keys] of tx.inserted) {
      for (const k of keys) {
        u.committed.set(k, (u.committed.get(k) ?? 0) + 1);
        if (u.pending.get(k) === tx) u.pending.delete(k);
      }
    }
    tx.committed = true;
  }

  abort(tx: UniqueTxChanges): void {
    for (const [u, keys] of tx.inserted) for (const k of keys) if (u.pending.get(k) === tx) u.pending.delete(k);
  }
}
