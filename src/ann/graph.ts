/**
 * ann/: a loaded hnswlib graph of one segment, searched either in a search worker
 * (search-pool.ts, the default) or in-process (TESSERA_SEARCH_WORKERS=0). A worker-owned
 * graph also keeps an in-process copy (`local`, unless TESSERA_SEARCH_HYBRID=0) so a short
 * search with no other search running skips the worker round trip (searchGraphs()).
 * hnswlib-node reads and writes only files, so a verified envelope payload passes through one
 * temp file at load, which both copies read. hnswlib-node takes the query as a plain JS array:
 * one conversion per search, inside whichever thread runs it (measured in
 * docs/vector-search.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import hnswlib from 'hnswlib-node';
import type { IndexFileHeader } from './envelope.ts';

/** A segment's graph: labels are segment offsets. */
export interface SegmentGraph {
  readonly header: IndexFileHeader;
  /** Number of vectors in the graph. */
  readonly count: number;
  /**
   * The k nearest labels to `query` with the given ef, nearest first (hnswlib's distance:
   * squared L2, 1 − ip, 1 − cos; callers re-rank exactly).
   */
  search(query: Float32Array, k: number, ef: number): Promise<number[]>;
  /** Frees the graph (its worker copy). */
  drop(): void;
  /** An in-process copy, searched synchronously on the calling thread; null when none. */
  readonly local: InProcessGraph | null;
  /** The worker owning the graph and its key there (batched searches); null when in-process only. */
  readonly remote: { readonly target: BatchTarget; readonly key: string } | null;
}

/** A search worker answering several graphs' searches in one round trip. */
export interface BatchTarget {
  searchMany(query: Float32Array, keys: readonly string[], ks: Int32Array, efs: Int32Array): Promise<{ labels: Int32Array; counts: Int32Array }>;
}

/** One graph search of a statement. */
export interface GraphSearch {
  readonly graph: SegmentGraph;
  readonly k: number;
  readonly ef: number;
}

/**
 * Where a statement's graph searches run: `inline` on this thread (synchronously, through the
 * in-process copies) — short, and nothing else is searching; `split`: every other graph goes to
 * its worker first and the rest are searched here meanwhile (one statement alone, several
 * segments: latency ≈ the larger half, not the sum); `pool`: all in the workers.
 */
export type SearchMode = 'inline' | 'split' | 'pool';

/** Searches several graphs with one query; the workers' share goes out in one message per worker, all in flight together. */
export async function searchGraphs(reqs: readonly GraphSearch[], query: Float32Array, mode: SearchMode): Promise<ArrayLike<number>[]> {
  const out: ArrayLike<number>[] = new Array(reqs.length);
  const byTarget = new Map<BatchTarget, number[]>();
  const here: number[] = [];
  let sent = 0;
  for (let i = 0; i < reqs.length; i++) {
    const r = reqs[i]!;
    const remote = r.graph.remote !== null && (mode === 'pool' || r.graph.local === null || (mode === 'split' && sent <= here.length));
    if (remote) {
      let list = byTarget.get(r.graph.remote!.target);
      if (list === undefined) byTarget.set(r.graph.remote!.target, (list = []));
      list.push(i);
      sent++;
    } else {
      here.push(i);
    }
  }
  const remoteDone = Promise.all([...byTarget].map(async ([target, idx]) => {
    const res = await target.searchMany(query, idx.map((i) => reqs[i]!.graph.remote!.key), Int32Array.from(idx, (i) => reqs[i]!.k), Int32Array.from(idx, (i) => reqs[i]!.ef));
    let at = 0;
    idx.forEach((i, j) => {
      const n = res.counts[j]!;
      out[i] = res.labels.subarray(at, at + n);
      at += n;
    });
  }));
  remoteDone.catch(() => undefined); // observed below; not an unhandled rejection while this thread searches
  // The workers' messages are posted; search this thread's share meanwhile.
  for (const i of here) {
    const r = reqs[i]!;
    out[i] = r.graph.local !== null ? r.graph.local.searchSync(query, r.k, r.ef) : await r.graph.search(query, r.k, r.ef);
  }
  await remoteDone;
  return out;
}

let tmpSeq = 0;

/**
 * hnswlib-node reads graphs from files only: writes a verified payload to a temp file in tmpDir
 * (asynchronously — a 1M-row graph is ~660 MB) for the in-process copy and the search worker to
 * read; the caller removes it (removeGraphFile) when both have.
 */
export async function writeGraphFile(payload: Uint8Array, tmpDir: string): Promise<string> {
  const file = path.join(tmpDir, `load-${process.pid}-${tmpSeq++}.hnsw`);
  try {
    await fs.promises.writeFile(file, payload);
  } catch (err) {
    await removeGraphFile(file);
    throw err;
  }
  return file;
}

export async function removeGraphFile(file: string): Promise<void> {
  await fs.promises.rm(file, { force: true });
}

/** A graph searched on the calling thread. */
export class InProcessGraph implements SegmentGraph {
  private readonly q: number[];
  /** Number of vectors: a loaded graph never changes, so read once (a native call per search otherwise). */
  readonly count: number;

  private constructor(readonly header: IndexFileHeader, private readonly index: hnswlib.HierarchicalNSW) {
    this.q = new Array<number>(header.dim);
    this.count = index.getCurrentCount();
  }

  /** Reads a graph from hnswlib's file (already verified) off the event loop (hnswlib's async readIndex). */
  static async loadFile(header: IndexFileHeader, file: string): Promise<InProcessGraph> {
    const index = new hnswlib.HierarchicalNSW(header.metric, header.dim);
    await index.readIndex(file);
    return new InProcessGraph(header, index);
  }

  readonly local: InProcessGraph = this;
  readonly remote = null;

  async search(query: Float32Array, k: number, ef: number): Promise<number[]> {
    return this.searchSync(query, k, ef);
  }

  /**
   * The stored vectors of `labels`, packed row-major (hnswlib keeps them: as inserted for l2
   * and ip, normalised for cosine — the same cosine distance).
   */
  points(labels: ArrayLike<number>, dim: number): Float32Array {
    const out = new Float32Array(labels.length * dim);
    for (let x = 0; x < labels.length; x++) out.set(this.index.getPoint(labels[x]!), x * dim);
    return out;
  }

  /** The search on the calling thread. */
  searchSync(query: Float32Array, k: number, ef: number): number[] {
    const n = Math.min(k, this.count);
    if (n <= 0) return [];
    for (let d = 0; d < this.q.length; d++) this.q[d] = query[d]!;
    this.index.setEf(Math.max(ef, n));
    return this.index.searchKnn(this.q, n).neighbors;
  }

  drop(): void {}
}
