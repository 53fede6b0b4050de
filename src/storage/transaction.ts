/**
 * storage/: WriteTx — a transaction's private inserts (provisional, negative row ids) and
 * deletes, buffered in memory until commit writes them to the WAL as one contiguous run and
 * applies them to segments. Nothing is visible to other transactions before that.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { encodeBatch, type PreparedBatch } from './commit-path.ts';

/**
 * A table's rows are encoded for the WAL while the transaction runs, this many at a time, so
 * a big transaction's commit (a COPY's: 200,000 rows, ~170 ms of encoding) has only the last
 * of them left to encode.
 */
const ENCODE_AHEAD_ROWS = 16_384;

/** The part of the engine a transaction calls back into. */
export interface TxHost {
  /** Throws 42P01 / 42703 when the table or a column of `attnums` is unknown. */
  checkColumns(tableId: number, attnums: readonly number[]): void;
  typeOidOf(tableId: number, attnum: number): number;
  /** The transaction will write about this many bytes to the WAL at commit (WriteAheadLog.expectWrite). */
  expectWalWrite(bytes: number): void;
  commitTx(tx: WriteTx): Promise<void>;
  endTx(tx: WriteTx): void;
}

/** One table's pending writes within a transaction. */
export class TxTableWrites {
  /** Provisional rows in insert order; provisional id of rows[k] is -(k + 1). */
  readonly rows: unknown[][] = [];
  /** The attnums each row's values follow (shared array per insert call). */
  readonly rowAttnums: (readonly number[])[] = [];
  /** Indexes into `rows` deleted again by this transaction. */
  readonly dead = new Set<number>();
  /** Committed row ids this transaction deletes. */
  readonly deletes = new Set<number>();
  /** After commit: the real row id of rows[k] (NaN for dead rows). */
  assigned: number[] | undefined;
  /**
   * Rows 0 .. aheadTo − 1 encoded already (encodeAhead), in order; prepareCommit uses them
   * up to the first batch holding a row deleted again.
   */
  ahead: PreparedBatch[] = [];
  aheadTo = 0;

  get liveProvisional(): number {
    return this.rows.length - this.dead.size;
  }
}

export type TxState = 'active' | 'committing' | 'committed' | 'aborted';

/** The state of a transaction's writes at a savepoint (WriteTx.mark / rollbackTo). */
export interface TxMark {
  readonly tables: ReadonlyMap<number, { readonly rows: number; readonly dead: ReadonlySet<number>; readonly deletes: ReadonlySet<number> }>;
}

/** A write transaction. Create with `StorageEngine.begin()`. */
export class WriteTx {
  state: TxState = 'active';
  readonly tables = new Map<number, TxTableWrites>();
  /** Bytes encodeAhead has encoded (all tables). */
  private aheadBytes = 0;

  constructor(private readonly host: TxHost, readonly txId: bigint, /** Engine sequence number at begin. */ readonly beginSeq: number) {}

  private active(): void {
    if (this.state !== 'active') throw new DbError(SqlState.InvalidTransactionState, `storage transaction is ${this.state}`);
  }

  /** SAVEPOINT: remembers the writes so far. */
  mark(): TxMark {
    const tables = new Map<number, { rows: number; dead: ReadonlySet<number>; deletes: ReadonlySet<number> }>();
    for (const [id, w] of this.tables) tables.set(id, { rows: w.rows.length, dead: new Set(w.dead), deletes: new Set(w.deletes) });
    return { tables };
  }

  /** ROLLBACK TO SAVEPOINT: forgets the rows inserted and the deletes made since `m`. */
  rollbackTo(m: TxMark): void {
    this.active();
    for (const [id, w] of this.tables) {
      const at = m.tables.get(id);
      if (!at) {
        this.tables.delete(id);
        continue;
      }
      w.rows.length = at.rows;
      w.rowAttnums.length = at.rows;
      while (w.aheadTo > at.rows) w.aheadTo = w.ahead.pop()!.provisional[0]!;
      w.dead.clear();
      for (const k of at.dead) w.dead.add(k);
      w.deletes.clear();
      for (const k of at.deletes) w.deletes.add(k);
    }
  }

  private writes(tableId: number): TxTableWrites {
    let w = this.tables.get(tableId);
    if (w === undefined) {
      w = new TxTableWrites();
      this.tables.set(tableId, w);
    }
    return w;
  }

  /**
   * Buffers rows (one value per attnum, in the order of `attnums`) and returns their
   * provisional row ids (negative; visible to this transaction only). Values must not be
   * mutated afterwards; `owned` rows (the caller gives them away) are kept as they are, others
   * are copied.
   */
  insert(tableId: number, rows: readonly (readonly unknown[])[], attnums: readonly number[], owned = false): number[] {
    this.active();
    this.host.checkColumns(tableId, attnums);
    const shared = [...attnums];
    const w = this.writes(tableId);
    const ids: number[] = [];
    for (const row of rows) {
      if (row.length !== attnums.length) {
        throw new DbError(SqlState.InternalError, `insert: row has ${row.length} values for ${attnums.length} columns`);
      }
      w.rows.push(owned ? (row as unknown[]) : [...row]);
      w.rowAttnums.push(shared);
      ids.push(-w.rows.length);
    }
    if (w.rows.length - w.aheadTo >= ENCODE_AHEAD_ROWS && w.dead.size === 0) this.encodeAhead(tableId, w);
    return ids;
  }

  /** Encodes the rows past `aheadTo` (a batch per run of one attnums list); an error leaves them to prepareCommit. */
  private encodeAhead(tableId: number, w: TxTableWrites): void {
    try {
      for (let k = w.aheadTo; k < w.rows.length; ) {
        const attnums = w.rowAttnums[k]!;
        const provisional: number[] = [];
        for (; k < w.rows.length && w.rowAttnums[k] === attnums; k++) provisional.push(k);
        const b = encodeBatch(w, attnums, attnums.map((a) => this.host.typeOidOf(tableId, a)), provisional);
        w.ahead.push(b);
        w.aheadTo = k;
        this.aheadBytes += b.encoded.length;
      }
      this.host.expectWalWrite(this.aheadBytes);
    } catch {
      // prepareCommit encodes these rows again and reports the error at commit.
    }
  }

  /**
   * Deletes committed rows (ids from a scan) or this transaction's own provisional rows.
   * Returns how many ids were newly deleted by this call.
   */
  delete(tableId: number, rowIds: readonly number[]): number {
    this.active();
    this.host.checkColumns(tableId, []);
    const w = this.writes(tableId);
    let n = 0;
    for (const id of rowIds) {
      if (!Number.isSafeInteger(id) || id === 0) throw new DbError(SqlState.InternalError, `delete: invalid row id ${id}`);
      if (id < 0) {
        const k = -id - 1;
        if (k >= w.rows.length || w.dead.has(k)) continue;
        w.dead.add(k);
        n++;
      } else if (!w.deletes.has(id)) {
        w.deletes.add(id);
        n++;
      }
    }
    return n;
  }

  /** Makes the writes durable (WAL fsync) and then visible to new snapshots; atomic across tables. */
  async commit(): Promise<void> {
    this.active();
    this.state = 'committing';
    try {
      await this.host.commitTx(this);
      this.state = 'committed';
    } catch (err) {
      this.state = 'aborted';
      throw err;
    } finally {
      this.host.endTx(this);
    }
  }

  /** Discards every write; nothing reaches the WAL. */
  abort(): void {
    if (this.state === 'committed' || this.state === 'aborted') return;
    if (this.state === 'committing') throw new DbError(SqlState.InvalidTransactionState, 'cannot abort a committing transaction');
    this.state = 'aborted';
    this.tables.clear();
    this.host.endTx(this);
  }

  /** After commit: real row ids of this transaction's inserts into `tableId`, indexed by -provisionalId - 1 (NaN where deleted again). */
  assignedRowIds(tableId: number): number[] {
    if (this.state !== 'committed') throw new DbError(SqlState.InvalidTransactionState, 'row ids are assigned at commit');
    return this.tables.get(tableId)?.assigned ?? [];
  }

  /** True when the transaction has nothing to write. */
  get isEmpty(): boolean {
    for (const w of this.tables.values()) if (w.liveProvisional > 0 || w.deletes.size > 0) return false;
    return true;
  }
}
