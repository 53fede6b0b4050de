/**
 * storage/: one segment in memory. A segment is *growing* (columnar arrays appended at
 * commit), *frozen* (full, waiting for its seal to reach the object store) or *sealed*
 * (backed by an immutable segment file, columns loaded lazily per attnum and then cached).
 * Every segment owns a copy-on-write delete bitmap.
 */
import type { ObjectStore } from '../tiering/index.ts';
import { corrupted } from './bytes.ts';
import { DeleteBitmap } from './delete-bitmap.ts';
import { type ColumnCache, columnCost } from './column-cache.ts';
import type { TenantDirectory } from './tenants.ts';
import {
  CHUNK_BYTES, fixedValueAt, fixedValueChunks, fixedValueInBlock, type FixedWidthColumn, openFixedWidthColumn, readColumnChunk, readFixedWidthBlock,
  readSegmentColumn, readSegmentHeader, readVectorRows, type SegmentHeader, type ZoneMap,
} from './segment-file.ts';

/** 2^32: row id = segmentId * ROW_ID_SEGMENT_FACTOR + offset. */
export const ROW_ID_SEGMENT_FACTOR = 2 ** 32;

/** Builds a row id. */
export function makeRowId(segmentId: number, offset: number): number {
  return segmentId * ROW_ID_SEGMENT_FACTOR + offset;
}

/** Splits a (non-negative) row id. */
export function splitRowId(rowId: number): { segmentId: number; offset: number } {
  return { segmentId: Math.floor(rowId / ROW_ID_SEGMENT_FACTOR), offset: rowId % ROW_ID_SEGMENT_FACTOR };
}

/** Object key of a segment file. */
export function segmentFileKey(tableId: number, segmentId: number): string {
  return `tables/${tableId}/segments/${segmentId}.seg`;
}

export type SegmentState = 'growing' | 'frozen' | 'sealed';

/** Row ranges of vector columns a sealed segment keeps read (oldest dropped first). */
const RANGE_CACHE_ENTRIES = 4096;
/** Verified chunks of fixed-width columns a sealed segment keeps for single-value reads (least recently used dropped first): 256 MiB. */
const CHUNK_CACHE_ENTRIES = 4096;
const CHUNK_COST = { heap: 96, external: CHUNK_BYTES };
/** Above any attnum (PostgreSQL allows 1,600 columns): chunk keys are chunk · MAX_ATTNUMS + attnum. */
const MAX_ATTNUMS = 2048;
const chunkKey = (attnum: number, chunk: number): number => chunk * MAX_ATTNUMS + attnum;
/**
 * Chunks of one fixed-width column read one by one before the rest of its block is read in one
 * go and kept as raw bytes (8 bytes per int8 row, not a boxed value): many point reads of a
 * file then cost no I/O round trip each, which a busy event loop makes slow.
 */
const PROMOTE_AFTER_CHUNKS = 16;
/** Largest block kept raw (bigger ones stay with cached chunks). */
const RAW_BLOCK_MAX_BYTES = 256 * 1024 * 1024;
/** valueInMemory(): the value has to be read. */
const NOT_IN_MEMORY = Symbol('not in memory');

/** What a sealed segment knows about its file without reading it. */
export interface SegmentFileInfo {
  /** The catalog's TableFiles row id. */
  readonly fileRowId: number;
  readonly location: string;
  readonly zones: ZoneMap;
}

export class Segment {
  state: SegmentState;
  /** Rows applied (visible to snapshots taken from now on). */
  rowCount: number;
  /** Rows reserved by commits whose WAL write is in flight (≥ rowCount; growing only). */
  reserved: number;
  /** Approximate encoded bytes of the rows reserved so far (growing only). */
  reservedBytes = 0;
  readonly deletes: DeleteBitmap;
  /** LSN of this segment's first insert record while it lives only in the WAL. */
  firstLsn: bigint | null = null;
  /** LSN of the first delete applied since the delete file was last written; null when clean. */
  deletesDirtySince: bigint | null = null;
  file: SegmentFileInfo | undefined;
  /** A clustered segment of a partitioned table: its tenants' runs (storage/tenants.ts); null otherwise. */
  tenantDir: TenantDirectory | null = null;
  /** The engine's memory budget, once sealed: loaded columns are charged to it (column-cache.ts). */
  cache: ColumnCache | null = null;
  /** Loaded or appended columns by attnum; `typeOids` says what each holds. */
  readonly columns = new Map<number, unknown[]>();
  readonly typeOids = new Map<number, number>();
  private header: Promise<SegmentHeader> | undefined;
  private readonly loading = new Map<number, Promise<unknown[] | undefined>>();

  constructor(readonly tableId: number, readonly segmentId: number, state: SegmentState, rowCount = 0, deletes?: DeleteBitmap) {
    this.state = state;
    this.rowCount = rowCount;
    this.reserved = rowCount;
    this.deletes = deletes ?? new DeleteBitmap();
  }

  /** Appends rows (already in row order) whose values follow `attnums`; unknown columns become missing. */
  append(attnums: readonly number[], typeOids: readonly number[], columns: readonly unknown[][], n: number): void {
    const start = this.rowCount;
    attnums.forEach((attnum, i) => {
      let col = this.columns.get(attnum);
      if (col === undefined) {
        col = new Array<unknown>(start).fill(undefined);
        this.columns.set(attnum, col);
        this.typeOids.set(attnum, typeOids[i]!);
      }
      const src = columns[i]!;
      for (let r = 0; r < n; r++) col.push(src[r]);
    });
    for (const [attnum, col] of this.columns) {
      if (!attnums.includes(attnum)) for (let r = 0; r < n; r++) col.push(undefined);
    }
    this.rowCount += n;
    if (this.reserved < this.rowCount) this.reserved = this.rowCount;
  }

  /**
   * The values of each requested attnum (undefined entry = the segment has no such column,
   * so every row is "missing"). Sealed segments read and verify blocks on first use.
   */
  async columnsFor(attnums: readonly number[], store: ObjectStore): Promise<(unknown[] | undefined)[]> {
    if (this.state !== 'sealed' || this.file === undefined) return attnums.map((a) => this.columns.get(a));
    this.cache?.touch(this);
    return Promise.all(attnums.map((a) => this.loadColumn(a, store)));
  }

  /** The sealed file's header (read once; a failed read is tried again next time), checked against the catalog's segment id and row count. */
  private async verifiedHeader(store: ObjectStore): Promise<SegmentHeader> {
    const file = this.file!;
    this.header ??= readSegmentHeader(store, file.location);
    const header = await this.header.catch((err) => {
      this.header = undefined;
      throw err;
    });
    if (header.rowCount !== this.rowCount || header.segmentId !== this.segmentId) {
      throw corrupted(`segment file "${file.location}"`, `holds segment ${header.segmentId} with ${header.rowCount} rows, catalog says ${this.segmentId} with ${this.rowCount}`);
    }
    return header;
  }

  /** Starts reading a cold file's header and `attnums` in the background (a failure shows on the real read). */
  prefetch(attnums: readonly number[], store: ObjectStore): void {
    if (this.state !== 'sealed' || this.file === undefined) return;
    const header = (this.header ??= readSegmentHeader(store, this.file.location));
    header.catch(() => {
      if (this.header === header) this.header = undefined;
    });
    this.columnsFor(attnums, store).catch(() => undefined);
  }

  /** columnsFor without waiting, when every requested column is already in memory (the hot path); else null. */
  columnsInMemory(attnums: readonly number[]): (unknown[] | undefined)[] | null {
    if (this.state !== 'sealed' || this.file === undefined) return attnums.map((a) => this.columns.get(a));
    const out = attnums.map((a) => this.columns.get(a));
    if (out.some((c) => c === undefined)) return null;
    this.cache?.touch(this);
    return out;
  }

  private loadColumn(attnum: number, store: ObjectStore): Promise<unknown[] | undefined> {
    const have = this.columns.get(attnum);
    if (have !== undefined) return Promise.resolve(have);
    let p = this.loading.get(attnum);
    if (p === undefined) {
      const file = this.file!;
      p = (async () => {
        const header = await this.verifiedHeader(store);
        const col = header.columns.find((c) => c.attnum === attnum);
        if (col === undefined) return undefined;
        const values = await readSegmentColumn(store, file.location, header, col);
        this.columns.set(attnum, values);
        this.typeOids.set(attnum, col.typeOid);
        this.cache?.charge(this, columnCost(values));
        // Single values now come from the loaded column: its chunks are dead weight.
        for (const [k, q] of [...this.chunks]) if (k % MAX_ATTNUMS === attnum) this.dropChunk(k, q);
        const raw = this.rawBlocks.get(attnum);
        if (raw !== undefined) {
          this.rawBlocks.delete(attnum);
          this.cache?.release(this, { heap: 96, external: raw.length });
        }
        return values;
      })();
      this.loading.set(attnum, p);
      p.finally(() => this.loading.delete(attnum)).catch(() => undefined);
    }
    return p;
  }

  /**
   * One row's values of `attnums` (undefined: the segment has no such column). Columns not in
   * memory are read without loading them whole where the file allows it — a fixed-width
   * column's value from the chunk(s) holding it (a delete or lookup by primary key in a big
   * cold file must not decode the whole key column), a vector column as that row's range (late
   * materialisation of a top-k's few rows); other columns load whole.
   */
  rowAt(attnums: readonly number[], offset: number, store: ObjectStore): Promise<unknown[]> {
    // Hot path: every value from a loaded column or a cached chunk, without awaiting.
    const out = new Array<unknown>(attnums.length);
    let rest: number[] | null = null;
    for (let i = 0; i < attnums.length; i++) {
      const v = this.valueInMemory(attnums[i]!, offset);
      if (v === NOT_IN_MEMORY) (rest ??= []).push(i);
      else out[i] = v;
    }
    if (rest === null) {
      this.cache?.touch(this);
      return Promise.resolve(out);
    }
    return this.readRest(attnums, offset, store, out, rest);
  }

  private async readRest(attnums: readonly number[], offset: number, store: ObjectStore, out: unknown[], rest: readonly number[]): Promise<unknown[]> {
    const whole: number[] = [];
    await Promise.all(rest.map(async (i) => {
      const a = attnums[i]!;
      const fixed = await this.fixedValue(a, offset, store);
      if (fixed !== null) {
        out[i] = fixed.value;
        return;
      }
      const v = await this.vectorRows(a, offset, offset + 1, store).catch(() => null);
      if (v !== null) out[i] = v;
      else whole.push(i);
    }));
    if (whole.length > 0) {
      const cols = await this.columnsFor(whole.map((i) => attnums[i]!), store);
      whole.forEach((i, j) => (out[i] = cols[j]?.[offset]));
    }
    return out;
  }

  /** Row `offset`'s value of `attnum` if it is in memory (a loaded column, a growing segment's array, a cached chunk); else NOT_IN_MEMORY. */
  private valueInMemory(attnum: number, offset: number): unknown {
    const col = this.columns.get(attnum);
    if (this.state !== 'sealed' || this.file === undefined) return col?.[offset];
    if (col !== undefined) return col[offset];
    const f = this.fixedCols.get(attnum);
    if (f === undefined || f === null || f instanceof Promise) return NOT_IN_MEMORY;
    const raw = this.rawBlocks.get(attnum);
    if (raw !== undefined) {
      this.chunkValueReads++;
      return fixedValueInBlock(f, raw, offset);
    }
    const [a, b] = fixedValueChunks(f, offset);
    const first = this.cachedChunk(f, a);
    const second = b === a ? null : this.cachedChunk(f, b);
    if (first === null || (b !== a && second === null)) return NOT_IN_MEMORY;
    this.chunkValueReads++;
    return fixedValueAt(f, offset, first, second);
  }

  /** Chunk `c` of a fixed-width column if it is cached and read (most recently used now); else null. */
  private cachedChunk(f: FixedWidthColumn, c: number): Buffer | null {
    if (c === 0) return f.chunk0;
    const key = chunkKey(f.col.attnum, c);
    const have = this.chunks.get(key);
    if (have === undefined || have instanceof Promise) return null;
    this.chunks.delete(key);
    this.chunks.set(key, have);
    return have;
  }

  /** The memory its loaded columns take, charged to the budget (after a seal or merge left them in memory). */
  chargeLoaded(): void {
    for (const values of this.columns.values()) this.cache?.charge(this, columnCost(values));
  }

  /** Drops cached column data of a sealed segment (it is re-read on demand). */
  evict(): void {
    this.cache?.forget(this);
    if (this.state === 'sealed' && this.file !== undefined) {
      this.columns.clear();
      this.ranges.clear();
      this.rangeRows = 0;
      this.fixedCols.clear();
      this.chunks.clear();
      this.rawBlocks.clear();
      this.chunkReads.clear();
    }
  }

  /** Fixed-width column layouts by attnum (null: the column has none; read it whole), a promise while being opened. */
  private readonly fixedCols = new Map<number, FixedWidthColumn | null | Promise<FixedWidthColumn | null>>();
  /** Verified chunks of fixed-width columns by chunkKey(), least recently used first (a promise while read); chunk 0 stays with its layout. */
  private readonly chunks = new Map<number, Buffer | Promise<Buffer>>();
  /** Single values read through chunks instead of whole columns (tests, logs). */
  chunkValueReads = 0;

  /**
   * Row `offset`'s value of a sealed segment's fixed-width column not in memory, read from the
   * one or two verified chunks holding it (segment-file.ts openFixedWidthColumn); null when the
   * column is in memory or its block has no such layout (then use `columnsFor`). A chunk whose
   * CRC does not match is XX001.
   */
  private async fixedValue(attnum: number, offset: number, store: ObjectStore): Promise<{ value: unknown } | null> {
    if (this.state !== 'sealed' || this.file === undefined || this.columns.has(attnum)) return null;
    let layout = this.fixedCols.get(attnum);
    if (layout === undefined) {
      const file = this.file;
      const p = (async () => {
        const header = await this.verifiedHeader(store);
        const col = header.columns.find((c) => c.attnum === attnum);
        const f = col === undefined ? null : await openFixedWidthColumn(store, file.location, header, col);
        if (f !== null) this.cache?.charge(this, CHUNK_COST);
        return f;
      })();
      layout = p;
      this.fixedCols.set(attnum, p);
      p.then((f) => {
        if (this.fixedCols.get(attnum) === p) this.fixedCols.set(attnum, f);
      }, () => {
        if (this.fixedCols.get(attnum) === p) this.fixedCols.delete(attnum);
      });
    }
    const f = await layout;
    if (f === null) return null;
    const raw = this.rawBlocks.get(attnum);
    if (raw !== undefined) {
      this.chunkValueReads++;
      return { value: fixedValueInBlock(f, raw, offset) };
    }
    const [a, b] = fixedValueChunks(f, offset);
    const first = await this.chunk(f, a, store);
    const second = b === a ? null : await this.chunk(f, b, store);
    this.chunkValueReads++;
    return { value: fixedValueAt(f, offset, first, second) };
  }

  /** Raw blocks of fixed-width columns read whole after PROMOTE_AFTER_CHUNKS chunk reads (values decoded one at a time). */
  private readonly rawBlocks = new Map<number, Buffer>();
  /** Chunks read one by one per column; -1 once its whole block is being read, was read, or failed. */
  private readonly chunkReads = new Map<number, number>();
  /** Whole-block reads running (tests wait for them). */
  promotions: Promise<void>[] = [];

  /** Counts a chunk read of `f`'s column; past PROMOTE_AFTER_CHUNKS reads the whole block in the background. */
  private countChunkRead(f: FixedWidthColumn, store: ObjectStore): void {
    const attnum = f.col.attnum;
    const n = this.chunkReads.get(attnum) ?? 0;
    if (n < 0) return;
    if (n + 1 < PROMOTE_AFTER_CHUNKS || f.col.length > RAW_BLOCK_MAX_BYTES) {
      this.chunkReads.set(attnum, n + 1);
      return;
    }
    this.chunkReads.set(attnum, -1);
    const p = readFixedWidthBlock(store, f).then((block) => {
      // Evicted, or loaded whole meanwhile: keep nothing.
      if (this.fixedCols.get(attnum) !== f || this.columns.has(attnum)) return;
      this.rawBlocks.set(attnum, block);
      this.cache?.charge(this, { heap: 96, external: block.length });
      for (const [k, q] of [...this.chunks]) if (k % MAX_ATTNUMS === attnum) this.dropChunk(k, q);
    }, () => {
      // A damaged chunk somewhere in the block: stay with single chunks (the damaged one is XX001 when read).
    });
    this.promotions.push(p);
    void p.finally(() => {
      this.promotions = this.promotions.filter((q) => q !== p);
    });
  }

  /** Chunk `c` of a fixed-width column: cached, or read and verified (and charged to the memory budget). */
  private chunk(f: FixedWidthColumn, c: number, store: ObjectStore): Buffer | Promise<Buffer> {
    if (c === 0) return f.chunk0;
    const key = chunkKey(f.col.attnum, c);
    const have = this.chunks.get(key);
    if (have !== undefined) {
      this.chunks.delete(key);
      this.chunks.set(key, have);
      return have;
    }
    const read = readColumnChunk(store, f.key, f.col, f.crcs, c);
    this.countChunkRead(f, store);
    this.chunks.set(key, read);
    this.cache?.charge(this, CHUNK_COST);
    read.then((bytes) => {
      if (this.chunks.get(key) === read) this.chunks.set(key, bytes);
    }, () => this.dropChunk(key, read));
    if (this.chunks.size > CHUNK_CACHE_ENTRIES) {
      const [oldest, q] = this.chunks.entries().next().value!;
      this.dropChunk(oldest, q);
    }
    return read;
  }

  private dropChunk(key: number, p: Buffer | Promise<Buffer>): void {
    if (this.chunks.get(key) !== p) return;
    this.chunks.delete(key);
    this.cache?.release(this, CHUNK_COST);
  }

  /** Row ranges of vector columns read without their whole column (`attnum:start:end` → rows packed row-major). */
  private readonly ranges = new Map<string, Promise<Float32Array | null>>();
  private rangeRows = 0;
  /** Columns whose file layout cannot serve row ranges. */
  private readonly noRanges = new Set<number>();

  /**
   * Rows [start, end) of a sealed segment's vector column as one packed Float32Array, read
   * and verified chunk by chunk without loading the column (segment-file.ts readVectorRows);
   * null when the column is already in memory or its file cannot serve a range (then use
   * `columnsFor`). Cached per range, up to RANGE_CACHE_ENTRIES ranges per segment.
   */
  vectorRows(attnum: number, start: number, end: number, store: ObjectStore): Promise<Float32Array | null> {
    if (this.state !== 'sealed' || this.file === undefined || this.columns.has(attnum) || this.noRanges.has(attnum)) return Promise.resolve(null);
    const key = `${attnum}:${start}:${end}`;
    let p = this.ranges.get(key);
    // Once ranges cover half the segment, reading the column whole is cheaper.
    if (p === undefined && this.rangeRows + (end - start) > this.rowCount / 2) return Promise.resolve(null);
    if (p === undefined) {
      this.rangeRows += end - start;
      const file = this.file;
      p = (async () => {
        const header = await this.verifiedHeader(store);
        const col = header.columns.find((c) => c.attnum === attnum);
        const rows = col === undefined ? null : await readVectorRows(store, file.location, header, col, start, end);
        if (rows !== null) this.cache?.charge(this, { heap: 96, external: rows.byteLength });
        if (rows === null) {
          // Not a fixed-dimension vector column: never ask again.
          this.noRanges.add(attnum);
          this.ranges.delete(key);
          this.rangeRows -= end - start;
        }
        return rows;
      })();
      if (this.ranges.size >= RANGE_CACHE_ENTRIES) {
        const oldest = this.ranges.keys().next().value!;
        const [, s, e] = oldest.split(':').map(Number);
        this.rangeRows -= e! - s!;
        this.ranges.delete(oldest);
      }
      this.ranges.set(key, p);
      p.catch(() => this.ranges.delete(key));
    }
    return p;
  }
}
