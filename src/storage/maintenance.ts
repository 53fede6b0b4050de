/**
 * storage/: background maintenance — merging small RAW files (catalog.planMerges), compacting
 * segments whose deleted fraction passed the threshold, and the cleaner that removes
 * TO_DELETE files once no snapshot pins them. A merge builds its file off to the side and
 * swaps it in at a WAL barrier, leaving a forwarding map for row ids handed out before.
 */
import { FileState, mergeTier } from '../catalog/index.ts';
import { DeleteBitmap, type DeleteView, isDeleted } from './delete-bitmap.ts';
import { deleteFileKey, encodeDeleteFile } from './delete-file.ts';
import type { EngineContext, SegmentMove } from './engine-context.ts';
import { Segment, segmentFileKey } from './segment.ts';
import { encodeSegmentFileAsync, nextTurn, type ZoneMap, zonesToCatalog } from './segment-file.ts';
import type { TableState } from './table-state.ts';
import { compareTenantKeys, runsOfDirectory, type TenantDirectory, tenantExactRows, tenantKey } from './tenants.ts';

/** Rows a merge gathers between turns of the event loop (other statements run meanwhile). */
const MERGE_STEP_ROWS = 65_536;

/** One result file of a merge: its rows as (source index, offset) pairs in file order, and its tenant runs. */
interface OutputPlan {
  readonly src: number[];
  readonly off: number[];
  readonly dir: TenantDirectory | null;
}

/**
 * How a merge lays out the live rows of its sources. A plain table: one file, in source order.
 * A partitioned table: rows sorted by tenant (stable), each tenant with at least
 * `tenantExactRows(state)` rows in a file of its own (it gets its own graphs), the others
 * packed with a run per tenant into files of at most `packedRows` rows (cut between tenants,
 * so packed outputs cover disjoint key ranges; docs/tenants.md).
 */
function planOutputs(
  state: TableState, sources: readonly Segment[], views: readonly DeleteView[], keyValues: readonly (readonly unknown[] | undefined)[] | null, packedRows: number,
): OutputPlan[] {
  const src: number[] = [];
  const off: number[] = [];
  sources.forEach((s, i) => {
    for (let o = 0; o < s.rowCount; o++) {
      if (isDeleted(views[i]!, o)) continue;
      src.push(i);
      off.push(o);
    }
  });
  if (src.length === 0) return [];
  if (keyValues === null) return [{ src, off, dir: null }];
  const { keys, order } = (sources.every((s) => s.tenantDir != null) ? orderByRuns(sources, src, off) : null) ?? orderByKeys(src, off, keyValues);
  const own = tenantExactRows(state);
  const outputs: OutputPlan[] = [];
  let packed = { src: [] as number[], off: [] as number[], keys: [] as string[], starts: [] as number[] };
  const closePacked = (): void => {
    if (packed.src.length === 0) return;
    outputs.push({ src: packed.src, off: packed.off, dir: { keys: packed.keys, starts: Int32Array.from([...packed.starts, packed.src.length]) } });
    packed = { src: [], off: [], keys: [], starts: [] };
  };
  for (let g = 0; g < order.length; ) {
    const key = keys[order[g]!]!;
    let end = g + 1;
    while (end < order.length && keys[order[end]!] === key) end++;
    const rows = order.slice(g, end);
    if (end - g >= own) {
      outputs.push({ src: rows.map((r) => src[r]!), off: rows.map((r) => off[r]!), dir: { keys: [key], starts: Int32Array.of(0, end - g) } });
    } else {
      if (packed.src.length > 0 && packed.src.length + rows.length > packedRows) closePacked();
      packed.keys.push(key);
      packed.starts.push(packed.src.length);
      for (const r of rows) {
        packed.src.push(src[r]!);
        packed.off.push(off[r]!);
      }
    }
    g = end;
  }
  closePacked();
  return outputs;
}

/** Rows (indexes into src/off) sorted by tenant, stable, and each row's key: the sort of every row's key. */
function orderByKeys(src: readonly number[], off: readonly number[], keyValues: readonly (readonly unknown[] | undefined)[]): { keys: string[]; order: number[] } {
  const keys = src.map((i, r) => tenantKey(keyValues[i]?.[off[r]!]));
  const order = Array.from({ length: src.length }, (_v, r) => r).sort((a, b) => compareTenantKeys(keys[a]!, keys[b]!) || a - b);
  return { keys, order };
}

/**
 * The same order when every source is clustered: their runs, sorted by (key, source), are
 * concatenated — a sort of runs instead of rows (a level merge of four 256 MiB files sorts
 * ~250,000 runs, not ~2,000,000 row keys).
 */
function orderByRuns(sources: readonly Segment[], src: readonly number[], off: readonly number[]): { keys: string[]; order: number[] } | null {
  // Where each source's live rows start in src/off (rows are listed source by source, offsets ascending).
  const firstRow = new Int32Array(sources.length + 1);
  for (let r = 0, i = 0; i <= sources.length; i++) {
    while (r < src.length && src[r]! < i) r++;
    firstRow[i] = r;
  }
  const runs: { key: string; i: number; from: number; to: number }[] = [];
  sources.forEach((s, i) => {
    const dir = s.tenantDir!;
    // Live rows of run j: those of source i whose offset lies in [starts[j], starts[j + 1]).
    let r = firstRow[i]!;
    for (let j = 0; j < dir.keys.length; j++) {
      const from = r;
      while (r < firstRow[i + 1]! && off[r]! < dir.starts[j + 1]!) r++;
      if (r > from) runs.push({ key: dir.keys[j]!, i, from, to: r });
    }
  });
  runs.sort((a, b) => compareTenantKeys(a.key, b.key) || a.i - b.i);
  const keys = new Array<string>(src.length);
  const order = new Array<number>(src.length);
  let at = 0;
  for (const run of runs) {
    for (let r = run.from; r < run.to; r++) {
      keys[r] = run.key;
      order[at++] = r;
    }
  }
  return at === src.length ? { keys, order } : null; // a row outside every run: sort the keys instead
}

/** A written result file waiting for its catalog commit. */
interface WrittenOutput {
  readonly segmentId: number;
  readonly key: string;
  readonly rows: number;
  readonly bytes: number;
  readonly zones: ZoneMap;
  readonly columns: { attnum: number; typeOid: number; values: unknown[] }[];
  readonly dir: TenantDirectory | null;
}

/**
 * Rewrites `sources` (sealed RAW segments of one table) into new segments without their
 * deleted rows — one, or for a partitioned table one per large tenant plus one packed with
 * the rest. Returns false when it was abandoned (a source changed state or went away).
 */
export async function mergeSegments(e: EngineContext, state: TableState, sources: Segment[]): Promise<boolean> {
  if (sources.length === 0 || sources.some((s) => s.state !== 'sealed' || s.file === undefined)) return false;
  for (const s of sources) e.pins.pin(s.segmentId);
  const written: WrittenOutput[] = [];
  try {
    const startViews: DeleteView[] = sources.map((s) => s.deletes.view());
    const attnums = state.liveAttnums();
    const sourceCols = await Promise.all(sources.map((s) => s.columnsFor(attnums, e.store)));
    const present = attnums.map((_a, c) => sourceCols.some((cols) => cols[c] !== undefined));
    const keyAttnum = state.def.partitionKey?.attnum;
    const keyIdx = keyAttnum === undefined ? -1 : attnums.indexOf(keyAttnum);
    // Packed outputs of about segment_size each, from the sources' bytes per row.
    const sizes = new Map(e.catalog.files(state.tableId, [FileState.RAW]).map((f) => [f.id, f.fileSize]));
    const srcBytes = sources.reduce((n, s) => n + (sizes.get(s.file!.fileRowId) ?? 0), 0);
    const srcRows = sources.reduce((n, s) => n + s.rowCount, 0);
    const packedRows = srcBytes > 0 && srcRows > 0 ? Math.max(1, Math.floor(state.def.segmentSizeBytes / (srcBytes / srcRows))) : Infinity;
    const plans = planOutputs(state, sources, startViews, keyIdx < 0 ? null : sourceCols.map((cols) => cols[keyIdx]), packedRows);
    // Where each source row went: output index and offset (-1: dropped).
    const offsetMaps = sources.map((s) => new Int32Array(s.rowCount).fill(-1));
    const targetMaps = sources.map((s) => new Int32Array(s.rowCount).fill(-1));
    for (const [o, plan] of plans.entries()) {
      const outCols: unknown[][] = attnums.map(() => []);
      for (let r = 0; r < plan.src.length; r++) {
        const i = plan.src[r]!;
        const off = plan.off[r]!;
        offsetMaps[i]![off] = r;
        targetMaps[i]![off] = o;
        const cols = sourceCols[i]!;
        for (let c = 0; c < attnums.length; c++) if (present[c]) outCols[c]!.push(cols[c]?.[off]);
        if (r % MERGE_STEP_ROWS === MERGE_STEP_ROWS - 1) await nextTurn();
      }
      const columns = attnums.map((a, c) => ({ attnum: a, typeOid: state.typeOidOf(a), values: outCols[c]! })).filter((_c, i) => present[i]);
      const segmentId = e.catalog.nextSegmentId();
      const key = segmentFileKey(state.tableId, segmentId);
      const { bytes, zones } = await encodeSegmentFileAsync(state.tableId, segmentId, plan.src.length, columns);
      written.push({ segmentId, key, rows: plan.src.length, bytes: bytes.length, zones, columns, dir: plan.dir });
      await e.store.put(key, bytes);
    }
    const sourceFileIds = sources.map((s) => s.file!.fileRowId);
    const stillLive = (): boolean => e.tables.get(state.tableId) === state && sources.every((s) => state.segments.get(s.segmentId) === s);
    // Row id forwarding: one target segment per source row (several only when a merge split tenants out).
    const forwards = sources.map((_s, i) => ({
      offsets: offsetMaps[i]!,
      targets: written.length > 1 ? targetMaps[i]!.map((o) => (o < 0 ? -1 : written[o]!.segmentId)) : undefined,
      to: written.length === 1 ? written[0]!.segmentId : -1,
    }));

    if (written.length === 0) {
      return await e.wal.barrier(() => {
        if (!stillLive()) return false;
        if (e.catalog.setFileState(sourceFileIds, [FileState.RAW], FileState.TO_DELETE) !== sources.length) {
          e.catalog.setFileState(sourceFileIds, [FileState.TO_DELETE], FileState.RAW);
          return false;
        }
        swap(e, state, sources, forwards, []);
        return true;
      });
    }

    const ok = await e.wal.barrier(async () => {
      if (!stillLive()) return false;
      // Deletes that committed while the files were being built move over to the new offsets.
      const carried = written.map(() => new DeleteBitmap());
      sources.forEach((s, i) => {
        const map = offsetMaps[i]!;
        const target = targetMaps[i]!;
        for (let off = 0; off < s.rowCount; off++) if (map[off]! >= 0 && s.deletes.has(off)) carried[target[off]!]!.set(map[off]!);
      });
      const lsn = e.appliedLsn;
      for (const [o, w] of written.entries()) {
        if (carried[o]!.count === 0) continue;
        const view = carried[o]!.view();
        await e.store.put(deleteFileKey(state.tableId, w.segmentId), encodeDeleteFile({
          tableId: state.tableId, segmentId: w.segmentId, rowCount: w.rows, deletedCount: view.count, coveredLsn: lsn, bits: view.bits,
        }));
      }
      let rows;
      try {
        rows = e.catalog.commitRewrite(state.tableId, sourceFileIds, written.map((w, o) => ({
          segmentId: w.segmentId, fileSize: w.bytes, rowCount: w.rows, location: w.key, walLsn: lsn, minMax: zonesToCatalog(w.zones),
          deletedCount: carried[o]!.count, tenantRuns: w.dir === null ? undefined : runsOfDirectory(w.dir),
        })));
      } catch (err) {
        e.log.info({ err, tableId: state.tableId }, 'merge abandoned');
        return false;
      }
      const merged = written.map((w, o) => {
        const seg = new Segment(state.tableId, w.segmentId, 'sealed', w.rows, carried[o]!);
        seg.file = { fileRowId: rows[o]!.id, location: w.key, zones: w.zones };
        seg.tenantDir = w.dir;
        seg.cache = e.columnCache;
        for (const c of w.columns) {
          seg.columns.set(c.attnum, c.values);
          seg.typeOids.set(c.attnum, c.typeOid);
        }
        return seg;
      });
      swap(e, state, sources, forwards, merged);
      return true;
    });
    if (!ok) await dropWritten(e, state, written);
    return ok;
  } catch (err) {
    await dropWritten(e, state, written).catch(() => undefined);
    throw err;
  } finally {
    for (const s of sources) e.pins.unpin(s.segmentId);
  }
}

async function dropWritten(e: EngineContext, state: TableState, written: readonly WrittenOutput[]): Promise<void> {
  for (const w of written) {
    await e.store.delete(w.key);
    await e.store.delete(deleteFileKey(state.tableId, w.segmentId));
  }
}

function swap(e: EngineContext, state: TableState, sources: Segment[], forwards: readonly SegmentMove[], merged: readonly Segment[]): void {
  sources.forEach((s, i) => {
    state.segments.delete(s.segmentId);
    s.cache?.forget(s);
    const f = forwards[i]!;
    state.forwards.set(s.segmentId, { newSegmentId: f.to, offsets: f.offsets, targets: f.targets, swapSeq: e.txSeq });
  });
  for (const m of merged) {
    state.segments.set(m.segmentId, m);
    m.chargeLoaded();
  }
  if (merged.length > 0) e.onRowsMoved?.(state.tableId, sources.map((s, i) => ({ ...forwards[i]!, segmentId: s.segmentId })));
  e.log.debug({ tableId: state.tableId, sources: sources.map((s) => s.segmentId), merged: merged.map((m) => m.segmentId), rows: merged.reduce((n, m) => n + m.rowCount, 0) }, 'merged segments');
}

/** Seed 001's merge, size-tiered: each group catalog.planMerges proposes becomes one file. Returns merges done. */
export async function mergeSmallFiles(e: EngineContext, state: TableState, settle = false): Promise<number> {
  const byFile = new Map([...state.segments.values()].filter((s) => s.file !== undefined).map((s) => [s.file!.fileRowId, s]));
  const groups = state.def.partitionKey ? planTenantMerges(e, state, byFile, settle) : e.catalog.planMerges(state.tableId);
  let done = 0;
  for (const group of groups) {
    const sources = group.map((id) => byFile.get(id));
    if (sources.some((s) => s === undefined || state.segments.get(s.segmentId) !== s)) continue;
    if (await mergeSegments(e, state, sources as Segment[])) done++;
  }
  return done;
}

/** Files of one size tier a partitioned table's merge combines (size-tiered: each row is rewritten about log4 times). */
const TENANT_MERGE_FANIN = 4;

/**
 * A partitioned table's merges (docs/tenants.md): files not yet clustered by tenant are
 * clustered (together, at once); packed files merge once TENANT_MERGE_FANIN of them share a
 * size tier (up to `segment_size`), and so do a large tenant's own files. Own files never merge
 * with packed ones, and every merge re-clusters, so tenants stay contiguous while each row is
 * rewritten only a few times. Packed files of the top tiers (≥ segment_size / 4) then form a
 * level whose key ranges should not overlap: while some key lies in the ranges of several,
 * up to TENANT_MERGE_FANIN of those are merged into files of disjoint ranges (levelGroup()),
 * so in the end a small tenant lives in one packed file, and a tenant spread over many gathers
 * enough rows in one merge to get a file of its own. `settle` (VACUUM) takes packed files of
 * every size into the level.
 */
function planTenantMerges(e: EngineContext, state: TableState, byFile: ReadonlyMap<number, Segment>, settle: boolean): number[][] {
  const limit = state.def.segmentSizeBytes;
  const unclustered: { id: number; size: number }[] = [];
  const packed: { id: number; size: number }[] = [];
  const level: LevelFile[] = [];
  const own = new Map<string, { id: number; size: number }[]>();
  for (const f of e.catalog.files(state.tableId, [FileState.RAW])) {
    const dir = byFile.get(f.id)?.tenantDir;
    if (dir === undefined) continue;
    if (dir === null) unclustered.push({ id: f.id, size: f.fileSize });
    else if (dir.keys.length > 1 && (settle || f.fileSize * 4 >= limit)) level.push({ id: f.id, size: f.fileSize, min: dir.keys[0]!, max: dir.keys[dir.keys.length - 1]! });
    else if (f.fileSize >= limit) continue;
    else if (dir.keys.length === 1) pushTo(own, dir.keys[0]!, { id: f.id, size: f.fileSize });
    else packed.push({ id: f.id, size: f.fileSize });
  }
  // Files not yet clustered: together up to segment_size (a larger one alone).
  const groups: number[][] = [];
  for (let at = 0; at < unclustered.length; ) {
    const group = [unclustered[at]!.id];
    let bytes = unclustered[at++]!.size;
    while (at < unclustered.length && bytes + unclustered[at]!.size <= limit) {
      bytes += unclustered[at]!.size;
      group.push(unclustered[at++]!.id);
    }
    groups.push(group);
  }
  const tiered = (files: readonly { id: number; size: number }[]): void => {
    const tiers = new Map<number, { id: number; size: number }[]>();
    for (const f of files) {
      pushTo(tiers, mergeTier(f.size), f);
    }
    for (const list of tiers.values()) {
      // Smallest first: once two no longer fit under segment_size, no larger pair does.
      list.sort((a, b) => a.size - b.size);
      for (let at = 0; list.length - at >= TENANT_MERGE_FANIN; ) {
        const group: number[] = [];
        let bytes = 0;
        while (at < list.length && group.length < TENANT_MERGE_FANIN && (group.length === 0 || bytes + list[at]!.size <= limit)) {
          bytes += list[at]!.size;
          group.push(list[at++]!.id);
        }
        if (group.length < 2) break;
        groups.push(group);
      }
    }
  };
  tiered(packed);
  for (const list of own.values()) tiered(list);
  const overlap = levelGroup(level);
  if (overlap !== null) groups.push(overlap);
  return groups;
}

function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}

/** A packed file of the level: its tenants span [min, max] (compareTenantKeys order). */
interface LevelFile {
  readonly id: number;
  readonly size: number;
  readonly min: string;
  readonly max: string;
}

/**
 * The files to merge so that the level's ranges overlap less: up to TENANT_MERGE_FANIN of the
 * files whose ranges hold the key covered most often (smallest first); null when no two
 * ranges meet. Their merge writes disjoint ranges, so that key's cover shrinks and no key's
 * grows — repeated, every key ends in one file.
 */
export function levelGroup(files: readonly LevelFile[]): number[] | null {
  // Sweep the range ends in key order (a start before an end at the same key: ranges are closed).
  const events = files.flatMap((f) => [{ key: f.min, d: 1 }, { key: f.max, d: -1 }]);
  events.sort((a, b) => compareTenantKeys(a.key, b.key) || b.d - a.d);
  let depth = 0;
  let best = 1;
  let at: string | null = null;
  for (const ev of events) {
    depth += ev.d;
    if (depth > best) {
      best = depth;
      at = ev.key;
    }
  }
  if (at === null) return null;
  const key = at;
  const covering = files.filter((f) => compareTenantKeys(f.min, key) <= 0 && compareTenantKeys(key, f.max) <= 0);
  covering.sort((a, b) => a.size - b.size);
  return covering.slice(0, TENANT_MERGE_FANIN).map((f) => f.id);
}

/**
 * Retires sealed segments whose every row is deleted, in whatever data state (an indexed
 * segment's raw file is BACKUP, so compaction never picks it): the segment's files go
 * TO_DELETE (index files too) and its row ids forward to nowhere. Returns segments retired.
 */
export async function retireDeadSegments(e: EngineContext, state: TableState): Promise<number> {
  let done = 0;
  for (const seg of [...state.segments.values()]) {
    if (seg.state !== 'sealed' || seg.file === undefined || seg.rowCount === 0 || seg.deletes.count < seg.rowCount) continue;
    const ok = await e.wal.barrier(() => {
      if (e.tables.get(state.tableId) !== state || state.segments.get(seg.segmentId) !== seg || seg.deletes.count < seg.rowCount) return false;
      const ids = e.catalog.files(state.tableId).filter((f) => f.segmentId === seg.segmentId && f.fileType !== FileState.TO_DELETE).map((f) => f.id);
      e.catalog.setFileState(ids, [FileState.RAW, FileState.TO_INDEX, FileState.INDEX, FileState.BACKUP], FileState.TO_DELETE);
      swap(e, state, [seg], [{ offsets: new Int32Array(seg.rowCount).fill(-1), to: -1 }], []);
      return true;
    });
    if (ok) done++;
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
