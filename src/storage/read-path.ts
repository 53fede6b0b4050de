/**
 * storage/: reads through a snapshot — batched scans with projection and zone-map pruning,
 * point fetches by row id, and exact counts. A transaction passed in sees its own provisional
 * rows (after the committed ones) and not the rows it deleted.
 */
import type { ObjectStore } from '../tiering/index.ts';
import { deletedInRange, isDeleted } from './delete-bitmap.ts';
import { makeRowId, splitRowId } from './segment.ts';
import type { ZoneMap } from './segment-file.ts';
import type { TableSnapshot } from './snapshot.ts';
import type { TableState } from './table-state.ts';
import { findRun, tenantKey, tenantRows } from './tenants.ts';
import type { TxTableWrites, WriteTx } from './transaction.ts';

export interface ScanOptions {
  /** Rows per yielded batch (default 1024). */
  batchRows?: number;
  /** Called with a sealed segment's zone maps; false skips the segment unread. */
  zoneFilter?: (zones: ZoneMap) => boolean;
  /** A partitioned table's scan pinned to tenants: only rows whose key column is one of `keys` (canonical, storage/tenants.ts). */
  tenants?: TenantFilter;
}

/** Which tenants a read is restricted to. */
export interface TenantFilter {
  readonly attnum: number;
  readonly keys: readonly string[];
}

/** Whether provisional row k of `w` belongs to one of the filter's tenants. */
export function provisionalInTenants(w: TxTableWrites, k: number, t: TenantFilter): boolean {
  const i = w.rowAttnums[k]!.indexOf(t.attnum);
  return t.keys.includes(tenantKey(i < 0 ? null : w.rows[k]![i]));
}

/** A batch of visible rows: `rows[i]` holds the requested attnums' values of `rowIds[i]`. */
export interface ScanBatch {
  rowIds: number[];
  rows: unknown[][];
}

/** This transaction's deleted committed rows, both as given and as forwarded through merges. */
function ownDeletes(w: TxTableWrites | undefined, state: TableState | undefined): Set<number> | undefined {
  if (w === undefined || w.deletes.size === 0) return undefined;
  const out = new Set<number>(w.deletes);
  if (state !== undefined && state.forwards.size > 0) {
    for (const id of w.deletes) {
      const cur = state.currentRowId(id);
      if (cur !== undefined) out.add(cur);
    }
  }
  return out;
}

/** Projects provisional row k of `w` onto `attnums` (missing attnums → undefined). */
function provisionalRow(w: TxTableWrites, k: number, attnums: readonly number[]): unknown[] {
  const have = w.rowAttnums[k]!;
  const row = w.rows[k]!;
  return attnums.map((a) => {
    const i = have.indexOf(a);
    return i < 0 ? undefined : row[i];
  });
}

export async function* scanSnapshot(
  store: ObjectStore, state: TableState | undefined, snap: TableSnapshot, tx: WriteTx | null, attnums: readonly number[], opts: ScanOptions = {},
): AsyncGenerator<ScanBatch> {
  snap.check();
  const batchRows = Math.max(1, opts.batchRows ?? 1024);
  const w = tx?.tables.get(snap.tableId);
  const mine = ownDeletes(w, state);
  let rowIds: number[] = [];
  let rows: unknown[][] = [];
  for (const ref of opts.tenants === undefined ? snap.segments : snap.segmentsFor(opts.tenants.keys)) {
    const seg = ref.segment;
    if (opts.zoneFilter !== undefined && seg.file !== undefined && !opts.zoneFilter(seg.file.zones)) continue;
    const only = opts.tenants === undefined ? 'all' : await tenantRows(seg, ref.rowCount, opts.tenants.attnum, opts.tenants.keys, store);
    if (only !== 'all' && only.length === 0) continue;
    const cols = await seg.columnsFor(attnums, store);
    const base = makeRowId(seg.segmentId, 0);
    const n = only === 'all' ? ref.rowCount : only.length;
    for (let j = 0; j < n; j++) {
      const off = only === 'all' ? j : only[j]!;
      if (isDeleted(ref.deletes, off)) continue;
      if (mine !== undefined && mine.has(base + off)) continue;
      const row = new Array<unknown>(cols.length);
      for (let c = 0; c < cols.length; c++) row[c] = cols[c]?.[off];
      rowIds.push(base + off);
      rows.push(row);
      if (rows.length >= batchRows) {
        yield { rowIds, rows };
        rowIds = [];
        rows = [];
      }
    }
  }
  if (w !== undefined) {
    for (let k = 0; k < w.rows.length; k++) {
      if (w.dead.has(k)) continue;
      if (opts.tenants !== undefined && !provisionalInTenants(w, k, opts.tenants)) continue;
      rowIds.push(-(k + 1));
      rows.push(provisionalRow(w, k, attnums));
      if (rows.length >= batchRows) {
        yield { rowIds, rows };
        rowIds = [];
        rows = [];
      }
    }
  }
  if (rows.length > 0) yield { rowIds, rows };
}

/** Point lookups: the row for each id, or undefined when it is not visible. */
export async function fetchRows(
  store: ObjectStore, state: TableState | undefined, snap: TableSnapshot, tx: WriteTx | null, rowIds: readonly number[], attnums: readonly number[],
): Promise<(unknown[] | undefined)[]> {
  snap.check();
  const w = tx?.tables.get(snap.tableId);
  const mine = ownDeletes(w, state);
  // Rows of cold files are read in parallel (ranged reads of a top-k's few rows).
  const out: (unknown[] | undefined | Promise<unknown[]>)[] = [];
  for (const id of rowIds) {
    if (id < 0) {
      const k = -id - 1;
      out.push(w !== undefined && k < w.rows.length && !w.dead.has(k) ? provisionalRow(w, k, attnums) : undefined);
      continue;
    }
    let { segmentId, offset } = splitRowId(id);
    let ref = snap.byId.get(segmentId);
    if (ref === undefined && state !== undefined) {
      const cur = state.currentRowId(id);
      if (cur !== undefined) ({ segmentId, offset } = splitRowId(cur));
      ref = snap.byId.get(segmentId);
    }
    if (ref === undefined || offset >= ref.rowCount || isDeleted(ref.deletes, offset) || mine?.has(makeRowId(segmentId, offset)) || mine?.has(id)) {
      out.push(undefined);
      continue;
    }
    out.push(ref.segment.rowAt(attnums, offset, store));
  }
  return Promise.all(out);
}

/** Exact number of rows visible to `tx` (or to anyone, when null) in the snapshot. */
export function countSnapshot(state: TableState | undefined, snap: TableSnapshot, tx: WriteTx | null): number {
  snap.check();
  let n = 0;
  for (const ref of snap.segments) n += ref.rowCount - ref.deletes.count;
  const w = tx?.tables.get(snap.tableId);
  if (w === undefined) return n;
  const counted = new Set<number>();
  for (const id of ownDeletes(w, state) ?? []) {
    const { segmentId, offset } = splitRowId(id);
    const ref = snap.byId.get(segmentId);
    if (ref !== undefined && offset < ref.rowCount && !isDeleted(ref.deletes, offset) && !counted.has(id)) {
      counted.add(id);
      n--;
    }
  }
  return n + w.liveProvisional;
}

/**
 * Exact number of rows of the filter's tenants visible to `tx` (or anyone) in the snapshot: a
 * clustered segment answers from its tenant directory and delete bitmap without reading rows.
 */
export async function countTenantRows(store: ObjectStore, state: TableState | undefined, snap: TableSnapshot, tx: WriteTx | null, t: TenantFilter): Promise<number> {
  snap.check();
  const w = tx?.tables.get(snap.tableId);
  const mine = ownDeletes(w, state);
  let n = 0;
  for (const ref of snap.segmentsFor(t.keys)) {
    const seg = ref.segment;
    const dir = seg.tenantDir;
    if (dir !== null && mine === undefined) {
      for (const k of new Set(t.keys)) {
        const i = findRun(dir, k);
        if (i < 0) continue;
        const start = dir.starts[i]!;
        const end = Math.min(dir.starts[i + 1]!, ref.rowCount);
        n += end - start - deletedInRange(ref.deletes, start, end);
      }
      continue;
    }
    const only = await tenantRows(seg, ref.rowCount, t.attnum, t.keys, store);
    const base = makeRowId(seg.segmentId, 0);
    const len = only === 'all' ? ref.rowCount : only.length;
    for (let j = 0; j < len; j++) {
      const off = only === 'all' ? j : only[j]!;
      if (!isDeleted(ref.deletes, off) && !(mine !== undefined && mine.has(base + off))) n++;
    }
  }
  if (w !== undefined) for (let k = 0; k < w.rows.length; k++) if (!w.dead.has(k) && provisionalInTenants(w, k, t)) n++;
  return n;
}
