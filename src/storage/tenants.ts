/**
 * storage/: tenants of a partitioned table (PARTITION BY LIST (key); docs/tenants.md). A
 * tenant is one value of the key column, named by its canonical text (`tenantKey`). Clustered
 * (sealed, merged) segments store each tenant's rows contiguously and carry a directory of
 * runs (`TenantDirectory`, persisted in the catalog's TenantRuns); growing segments and files
 * not yet clustered are indexed on demand by reading the key column once (`TenantIndex`).
 * `tenantRows()` answers "which offsets of this segment belong to these tenants" either way.
 */
import type { TenantRun } from '../catalog/index.ts';
import type { ObjectStore } from '../tiering/index.ts';
import type { Segment } from './segment.ts';

/** Canonical text of a key value: the text itself, decimal for integers; NUL (never in SQL text) for NULL. */
export function tenantKey(v: unknown): string {
  if (v === null || v === undefined) return '\u0000';
  return typeof v === 'string' ? v : String(v);
}

/** Runs of a clustered segment, sorted by key: tenant `keys[i]` holds offsets [starts[i], starts[i + 1]). */
export interface TenantDirectory {
  readonly keys: readonly string[];
  readonly starts: Int32Array;
}

/** Orders tenant keys the way clustered files are laid out (UTF-16 code units, like `<` on strings). */
export function compareTenantKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A directory from runs in row order (as the catalog returns them). */
export function directoryFromRuns(runs: readonly TenantRun[]): TenantDirectory {
  const starts = new Int32Array(runs.length + 1);
  runs.forEach((r, i) => (starts[i] = r.start));
  starts[runs.length] = runs.length === 0 ? 0 : runs[runs.length - 1]!.start + runs[runs.length - 1]!.count;
  return { keys: runs.map((r) => r.tenant), starts };
}

/** The runs of a directory (for the catalog). */
export function runsOfDirectory(dir: TenantDirectory): TenantRun[] {
  return dir.keys.map((tenant, i) => ({ tenant, start: dir.starts[i]!, count: dir.starts[i + 1]! - dir.starts[i]! }));
}

/** Index of `key` in the directory, or -1. */
export function findRun(dir: TenantDirectory, key: string): number {
  let lo = 0;
  let hi = dir.keys.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = dir.keys[mid]!;
    if (k === key) return mid;
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Offsets per tenant of an unclustered segment, extended as the segment grows. */
interface TenantIndex {
  count: number;
  readonly map: Map<string, number[]>;
}

const indexes = new WeakMap<readonly unknown[], TenantIndex>();

function indexOf(values: readonly unknown[], count: number): TenantIndex {
  let ix = indexes.get(values);
  if (ix === undefined) indexes.set(values, (ix = { count: 0, map: new Map() }));
  for (let off = ix.count; off < count; off++) {
    const k = tenantKey(values[off]);
    const list = ix.map.get(k);
    if (list === undefined) ix.map.set(k, [off]);
    else list.push(off);
  }
  if (count > ix.count) ix.count = count;
  return ix;
}

/**
 * The segment's rows among offsets [0, rowCount) whose key is one of `keys`, ascending; or
 * 'all' when the segment holds exactly one of those tenants and nothing else.
 */
export function tenantRows(seg: Segment, rowCount: number, keyAttnum: number, keys: readonly string[], store: ObjectStore): Int32Array | 'all' | Promise<Int32Array | 'all'> {
  const dir = seg.tenantDir;
  if (dir === null) return indexedRows(seg, rowCount, keyAttnum, keys, store);
  // A clustered segment answers from its directory, synchronously (most segments hold none of the keys).
  if (keys.length === 1) {
    const i = findRun(dir, keys[0]!);
    if (i < 0) return NONE;
    const s = dir.starts[i]!;
    const e = Math.min(dir.starts[i + 1]!, rowCount);
    if (s === 0 && e >= rowCount && dir.keys.length === 1) return 'all';
    return offsetRange(s, Math.max(s, e));
  }
  {
    const runs: [number, number][] = [];
    for (const k of new Set(keys)) {
      const i = findRun(dir, k);
      if (i >= 0) runs.push([dir.starts[i]!, Math.min(dir.starts[i + 1]!, rowCount)]);
    }
    if (runs.length === 1 && runs[0]![0] === 0 && runs[0]![1] >= rowCount && dir.keys.length === 1) return 'all';
    runs.sort((a, b) => a[0] - b[0]);
    let n = 0;
    for (const [s, e] of runs) n += Math.max(0, e - s);
    const out = new Int32Array(n);
    let j = 0;
    for (const [s, e] of runs) for (let off = s; off < e; off++) out[j++] = off;
    return out;
  }
}

const NONE = new Int32Array(0);

/** 0, 1, 2, …: a contiguous run's offsets are a view of it (no array filled per query; read-only). */
let iota = new Int32Array(0);

function offsetRange(start: number, end: number): Int32Array {
  if (iota.length < end) {
    iota = new Int32Array(Math.max(end, iota.length * 2));
    for (let i = 0; i < iota.length; i++) iota[i] = i;
  }
  return iota.subarray(start, end);
}

/** tenantRows of a segment without a directory: its key column indexed once per column array. */
async function indexedRows(seg: Segment, rowCount: number, keyAttnum: number, keys: readonly string[], store: ObjectStore): Promise<Int32Array | 'all'> {
  const [values] = await seg.columnsFor([keyAttnum], store);
  if (values === undefined) {
    // The segment predates the key column: every row reads NULL.
    return keys.includes(tenantKey(null)) ? Int32Array.from({ length: rowCount }, (_v, i) => i) : new Int32Array(0);
  }
  const ix = indexOf(values, rowCount);
  const lists = [...new Set(keys)].map((k) => ix.map.get(k)).filter((l): l is number[] => l !== undefined);
  let n = 0;
  for (const l of lists) for (const off of l) if (off < rowCount) n++;
  const out = new Int32Array(n);
  let j = 0;
  for (const l of lists) for (const off of l) if (off < rowCount) out[j++] = off;
  if (lists.length > 1) out.sort();
  return out;
}


/** Default of the `tenant_exact_rows` table option. */
export const DEFAULT_TENANT_EXACT_ROWS = 10_000;

/**
 * A tenant with fewer rows than this in a merge stays packed with others and is searched
 * exactly; one with at least this many gets a file (and graphs) of its own.
 */
export function tenantExactRows(state: { readonly def: { readonly options?: Readonly<Record<string, string>> } }): number {
  const opt = Number(state.def.options?.['tenant_exact_rows']);
  return Number.isSafeInteger(opt) && opt > 0 ? opt : DEFAULT_TENANT_EXACT_ROWS;
}
