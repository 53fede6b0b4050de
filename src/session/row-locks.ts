/**
 * Row locks for UPDATE and DELETE: a row changed by an open transaction is locked until that
 * transaction ends. Another transaction changing the same row waits for it, as PostgreSQL
 * does; if the holder committed, the waiter fails with 40001 (could not serialize access due
 * to concurrent update) instead of PostgreSQL's re-check of the new row version, so no update
 * is ever lost. If the holder rolled back, the waiter goes on.
 */
import { DbError, SqlState } from '../errors/index.ts';
import type { UniqueTxChanges } from './unique-keys.ts';

export class RowLocks {
  private readonly byTable = new Map<number, Map<number, UniqueTxChanges>>();

  /**
   * SELECT ... FOR UPDATE / SHARE: locks each row for `tx` per the wait policy — waiting
   * (`block`), failing with 55P03 (`nowait`), or leaving it out (`skip`). Returns which rows
   * are now locked by `tx`. Shared and exclusive row locks are not told apart (both exclude).
   */
  async lockForSelect(tableId: number, rowIds: readonly number[], tx: UniqueTxChanges, policy: 'block' | 'nowait' | 'skip', table: string): Promise<boolean[]> {
    let locks = this.byTable.get(tableId);
    if (!locks) this.byTable.set(tableId, (locks = new Map()));
    const got: boolean[] = [];
    for (const id of rowIds) {
      const holder = id < 0 ? undefined : locks.get(id);
      if (holder && holder !== tx && policy !== 'block') {
        if (policy === 'nowait') throw new DbError(SqlState.LockNotAvailable, `could not obtain lock on row in relation "${table}"`);
        got.push(false);
        continue;
      }
      await this.lock(tableId, [id], tx);
      got.push(true);
    }
    return got;
  }

  /** Locks rows for `tx`, waiting for other holders; returns those whose holder committed (changed them). */
  async lockReportingChanged(tableId: number, rowIds: readonly number[], tx: UniqueTxChanges): Promise<number[]> {
    let locks = this.byTable.get(tableId);
    if (!locks) this.byTable.set(tableId, (locks = new Map()));
    const changed: number[] = [];
    for (const id of rowIds) {
      if (id < 0) continue;
      for (;;) {
        const holder = locks.get(id);
        if (!holder || holder === tx) break;
        await holder.done;
        if (holder.committed) changed.push(id);
      }
      locks.set(id, tx);
      tx.lockedRows.push([tableId, id]);
    }
    return changed;
  }

  /** Locks rows for `tx`, waiting for other holders first. */
  async lock(tableId: number, rowIds: readonly number[], tx: UniqueTxChanges): Promise<void> {
    let locks = this.byTable.get(tableId);
    if (!locks) this.byTable.set(tableId, (locks = new Map()));
    for (const id of rowIds) {
      if (id < 0) continue; // the transaction's own provisional rows
      for (;;) {
        const holder = locks.get(id);
        if (!holder || holder === tx) break;
        await holder.done;
        if (holder.committed) {
          throw new DbError(SqlState.SerializationFailure, 'could not serialize access due to concurrent update');
        }
      }
      locks.set(id, tx);
      tx.lockedRows.push([tableId, id]);
    }
  }

  /** Releases a transaction's locks (at commit or rollback, before waiters wake). */
  release(tx: UniqueTxChanges): void {
    for (const [tableId, id] of tx.lockedRows) {
      const locks = this.byTable.get(tableId);
      if (locks?.get(id) === tx) locks.delete(id);
    }
    tx.lockedRows.length = 0;
  }
}
