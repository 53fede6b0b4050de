/**
 * storage/: the engine state shared by the commit path, sealing, maintenance and recovery
 * (engine.ts owns it; the other files take it as a parameter instead of importing the class).
 */
import type { ColumnCache } from './column-cache.ts';
import type { Logger } from 'pino';
import type { Catalog } from '../catalog/index.ts';
import type { ObjectStore } from '../tiering/index.ts';
import type { PinSet } from './snapshot.ts';
import type { TableState } from './table-state.ts';
import type { WriteAheadLog } from './wal.ts';

/** Catalog Meta key of the WAL LSN recovery starts from. */
export const CHECKPOINT_META_KEY = 'storage.checkpoint_lsn';

/** Catalog Meta key of the highest segment id of a table whose WAL inserts are already in a segment file (or discarded by TRUNCATE). */
export function sealedThroughKey(tableId: number): string {
  return `storage.sealed_through.${tableId}`;
}

export interface EngineContext {
  readonly catalog: Catalog;
  readonly store: ObjectStore;
  readonly log: Logger;
  readonly wal: WriteAheadLog;
  readonly tables: Map<number, TableState>;
  readonly pins: PinSet;
  /** End LSN of the last commit applied in memory (equal to the WAL's end between flushes). */
  appliedLsn: bigint;
  /** Transaction sequence counter (incremented by begin). */
  readonly txSeq: number;
  /** Smallest beginSeq of an active transaction, or Infinity. */
  minActiveBeginSeq(): number;
  readonly segmentMaxRows: number;
  readonly compactDeletedFraction: number;
  /** Memory budget of sealed segments' loaded columns. */
  readonly columnCache: ColumnCache;
  /** Location hook of the primary-key index (see RowsMovedListener). */
  readonly onRowsMoved?: RowsMovedListener;
}

/**
 * Called synchronously inside the WAL barrier of a merge or compaction, right after the
 * catalog moved the file states: `merged` holds the surviving rows (columns in memory, its
 * delete bitmap carrying deletes that committed meanwhile); `moves` maps each source's
 * offsets to the merged segment's. Row ids of the sources stay
 * readable through forwarding until the cleaner drops it.
 */
export type RowsMovedListener = (tableId: number, moves: readonly (SegmentMove & { readonly segmentId: number })[]) => void;

/**
 * Where a merged source segment's rows went: `offsets[old]` is the new offset (-1 = dropped)
 * in segment `to` — or, when a merge wrote several files, in segment `targets[old]`.
 */
export interface SegmentMove {
  readonly offsets: Int32Array;
  readonly to: number;
  readonly targets?: Int32Array;
}

export function minLsn(a: bigint | null, b: bigint | null): bigint | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}
