/**
 * storage/: background maintenance — merging small RAW files (catalog.planMerges), compacting
 * segments whose deleted fraction passed the threshold, and the cleaner that removes
 * TO_DELETE files once no snapshot pins them. A merge builds its file off to the side and
 * swaps it in at a WAL barrier, leaving a forwarding map for row ids handed out before.
 */
import { FileState } from '../catalog/index.ts';
import { DeleteBitmap, type DeleteView, isDeleted } from './delete-bitmap.ts';
import { deleteFileKey, encodeDeleteFile } from './delete-file.ts';
import type { EngineContext } from './engine-context.ts';
import { Segment, segmentFileKey } from './segment.ts';
import { encodeSegmentFile, zonesToCatalog } from './segment-file.ts';
import type { TableState } from './table-state.ts';

/**
 * Rewrites `sources` (sealed RAW segments of one table) into one new segment without their
 * deleted rows. Returns false when it was abandoned (a source changed state or went away).
 */
export async function mergeSegments(e: EngineContext, state: TableState, sources: Segment[]): Promise<boolean> {
  if (sources.length === 0 || sources.some((s) => s.state !== 'sealed' || s.file === undefined)) return false;
  for (const s of sources) e.pins.pin(s.segmentId);
  try {
    const startViews: DeleteView[] = sources.map((s) => s.deletes.view());
    const attnums = state.liveAttnums();
    const sourceCols = await Promise.all(sources.map((s) => s.columnsFor(attnums, e.store)));
    const present = attnums.map((_a, c) => sourceCols.some((cols) => cols[c] !== undefined));
    const outCols: unknown[][] = attnums.map(() => []);
    const offsetMaps: Int32Array[] = [];
    let n = 0;
    sources.forEach((s, i) => {
      const map = new Int32Array(s.rowCount).fill(-1);
      const cols = sourceCols[i]!;
      for (let off = 0; off < s.rowCount; off++) {
        if (isDeleted(startViews[i]!, off)) continue;
        map[off] = n++;
        for (let c = 0; c < attnums.length; c++) if (present[c]) outCols[c]!.push(cols[c]?.[off]);
      }
      offsetMaps.push(map);
    });
    const keep = attnums.map((a, c) => ({ attnum: a, typeOid: state.typeOidOf(a), values: outCols[c]! })).filter((_c, i) => present[i]);
    const sourceFileIds = sources.map((s) => s.file!.fileRowId);
    const stillLive = (): boolean => e.tables.get(state.tableId) === state && sources.every((s) => state.segments.get(s.segmentId) === s);

    if (n === 0) {
      return await e.wal.barrier(() => {
        if (!stillLive()) return false;
        if (e.catalog.setFileState(sourceFileIds, [FileState.RAW], FileState.TO_DELETE) !== sources.length) {
          e.catalog.setFileState(sourceFileIds, [FileState.TO_DELETE], FileState.RAW);
          return false;
        }
        swap(e, state, sources, offsetMaps, undefined);
        return true;
      });
    }

    const segmentId = e.catalog.nextSegmentId();
    const key = segmentFileKey(state.tableId, segmentId);
    const { bytes, zones } = encodeSegmentFile(state.tableId, segmentId, n, keep);
    await e.store.put(key, bytes);
    const ok = await e.wal.barrier(async () => {
      if (!stillLive()) return false;
      // Deletes that committed while the file was being built move over to the new offsets.
      const carried = new DeleteBitmap();
      sources.forEach((s, i) => {
        const map = offsetMaps[i]!;
        for (let off = 0; off < s.rowCount; off++) if (map[off]! >= 0 && s.deletes.has(off)) carried.set(map[off]!);
      });
      const lsn = e.appliedLsn;
      if (carried.count > 0) {
        const view = carried.view();
        await e.store.put(deleteFileKey(state.tableId, segmentId), encodeDeleteFile({
          tableId: state.tableId, segmentId, rowCount: n, deletedCount: view.count, coveredLsn: lsn, bits: view.bits,
        }));
      }
      let row;
      try {
        row = e.catalog.commitMerge(state.tableId, sourceFileIds, {
          segmentId, fileSize: bytes.length, rowCount: n, location: key, walLsn: lsn, minMax: zonesToCatalog(zones), deletedCount: carried.count,
        });
      } catch (err) {
        e.log.info({ err, tableId: state.tableId }, 'merge abandoned');
        return false;
      }
      const merged = new Segment(state.tableId, segmentId, 'sealed', n, carried);
      merged.file = { fileRowId: row.id, location: key, zones };
      keep.forEach((c) => {
        merged.columns.set(c.attnum, c.values);
        merged.typeOids.set(c.attnum, c.typeOid);
      });
      swap(e, state, sources, offsetMaps, merged);
      return true;
    });
    if (!ok) {
      await e.store.delete(key);
      await e.store.delete(deleteFileKey(state.tableId, segmentId));
    }
    return ok;
  } finally {
    for (const s of sources) e.pins.unpin(s.segmentId);
  }
}

function swap(e: EngineContext, state: TableState, sources: Segment[], maps: Int32Array[], merged: Segment | undefined): void {
  sources.forEach((s, i) => {
    state.segments.delete(s.segmentId);
    state.forwards.set(s.segmentId, { newSegmentId: merged?.segmentId ?? -1, offsets: maps[i]!, swapSeq: e.txSeq });
  });
  if (merged !== undefined) state.segments.set(merged.segmentId, merged);
  if (merged !== undefined) e.onRowsMoved?.(state.tableId, merged, sources.map((s, i) => ({ segmentId: s.segmentId, offsets: maps[i]! })));
  e.log.debug({ tableId: state.tableId, sources: sources.map((s) => s.segmentId), merged: merged?.segmentId, rows: merged?.rowCount ?? 0 }, 'merged segments');
}

/** Seed 001's merge: each group catalog.planMerges proposes becomes one file. Returns merges done. */
export async function mergeSmallFiles(e: EngineContext, state: TableState): Promise<number> {
  let done = 0;
  for (const group of e.catalog.planMerges(state.tableId)) {
    const byFile = new Map([...state.segments.values()].filter((s) => s.file !== undefined).map((s) => [s.file!.fileRowId, s]));
    const sources = group.map((id) => byFile.get(id));
    if (sources.some((s) => s === undefined)) continue;
    if (await mergeSegments(e, state, sources as Segment[])) done++;
  }
  return done;
}

/** Rewrites RAW segments whose deleted fraction exceeds the threshold. Returns rewrites done. */
export async function compactDeleted(e: EngineContext, state: TableState): Promise<number> {
  const raw = new Set(e.catalog.files(state.tableId, [FileState.RAW]).map((f) => f.id));
  let done = 0;
  for (const seg of [...state.segments.values()]) {
    if (seg.state !== 'sealed' || seg.file === undefined || !raw.has(seg.file.fileRowId) || seg.rowCount === 0) continue;
    if (seg.deletes.count / seg.rowCount <= e.compactDeletedFraction) continue;
    if (await mergeSegments(e, state, [seg])) done++;
  }
  return done;
}

/** Removes TO_DELETE files no snapshot pins (object, delete file, then catalog row). Returns files removed. */
export async function cleanFiles(e: EngineContext): Promise<number> {
  const removed: number[] = [];
  for (const f of e.catalog.filesToDelete()) {
    if (e.pins.isPinned(f.segmentId)) continue;
    await e.store.delete(f.location);
    const shared = e.catalog.files(f.tableId).some((o) => o.id !== f.id && o.segmentId === f.segmentId && o.fileType !== FileState.TO_DELETE);
    if (!shared) await e.store.delete(deleteFileKey(f.tableId, f.segmentId));
    removed.push(f.id);
  }
  if (removed.length > 0) e.catalog.removeFiles(removed);
  e.catalog.purgeDroppedTables();
  const oldest = e.minActiveBeginSeq();
  for (const state of e.tables.values()) {
    for (const [old, fwd] of state.forwards) if (!e.pins.isPinned(old) && fwd.swapSeq < oldest) state.forwards.delete(old);
  }
  return removed.length;
}
