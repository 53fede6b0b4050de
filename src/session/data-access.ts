/**
 * The executor's DataAccess for one session: reads take a storage snapshot per table per
 * statement (READ COMMITTED) and see the transaction's own writes; writes go into the
 * session's storage write transaction, begun lazily on the first write. Snapshots are
 * released when the statement ends, so files being merged or dropped can be cleaned up.
 * In a REPEATABLE READ (read-only) block the first read takes a snapshot of every table at
 * once (one synchronous turn: the same commits everywhere) and holds it to the block's end.
 */
import { SYSTEM_VIEWS } from '../catalog/index.ts';
import { DbError, SqlState } from '../errors/index.ts';
import { compareValues, privileges, type DataAccess, type RoleContext, type ScanBatch, type Value } from '../executor/index.ts';
import { Oid } from '../types/index.ts';
import type { GraphMetric, SegmentGraph, Sketch } from '../ann/index.ts';
import { readVectorColumn, tenantStats, type TableSnapshot, type TenantFilter, type VectorColumnOptions, type VectorColumnRead } from '../storage/index.ts';
import type { PgCatalogLookup } from '../catalog/index.ts';
import type { SessionCatalogAccess } from './pg-catalog-access.ts';
import type { Database } from './database.ts';
import type { Transaction } from './transaction.ts';
import { exportSnapshots, importSnapshots } from './exported-snapshots.ts';

export class SessionDataAccess implements DataAccess {
  private readonly snapshots = new Map<number, TableSnapshot>();

  /** REPEATABLE READ: the block's snapshots (every table, taken at its first read), or null. */
  private txSnapshots: Map<number, TableSnapshot> | null = null;

  constructor(
    private readonly db: Database,
    private readonly tx: Transaction,
  ) {
    tx.endListeners.push(() => {
      for (const s of this.txSnapshots?.values() ?? []) s.release();
      this.txSnapshots = null;
    });
  }

  private get repeatableRead(): boolean {
    return this.tx.inBlock && this.tx.isolation === 'repeatable read';
  }

  /** A snapshot of every table, taken in one synchronous turn (the same commits everywhere). */
  private snapshotAll(): Map<number, TableSnapshot> {
    const all = new Map<number, TableSnapshot>();
    for (const id of this.db.storage.tables.keys()) all.set(id, this.db.storage.snapshot(id));
    return all;
  }

  beginQuery(): void {
    this.tx.queried = true;
    if (this.repeatableRead) this.txSnapshots ??= this.snapshotAll();
  }

  /**
   * pg_export_snapshot(): the REPEATABLE READ block's snapshot (taken now if no read did yet),
   * or in READ COMMITTED a snapshot of every table as of now; exported until this transaction ends.
   */
  exportSnapshot(backendPid: number): string {
    let set: Map<number, TableSnapshot>;
    if (this.repeatableRead) {
      this.tx.queried = true;
      set = this.txSnapshots ??= this.snapshotAll();
    } else {
      set = this.snapshotAll();
      this.tx.atEnd(() => { for (const s of set.values()) s.release(); });
    }
    const { id, withdraw } = exportSnapshots(this.db, backendPid, set);
    this.tx.atEnd(withdraw);
    return id;
  }

  /** SET TRANSACTION SNAPSHOT: this REPEATABLE READ block reads the exported snapshot (PostgreSQL's checks and errors). */
  importSnapshot(id: string): void {
    if (this.tx.queried || this.txSnapshots !== null) {
      throw new DbError(SqlState.ActiveSqlTransaction, 'SET TRANSACTION SNAPSHOT must be called before any query');
    }
    if (!this.repeatableRead) {
      throw new DbError(SqlState.FeatureNotSupported, 'a snapshot-importing transaction must have isolation level SERIALIZABLE or REPEATABLE READ');
    }
    this.txSnapshots = importSnapshots(this.db, id);
  }

  private snapshot(tableId: number): TableSnapshot {
    this.tx.queried = true;
    if (this.repeatableRead) {
      this.txSnapshots ??= this.snapshotAll();
      let held = this.txSnapshots.get(tableId);
      // A table created after the block's first read: its rows as of now (none committed before).
      if (!held) this.txSnapshots.set(tableId, (held = this.db.storage.snapshot(tableId)));
      return held;
    }
    let s = this.snapshots.get(tableId);
    if (!s) {
      s = this.db.storage.snapshot(tableId);
      this.snapshots.set(tableId, s);
    }
    return s;
  }

  /**
   * REPEATABLE READ: true when the key index may not describe the held snapshot (a commit,
   * delete or merge changed the table since), so key lookups must read the snapshot instead.
   */
  private keyIndexStale(tableId: number): boolean {
    if (!this.repeatableRead) return false;
    const held = this.snapshot(tableId);
    const now = this.db.storage.snapshot(tableId);
    try {
      if (now.segments.length !== held.segments.length) return true;
      return now.segments.some((r) => {
        const h = held.byId.get(r.segment.segmentId);
        return h === undefined || h.rowCount !== r.rowCount || h.deletes.count !== r.deletes.count;
      });
    } finally {
      now.release();
    }
  }

  scan(tableId: number, attnums: readonly number[], tenants?: TenantFilter): AsyncIterable<ScanBatch> {
    return this.db.storage.scan(this.snapshot(tableId), this.tx.writeTx, [...attnums], tenants === undefined ? undefined : { tenants });
  }

  countTenants(tableId: number, tenants: TenantFilter): Promise<number> {
    return this.db.storage.countTenants(this.snapshot(tableId), this.tx.writeTx, tenants);
  }

  async insert(tableId: number, attnums: readonly number[], rows: readonly unknown[][], owned = false): Promise<readonly number[]> {
    const w = this.tx.write(this.db.storage);
    if (!this.db.unique.has(tableId)) return w.insert(tableId, rows as unknown[][], [...attnums], owned);
    const u = this.tx.uniqueChanges();
    u.writeTx = w;
    return this.db.unique.insert(tableId, rows, u, () => w.insert(tableId, rows as unknown[][], [...attnums], owned));
  }

  async lookupByKey(tableId: number, keyAttnums: readonly number[], keys: readonly (readonly unknown[])[], attnums: readonly number[]): Promise<ScanBatch | null> {
    // Null makes the pk-lookup node scan the (held) snapshot; its filter above keeps it exact.
    if (this.keyIndexStale(tableId)) return null;
    const ids = this.db.unique.lookup(tableId, keyAttnums, keys, this.tx.uniqueChanges());
    if (ids === null) return null;
    if (ids.length === 0) return { rowIds: [], rows: [] };
    // A fresh snapshot: the index holds current locations (a merge may have moved rows since
    // the statement's snapshot was taken). REPEATABLE READ: the held one, which still matches.
    const held = this.repeatableRead;
    const snap = held ? this.snapshot(tableId) : this.db.storage.snapshot(tableId);
    try {
      const rows = await this.fetchByIds(snap, ids, [...attnums]);
      const rowIds: number[] = [];
      const found: unknown[][] = [];
      rows.forEach((r, i) => {
        if (r === undefined) return;
        rowIds.push(ids[i]!);
        found.push(r);
      });
      return { rowIds, rows: found };
    } finally {
      if (!held) snap.release();
    }
  }

  async rangeByKey(
    tableId: number,
    keyAttnums: readonly number[],
    lower: { readonly value: unknown; readonly inclusive: boolean } | null,
    upper: { readonly value: unknown; readonly inclusive: boolean } | null,
    limit: number | null,
    attnums: readonly number[],
  ): Promise<ScanBatch | null> {
    if (this.keyIndexStale(tableId)) {
      // Without a limit the sort and filter above stay in the plan: a scan of the held snapshot is exact.
      if (limit === null) return null;
      return this.rangeFromSnapshot(tableId, keyAttnums, lower, upper, limit, attnums);
    }
    const cursor = this.db.unique.range(tableId, keyAttnums, lower, upper, this.tx.uniqueChanges());
    if (cursor === null) return null;
    const rowIds: number[] = [];
    const found: unknown[][] = [];
    const held = this.repeatableRead;
    const snap = held ? this.snapshot(tableId) : this.db.storage.snapshot(tableId);
    try {
      const chunk = limit === null ? 10_000 : Math.min(10_000, Math.max(16, limit * 2));
      for (;;) {
        const ids = cursor.next(chunk);
        if (ids.length === 0) break;
        const rows = await this.fetchByIds(snap, ids, [...attnums]);
        rows.forEach((r, i) => {
          if (r === undefined) return;
          rowIds.push(ids[i]!);
          found.push(r);
        });
        if (limit !== null && found.length >= limit) break;
      }
    } finally {
      if (!held) snap.release();
    }
    if (limit !== null && found.length > limit) {
      rowIds.length = limit;
      found.length = limit;
    }
    return { rowIds, rows: found };
  }

  /**
   * REPEATABLE READ, table changed since the held snapshot (so the key index no longer
   * describes it): the key range read from the snapshot instead — scanned, filtered on the
   * first key column, sorted by the key, cut to `limit` — as the index would have answered.
   */
  private async rangeFromSnapshot(
    tableId: number,
    keyAttnums: readonly number[],
    lower: { readonly value: unknown; readonly inclusive: boolean } | null,
    upper: { readonly value: unknown; readonly inclusive: boolean } | null,
    limit: number,
    attnums: readonly number[],
  ): Promise<ScanBatch> {
    const def = this.db.catalog.getTableById(tableId);
    const types = keyAttnums.map((a) => def?.columns.find((c) => c.attnum === a)?.typeOid ?? Oid.text);
    const found: { id: number; row: unknown[]; key: Value[] }[] = [];
    for await (const b of this.scan(tableId, [...attnums, ...keyAttnums])) {
      b.rows.forEach((r, i) => {
        const key = r.slice(attnums.length).map((v) => (v === undefined ? null : v)) as Value[];
        const first = key[0] ?? null;
        if (first === null) return;
        if (lower) {
          const c = compareValues(types[0]!, first, lower.value as Value);
          if (c < 0 || (c === 0 && !lower.inclusive)) return;
        }
        if (upper) {
          const c = compareValues(types[0]!, first, upper.value as Value);
          if (c > 0 || (c === 0 && !upper.inclusive)) return;
        }
        found.push({ id: b.rowIds[i]!, row: r.slice(0, attnums.length), key });
      });
    }
    found.sort((x, y) => {
      for (let k = 0; k < types.length; k++) {
        const c = compareValues(types[k]!, x.key[k] ?? null, y.key[k] ?? null);
        if (c !== 0) return c;
      }
      return 0;
    });
    const top = found.slice(0, limit);
    return { rowIds: top.map((f) => f.id), rows: top.map((f) => f.row) };
  }

  /**
   * Rows by id for index hits: the transaction's own rows (negative ids) through its write
   * transaction; committed ids without it (the index already left out keys this transaction
   * deleted), which spares storage from re-collecting the transaction's deletes per call.
   */
  private async fetchByIds(snap: TableSnapshot, ids: readonly number[], attnums: number[]): Promise<(unknown[] | undefined)[]> {
    if (ids.every((id) => id > 0)) return this.db.storage.fetch(snap, null, ids, attnums);
    return this.db.storage.fetch(snap, this.tx.writeTx, ids, attnums);
  }

  async findConflict(tableId: number, row: readonly unknown[], constraint: string | null): Promise<{ rowId: number; row: unknown[] } | null> {
    if (!this.db.unique.has(tableId)) return null;
    const all = this.db.unique.constraints(tableId);
    const only = constraint === null ? undefined : all.filter((u) => u.def.name === constraint);
    const hit = await this.db.unique.conflicts(tableId, row, this.tx.uniqueChanges(), only);
    if (hit === null) return null;
    const t = hit.constraint.table;
    const attnums = t.columns.filter((c) => !c.dropped).map((c) => c.attnum);
    const snap = this.db.storage.snapshot(tableId);
    try {
      const [found] = await this.fetchByIds(snap, [hit.rowId], attnums);
      return found === undefined ? null : { rowId: hit.rowId, row: found };
    } finally {
      snap.release();
    }
  }

  prefetchConflicts(tableId: number, rows: readonly (readonly unknown[])[], constraint: string | null): void {
    if (!this.db.unique.has(tableId)) return;
    const all = this.db.unique.constraints(tableId);
    this.db.unique.prefetchRows(tableId, rows, constraint === null ? undefined : all.filter((u) => u.def.name === constraint));
  }

  async verifyPkIndex(table: string): Promise<string> {
    const dot = table.indexOf('.');
    const t = dot < 0 ? this.db.catalog.getTable('public', table) : this.db.catalog.getTable(table.slice(0, dot), table.slice(dot + 1));
    if (t === undefined) throw new DbError(SqlState.UndefinedTable, `relation "${table}" does not exist`);
    const report = await this.db.unique.verify(t, this.db.storage);
    return JSON.stringify(report);
  }

  async lockForWrite(tableId: number, rowIds: readonly number[]): Promise<number[]> {
    const changed = new Set(await this.db.rowLocks.lockReportingChanged(tableId, rowIds, this.tx.uniqueChanges()));
    // Rows a transaction committed a change to after this statement's snapshot, without a wait.
    const committed = rowIds.filter((id) => id > 0 && !changed.has(id));
    if (committed.length > 0) {
      const snap = this.db.storage.snapshot(tableId);
      try {
        const rows = await this.db.storage.fetch(snap, null, committed, []);
        rows.forEach((r, i) => {
          if (r === undefined) changed.add(committed[i]!);
        });
      } finally {
        snap.release();
      }
    }
    return [...changed];
  }

  async latestVersion(tableId: number, row: readonly unknown[]): Promise<{ rowId: number; row: unknown[] } | null | undefined> {
    const pk = this.db.unique.constraints(tableId).find((u) => u.def.kind === 'primary');
    if (!pk) return undefined;
    const live = pk.table.columns.filter((c) => !c.dropped);
    const key = pk.positions.map((p) => row[p]);
    const found = await this.lookupByKey(tableId, pk.def.attnums, [key], live.map((c) => c.attnum));
    if (!found || found.rows.length === 0) return null;
    return { rowId: found.rowIds[0]!, row: found.rows[0] as unknown[] };
  }

  async lockRows(tableId: number, rowIds: readonly number[], policy: 'block' | 'nowait' | 'skip', table: string): Promise<boolean[]> {
    const got = await this.db.rowLocks.lockForSelect(tableId, rowIds, this.tx.uniqueChanges(), policy, table);
    // A row changed by a transaction that committed after this statement's snapshot: 40001 (as UPDATE).
    await this.checkStillLive(tableId, rowIds.filter((_, i) => got[i]));
    return got;
  }

  async delete(tableId: number, rowIds: readonly number[], oldRows: readonly (readonly unknown[])[]): Promise<void> {
    const w = this.tx.write(this.db.storage);
    await this.db.rowLocks.lock(tableId, rowIds, this.tx.uniqueChanges());
    await this.checkStillLive(tableId, rowIds);
    if (this.db.unique.has(tableId)) this.db.unique.delete(tableId, oldRows, this.tx.uniqueChanges());
    w.delete(tableId, [...rowIds]);
  }

  /**
   * With the locks held, the rows must still be live now: a transaction that committed a
   * change to them after this statement's snapshot was taken makes this one fail (40001).
   */
  private async checkStillLive(tableId: number, rowIds: readonly number[]): Promise<void> {
    const committed = rowIds.filter((id) => id > 0);
    if (committed.length === 0) return;
    const snap = this.db.storage.snapshot(tableId);
    try {
      const rows = await this.db.storage.fetch(snap, null, committed, []);
      if (rows.some((r) => r === undefined)) {
        throw new DbError(SqlState.SerializationFailure, 'could not serialize access due to concurrent update');
      }
    } finally {
      snap.release();
    }
  }

  nextval(sequence: string): bigint {
    return this.db.catalog.nextval(sequence);
  }

  sequenceState(sequence: string): ReturnType<DataAccess['sequenceState'] & {}> {
    return this.db.catalog.sequenceState(sequence);
  }

  systemView(name: string, roles?: RoleContext): unknown[][] | Promise<unknown[][]> {
    const view = SYSTEM_VIEWS[name];
    if (!view) throw new DbError(SqlState.UndefinedTable, `relation "${name}" does not exist`);
    if (name === 'tessera.tenants') return this.tenantsView(roles);
    return view(this.db.catalog, this.catalogAccess?.viewContext()).rows;
  }

  /**
   * tessera.tenants: the tenants of every partitioned table the current role owns (all for a
   * superuser) — tenant names and sizes are not for roles a tenant policy binds — from the
   * storage engine (storage/tenant-stats.ts).
   */
  private async tenantsView(roles: RoleContext | undefined): Promise<unknown[][]> {
    const rows: unknown[][] = [];
    for (const t of this.db.catalog.listTables()) {
      if (!t.partitionKey) continue;
      if (roles !== undefined && !privileges.hasOwnership(roles, roles.security.tableSecurity(t.tableId).ownerOid)) continue;
      for (const s of await tenantStats(this.db.storage, t.tableId, this.db.catalog.tenantFileInfo(t.tableId))) {
        rows.push([t.schema, t.name, s.tenant === '\u0000' ? null : s.tenant, BigInt(s.rows), BigInt(Math.round(s.bytes)), BigInt(s.ownFiles),
          BigInt(s.packedFiles), BigInt(s.unclusteredRows), s.indexed ? 'hnsw' : 'exact', [...s.tiers].sort().join(',') || null]);
      }
    }
    return rows;
  }

  /** Set by the session: the pg_catalog context and lookups (pg-catalog-access.ts). */
  catalogAccess: SessionCatalogAccess | null = null;

  pgCatalog(): PgCatalogLookup {
    if (!this.catalogAccess) throw new DbError(SqlState.InternalError, 'catalog access is not connected to this session');
    return this.catalogAccess.lookup;
  }

  // ---- vector search (executor/vector-topk.ts) ----

  vectorColumn(tableId: number, attnum: number, opts?: VectorColumnOptions): Promise<VectorColumnRead> {
    return readVectorColumn(this.db.storage, this.snapshot(tableId), this.tx.writeTx, attnum, opts);
  }

  annGraph(indexId: number, segmentId: number): Promise<SegmentGraph> | null {
    return this.db.ann.graphFor(indexId, segmentId);
  }

  annLoadedGraph(indexId: number, segmentId: number): SegmentGraph | null {
    return this.db.ann.loadedGraph(indexId, segmentId);
  }

  annGraphIsLocal(indexId: number, segmentId: number): boolean {
    return this.db.ann.graphIsLocal(indexId, segmentId);
  }

  annSketch(indexId: number, segmentId: number): Promise<{ sketch: Sketch; metric: GraphMetric } | null> | null {
    return this.db.ann.sketchFor(indexId, segmentId);
  }

  fetchRows(tableId: number, rowIds: readonly number[], attnums: readonly number[]): Promise<(unknown[] | undefined)[]> {
    return this.db.storage.fetch(this.snapshot(tableId), this.tx.writeTx, rowIds, [...attnums]);
  }

  /** Ends the statement: releases its snapshots. */
  endStatement(): void {
    this.catalogAccess?.lookup.invalidate();
    for (const s of this.snapshots.values()) s.release();
    this.snapshots.clear();
  }
}
