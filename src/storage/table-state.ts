/**
 * storage/: everything the engine holds for one attached table — its live segments (sealed,
 * frozen, growing), the FIFO of frozen segments waiting to seal, and the forwarding maps
 * that translate row ids of segments a merge replaced.
 */
import type { TableDef } from '../catalog/index.ts';
import { Segment, makeRowId, splitRowId } from './segment.ts';
import { Manifest, type PinSet } from './snapshot.ts';

/** Old segment → merged segment: `offsets[old]` is the new offset, or -1 when the row was deleted. */
export interface RowForward {
  readonly newSegmentId: number;
  readonly offsets: Int32Array;
  /** Per old offset, the segment the row went to, when the merge wrote several files (else newSegmentId). */
  readonly targets?: Int32Array;
  /** Engine transaction sequence number at the swap (transactions begun before may still use old ids). */
  readonly swapSeq: number;
}

/** Default for the `segment_max_rows` table option. */
export const DEFAULT_SEGMENT_MAX_ROWS = 100_000;

/** Segments by id; every change (set, delete, clear) bumps the table's segment version. */
class SegmentMap extends Map<number, Segment> {
  changed: () => void = () => undefined;
  override set(id: number, seg: Segment): this {
    super.set(id, seg);
    this.changed();
    return this;
  }
  override delete(id: number): boolean {
    const had = super.delete(id);
    if (had) this.changed();
    return had;
  }
  override clear(): void {
    super.clear();
    this.changed();
  }
}

export class TableState {
  /** Live segments by id, in id order of insertion. */
  readonly segments = new SegmentMap();
  /** Bumped whenever the set of segments changes. */
  private version = 0;
  /** What snapshots get while nothing changes (snapshot.ts Manifest). */
  private manifest: Manifest | null = null;
  growing: Segment | undefined;
  /** Frozen segments in creation order; only the head is ever being sealed. */
  readonly sealQueue: Segment[] = [];
  sealing = false;
  readonly forwards = new Map<number, RowForward>();
  /** Column type OIDs by attnum (dropped columns included: old segments still hold them). */
  readonly typeOids = new Map<number, number>();
  def!: TableDef;

  constructor(def: TableDef) {
    this.setDef(def);
    this.segments.changed = () => {
      this.version++;
      this.retireManifest();
    };
  }

  /** The manifest a snapshot taken now gets: the current one while still fresh, else a new one. */
  currentManifest(pins: PinSet): Manifest {
    if (this.manifest !== null && this.manifest.fresh(this.version)) return this.manifest;
    this.retireManifest();
    return (this.manifest = new Manifest(this.version, [...this.segments.values()], pins));
  }

  /** Lets the current manifest go (its pins drop with its last snapshot): the segments changed or the table is dropped. */
  retireManifest(): void {
    this.manifest?.retire();
    this.manifest = null;
  }

  get tableId(): number {
    return this.def.tableId;
  }

  setDef(def: TableDef): void {
    this.def = def;
    for (const c of def.columns) this.typeOids.set(c.attnum, c.typeOid);
  }

  /** Attnums of the live (not dropped) columns, ascending. */
  liveAttnums(): number[] {
    return this.def.columns.filter((c) => !c.dropped).map((c) => c.attnum);
  }

  typeOidOf(attnum: number): number {
    const oid = this.typeOids.get(attnum);
    if (oid === undefined) throw new Error(`table ${this.tableId} has no column with attnum ${attnum}`);
    return oid;
  }

  /** Row threshold at which the growing segment seals (table option `segment_max_rows`). */
  maxRows(defaultRows: number): number {
    const opt = Number(this.def.options?.['segment_max_rows']);
    return Number.isSafeInteger(opt) && opt > 0 ? opt : defaultRows;
  }

  /** Byte threshold at which the growing segment seals: the table's segment size. */
  maxBytes(): number {
    return this.def.segmentSizeBytes > 0 ? this.def.segmentSizeBytes : Number.MAX_SAFE_INTEGER;
  }

  /**
   * The current id of a committed row: follows merge forwarding; undefined when the row's
   * segment is gone (truncated) or the row was dropped by a merge (it was deleted).
   */
  resolveRowId(rowId: number): { segment: Segment; offset: number } | undefined {
    let { segmentId, offset } = splitRowId(rowId);
    for (let hops = 0; hops < 1000; hops++) {
      const seg = this.segments.get(segmentId);
      if (seg !== undefined) return offset < seg.reserved ? { segment: seg, offset } : undefined;
      const fwd = this.forwards.get(segmentId);
      if (fwd === undefined || offset >= fwd.offsets.length) return undefined;
      const next = fwd.offsets[offset]!;
      if (next < 0) return undefined;
      segmentId = fwd.targets !== undefined ? fwd.targets[offset]! : fwd.newSegmentId;
      offset = next;
    }
    return undefined;
  }

  /** `rowId` after following forwards (for comparing a transaction's old ids with new segments). */
  currentRowId(rowId: number): number | undefined {
    const r = this.resolveRowId(rowId);
    return r === undefined ? undefined : makeRowId(r.segment.segmentId, r.offset);
  }

  /** Frozen or growing segments, by id. */
  unsealed(): Segment[] {
    return [...this.segments.values()].filter((s) => s.state !== 'sealed');
  }
}
