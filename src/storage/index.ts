/**
 * storage/: the segment engine under the SQL layer — WAL with group commit, growing and
 * sealed columnar segments, delete bitmaps, snapshots, merge/compaction and the cleaner.
 * On-disk formats and the commit/recovery story: docs/storage.md.
 */
export { StorageEngine, type StorageEngineOptions, type MaintenanceReport } from './engine.ts';
export { WriteTx, type TxMark } from './transaction.ts';
export { TableSnapshot } from './snapshot.ts';
export type { ScanBatch, ScanOptions, TenantFilter } from './read-path.ts';
export { tenantKey, tenantExactRows, DEFAULT_TENANT_EXACT_ROWS } from './tenants.ts';
export type { ColumnZone, ZoneMap } from './segment-file.ts';
export type { RowsMovedListener, SegmentMove } from './engine-context.ts';
export type { Segment } from './segment.ts';
export { makeRowId, splitRowId, ROW_ID_SEGMENT_FACTOR, segmentFileKey } from './segment.ts';
export { registerColumnCodec, float32VectorCodec, binaryCodec, type ColumnCodec } from './column-codec.ts';
export { ByteReader, ByteWriter, crc32 } from './bytes.ts';
export { nextTurn } from './segment-file.ts';
export { readVectorColumn, packVectors, type VectorColumnRead, type VectorColumnOptions, type VectorSegment, type PackedVectors } from './vector-read.ts';
export { allocVectorFloats, vectorMemoryOf, VECTOR_MEMORY_SCRATCH_BYTES } from './vector-memory.ts';
export { isDeleted, type DeleteView } from './delete-bitmap.ts';
export { tenantStats, type TenantStat } from './tenant-stats.ts';
export { ColumnCache, defaultBudgets as defaultColumnBudgets, type ColumnCost, type Evictable } from './column-cache.ts';
