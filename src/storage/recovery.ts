/**
 * storage/: start-up. `loadTable` rebuilds a table's sealed segments from catalog metadata
 * and delete files (segment files themselves load lazily); `replayWal` re-applies every
 * committed transaction after the checkpoint, skipping inserts already sealed into files and
 * tables that were dropped, and rebuilds growing/frozen segments from the log.
 */
import { type FileRow, FileState, type TableDef } from '../catalog/index.ts';
import { ByteReader, corrupted } from './bytes.ts';
import { decodeColumn } from './column-codec.ts';
import { DeleteBitmap } from './delete-bitmap.ts';
import { decodeDeleteFile, deleteFileKey } from './delete-file.ts';
import { CHECKPOINT_META_KEY, type EngineContext, sealedThroughKey } from './engine-context.ts';
import { Segment } from './segment.ts';
import { zonesFromCatalog } from './segment-file.ts';
import { TableState } from './table-state.ts';
import { directoryFromRuns } from './tenants.ts';
import type { WalRecord } from './wal-format.ts';

/** Files whose data a table's scans read: RAW and TO_INDEX segments, and BACKUP (raw data under an INDEX file). */
const DATA_STATES = [FileState.RAW, FileState.TO_INDEX, FileState.BACKUP];

/** Builds the in-memory state of a catalog table: metadata only, plus its delete bitmaps. */
export async function loadTable(e: EngineContext, def: TableDef): Promise<TableState> {
  const state = new TableState(def);
  const files: FileRow[] = e.catalog.files(def.tableId, DATA_STATES);
  const delKeys = new Set(await e.store.list(`tables/${def.tableId}/deletes/`));
  const runs = def.partitionKey ? e.catalog.tenantRuns(def.tableId) : null;
  for (const f of files) {
    const key = deleteFileKey(def.tableId, f.segmentId);
    let deletes: DeleteBitmap | undefined;
    if (delKeys.has(key)) {
      const d = decodeDeleteFile(key, await e.store.get(key));
      if (d.segmentId !== f.segmentId || d.rowCount !== f.rowCount) throw corrupted(`delete file "${key}"`, 'does not match its segment');
      deletes = new DeleteBitmap(d.bits, d.deletedCount);
    } else if (f.deletedCount > 0) {
      throw corrupted(`delete file "${key}"`, `missing, but the catalog records ${f.deletedCount} deleted rows`);
    }
    const seg = new Segment(def.tableId, f.segmentId, 'sealed', f.rowCount, deletes);
    seg.file = { fileRowId: f.id, location: f.location, zones: zonesFromCatalog(f.minMax) };
    seg.cache = e.columnCache;
    const fileRuns = runs?.get(f.id);
    if (fileRuns !== undefined) seg.tenantDir = directoryFromRuns(fileRuns);
    state.segments.set(seg.segmentId, seg);
  }
  // Segment objects a crash left behind between put and addFile (or merges never committed).
  const known = new Set(e.catalog.files(def.tableId).map((f) => f.location));
  for (const key of await e.store.list(`tables/${def.tableId}/segments/`)) {
    if (!known.has(key)) {
      e.log.info({ key }, 'removing orphaned segment object');
      await e.store.delete(key);
    }
  }
  return state;
}

/** Replays the WAL from the checkpoint; leaves growing/frozen segments and `appliedLsn` set. Returns transactions applied. */
export async function replayWal(e: EngineContext): Promise<number> {
  const from = BigInt(e.catalog.getMeta(CHECKPOINT_META_KEY) ?? '0');
  const sealedThrough = new Map<number, number>();
  const filed = new Map<number, Set<number>>();
  for (const [tableId] of e.tables) {
    sealedThrough.set(tableId, Number(e.catalog.getMeta(sealedThroughKey(tableId)) ?? '0'));
    filed.set(tableId, new Set(e.catalog.files(tableId).map((f) => f.segmentId)));
  }
  let pending: { txId: bigint; recs: { rec: WalRecord; lsn: bigint }[] } | undefined;
  let applied = 0;

  const applyInsert = (rec: Extract<WalRecord, { kind: 'insert' }>, lsn: bigint): void => {
    const state = e.tables.get(rec.tableId);
    if (state === undefined) return;
    if (rec.segmentId <= sealedThrough.get(rec.tableId)! || filed.get(rec.tableId)!.has(rec.segmentId)) return;
    let seg = state.segments.get(rec.segmentId);
    if (seg === undefined) {
      seg = new Segment(rec.tableId, rec.segmentId, 'frozen');
      seg.firstLsn = lsn;
      state.segments.set(seg.segmentId, seg);
    }
    if (rec.startOffset + rec.rowCount <= seg.rowCount) return;
    if (rec.startOffset !== seg.rowCount) {
      throw corrupted('write-ahead log', `insert into segment ${rec.segmentId} at offset ${rec.startOffset}, but it has ${seg.rowCount} rows`);
    }
    const typeOids: number[] = [];
    const columns = rec.blocks.map((block) => {
      const d = decodeColumn(new ByteReader(block, 'write-ahead log'));
      typeOids.push(d.typeOid);
      return d.values;
    });
    seg.append(rec.attnums, typeOids, columns, rec.rowCount);
    seg.reservedBytes += rec.blocks.reduce((s, b) => s + b.length, 0);
  };

  const applyDelete = (rec: Extract<WalRecord, { kind: 'delete' }>, lsn: bigint): void => {
    const state = e.tables.get(rec.tableId);
    if (state === undefined) return;
    for (let i = 0; i < rec.segmentIds.length; i++) {
      const seg = state.segments.get(rec.segmentIds[i]!);
      const off = rec.offsets[i]!;
      if (seg !== undefined && off < seg.rowCount && seg.deletes.set(off)) seg.deletesDirtySince ??= lsn;
    }
  };

  await e.wal.replay(from, (rec, lsn) => {
    if (rec.kind === 'commit') {
      if (pending !== undefined && pending.txId === rec.txId) {
        for (const r of pending.recs) {
          if (r.rec.kind === 'insert') applyInsert(r.rec, r.lsn);
          else if (r.rec.kind === 'delete') applyDelete(r.rec, r.lsn);
        }
        applied++;
      }
      pending = undefined;
      return;
    }
    if (pending === undefined || pending.txId !== rec.txId) pending = { txId: rec.txId, recs: [] };
    pending.recs.push({ rec, lsn });
  });
  e.appliedLsn = e.wal.endLsn;

  for (const state of e.tables.values()) {
    const unsealed = state.unsealed().sort((a, b) => a.segmentId - b.segmentId);
    unsealed.forEach((seg, i) => {
      const last = i === unsealed.length - 1;
      if (last && seg.rowCount < state.maxRows(e.segmentMaxRows) && seg.reservedBytes < state.maxBytes()) {
        seg.state = 'growing';
        state.growing = seg;
      } else {
        state.sealQueue.push(seg);
      }
    });
  }
  return applied;
}
