/**
 * ann/: approximate nearest-neighbour search under the executor — per-segment hnswlib
 * graphs (built in worker threads, stored in a checksummed envelope, loaded lazily), and the
 * exact float32 kernels used where no graph serves. docs/vector-search.md tells the story.
 */
export { AnnService, graphMetricOf, graphParams, type AnnServiceOptions, type BuildReport } from './service.ts';
export type { Sketch } from './sketch.mjs';
export { InProcessGraph, searchGraphs, type SearchMode, type SegmentGraph, type GraphSearch, type BatchTarget } from './graph.ts';
export { SearchPool } from './search-pool.ts';
export { encodeIndexFile, decodeIndexFile, readIndexLayout, indexFileKey, INDEX_MAGIC, INDEX_VERSION, type GraphMetric, type IndexFileHeader, type IndexFileLayout } from './envelope.ts';
