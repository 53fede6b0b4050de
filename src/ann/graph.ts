/**
 * ann/: a loaded hnswlib graph of one segment, searched either in a search worker
 * (search-pool.ts, the default) or in-process (TESSERA_SEARCH_WORKERS=0). hnswlib-node reads
 * and writes only files, so a verified envelope payload passes through a temp file once at
 * load. hnswlib-node takes the query as a plain JS array: one conversion per search, inside
 * whichever thread runs it (measured in docs/vector-search.md).
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
}

let tmpSeq = 0;

/** A graph searched on the calling thread. */
export class InProcessGraph implements SegmentGraph {
  private readonly q: number[];

  private constructor(readonly header: IndexFileHeader, private readonly index: hnswlib.HierarchicalNSW) {
    this.q = new Array<number>(header.dim);
  }

  /** Loads hnswlib's serialised bytes (already verified) through a temp file in tmpDir. */
  static load(header: IndexFileHeader, payload: Uint8Array, tmpDir: string): InProcessGraph {
    const file = path.join(tmpDir, `load-${process.pid}-${tmpSeq++}.hnsw`);
    fs.writeFileSync(file, payload);
    try {
      const index = new hnswlib.HierarchicalNSW(header.metric, header.dim);
      index.readIndexSync(file);
      return new InProcessGraph(header, index);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  get count(): number {
    return this.index.getCurrentCount();
  }

  async search(query: Float32Array, k: number, ef: number): Promise<number[]> {
    const n = Math.min(k, this.count);
    if (n <= 0) return [];
    for (let d = 0; d < this.q.length; d++) this.q[d] = query[d]!;
    this.index.setEf(Math.max(ef, n));
    return this.index.searchKnn(this.q, n).neighbors;
  }

  drop(): void {}
}
