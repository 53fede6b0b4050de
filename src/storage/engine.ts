/**
 * storage/: StorageEngine — the public face of the segment engine the SQL layer writes and
 * reads through. Life of a write: `begin()` → `WriteTx.insert/delete` (buffered) →
 * `commit()` → `prepareCommit` → WAL job (`buildCommit` at flush, group-committed fsync,
 * `applyCommit`) → growing segment → frozen → `sealHead` (segment file, catalog RAW) →
 * `maintain()` merges, compacts, checkpoints the WAL and cleans TO_DELETE files.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import type { Catalog, TableDef } from '../catalog/index.ts';
import { DbError, SqlState } from '../errors/index.ts';
import type { ObjectStore } from '../tiering/index.ts';
import { applyCommit, buildCommit, type CommitHost, prepareCommit } from './commit-path.ts';
import { type EngineContext, type RowsMovedListener, sealedThroughKey } from './engine-context.ts';
import { ColumnCache, type ColumnCost } from './column-cache.ts';
import { cleanFiles, compactDeleted, mergeSmallFiles, retireDeadSegments } from './maintenance.ts';
import { countSnapshot, countTenantRows, fetchRows, type ScanBatch, type ScanOptions, scanSnapshot, type TenantFilter } from './read-path.ts';
import { loadTable, replayWal } from './recovery.ts';
import { Segment } from './segment.ts';
import { checkpoint, persistDeletes, sealHead, sealReady } from './sealer.ts';
import { PinSet, TableSnapshot } from './snapshot.ts';
import { DEFAULT_SEGMENT_MAX_ROWS, TableState } from './table-state.ts';
import { type TxHost, WriteTx } from './transaction.ts';
import { WriteAheadLog } from './wal.ts';

export interface StorageEngineOptions {
  /** WAL files go to `<dataDir>/wal/`. */
  readonly dataDir: string;
  readonly catalog: Catalog;
  readonly objectStore: ObjectStore;
  readonly log: Logger;
  /** fsync the WAL at every commit (group-committed). Off only for tests and bulk loads. */
  readonly fsync: boolean;
  /** Period of background `maintain()`; 0 disables the timer (default 10 000). */
  readonly maintenanceIntervalMs?: number;
  /** Default row threshold of growing segments (table option `segment_max_rows` overrides; default 100 000). */
  readonly segmentMaxRows?: number;
  /** Deleted fraction above which a segment is rewritten (default 0.2). */
  readonly compactDeletedFraction?: number;
  /** Memory budget of sealed segments' loaded columns (column-cache.ts; default: half the V8 heap, 40% of RAM). */
  readonly columnBudget?: ColumnCost;
  /** WAL file size before a new file starts (default 64 MiB). */
  readonly walFileBytes?: number;
  /** Zeros kept ahead of the WAL's end, at most (WalOptions.preallocateBytes; default 0). */
  readonly walPreallocateBytes?: number;
}

/** What `maintain()` did. */
export interface MaintenanceReport {
  sealed: number;
  merged: number;
  compacted: number;
  cleaned: number;
  checkpointLsn: bigint;
}

export class StorageEngine implements EngineContext, CommitHost, TxHost {
  readonly tables = new Map<number, TableState>();
  readonly pins = new PinSet();
  appliedLsn = 0n;
  txSeq = 0;
  readonly segmentMaxRows: number;
  readonly compactDeletedFraction: number;
  readonly columnCache: ColumnCache;
  readonly catalog: Catalog;
  readonly store: ObjectStore;
  readonly log: Logger;
  private readonly activeTxs = new Set<WriteTx>();
  private nextTxId = BigInt(Date.now()) * 1000n;
  private timer: NodeJS.Timeout | undefined;
  private maintaining: Promise<MaintenanceReport> | undefined;
  private readonly background = new Set<Promise<unknown>>();
  private closed = false;
  /** Primary-key index hook: row locations moved by a merge or compaction (engine-context.ts). */
  onRowsMoved: RowsMovedListener | undefined;

  private constructor(opts: StorageEngineOptions, readonly wal: WriteAheadLog) {
    this.catalog = opts.catalog;
    this.store = opts.objectStore;
    this.log = opts.log;
    this.segmentMaxRows = opts.segmentMaxRows ?? DEFAULT_SEGMENT_MAX_ROWS;
    this.compactDeletedFraction = opts.compactDeletedFraction ?? 0.2;
    this.columnCache = new ColumnCache(opts.columnBudget);
  }

  /**
   * Opens the engine: loads every catalog table's sealed files (metadata and delete bitmaps;
   * segment data loads on first scan), replays the WAL from the checkpoint, and starts the
   * maintenance timer. Shadow files a crash left (NEW, NEW_MERGE, NEW_INDEX) go TO_DELETE.
   */
  static async open(opts: StorageEngineOptions): Promise<StorageEngine> {
    const wal = await WriteAheadLog.open({ dir: path.join(opts.dataDir, 'wal'), fsync: opts.fsync, log: opts.log, fileBytes: opts.walFileBytes, preallocateBytes: opts.walPreallocateBytes });
    const e = new StorageEngine(opts, wal);
    opts.catalog.cleanUpShadowFiles();
    for (const def of opts.catalog.listTables()) e.tables.set(def.tableId, await loadTable(e, def));
    const applied = await replayWal(e);
    opts.log.info({ tables: e.tables.size, replayedTransactions: applied, lsn: e.appliedLsn.toString() }, 'storage engine open');
    for (const state of e.tables.values()) e.kickSeal(state);
    const every = opts.maintenanceIntervalMs ?? 10_000;
    if (every > 0) {
      e.timer = setInterval(() => {
        if (e.maintaining === undefined) e.maintain().catch((err) => e.log.warn({ err }, 'storage maintenance failed'));
      }, every);
      e.timer.unref();
    }
    return e;
  }

  // ---- tables ----

  /** Makes a table known to the engine (after CREATE TABLE), or updates its definition (after ALTER TABLE). */
  attachTable(def: TableDef): void {
    const state = this.tables.get(def.tableId);
    if (state !== undefined) state.setDef(def);
    else this.tables.set(def.tableId, new TableState(def));
  }

  /** Forgets a table (the SQL layer calls catalog.dropTable); the cleaner removes its files once unpinned. */
  dropTable(tableId: number): void {
    const state = this.tables.get(tableId);
    for (const seg of state?.segments.values() ?? []) this.columnCache.forget(seg);
    state?.retireManifest();
    this.tables.delete(tableId);
  }

  /** TRUNCATE: every file of the table TO_DELETE (catalog.truncateTable) and its in-memory rows discarded, between commits. */
  truncate(tableId: number): Promise<void> {
    const state = this.requireTable(tableId);
    return this.wal.barrier(() => {
      if (this.tables.get(tableId) !== state) return;
      this.catalog.truncateTable(tableId);
      const maxId = Math.max(0, ...state.segments.keys(), ...state.forwards.keys());
      const prev = Number(this.catalog.getMeta(sealedThroughKey(tableId)) ?? '0');
      if (maxId > prev) this.catalog.setMeta(sealedThroughKey(tableId), String(maxId));
      for (const seg of state.segments.values()) this.columnCache.forget(seg);
      state.segments.clear();
      state.sealQueue.length = 0;
      state.growing = undefined;
      state.forwards.clear();
    });
  }

  private requireTable(tableId: number): TableState {
    const state = this.tables.get(tableId);
    if (state === undefined) throw new DbError(SqlState.UndefinedTable, `relation with OID ${tableId} does not exist`);
    return state;
  }

  // ---- transactions ----

  /** Starts a write transaction. */
  begin(): WriteTx {
    if (this.closed) throw new DbError(SqlState.AdminShutdown, 'storage engine is closed');
    const tx = new WriteTx(this, this.nextTxId++, ++this.txSeq);
    this.activeTxs.add(tx);
    return tx;
  }

  /** @internal TxHost */
  checkColumns(tableId: number, attnums: readonly number[]): void {
    const state = this.requireTable(tableId);
    for (const a of attnums) {
      if (!state.typeOids.has(a)) throw new DbError(SqlState.UndefinedColumn, `column with attnum ${a} of relation ${tableId} does not exist`);
    }
  }

  /** @internal TxHost */
  expectWalWrite(bytes: number): void {
    this.wal.expectWrite(bytes);
  }

  /** @internal TxHost */
  typeOidOf(tableId: number, attnum: number): number {
    return this.requireTable(tableId).typeOidOf(attnum);
  }

  /** @internal TxHost */
  async commitTx(tx: WriteTx): Promise<void> {
    if (tx.isEmpty) return;
    const prepared = prepareCommit(tx, (tableId, attnum) => this.typeOidOf(tableId, attnum));
    await this.wal.submit({
      build: () => buildCommit(this, tx, prepared),
      apply: (start, end) => applyCommit(this, tx, prepared, start, end),
    });
  }

  /** @internal TxHost */
  endTx(tx: WriteTx): void {
    this.activeTxs.delete(tx);
  }

  /** @internal */
  minActiveBeginSeq(): number {
    let min = Infinity;
    for (const tx of this.activeTxs) if (tx.beginSeq < min) min = tx.beginSeq;
    return min;
  }

  /** @internal CommitHost */
  table(tableId: number): TableState | undefined {
    return this.tables.get(tableId);
  }

  /** @internal CommitHost */
  growingFor(state: TableState): Segment {
    let g = state.growing;
    if (g !== undefined && this.overThreshold(state, g)) {
      this.freeze(state, g);
      g = undefined;
    }
    if (g === undefined) {
      g = new Segment(state.tableId, this.catalog.nextSegmentId(), 'growing');
      state.segments.set(g.segmentId, g);
      state.growing = g;
    }
    return g;
  }

  /** @internal CommitHost */
  afterApply(state: TableState): void {
    const g = state.growing;
    if (g !== undefined && g.reserved === g.rowCount && this.overThreshold(state, g)) this.freeze(state, g);
    this.kickSeal(state);
  }

  /** @internal CommitHost */
  setAppliedLsn(lsn: bigint): void {
    this.appliedLsn = lsn;
  }

  private overThreshold(state: TableState, g: Segment): boolean {
    return g.reserved >= state.maxRows(this.segmentMaxRows) || g.reservedBytes >= state.maxBytes();
  }

  private freeze(state: TableState, g: Segment): void {
    g.state = 'frozen';
    state.sealQueue.push(g);
    state.growing = undefined;
  }

  /** Starts sealing in the background if a frozen segment is ready; failures are retried by maintain(). */
  private kickSeal(state: TableState): void {
    if (!sealReady(state) || this.closed) return;
    const p = (async () => {
      let sealed = false;
      while (sealReady(state)) if (!(sealed = await sealHead(this, state))) break;
      // A partitioned table's new file is clustered by tenant at once (its graphs wait for it).
      if (sealed && state.def.partitionKey && !this.closed) void this.maintain().catch((err) => this.log.warn({ err }, 'storage maintenance failed'));
    })().catch((err) => this.log.warn({ err, tableId: state.tableId }, 'sealing a segment failed; its rows stay in the WAL'));
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  // ---- reads ----

  /** Pins the table's current segments, committed row counts and delete state until release(). */
  snapshot(tableId: number): TableSnapshot {
    return new TableSnapshot(tableId, this.requireTable(tableId).currentManifest(this.pins));
  }

  /** Visible rows in batches, projected onto `attnums` (undefined where a segment predates a column). */
  scan(snap: TableSnapshot, tx: WriteTx | null, attnums: readonly number[], opts?: ScanOptions): AsyncIterable<ScanBatch> {
    return scanSnapshot(this.store, this.tables.get(snap.tableId), snap, tx, attnums, opts);
  }

  /** Rows of some tenants of a partitioned table visible in the snapshot (storage/read-path.ts countTenantRows). */
  countTenants(snap: TableSnapshot, tx: WriteTx | null, tenants: TenantFilter): Promise<number> {
    return countTenantRows(this.store, this.tables.get(snap.tableId), snap, tx, tenants);
  }

  /** Point lookups by row id; undefined for ids not visible in the snapshot (or to `tx`). */
  fetch(snap: TableSnapshot, tx: WriteTx | null, rowIds: readonly number[], attnums: readonly number[]): Promise<(unknown[] | undefined)[]> {
    return fetchRows(this.store, this.tables.get(snap.tableId), snap, tx, rowIds, attnums);
  }

  /** Exact count of rows visible in the snapshot (to `tx` when given). */
  count(snap: TableSnapshot, tx: WriteTx | null): number {
    return countSnapshot(this.tables.get(snap.tableId), snap, tx);
  }

  // ---- maintenance ----

  /** One maintenance pass: seal, merge, compact, persist deletes, checkpoint, clean. Concurrent calls share a pass. */
  maintain(): Promise<MaintenanceReport> {
    this.maintaining ??= this.maintainOnce(false).finally(() => (this.maintaining = undefined));
    return this.maintaining;
  }

  /**
   * A pass that also settles partitioned tables' packed files of every size into the level
   * (VACUUM; the timer's passes leave smaller tiers to fill up first, so a load does not
   * rewrite big files for each small one). Waits for a running pass first.
   */
  async settle(): Promise<MaintenanceReport> {
    await this.maintaining?.catch(() => undefined);
    this.maintaining ??= this.maintainOnce(true).finally(() => (this.maintaining = undefined));
    return this.maintaining;
  }

  private async maintainOnce(settle: boolean): Promise<MaintenanceReport> {
    const report: MaintenanceReport = { sealed: 0, merged: 0, compacted: 0, cleaned: 0, checkpointLsn: 0n };
    await Promise.all(this.background);
    for (const state of [...this.tables.values()]) {
      const g = state.growing;
      if (g !== undefined && g.reserved === g.rowCount && this.overThreshold(state, g)) this.freeze(state, g);
      try {
        while (sealReady(state) && (await sealHead(this, state))) report.sealed++;
      } catch (err) {
        this.log.warn({ err, tableId: state.tableId }, 'sealing a segment failed; its rows stay in the WAL');
      }
      report.merged += await mergeSmallFiles(this, state, settle);
      report.compacted += await compactDeleted(this, state);
      report.compacted += await retireDeadSegments(this, state);
      for (const seg of [...state.segments.values()]) {
        if (seg.state === 'sealed' && seg.deletesDirtySince !== null) await persistDeletes(this, state, seg);
      }
    }
    report.checkpointLsn = await checkpoint(this);
    report.cleaned = await cleanFiles(this);
    return report;
  }

  /**
   * Seals every table's growing segment (whatever its size), then runs a maintenance pass:
   * afterwards all committed rows and deletes are in files. Clean shutdown with tiered
   * storage uses it so the bucket holds everything (docs/tiering.md).
   */
  async sealAll(): Promise<MaintenanceReport> {
    for (const state of this.tables.values()) {
      const g = state.growing;
      if (g !== undefined && g.rowCount > 0 && g.reserved === g.rowCount) this.freeze(state, g);
    }
    await this.maintain(); // a pass already running may have passed a table before its freeze
    return this.maintain();
  }

  /** WAL counters (fsyncs, writes, jobs) for tests and benchmarks. */
  get walStats(): Readonly<{ fsyncs: number; writes: number; jobs: number }> {
    return this.wal.stats;
  }

  /** Stops the timer, waits for background seals and queued commits, closes the WAL. Data stays recoverable from the WAL. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    await this.maintaining?.catch(() => undefined);
    await Promise.all(this.background);
    await this.wal.close();
  }
}
