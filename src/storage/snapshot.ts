/**
 * storage/: TableSnapshot — the set of segments of one table, each with the row count and
 * delete bitmap it had when the snapshot was taken (a shared Manifest). Its manifest pins those
 * segments: the cleaner deletes no file a live snapshot still references. Snapshots of several tables taken in the
 * same synchronous turn see the same commits (commits apply synchronously).
 */
import { DbError, SqlState } from '../errors/index.ts';
import type { DeleteView } from './delete-bitmap.ts';
import type { Segment } from './segment.ts';
import { compareTenantKeys } from './tenants.ts';

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

/**
 * The segments of a table as of one moment — each with its row count and delete view — shared
 * by every snapshot taken until something changes (a commit, a delete, a merge), so a
 * statement's snapshot costs a freshness check instead of a pin per segment. It pins its
 * segments once, from creation until it is no longer current and no snapshot holds it.
 */
export class Manifest {
  private users = 0;
  private current = true;
  /** The segments with rows, in the table's order. */
  readonly segments: readonly SegmentRef[];
  /** Segment refs by segment id (for fetch). */
  readonly byId: ReadonlyMap<number, SegmentRef>;
  /** Row counts of every segment of the table at creation (empty ones included). */
  private readonly counts: Int32Array;

  constructor(readonly version: number, private readonly all: readonly Segment[], private readonly pins: PinSet) {
    this.counts = Int32Array.from(all, (s) => s.rowCount);
    this.segments = all.filter((s) => s.rowCount > 0).map((segment) => ({ segment, rowCount: segment.rowCount, deletes: segment.deletes.view() }));
    this.byId = new Map(this.segments.map((r) => [r.segment.segmentId, r]));
    this.pinAll();
  }

  /** Clustered refs sorted by first tenant key, for segmentsFor (built on first use). */
  private locator: { first: string[]; last: string[]; maxLast: string[]; at: Int32Array; unclustered: Int32Array } | null = null;

  /**
   * The refs that may hold rows of tenants `keys` (canonical keys, storage/tenants.ts): the
   * clustered ones whose key range covers a key and every one not clustered, in snapshot
   * order. A tenant query visits those instead of every segment of a table with hundreds.
   */
  segmentsFor(keys: readonly string[]): readonly SegmentRef[] {
    const loc = (this.locator ??= this.locate());
    const hit = new Set<number>(loc.unclustered);
    for (const k of keys) {
      // Ranges starting at or before k, walked back while some earlier range can still reach k.
      let lo = 0;
      let hi = loc.first.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (loc.first[mid]! <= k) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo - 1; i >= 0 && loc.maxLast[i]! >= k; i--) if (loc.last[i]! >= k) hit.add(loc.at[i]!);
    }
    return [...hit].sort((a, b) => a - b).map((i) => this.segments[i]!);
  }

  private locate(): NonNullable<Manifest['locator']> {
    const clustered: { first: string; last: string; at: number }[] = [];
    const unclustered: number[] = [];
    this.segments.forEach((r, at) => {
      const dir = r.segment.tenantDir;
      if (dir === null || dir.keys.length === 0) unclustered.push(at);
      else clustered.push({ first: dir.keys[0]!, last: dir.keys[dir.keys.length - 1]!, at });
    });
    clustered.sort((a, b) => compareTenantKeys(a.first, b.first));
    const maxLast: string[] = [];
    for (const c of clustered) maxLast.push(maxLast.length === 0 || c.last > maxLast[maxLast.length - 1]! ? c.last : maxLast[maxLast.length - 1]!);
    return {
      first: clustered.map((c) => c.first), last: clustered.map((c) => c.last), maxLast,
      at: Int32Array.from(clustered, (c) => c.at), unclustered: Int32Array.from(unclustered),
    };
  }

  /** Whether a snapshot taken now of a table at `version` (its set of segments) would see the same. */
  fresh(version: number): boolean {
    if (!this.current || version !== this.version) return false;
    for (let i = 0; i < this.all.length; i++) if (this.all[i]!.rowCount !== this.counts[i]) return false;
    for (const r of this.segments) if (!r.segment.deletes.matches(r.deletes)) return false;
    return true;
  }

  /** A snapshot starts using it. */
  acquire(): void {
    if (this.users++ === 0 && !this.current) this.pinAll();
  }

  /** A snapshot stops using it. */
  release(): void {
    if (--this.users === 0 && !this.current) this.unpinAll();
  }

  /** No longer what new snapshots get (idempotent). */
  retire(): void {
    if (!this.current) return;
    this.current = false;
    if (this.users === 0) this.unpinAll();
  }

  private pinAll(): void {
    for (const r of this.segments) this.pins.pin(r.segment.segmentId);
  }

  private unpinAll(): void {
    for (const r of this.segments) this.pins.unpin(r.segment.segmentId);
  }
}

export class TableSnapshot {
  private live = true;

  constructor(readonly tableId: number, private readonly manifest: Manifest) {
    manifest.acquire();
  }

  get segments(): readonly SegmentRef[] {
    return this.manifest.segments;
  }

  /** The segments that may hold rows of tenants `keys` (Manifest.segmentsFor). */
  segmentsFor(keys: readonly string[]): readonly SegmentRef[] {
    return this.manifest.segmentsFor(keys);
  }

  /** Segment refs by segment id (for fetch). */
  get byId(): ReadonlyMap<number, SegmentRef> {
    return this.manifest.byId;
  }

  /** Another snapshot of the same state (an imported snapshot), released on its own. */
  share(): TableSnapshot {
    return new TableSnapshot(this.tableId, this.manifest);
  }

  get released(): boolean {
    return !this.live;
  }

  /** Asserts the snapshot is still usable. */
  check(): void {
    if (!this.live) throw new DbError(SqlState.InternalError, 'storage snapshot used after release');
  }

  /** Lets go of the manifest; idempotent. */
  release(): void {
    if (!this.live) return;
    this.live = false;
    this.manifest.release();
  }
}
