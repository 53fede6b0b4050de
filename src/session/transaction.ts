/**
 * The transaction state machine of a session, as the protocol reports it in ReadyForQuery:
 * 'I' idle (possibly inside an implicit transaction that ends at Sync / end of the query
 * string), 'T' in an explicit block, 'E' in a failed block (everything but ROLLBACK/COMMIT
 * fails with 25P02). Storage transactions hook in here as they arrive.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { nowMicros } from '../executor/index.ts';
import type { StorageEngine, WriteTx } from '../storage/index.ts';
import type { Settings } from './settings.ts';
import type { TxMark } from '../storage/index.ts';
import type { RowLocks } from './row-locks.ts';
import { UniqueTxChanges, type UniqueKeys } from './unique-keys.ts';

export class Transaction {
  /** An explicit BEGIN ... COMMIT block is open. */
  inBlock = false;
  /** An implicit (single query string / extended-protocol batch) transaction is open. */
  implicit = false;
  failed = false;
  readOnly = false;
  /**
   * 'repeatable read' only in a READ ONLY block (statements.ts checks): the data access then
   * holds one snapshot of every table from the block's first read to its end (data-access.ts).
   */
  isolation: 'read committed' | 'repeatable read' = 'read committed';
  /** The level as BEGIN / SET TRANSACTION named it, for transaction_isolation (READ UNCOMMITTED runs as READ COMMITTED, as in PostgreSQL). */
  isolationName: string | null = null;
  /** A statement other than SET / SHOW / BEGIN has run in this transaction (SET TRANSACTION ISOLATION LEVEL must come first: 25001). */
  queried = false;
  /** Called whenever a transaction ends, after onEnd: held snapshots and table locks are released. */
  readonly endListeners: (() => void)[] = [];
  /** Called once, when the current transaction ends (exported snapshots are withdrawn). */
  private endOnce: (() => void)[] = [];

  /** Runs fn when the current transaction ends (commit or rollback). */
  atEnd(fn: () => void): void {
    this.endOnce.push(fn);
  }
  startMicros: bigint | null = null;
  /** The storage transaction holding this transaction's writes; begun at the first write. */
  writeTx: WriteTx | null = null;
  /** Write statements so far, and the state of the writes at each savepoint. */
  private writeCount = 0;
  private savepointWrites: { name: string; writes: number; storage: TxMark | null; keys: ReturnType<UniqueTxChanges['mark']> | null }[] = [];
  /** Called whenever a transaction ends (commit or rollback): the session closes its non-HOLD cursors. */
  onEnd: (() => void) | null = null;

  savepoint(name: string): void {
    this.savepointWrites.push({ name, writes: this.writeCount, storage: this.writeTx?.mark() ?? null, keys: this.uniqueTx?.mark() ?? null });
  }

  /**
   * ROLLBACK TO SAVEPOINT: undoes the rows written and the keys taken since the savepoint.
   * Row locks taken since then are kept until the transaction ends (PostgreSQL releases them).
   */
  rollbackToSavepoint(name: string): void {
    const i = this.savepointWrites.map((s) => s.name).lastIndexOf(name);
    if (i < 0) return;
    const sp = this.savepointWrites[i]!;
    if (sp.writes !== this.writeCount) {
      const empty = { tables: new Map() };
      this.writeTx?.rollbackTo(sp.storage ?? empty);
      this.uniqueTx?.rollbackTo(sp.keys ?? { inserted: new Map(), deleted: new Map() });
      this.writeCount = sp.writes;
    }
    this.savepointWrites.length = i + 1;
  }

  releaseSavepoint(name: string): void {
    const i = this.savepointWrites.map((s) => s.name).lastIndexOf(name);
    if (i >= 0) this.savepointWrites.length = i;
  }

  /** Key changes of this transaction under PRIMARY KEY / UNIQUE constraints. */
  private uniqueTx: UniqueTxChanges | null = null;

  constructor(
    private readonly settings: Settings,
    private readonly unique: UniqueKeys,
    private readonly rowLocks: RowLocks,
  ) {}

  /** Ends the transaction's visibility to others: releases row locks and wakes waiters. */
  private finish(u: UniqueTxChanges | null): void {
    if (!u) return;
    this.rowLocks.release(u);
    u.end();
  }

  uniqueChanges(): UniqueTxChanges {
    this.uniqueTx ??= new UniqueTxChanges();
    return this.uniqueTx;
  }

  /** Fails with 25006 when the current (or, outside a block, the next) transaction is READ ONLY. */
  assertWritable(command: string): void {
    const readOnly = this.inBlock ? this.readOnly : this.settings.get('default_transaction_read_only') === 'on';
    if (readOnly) throw new DbError(SqlState.ReadOnlySqlTransaction, `cannot execute ${command} in a read-only transaction`);
  }

  /** The write transaction, begun on first use. Fails with 25006 in a READ ONLY transaction. */
  write(storage: StorageEngine): WriteTx {
    if (this.readOnly) {
      throw new DbError(SqlState.ReadOnlySqlTransaction, 'cannot execute this statement in a read-only transaction');
    }
    if (this.isolation !== 'read committed') {
      throw new DbError(SqlState.FeatureNotSupported, 'REPEATABLE READ is supported for READ ONLY transactions only');
    }
    this.writeTx ??= storage.begin();
    this.writeCount++;
    return this.writeTx;
  }

  get status(): 'I' | 'T' | 'E' {
    if (!this.inBlock) return 'I';
    return this.failed ? 'E' : 'T';
  }

  private start(): void {
    this.startMicros = nowMicros();
    this.settings.beginTransaction();
    this.failed = false;
    this.readOnly = this.settings.get('default_transaction_read_only') === 'on';
  }

  /** Opens an implicit transaction if none is open. */
  beforeStatement(_kind: string, _multi: boolean): void {
    if (!this.inBlock && !this.implicit) {
      this.start();
      this.implicit = true;
    }
  }

  afterStatement(): void {}

  /** BEGIN: turns the current implicit transaction into an explicit block. Returns false if already in one. */
  begin(readOnly: boolean | null): boolean {
    if (this.inBlock) return false;
    if (!this.implicit) this.start();
    this.implicit = false;
    this.inBlock = true;
    if (readOnly !== null) this.readOnly = readOnly;
    return true;
  }

  /** Commits: the storage writes become durable and visible, then settings are kept. A failed transaction rolls back. */
  async commit(): Promise<void> {
    if (this.failed) {
      this.rollback();
      return;
    }
    const w = this.writeTx;
    const u = this.uniqueTx;
    this.writeTx = null;
    this.uniqueTx = null;
    try {
      if (w) await w.commit();
    } catch (err) {
      if (u) this.unique.abort(u);
      this.finish(u);
      this.settings.rollbackTransaction();
      this.reset();
      throw err;
    }
    if (u) this.unique.commit(u);
    this.finish(u);
    this.settings.commitTransaction();
    this.reset();
  }

  rollback(): void {
    this.writeTx?.abort();
    this.writeTx = null;
    if (this.uniqueTx) this.unique.abort(this.uniqueTx);
    this.finish(this.uniqueTx);
    this.uniqueTx = null;
    this.settings.rollbackTransaction();
    this.reset();
  }

  /** Marks the current transaction failed: an explicit block goes to 'E'; an implicit one rolls back at its end. */
  fail(): void {
    if (this.inBlock || this.implicit) this.failed = true;
  }

  private reset(): void {
    this.onEnd?.();
    for (const fn of this.endListeners) fn();
    const once = this.endOnce;
    this.endOnce = [];
    for (const fn of once) fn();
    this.isolation = 'read committed';
    this.isolationName = null;
    this.queried = false;
    this.writeCount = 0;
    this.savepointWrites = [];
    this.inBlock = false;
    this.implicit = false;
    this.failed = false;
    this.readOnly = false;
    this.startMicros = null;
  }
}
