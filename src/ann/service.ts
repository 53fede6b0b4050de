/**
 * ann/: AnnService — the native-index side of vector search. It keeps one hnswlib graph per
 * sealed segment for every ANN index (hnsw; ivfflat is built as hnsw), builds missing graphs
 * in worker threads (BuildPool) following seed 001's file states (RAW → TO_INDEX; graph
 * NEW_INDEX → INDEX; raw → BACKUP), stores them through the ObjectStore in a checksummed
 * envelope, and loads them lazily into a cache for searches. A timer (and CREATE INDEX /
 * REINDEX, which wait) starts builds; growing segments and files without a graph yet are
 * searched exactly by the caller.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { ANN_METHODS, createIndexProgress, type Catalog, type CreateIndexProgress, type IndexDef, type IndexFileRow } from '../catalog/index.ts';
import { packVectors, type Evictable, type StorageEngine } from '../storage/index.ts';
import { DbError, SqlState } from '../errors/index.ts';
import { checkSection, checkSectionInSteps, encodeIndexFile, INDEX_HEAD_BYTES, indexFileKey, readIndexLayout, type GraphMetric, type IndexFileLayout } from './envelope.ts';
import { InProcessGraph, removeGraphFile, writeGraphFile, type SegmentGraph } from './graph.ts';
import { decodeSketch, type Sketch } from './sketch.mjs';
import { SearchPool, defaultSearchWorkers } from './search-pool.ts';
import { BuildPool, buildThreads, defaultBuildWorkers } from './worker-pool.ts';

/** Opclass → the hnswlib space its graph is built in; other opclasses are searched exactly. */
export function graphMetricOf(opclass: string | null): GraphMetric | null {
  if (opclass === null) return null;
  const m = /^(vector|halfvec)_(l2|ip|cosine)_ops$/.exec(opclass);
  return m === null ? null : (m[2] as GraphMetric);
}

/** hnsw's m and ef_construction of an index (ivfflat: pgvector's hnsw defaults). */
export function graphParams(index: IndexDef): { m: number; efConstruction: number } {
  const m = Number(index.options.m ?? 16);
  const efConstruction = Number(index.options.ef_construction ?? 64);
  return { m, efConstruction };
}

export interface AnnServiceOptions {
  readonly catalog: Catalog;
  readonly storage: StorageEngine;
  readonly log: Logger;
  /** Build threads (default: cores − 1, at least 1). */
  readonly buildWorkers?: number;
  /** Search threads owning the loaded graphs (default: cores − 1, at least 1); 0 searches on the main thread. */
  readonly searchWorkers?: number;
  /** Period of the background check for segments without graphs; 0 disables (default 1000). */
  readonly pollMs?: number;
}

export interface BuildReport {
  built: number;
  failed: number;
  ms: number;
}

/** How long an evicted graph's worker copy stays (a statement may still be searching it). */
const GRAPH_DROP_DELAY_MS = 10_000;

/**
 * hnswlib-node reads and writes graphs only as files: their passage is a RAM-backed temp dir
 * (/dev/shm) where there is one, else the OS temp dir.
 */
export function memoryTmp(): string {
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}

const sketchLocal = process.env.TESSERA_SKETCH_LOCAL === '1';

/**
 * A temp dir for graph files on their way into hnswlib, named with this process's pid. A
 * server that was killed (a crash, SIGKILL) cannot remove its own: the dirs of processes that
 * no longer run are removed here, so they do not pile up in /dev/shm's memory.
 */
function graphTmpDir(log: Logger): string {
  const root = memoryTmp();
  for (const name of fs.readdirSync(root)) {
    const m = /^tessera-ann-(\d+)-/.exec(name);
    if (m === null || Number(m[1]) === process.pid || processRuns(Number(m[1]))) continue;
    fs.rmSync(path.join(root, name), { recursive: true, force: true });
    log.info({ dir: path.join(root, name) }, 'removed the graph temp dir of a process that no longer runs');
  }
  return fs.mkdtempSync(path.join(root, `tessera-ann-${process.pid}-`));
}

function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // it runs, as another user
  }
}

export class AnnService {
  private readonly catalog: Catalog;
  private readonly storage: StorageEngine;
  private readonly log: Logger;
  private readonly pool: BuildPool;
  private readonly searchPool: SearchPool | null;
  private readonly tmpDir: string;
  private readonly graphs = new Map<string, Promise<SegmentGraph>>();
  /** Loaded graphs by index file location (graphs' resolved values). */
  private readonly ready = new Map<string, SegmentGraph>();
  /** Index file headers and cold-start sketches by location (a sketch until the graph is loaded). */
  private readonly layouts = new Map<string, Promise<IndexFileLayout>>();
  private readonly sketches = new Map<string, Promise<{ sketch: Sketch; metric: GraphMetric } | null>>();
  /** A corrupt file found by a graph load nobody awaited (loadedGraph reports it once). */
  private readonly failed = new Map<string, unknown>();
  /** Loaded graphs' entries in the memory budget, and their serialised sizes. */
  private readonly memory = new Map<string, Evictable>();
  private readonly payloadBytes = new Map<string, number>();
  /** index id → segment id → its INDEX file; rebuilt from the catalog when `filesStale`. */
  private files = new Map<number, Map<number, IndexFileRow>>();
  private filesStale = true;
  private indexCache: Map<number, IndexDef[]> | null = null;
  private building: Promise<BuildReport> | null = null;
  /** The statement waiting for the current builds (pg_stat_progress_create_index.pid). */
  private requester: { pid: number; command: 'CREATE INDEX' | 'REINDEX' } | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private buildSeq = Date.now() % 1_000_000;
  private closed = false;
  /** `indexId:fileRowId` → time (ms) before which a failed build is not retried by the timer. */
  private readonly retryAfter = new Map<string, number>();
  /** Totals since start (tests, bench). */
  readonly stats = { built: 0, buildMs: 0, loaded: 0 };

  constructor(opts: AnnServiceOptions) {
    this.catalog = opts.catalog;
    this.storage = opts.storage;
    this.log = opts.log;
    this.pool = new BuildPool(opts.buildWorkers ?? defaultBuildWorkers());
    const searchWorkers = opts.searchWorkers ?? defaultSearchWorkers();
    this.searchPool = searchWorkers > 0 ? new SearchPool(searchWorkers) : null;
    this.tmpDir = graphTmpDir(opts.log);
    const every = opts.pollMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(() => {
        if (this.building === null && this.hasWork()) void this.buildMissing().catch((err) => this.log.warn({ err }, 'index build pass failed'));
      }, every);
      this.timer.unref();
    }
  }

  /** After index DDL: reread the index list and the graph files. */
  invalidate(): void {
    this.indexCache = null;
    this.filesStale = true;
  }

  /** The indexes of a table (cached until invalidate()). */
  indexesOf(tableId: number): readonly IndexDef[] {
    if (this.indexCache === null) {
      this.indexCache = new Map();
      for (const ix of this.catalog.listIndexes()) {
        let list = this.indexCache.get(ix.tableId);
        if (list === undefined) this.indexCache.set(ix.tableId, (list = []));
        list.push(ix);
      }
    }
    return this.indexCache.get(tableId) ?? [];
  }

  private fileMap(): Map<number, Map<number, IndexFileRow>> {
    if (this.filesStale) {
      this.filesStale = false;
      const next = new Map<number, Map<number, IndexFileRow>>();
      for (const ix of this.catalog.listIndexes()) {
        if (!ANN_METHODS.includes(ix.method)) continue;
        next.set(ix.indexId, new Map(this.catalog.indexFiles(ix.indexId).map((f) => [f.segmentId, f])));
      }
      const live = new Set([...next.values()].flatMap((m) => [...m.values()].map((f) => f.location)));
      for (const loc of this.graphs.keys()) if (!live.has(loc)) this.evictGraph(loc);
      for (const m of [this.layouts, this.sketches, this.failed]) for (const loc of m.keys()) if (!live.has(loc)) m.delete(loc);
      this.files = next;
    }
    return this.files;
  }

  /** The segment's graph for an index, loaded on first use; null when none is built (yet). */
  graphFor(indexId: number, segmentId: number): Promise<SegmentGraph> | null {
    const f = this.fileMap().get(indexId)?.get(segmentId);
    if (f === undefined) return null;
    const loc = f.location;
    let g = this.graphs.get(loc);
    const entry = this.memory.get(loc);
    if (entry !== undefined) this.storage.columnCache.touch(entry);
    if (g === undefined) {
      g = (async () => {
        const started = performance.now();
        const l = await this.layout(loc);
        const payload = await this.storage.store.getRange(loc, l.payloadOffset, l.payloadLength);
        await checkSectionInSteps(payload, l.payloadLength, l.payloadCrc, loc, 'payload');
        const fetched = performance.now();
        this.stats.loaded++;
        const { header } = l;
        this.payloadBytes.set(loc, payload.length);
        // One temp file serves both copies: the in-process one reads it asynchronously, the
        // worker on its own thread; it is removed when both have read it.
        const file = await writeGraphFile(payload, this.tmpDir);
        let local: InProcessGraph | null = null;
        try {
          if (this.searchPool === null || process.env.TESSERA_SEARCH_HYBRID !== '0') local = await InProcessGraph.loadFile(header, file);
        } catch (err) {
          await removeGraphFile(file);
          throw err;
        }
        this.log.debug({ location: loc, bytes: payload.length, fetchMs: Math.round(fetched - started), loadMs: Math.round(performance.now() - fetched) }, 'graph loaded');
        if (this.searchPool === null) {
          await removeGraphFile(file);
          return local!;
        }
        const toPool = this.searchPool.load(loc, file, header.metric, header.dim).then((h) =>
          ({ header, count: h.count, search: h.search, drop: h.drop, local, remote: { target: h.target, key: loc } }) satisfies SegmentGraph);
        void toPool.finally(() => removeGraphFile(file)).catch(() => undefined);
        if (local === null) return toPool;
        // The in-process copy serves at once (a cold first touch waits for one load, not two);
        // the worker's copy replaces it when loaded, unless the graph was dropped meanwhile.
        const bytes = payload.length;
        toPool.then((both) => {
          if (this.graphs.get(loc) !== g) return both.drop();
          this.graphs.set(loc, Promise.resolve(both));
          this.ready.set(loc, both);
          this.chargeGraph(loc, bytes);
        }, (err: unknown) => this.log.warn({ err, location: loc }, 'search worker could not load a graph; searching it in-process'));
        return local;
      })();
      this.graphs.set(loc, g);
      g.then((x) => {
        if (this.graphs.get(loc) !== g) return;
        if (!this.ready.has(loc)) this.ready.set(loc, x);
        this.sketches.delete(loc); // the graph serves from now on
        // hnswlib's memory ≈ its serialised size, per copy (in-process and/or worker).
        this.chargeGraph(loc, this.payloadBytes.get(loc) ?? 0);
      }, (err: unknown) => {
        this.graphs.delete(loc);
        // A corrupt file is reported to a query even when a sketch could answer it; other
        // failures (object storage unreachable) are retried by the next load.
        if (err instanceof DbError && err.code === SqlState.DataCorrupted) this.failed.set(loc, err);
        else this.log.warn({ err, location: loc }, 'loading a graph failed');
      });
    }
    return g;
  }

  /**
   * The segment's graph when it is loaded already (graphFor loads it); null when not. Throws
   * the XX001 of a load that found the file corrupt since the last call (it surfaces in a
   * query even when a sketch could answer it); the next call lets a load try again.
   */
  loadedGraph(indexId: number, segmentId: number): SegmentGraph | null {
    const f = this.fileMap().get(indexId)?.get(segmentId);
    if (f === undefined) return null;
    const err = this.failed.get(f.location);
    if (err !== undefined) {
      this.failed.delete(f.location);
      throw err;
    }
    const ready = this.ready.get(f.location);
    const entry = this.memory.get(f.location);
    if (ready !== undefined && entry !== undefined) this.storage.columnCache.touch(entry);
    return ready ?? null;
  }

  /**
   * Whether the segment's index file is read locally: then loading its graph (a second or two
   * at 500,000 × 128) beats ranking by the sketch, which scans every row's codes per query
   * (~250 ms for 1M rows, and the queries starve the load that would end it: a lone client ran
   * at 4 queries/s for 26 s after a restart). A file to fetch over the network is sketched.
   * TESSERA_SKETCH_LOCAL=1 sketches local files too (tests of the sketch path without S3).
   */
  graphIsLocal(indexId: number, segmentId: number): boolean {
    if (sketchLocal) return false;
    const f = this.fileMap().get(indexId)?.get(segmentId);
    return f !== undefined && (this.storage.store.isLocal?.(f.location) ?? false);
  }

  /**
   * The cold-start sketch of the segment's vectors (read from the index file alone, a fifth of
   * it), for searching a segment whose graph is still loading; null when the file has none.
   */
  sketchFor(indexId: number, segmentId: number): Promise<{ sketch: Sketch; metric: GraphMetric } | null> | null {
    const f = this.fileMap().get(indexId)?.get(segmentId);
    if (f === undefined) return null;
    const loc = f.location;
    let p = this.sketches.get(loc);
    if (p === undefined) {
      p = (async () => {
        const l = await this.layout(loc);
        if (l.sketchLength === 0) return null;
        const started = performance.now();
        const bytes = await this.storage.store.getRange(loc, l.sketchOffset, l.sketchLength);
        checkSection(bytes, l.sketchLength, l.sketchCrc, loc, 'sketch');
        this.log.info({ location: loc, bytes: bytes.length, ms: Math.round(performance.now() - started) }, 'read the cold-start sketch of an index file');
        const sketch = decodeSketch(bytes);
        if (sketch === null || sketch.n !== l.header.rowCount || sketch.dim !== l.header.dim) throw new DbError(SqlState.DataCorrupted, `invalid index file "${loc}"`, { detail: 'malformed sketch' });
        return { sketch, metric: l.header.metric };
      })();
      this.sketches.set(loc, p);
      p.catch(() => this.sketches.delete(loc));
    }
    return p;
  }

  /**
   * Charges a loaded copy of a graph to the storage engine's memory budget (ColumnCache, shared
   * with decoded columns); over budget, the least recently used graphs are evicted: they leave
   * this cache (a cold segment is then ranked by its sketch again while it reloads).
   */
  private chargeGraph(loc: string, bytes: number): void {
    let entry = this.memory.get(loc);
    if (entry === undefined) {
      const e: Evictable = { evict: () => this.evictGraph(loc, e) };
      this.memory.set(loc, (entry = e));
    }
    this.storage.columnCache.charge(entry, { heap: 0, external: bytes });
  }

  /** Drops a graph from the cache; the worker's copy a little later (a statement may still be searching it). */
  private evictGraph(loc: string, entry?: Evictable): void {
    if (entry !== undefined && this.memory.get(loc) !== entry) return;
    const g = this.graphs.get(loc);
    this.graphs.delete(loc);
    this.ready.delete(loc);
    this.payloadBytes.delete(loc);
    const e = this.memory.get(loc);
    this.memory.delete(loc);
    if (e !== undefined && entry === undefined) this.storage.columnCache.forget(e);
    if (entry !== undefined) this.log.debug({ location: loc }, 'evicted a graph from memory (memory budget)');
    g?.then((x) => setTimeout(() => x.drop(), GRAPH_DROP_DELAY_MS).unref(), () => undefined);
  }

  /** An index file's header (its first bytes), read once. */
  private layout(loc: string): Promise<IndexFileLayout> {
    let p = this.layouts.get(loc);
    if (p === undefined) {
      p = this.storage.store.getRange(loc, 0, INDEX_HEAD_BYTES).then((b) => readIndexLayout(b, loc));
      this.layouts.set(loc, p);
      p.catch(() => this.layouts.delete(loc));
    }
    return p;
  }

  /** True when some table with an ANN index has a sealed segment without a graph for it. */
  private hasWork(): boolean {
    const now = Date.now();
    return this.pendingBuilds().some((t) => (this.retryAfter.get(`${t.index.indexId}:${t.fileRowId}`) ?? 0) <= now);
  }

  private pendingBuilds(onlyIndexId?: number): { index: IndexDef; fileRowId: number; segmentId: number }[] {
    const out: { index: IndexDef; fileRowId: number; segmentId: number }[] = [];
    const files = this.fileMap();
    for (const [tableId, state] of this.storage.tables) {
      for (const index of this.indexesOf(tableId)) {
        if (onlyIndexId !== undefined && index.indexId !== onlyIndexId) continue;
        if (!ANN_METHODS.includes(index.method) || graphMetricOf(index.columns[0]?.opclass ?? null) === null) continue;
        const have = files.get(index.indexId);
        for (const seg of state.segments.values()) {
          if (seg.state !== 'sealed' || seg.file === undefined || seg.rowCount === 0) continue;
          // A partitioned table: graphs only for a large tenant's own files; packed tenants are searched exactly.
          if (state.def.partitionKey && seg.tenantDir?.keys.length !== 1) continue;
          if (have?.get(seg.segmentId)?.sourceFileId === seg.file.fileRowId) continue;
          out.push({ index, fileRowId: seg.file.fileRowId, segmentId: seg.segmentId });
        }
      }
    }
    return out;
  }

  /**
   * Builds every missing graph now (all indexes, or one); resolves when done. Concurrent
   * calls share a pass; a call during a pass waits for it and one more.
   */
  async buildMissing(requester?: { pid: number; command: 'CREATE INDEX' | 'REINDEX' }): Promise<BuildReport> {
    if (requester !== undefined) this.requester = requester;
    if (this.building !== null) {
      this.again = true;
      await this.building.catch(() => undefined);
      if (this.building !== null) return this.building;
    }
    this.again = false;
    this.building = this.buildPass().finally(() => (this.building = null));
    const r = await this.building;
    if (this.again) return this.buildMissing();
    this.requester = null;
    return r;
  }

  private async buildPass(): Promise<BuildReport> {
    const t0 = performance.now();
    const report: BuildReport = { built: 0, failed: 0, ms: 0 };
    const todo = this.pendingBuilds();
    // pg_stat_progress_create_index: one entry per index of this pass.
    const progress = createIndexProgress(this.catalog);
    const mine = new Map<number, CreateIndexProgress>();
    for (const t of todo) {
      let p = mine.get(t.index.indexId);
      if (p === undefined) {
        p = {
          pid: this.requester?.pid ?? null, tableId: t.index.tableId, indexId: t.index.indexId, command: this.requester?.command ?? 'CREATE INDEX',
          phase: 'initializing', blocksTotal: 0, blocksDone: 0, tuplesTotal: 0, tuplesDone: 0,
        };
        mine.set(t.index.indexId, p);
        progress.set(t.index.indexId, p);
      }
      p.blocksTotal++;
      p.tuplesTotal += this.storage.tables.get(t.index.tableId)?.segments.get(t.segmentId)?.rowCount ?? 0;
    }
    try {
      await Promise.all(todo.map(async (t) => {
        const p = mine.get(t.index.indexId)!;
        const rows = this.storage.tables.get(t.index.tableId)?.segments.get(t.segmentId)?.rowCount ?? 0;
        p.phase = 'building index: loading tuples';
        try {
          if (await this.buildOne(t.index, t.fileRowId, t.segmentId)) report.built++;
        } catch (err) {
          report.failed++;
          this.retryAfter.set(`${t.index.indexId}:${t.fileRowId}`, Date.now() + 60_000);
          this.log.warn({ err, index: t.index.name, segmentId: t.segmentId }, 'building a segment graph failed; the segment is searched exactly');
        } finally {
          p.blocksDone++;
          p.tuplesDone += rows;
        }
      }));
    } finally {
      for (const [indexId, p] of mine) if (progress.get(indexId) === p) progress.delete(indexId);
    }
    report.ms = performance.now() - t0;
    return report;
  }

  private async buildOne(index: IndexDef, fileRowId: number, segmentId: number): Promise<boolean> {
    if (this.closed) return false;
    const state = this.storage.tables.get(index.tableId);
    const seg = state?.segments.get(segmentId);
    if (seg === undefined || seg.file?.fileRowId !== fileRowId) return false;
    if (!this.catalog.takeForIndexing(fileRowId)) return false;
    const attnum = index.columns[0]!.attnum;
    const metric = graphMetricOf(index.columns[0]!.opclass)!;
    this.storage.pins.pin(segmentId);
    try {
      const [values] = await seg.columnsFor([attnum], this.storage.store);
      const packed = values === undefined ? null : packVectors(values, seg.rowCount);
      if (packed === null || packed.dim === 0) return false;
      const { m, efConstruction } = graphParams(index);
      const n = seg.rowCount;
      const result = await this.pool.build({
        vectors: packed.data.subarray(0, n * packed.dim), present: packed.nonNull === n ? null : packed.present.subarray(0, n),
        n, dim: packed.dim, space: metric, m, efConstruction, seed: 100 + segmentId, tmpDir: this.tmpDir,
        threads: buildThreads(this.requester !== null, this.pool.size),
      });
      const key = indexFileKey(index.tableId, index.indexId, segmentId, this.buildSeq++);
      const bytes = encodeIndexFile({ tableId: index.tableId, segmentId, indexId: index.indexId, rowCount: n, dim: packed.dim, metric, m, efConstruction }, result.bytes, result.sketch);
      await this.storage.store.put(key, bytes);
      try {
        this.catalog.commitIndexFile(fileRowId, index.indexId, { fileSize: bytes.length, location: key });
      } catch (err) {
        await this.storage.store.delete(key);
        throw err;
      }
      this.filesStale = true;
      this.stats.built++;
      this.stats.buildMs += result.ms;
      this.log.info({ index: index.name, segmentId, rows: n, ms: Math.round(result.ms), threads: result.threads }, 'built segment graph');
      return true;
    } finally {
      this.storage.pins.unpin(segmentId);
    }
  }

  /** Builds still missing for one index (CREATE INDEX progress). */
  pendingCount(indexId?: number): number {
    return this.pendingBuilds(indexId).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    // Terminating the pools first fails a running build at once (its raw file stays TO_INDEX
    // and is rebuilt after restart) instead of holding shutdown for the whole build.
    await this.pool.close();
    await this.searchPool?.close();
    await this.building?.catch(() => undefined);
    fs.rmSync(this.tmpDir, { recursive: true, force: true });
  }
}
