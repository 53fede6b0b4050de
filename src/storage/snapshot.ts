/**
 * storage/: TableSnapshot — the set of segments of one table, each with the row count and
 * delete bitmap it had when the snapshot was taken. It pins those segments: the cleaner
 * deletes no file a live snapshot still references. Snapshots of several tables taken in the
 * same synchronous turn see the same commits (commits apply synchronously).
 */
import { DbError, SqlState } from '../errors/index.ts';
import type { DeleteView } from './delete-bitmap.ts';
import type { Segment } from './segment.ts';

/** One segment as a snapshot sees it. */
export interface SegmentRef {
  readonly segment: Segment;
  readonly rowCount: number;
  readonly deletes: DeleteView;
}

/** Reference counts of pinned segment ids, shared by the engine and its snapshots. */
export class PinSet {
  private readonly counts = new Map<number, number>();

  pin(segmentId: number): void {
    this.counts.set(segmentId, (this.counts.get(segmentId) ?? 0) + 1);
  }

  unpin(segmentId: number): void {
    const n = (this.counts.get(segmentId) ?? 0) - 1;
    if (n <= 0) this.counts.delete(segmentId);
    else this.counts.set(segmentId, n);
  }

  isPinned(segmentId: number): boolean {
    return this.counts.has(segmentId);
  }

  get size(): number {
    return this.counts.size;
  }
}

export class TableSnapshot {
  private live = true;
  /** Segment refs by segment id (for fetch). */
  readonly byId: ReadonlyMap<number, SegmentRef>;

  constructor(readonly tableId: number, readonly segments: readonly SegmentRef[], private readonly pins: PinSet) {
    for (const r of segments) pins.pin(r.segment.segmentId);
    this.byId = new Map(segments.map((r) => [r.segment.segmentId, r]));
  }

  get released(): boolean {
    return !this.live;
  }

  /** Asserts the snapshot is still usable. */
  check(): void {
    if (!this.live) throw new DbError(SqlState.InternalError, 'storage snapshot used after release');
  }

  /** Unpins the segments; idempotent. */
  release(): void {
    if (!this.live) return;
    this.live = false;
    for (const r of this.segments) this.pins.unpin(r.segment.segmentId);
  }
}
