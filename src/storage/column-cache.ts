/**
 * storage/: the memory budget of what can always be read again — sealed segments' columns (read
 * from segment files, or left in memory by a seal or merge) and the ANN service's loaded graphs.
 * Each entry is charged here — JS heap (value objects, array slots) and external bytes (float32
 * vector data, native graph memory) estimated separately, because V8 stops the process at its
 * heap limit long before the machine runs out of memory — and when either total passes its
 * budget the least recently used entries are evicted (`Segment.evict()` drops its columns; a
 * graph leaves the ANN service's cache). Queries holding a dropped array keep it alive until
 * they finish; the next reader reloads it.
 */
import os from 'node:os';
import v8 from 'node:v8';

/** Something charged to the budget that can drop its memory (and be read again later). */
export interface Evictable {
  evict(): void;
}

/** Estimated memory of loaded column values. */
export interface ColumnCost {
  heap: number;
  external: number;
}

/** Bytes per array slot and per boxed value on V8's heap (rounded up). */
const SLOT = 8;
const OBJECT = 32;

/** A column's estimated cost, from a sample of its values. */
export function columnCost(values: readonly unknown[]): ColumnCost {
  const n = values.length;
  if (n === 0) return { heap: 0, external: 0 };
  const step = Math.max(1, Math.floor(n / 64));
  let heap = 0;
  let external = 0;
  let sampled = 0;
  for (let i = 0; i < n; i += step) {
    const v = values[i];
    sampled++;
    if (ArrayBuffer.isView(v)) {
      heap += 96; // the view object
      external += v.byteLength;
    } else if (typeof v === 'string') heap += OBJECT + v.length * 2;
    else if (typeof v === 'bigint' || (v !== null && typeof v === 'object')) heap += OBJECT;
  }
  return { heap: Math.round((heap / sampled) * n) + n * SLOT, external: Math.round((external / sampled) * n) };
}

/** The default budgets: half the V8 heap limit, and 40% of the machine's memory for external bytes. */
export function defaultBudgets(): ColumnCost {
  return { heap: Math.floor(v8.getHeapStatistics().heap_size_limit * 0.5), external: Math.floor(os.totalmem() * 0.4) };
}

export class ColumnCache {
  /** Entries (segments with loaded columns, graphs), least recently used first, with what they are charged. */
  private readonly lru = new Map<Evictable, ColumnCost>();
  private heap = 0;
  private external = 0;
  /** Entries evicted to stay within budget (tests, logs). */
  evictions = 0;

  constructor(readonly budget: ColumnCost = defaultBudgets()) {}

  /** `seg` loaded more data; evicts other entries while over budget. */
  charge(seg: Evictable, cost: ColumnCost): void {
    const had = this.lru.get(seg) ?? { heap: 0, external: 0 };
    this.lru.delete(seg);
    this.lru.set(seg, { heap: had.heap + cost.heap, external: had.external + cost.external });
    this.heap += cost.heap;
    this.external += cost.external;
    for (const [s, c] of this.lru) {
      if (this.heap <= this.budget.heap && this.external <= this.budget.external) break;
      if (s === seg) continue;
      this.drop(s, c);
      s.evict();
      this.evictions++;
    }
  }

  /** `seg` dropped part of what it was charged (e.g. one cached chunk). */
  release(seg: Evictable, cost: ColumnCost): void {
    const c = this.lru.get(seg);
    if (c === undefined) return;
    const heap = Math.min(c.heap, cost.heap);
    const external = Math.min(c.external, cost.external);
    c.heap -= heap;
    c.external -= external;
    this.heap -= heap;
    this.external -= external;
  }

  /** `seg` was used: most recently used now. */
  touch(seg: Evictable): void {
    const c = this.lru.get(seg);
    if (c === undefined) return;
    this.lru.delete(seg);
    this.lru.set(seg, c);
  }

  /** `seg` dropped its memory (evicted, merged away, dropped). */
  forget(seg: Evictable): void {
    const c = this.lru.get(seg);
    if (c !== undefined) this.drop(seg, c);
  }

  /** What the cached columns are estimated to take now. */
  usage(): ColumnCost {
    return { heap: this.heap, external: this.external };
  }

  private drop(seg: Evictable, c: ColumnCost): void {
    this.lru.delete(seg);
    this.heap -= c.heap;
    this.external -= c.external;
  }
}
