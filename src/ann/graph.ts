/**
 * ann/: a loaded hnswlib graph of one segment. hnswlib-node reads and writes only files, so a
 * verified envelope payload passes through a temp file once at load; searches then run in
 * the C++ core. hnswlib-node takes the query as a plain JS array: one conversion per query
 * per segment (dim numbers), measured in docs/vector-search.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import hnswlib from 'hnswlib-node';
import type { GraphMetric, IndexFileHeader } from './envelope.ts';

let tmpSeq = 0;

export class SegmentGraph {
  private constructor(
    readonly header: IndexFileHeader,
    private readonly index: hnswlib.HierarchicalNSW,
    readonly sizeBytes: number,
  ) {}

  /** Loads hnswlib's serialised bytes (already verified) through a temp file in tmpDir. */
  static load(header: IndexFileHeader, payload: Uint8Array, tmpDir: string): SegmentGraph {
    const file = path.join(tmpDir, `load-${process.pid}-${tmpSeq++}.hnsw`);
    fs.writeFileSync(file, payload);
    try {
      const index = new hnswlib.HierarchicalNSW(header.metric satisfies GraphMetric, header.dim);
      index.readIndexSync(file);
      return new SegmentGraph(header, index, payload.length);
    } finally {
      fs.rmSync(file, { force: true });
    }
  }

  /** Number of vectors in the graph. */
  get count(): number {
    return this.index.getCurrentCount();
  }

  /**
   * The k nearest labels (segment offsets) to `query` with the given ef, nearest first.
   * Distances are hnswlib's (squared L2, 1 − ip, 1 − cos) — callers re-rank exactly.
   */
  search(query: number[], k: number, ef: number): { labels: number[]; distances: number[] } {
    const n = Math.min(k, this.count);
    if (n <= 0) return { labels: [], distances: [] };
    this.index.setEf(Math.max(ef, n));
    const r = this.index.searchKnn(query, n);
    return { labels: r.neighbors, distances: r.distances };
  }
}
