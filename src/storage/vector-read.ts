/**
 * storage/: the read API of vector search. For one vector column it hands out, per segment
 * of a snapshot, the values packed as one Float32Array (n × dim, row-major, cached per column
 * array and extended in place as a growing segment appends), a presence mask, the snapshot's
 * delete bitmap and the row id base — plus the transaction's own provisional rows and
 * deletes. Searches then run over typed arrays without boxing a row.
 */
import type { DeleteView } from './delete-bitmap.ts';
import type { StorageEngine } from './engine.ts';
import { provisionalInTenants, type TenantFilter } from './read-path.ts';
import { makeRowId } from './segment.ts';
import { tenantRows } from './tenants.ts';
import type { TableSnapshot } from './snapshot.ts';
import type { WriteTx } from './transaction.ts';
import { allocVectorFloats } from './vector-memory.ts';

/** A column's non-NULL values packed row-major; `present[i]` is 1 when row i has a vector. */
export interface PackedVectors {
  readonly dim: number;
  readonly data: Float32Array;
  readonly present: Uint8Array;
  readonly nonNull: number;
}

/** One segment of a snapshot, as vector search sees it. */
export interface VectorSegment {
  readonly segmentId: number;
  /** Backed by a segment file (a graph can exist for it); its TableFiles row id. */
  readonly fileRowId: number | null;
  /** Row id of offset 0. */
  readonly rowIdBase: number;
  /** Rows visible in the snapshot (offsets 0..rowCount-1, minus deletes). */
  readonly rowCount: number;
  /** The column's values as stored (undefined: the segment predates the column). */
  readonly values: readonly unknown[] | undefined;
  /** Dense float32 packing when every value is a Float32Array of one length (or NULL); else null. */
  readonly packed: PackedVectors | null;
  readonly deletes: DeleteView;
  /** The requested extra columns (e.g. a WHERE's), as stored; undefined entries: the segment predates the column. */
  readonly extra: readonly (readonly unknown[] | undefined)[];
  /** A read pinned to tenants: the offsets (ascending) of their rows here; null = every row. */
  readonly rows: Int32Array | null;
  /**
   * Offset of `packed`'s first row: 0, or the start of the one run of rows read without the
   * whole column (a tenant's run in a cold clustered file); then `values` is undefined and
   * row `off` is at (off − packedBase) · dim.
   */
  readonly packedBase: number;
  /**
   * Set when the column of a sealed file was not read (`deferColumn`, not in memory): `values`
   * is undefined and `packed` null until the caller needs them — a search its graph serves
   * does not (the graph holds the vectors) — and then `load()` reads the column and returns
   * the complete segment.
   */
  readonly load: (() => Promise<VectorSegment>) | null;
}

export interface VectorColumnRead {
  readonly segments: readonly VectorSegment[];
  /** Committed row ids the transaction deleted (also as forwarded through merges); may be empty. */
  readonly ownDeletes: ReadonlySet<number>;
  /** The transaction's live provisional rows: ids (negative) and the column's values. */
  readonly provisionalIds: readonly number[];
  readonly provisionalValues: readonly unknown[];
  /** The extra columns of each provisional row (undefined: written before the column existed). */
  readonly provisionalExtra: readonly (readonly unknown[])[];
}

interface PackCache {
  count: number;
  dim: number;
  data: Float32Array;
  present: Uint8Array;
  nonNull: number;
  /** A value that cannot be packed was seen: never pack this array. */
  broken: boolean;
}

const packCache = new WeakMap<readonly unknown[], PackCache>();

/** A presence mask of n ones (a view of one shared, read-only-by-convention buffer: no allocation per read). */
let ones = new Uint8Array(0);
function allPresent(n: number): Uint8Array {
  if (ones.length < n) ones = new Uint8Array(Math.max(n, ones.length * 2)).fill(1);
  return ones.subarray(0, n);
}

/**
 * values[0..count) as one Float32Array without copying, when they are consecutive, equally
 * long, non-NULL views of one buffer (how column-codec.ts decodes a vector column); else null.
 */
function contiguousView(values: readonly unknown[], count: number): { data: Float32Array; dim: number } | null {
  const first = values[0];
  if (!(first instanceof Float32Array) || first.length === 0) return null;
  const dim = first.length;
  const buf = first.buffer;
  const base = first.byteOffset;
  for (let i = 1; i < count; i++) {
    const v = values[i];
    if (!(v instanceof Float32Array) || v.buffer !== buf || v.length !== dim || v.byteOffset !== base + i * dim * 4) return null;
  }
  return { data: new Float32Array(buf, base, count * dim), dim };
}

/** Packs values[0..count) (reusing and extending the cached prefix; a decoded column without copying). */
export function packVectors(values: readonly unknown[], count: number): PackedVectors | null {
  let c = packCache.get(values);
  if (c === undefined) {
    c = { count: 0, dim: -1, data: new Float32Array(0), present: new Uint8Array(0), nonNull: 0, broken: false };
    packCache.set(values, c);
  }
  if (c.broken) return null;
  if (c.count === 0 && count > 0) {
    const flat = contiguousView(values, count);
    if (flat !== null) {
      // A column decoded from a segment file: its values are consecutive views of one buffer.
      Object.assign(c, { count, dim: flat.dim, data: flat.data, present: new Uint8Array(count).fill(1), nonNull: count });
    }
  }
  if (c.count < count) {
    for (let i = c.count; i < count; i++) {
      const v = values[i];
      if (v === null) continue;
      if (!(v instanceof Float32Array) || (c.dim >= 0 && v.length !== c.dim)) {
        c.broken = true;
        return null;
      }
      c.dim = v.length;
    }
    const dim = Math.max(c.dim, 0);
    if (c.data.length < count * dim) {
      const cap = c.count === 0 ? count : Math.max(count, c.count * 2);
      const data = allocVectorFloats(cap * dim);
      data.set(c.data.subarray(0, c.count * dim));
      const present = new Uint8Array(cap);
      present.set(c.present.subarray(0, c.count));
      c.data = data;
      c.present = present;
    }
    for (let i = c.count; i < count; i++) {
      const v = values[i];
      if (v === null) continue;
      c.data.set(v as Float32Array, i * dim);
      c.present[i] = 1;
      c.nonNull++;
    }
    c.count = count;
  }
  return { dim: Math.max(c.dim, 0), data: c.data, present: c.present, nonNull: c.nonNull };
}

const split = (cols: (unknown[] | undefined)[]): [unknown[] | undefined, (unknown[] | undefined)[]] => [cols[0], cols.slice(1)];

export interface VectorColumnOptions {
  readonly extraAttnums?: readonly number[];
  readonly tenants?: TenantFilter;
  /** Do not read a sealed file's column that is not in memory yet (VectorSegment.load reads it). */
  readonly deferColumn?: boolean;
  /** Columns a deferred segment starts reading in the background (what late materialisation will fetch). */
  readonly prefetchAttnums?: readonly number[];
}

/** The snapshot's segments with the vector column `attnum` (loaded from segment files on first use, unless deferred). */
export async function readVectorColumn(
  engine: StorageEngine, snap: TableSnapshot, tx: WriteTx | null, attnum: number, opts: VectorColumnOptions = {},
): Promise<VectorColumnRead> {
  const extraAttnums = opts.extraAttnums ?? [];
  const tenants = opts.tenants;
  snap.check();
  const state = engine.tables.get(snap.tableId);
  const segments: VectorSegment[] = [];
  for (const ref of tenants === undefined ? snap.segments : snap.segmentsFor(tenants.keys)) {
    const seg = ref.segment;
    const found = tenants === undefined ? 'all' : tenantRows(seg, ref.rowCount, tenants.attnum, tenants.keys, engine.store);
    const only = found instanceof Promise ? await found : found;
    if (only !== 'all' && only.length === 0) continue;
    // One contiguous run (a tenant in a clustered file) of a column not in memory: read just its rows.
    const first = only === 'all' ? 0 : only[0]!;
    const contiguous = only !== 'all' && extraAttnums.length === 0 && only[only.length - 1]! - first === only.length - 1;
    const run = contiguous && !seg.columns.has(attnum) ? await seg.vectorRows(attnum, first, first + only.length, engine.store) : null;
    if (run !== null && only !== 'all') {
      segments.push({
        segmentId: seg.segmentId, fileRowId: seg.file?.fileRowId ?? null, rowIdBase: makeRowId(seg.segmentId, 0), rowCount: ref.rowCount, values: undefined,
        packed: { dim: run.length / only.length, data: run, present: allPresent(only.length), nonNull: only.length },
        deletes: ref.deletes, extra: [], rows: only, packedBase: first, load: null,
      });
      continue;
    }
    const wanted = [attnum, ...extraAttnums];
    const fileRowId = seg.state === 'sealed' && seg.file !== undefined ? seg.file.fileRowId : null;
    const complete = (values: unknown[] | undefined, extra: (unknown[] | undefined)[]): VectorSegment => ({
      segmentId: seg.segmentId,
      fileRowId,
      rowIdBase: makeRowId(seg.segmentId, 0),
      rowCount: ref.rowCount,
      values,
      packed: values === undefined ? null : packVectors(values, ref.rowCount),
      deletes: ref.deletes,
      extra,
      rows: only === 'all' ? null : only,
      packedBase: 0,
      load: null,
    });
    const inMemory = seg.columnsInMemory(wanted);
    if (inMemory === null && opts.deferColumn === true && fileRowId !== null && only === 'all' && extraAttnums.length === 0) {
      seg.prefetch(opts.prefetchAttnums ?? [], engine.store);
      segments.push({
        ...complete(undefined, []),
        load: async () => complete(...split(await seg.columnsFor(wanted, engine.store))),
      });
      continue;
    }
    segments.push(complete(...split(inMemory ?? await seg.columnsFor(wanted, engine.store))));
  }
  const w = tx?.tables.get(snap.tableId);
  const ownDeletes = new Set<number>();
  const provisionalIds: number[] = [];
  const provisionalValues: unknown[] = [];
  const provisionalExtra: unknown[][] = [];
  if (w !== undefined) {
    for (const id of w.deletes) {
      ownDeletes.add(id);
      const cur = state?.currentRowId(id);
      if (cur !== undefined) ownDeletes.add(cur);
    }
    for (let k = 0; k < w.rows.length; k++) {
      if (w.dead.has(k)) continue;
      if (tenants !== undefined && !provisionalInTenants(w, k, tenants)) continue;
      const have = w.rowAttnums[k]!;
      const row = w.rows[k]!;
      const i = have.indexOf(attnum);
      provisionalIds.push(-(k + 1));
      provisionalValues.push(i < 0 ? undefined : row[i]);
      provisionalExtra.push(extraAttnums.map((a) => {
        const j = have.indexOf(a);
        return j < 0 ? undefined : row[j];
      }));
    }
  }
  return { segments, ownDeletes, provisionalIds, provisionalValues, provisionalExtra };
}
