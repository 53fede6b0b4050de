/**
 * storage/: the commit path. `prepareCommit` encodes a transaction's rows before it queues
 * (off the WAL's critical section; a big transaction's rows mostly while it runs, by
 * `encodeBatch` from WriteTx.insert); at flush time `buildCommit` reserves row offsets in the
 * growing segments, resolves delete targets through merge forwarding and frames the records;
 * once they are durable `applyCommit` appends the rows, sets delete bits and publishes.
 */
import { ByteWriter } from './bytes.ts';
import { encodeColumn, estimateColumnBytes } from './column-codec.ts';
import { makeRowId, type Segment } from './segment.ts';
import type { TableState } from './table-state.ts';
import type { TxTableWrites, WriteTx } from './transaction.ts';
import { commitRecord, deleteRecord, insertRecord } from './wal-format.ts';

/** Rows of one table sharing one attnum list, encoded column by column. */
export interface PreparedBatch {
  readonly attnums: readonly number[];
  readonly typeOids: readonly number[];
  /** Values column-major, live rows only. */
  readonly columns: unknown[][];
  readonly rowCount: number;
  /** `(u32 length | block)` per column, the INSERT record's tail. */
  readonly encoded: Buffer;
  /** Index in TxTableWrites.rows of each row. */
  readonly provisional: readonly number[];
  /** Set by build. */
  segment?: Segment;
  startOffset?: number;
}

export interface PreparedTable {
  readonly tableId: number;
  readonly batches: PreparedBatch[];
  readonly deletes: readonly number[];
  readonly provisionalTotal: number;
  /** Set by build: resolved delete targets. */
  targets?: { segment: Segment; offset: number }[];
}

/** What the commit path needs from the engine. */
export interface CommitHost {
  table(tableId: number): TableState | undefined;
  /** The growing segment rows of `state` go to now (created or rolled over as thresholds require). */
  growingFor(state: TableState): Segment;
  /** Called after a commit is applied, e.g. to schedule seals. */
  afterApply(state: TableState): void;
  setAppliedLsn(lsn: bigint): void;
}

/** Encodes rows w.rows[p] (p in `provisional`, all following `attnums`) column by column. */
export function encodeBatch(w: TxTableWrites, attnums: readonly number[], typeOids: readonly number[], provisional: readonly number[]): PreparedBatch {
  const columns = attnums.map((_a, i) => provisional.map((p) => w.rows[p]![i]));
  const enc = new ByteWriter(columns.reduce((n, values) => n + 4 + estimateColumnBytes(values), 0));
  columns.forEach((values, i) => {
    const at = enc.length;
    enc.u32(0);
    encodeColumn(typeOids[i]!, values, enc);
    enc.patchU32(at, enc.length - at - 4);
  });
  // The writer is dropped here, so its bytes need no copy.
  return { attnums, typeOids, columns, rowCount: provisional.length, encoded: enc.view(), provisional };
}

/**
 * The batches WriteTx encoded ahead (TxTableWrites.ahead) that are still right: a prefix of
 * them, up to the first holding a row the transaction deleted again.
 */
function aheadBatches(w: TxTableWrites): PreparedBatch[] {
  const out: PreparedBatch[] = [];
  for (const b of w.ahead) {
    if (w.dead.size > 0 && b.provisional.some((p) => w.dead.has(p))) break;
    out.push(b);
  }
  return out;
}

/** Encodes a transaction's live provisional rows; throws (before anything is queued) when a value cannot be encoded. */
export function prepareCommit(tx: WriteTx, typeOidOf: (tableId: number, attnum: number) => number): PreparedTable[] {
  const out: PreparedTable[] = [];
  for (const [tableId, w] of tx.tables) {
    const batches = aheadBatches(w);
    let k = batches.length === 0 ? 0 : batches[batches.length - 1]!.provisional.at(-1)! + 1;
    while (k < w.rows.length) {
      const attnums = w.rowAttnums[k]!;
      const provisional: number[] = [];
      while (k < w.rows.length && w.rowAttnums[k] === attnums) {
        if (!w.dead.has(k)) provisional.push(k);
        k++;
      }
      if (provisional.length === 0) continue;
      batches.push(encodeBatch(w, attnums, attnums.map((a) => typeOidOf(tableId, a)), provisional));
    }
    if (batches.length > 0 || w.deletes.size > 0) {
      out.push({ tableId, batches, deletes: [...w.deletes], provisionalTotal: w.rows.length });
    }
  }
  return out;
}

/** Reserves offsets and frames the transaction's records; rolls its reservations back if it throws. */
export function buildCommit(host: CommitHost, tx: WriteTx, prepared: PreparedTable[]): Buffer[] {
  const bufs: Buffer[] = [];
  const reservations: { segment: Segment; rows: number; bytes: number }[] = [];
  try {
    for (const p of prepared) {
      const state = host.table(p.tableId);
      if (state === undefined) continue; // dropped since: its writes vanish with it
      for (const b of p.batches) {
        const seg = host.growingFor(state);
        b.segment = seg;
        b.startOffset = seg.reserved;
        seg.reserved += b.rowCount;
        seg.reservedBytes += b.encoded.length;
        reservations.push({ segment: seg, rows: b.rowCount, bytes: b.encoded.length });
        bufs.push(...insertRecord(tx.txId, p.tableId, seg.segmentId, b.startOffset, b.rowCount, b.attnums, b.encoded));
      }
      const targets: { segment: Segment; offset: number }[] = [];
      for (const id of p.deletes) {
        const t = state.resolveRowId(id);
        if (t !== undefined && t.offset < t.segment.rowCount && !t.segment.deletes.has(t.offset)) targets.push(t);
      }
      p.targets = targets;
      if (targets.length > 0) bufs.push(deleteRecord(tx.txId, p.tableId, targets.map((t) => ({ segmentId: t.segment.segmentId, offset: t.offset }))));
    }
    if (bufs.length > 0) bufs.push(commitRecord(tx.txId, BigInt(Date.now()) * 1000n));
    return bufs;
  } catch (err) {
    for (const r of reservations.reverse()) {
      r.segment.reserved -= r.rows;
      r.segment.reservedBytes -= r.bytes;
    }
    throw err;
  }
}

/** Applies a durable commit: appends rows, sets delete bits, records assigned row ids. Never throws. */
export function applyCommit(host: CommitHost, tx: WriteTx, prepared: PreparedTable[], startLsn: bigint, endLsn: bigint): void {
  const touched = new Set<TableState>();
  for (const p of prepared) {
    const state = host.table(p.tableId);
    const w = tx.tables.get(p.tableId);
    const assigned = new Array<number>(p.provisionalTotal).fill(NaN);
    for (const b of p.batches) {
      const seg = b.segment;
      if (seg === undefined || b.startOffset === undefined) continue;
      seg.append(b.attnums, b.typeOids, b.columns, b.rowCount);
      seg.firstLsn ??= startLsn;
      b.provisional.forEach((k, i) => (assigned[k] = makeRowId(seg.segmentId, b.startOffset! + i)));
    }
    for (const t of p.targets ?? []) {
      if (t.segment.deletes.set(t.offset)) t.segment.deletesDirtySince ??= startLsn;
    }
    if (w !== undefined) w.assigned = assigned;
    if (state !== undefined) touched.add(state);
  }
  host.setAppliedLsn(endLsn);
  for (const s of touched) host.afterApply(s);
}
