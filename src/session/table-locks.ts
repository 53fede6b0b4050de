/**
 * Table locks of `LOCK TABLE ... IN ACCESS SHARE MODE` (pg_dump locks every table it dumps):
 * held until the transaction ends. ACCESS SHARE conflicts only with ACCESS EXCLUSIVE, which in
 * Tessera is what DROP TABLE, TRUNCATE and ALTER TABLE take for the length of the statement
 * (DDL does not wait for a transaction block's end: it is not transactional). So those wait
 * here, cancellably, until no other transaction holds an ACCESS SHARE lock on their tables.
 * Stronger LOCK modes would have to block INSERT/UPDATE/DELETE, which take no table locks in
 * Tessera: they are refused (0A000) rather than accepted and ignored.
 */
import { DbError, SqlState, notSupported } from '../errors/index.ts';
import { privileges, type ExecContext } from '../executor/index.ts';
import { resolvePartition, resolveTable, type PlanEnv } from '../planner/index.ts';
import type { Statement } from '../sql/index.ts';
import type { Database } from './database.ts';
import type { Transaction } from './transaction.ts';

/** PostgreSQL's lock mode numbers (lockdefs.h), as LockStmt carries them. */
export const LOCK_MODE_NAMES = [
  '', 'ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE',
] as const;
export const ACCESS_SHARE_LOCK = 1;

/** How often a waiting DDL statement looks for cancellation (statement_timeout, CancelRequest). */
const WAIT_POLL_MS = 50;

export class TableLocks {
  /** tableId → transactions holding ACCESS SHARE on it. */
  private readonly shared = new Map<number, Set<Transaction>>();
  private readonly ended = new Map<Transaction, { promise: Promise<void>; resolve: () => void }>();

  /** Takes ACCESS SHARE on the tables for `tx` until it ends. Never waits (nothing holds ACCESS EXCLUSIVE past a statement). */
  lockShared(tx: Transaction, tableIds: readonly number[]): void {
    if (!this.ended.has(tx)) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.ended.set(tx, { promise, resolve });
      tx.endListeners.push(() => this.release(tx));
    }
    for (const id of tableIds) {
      let holders = this.shared.get(id);
      if (!holders) this.shared.set(id, (holders = new Set()));
      holders.add(tx);
    }
  }

  private release(tx: Transaction): void {
    const e = this.ended.get(tx);
    if (!e) return;
    this.ended.delete(tx);
    for (const [id, holders] of this.shared) {
      holders.delete(tx);
      if (holders.size === 0) this.shared.delete(id);
    }
    e.resolve();
  }

  /** Waits until no transaction but `tx` holds a lock on any of the tables (ACCESS EXCLUSIVE for a DDL statement). */
  async waitExclusive(tx: Transaction, tableIds: readonly number[], ctx: ExecContext): Promise<void> {
    for (;;) {
      const other = tableIds.flatMap((id) => [...(this.shared.get(id) ?? [])]).find((h) => h !== tx);
      if (other === undefined) return;
      await Promise.race([this.ended.get(other)!.promise, ctx.sleep(WAIT_POLL_MS)]);
      ctx.checkCancel();
    }
  }
}

const byDatabase = new WeakMap<Database, TableLocks>();

/** The database's table locks (one registry per open database). */
export function tableLocksOf(db: Database): TableLocks {
  let locks = byDatabase.get(db);
  if (!locks) byDatabase.set(db, (locks = new TableLocks()));
  return locks;
}

/** What LOCK TABLE needs of the session. */
export interface LockHost {
  readonly db: Database;
  readonly tx: Transaction;
  planEnv(): PlanEnv;
}

/**
 * LOCK [TABLE] name [, ...] IN ACCESS SHARE MODE: in a transaction block only (25P01); each
 * name resolved (42P01; a named partition locks its partitioned table) and SELECT checked
 * (42501) before any lock is taken, as PostgreSQL's LockTableAclCheck. NOWAIT never matters
 * for ACCESS SHARE here (no lock that conflicts with it outlives a statement).
 */
export function runLockTable(host: LockHost, stmt: Statement & { kind: 'lock_table' }): void {
  if (stmt.mode !== ACCESS_SHARE_LOCK) {
    throw notSupported(`LOCK TABLE IN ${LOCK_MODE_NAMES[stmt.mode] ?? stmt.mode} MODE is not supported`, 'Tessera supports LOCK TABLE ... IN ACCESS SHARE MODE only.');
  }
  if (!host.tx.inBlock) throw new DbError(SqlState.NoActiveSqlTransaction, 'LOCK TABLE can only be used in transaction blocks');
  const env = host.planEnv();
  const ids = stmt.tables.map((n) => {
    const t = resolvePartition(env, n)?.parent ?? resolveTable(env, n);
    privileges.requireTablePrivilege(env.roles, t, 'r');
    return t.tableId;
  });
  tableLocksOf(host.db).lockShared(host.tx, ids);
}
