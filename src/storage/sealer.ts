/**
 * storage/: turning memory into files. `sealHead` writes a table's oldest frozen segment as a
 * segment file and registers it RAW in the catalog; `persistDeletes` writes a segment's
 * delete file; `checkpoint` advances the WAL LSN recovery starts from and removes WAL files
 * that lie wholly before it.
 */
import { FileState } from '../catalog/index.ts';
import { deleteFileKey, encodeDeleteFile } from './delete-file.ts';
import { CHECKPOINT_META_KEY, type EngineContext, minLsn, sealedThroughKey } from './engine-context.ts';
import { type Segment, segmentFileKey } from './segment.ts';
import { encodeSegmentFileAsync, zonesToCatalog } from './segment-file.ts';
import type { TableState } from './table-state.ts';

/** True when the oldest frozen segment has every reserved row applied and no seal is running. */
export function sealReady(state: TableState): boolean {
  const head = state.sealQueue[0];
  return !state.sealing && head !== undefined && head.rowCount === head.reserved;
}

/**
 * Seals the head of the table's seal queue. Returns false when there was nothing to do or the
 * table/segment went away meanwhile; throws when the object store or catalog fails (the
 * segment stays frozen, its rows stay in the WAL, and a later call retries).
 */
export async function sealHead(e: EngineContext, state: TableState): Promise<boolean> {
  if (!sealReady(state)) return false;
  const seg = state.sealQueue[0]!;
  state.sealing = true;
  try {
    const attnums = [...seg.columns.keys()].sort((a, b) => a - b);
    const columns = attnums.map((attnum) => ({ attnum, typeOid: seg.typeOids.get(attnum)!, values: seg.columns.get(attnum)! }));
    const { bytes, zones } = await encodeSegmentFileAsync(state.tableId, seg.segmentId, seg.rowCount, columns);
    const key = segmentFileKey(state.tableId, seg.segmentId);
    await e.store.put(key, bytes);
    if (e.tables.get(state.tableId) !== state || state.segments.get(seg.segmentId) !== seg) {
      await e.store.delete(key);
      return false;
    }
    const row = e.catalog.addFile({
      tableId: state.tableId, segmentId: seg.segmentId, fileType: FileState.RAW, fileSize: bytes.length, rowCount: seg.rowCount,
      location: key, walLsn: e.appliedLsn, minMax: zonesToCatalog(zones),
    });
    const prev = Number(e.catalog.getMeta(sealedThroughKey(state.tableId)) ?? '0');
    if (seg.segmentId > prev) e.catalog.setMeta(sealedThroughKey(state.tableId), String(seg.segmentId));
    seg.file = { fileRowId: row.id, location: key, zones };
    seg.state = 'sealed';
    // Its columns stay in memory as a cache of the file, within the engine's budget.
    seg.cache = e.columnCache;
    seg.chargeLoaded();
    seg.firstLsn = null;
    state.sealQueue.shift();
    e.log.debug({ tableId: state.tableId, segmentId: seg.segmentId, rows: seg.rowCount, bytes: bytes.length }, 'sealed segment');
  } finally {
    state.sealing = false;
  }
  if (seg.deletes.count > 0) await persistDeletes(e, state, seg);
  return true;
}

/**
 * Writes a sealed segment's delete file as of now and records the count in the catalog. The
 * segment stays dirty until the file is durable (a checkpoint meanwhile must not pass the WAL's
 * delete records — a crash would bring the rows back); deletes applied during the write keep
 * it dirty from the LSN the file covers.
 */
export async function persistDeletes(e: EngineContext, state: TableState, seg: Segment): Promise<void> {
  if (seg.file === undefined) return;
  const view = seg.deletes.view();
  const coveredLsn = e.appliedLsn;
  await e.store.put(deleteFileKey(state.tableId, seg.segmentId), encodeDeleteFile({
    tableId: state.tableId, segmentId: seg.segmentId, rowCount: seg.rowCount, deletedCount: view.count, coveredLsn, bits: view.bits,
  }));
  if (state.segments.get(seg.segmentId) === seg) e.catalog.setDeletedCount(seg.file.fileRowId, view.count);
  seg.deletesDirtySince = seg.deletes.count === view.count ? null : minLsn(coveredLsn, seg.deletesDirtySince);
}

/** The LSN before which the WAL holds nothing that is not also in segment and delete files. */
export function checkpointLsn(e: EngineContext): bigint {
  let cp = e.appliedLsn;
  for (const state of e.tables.values()) {
    for (const seg of state.segments.values()) {
      const need = seg.state === 'sealed' ? seg.deletesDirtySince : seg.firstLsn;
      if (need !== null && need < cp) cp = need;
    }
  }
  return cp;
}

/** A checkpoint that reaches the end of the WAL starts a new file once the current one holds this much. */
const ROTATE_AT_CHECKPOINT_BYTES = 4 * 1024 * 1024;

/**
 * Records the checkpoint in catalog Meta and deletes WAL files wholly before it. When it
 * reaches the log's end, a current file of some size is closed first (a new one starts) so it
 * can go too: one large transaction (a COPY of millions of rows) fills a single file, which
 * recovery would otherwise read from its start at every start-up. Returns the checkpoint.
 */
export async function checkpoint(e: EngineContext): Promise<bigint> {
  const cp = checkpointLsn(e);
  const prev = BigInt(e.catalog.getMeta(CHECKPOINT_META_KEY) ?? '0');
  if (cp > prev) e.catalog.setMeta(CHECKPOINT_META_KEY, cp.toString());
  if (cp >= e.wal.endLsn && e.wal.currentFileBytes >= ROTATE_AT_CHECKPOINT_BYTES) await e.wal.rotate();
  await e.wal.removeBefore(cp > prev ? cp : prev);
  return cp;
}
