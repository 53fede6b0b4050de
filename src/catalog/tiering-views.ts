/**
 * catalog/: the tiered-storage system views. tessera.tiering lists every object of the tiered
 * store (segment, delete and index files) with where its copies are; tessera.cache_stats is
 * one row of counters (uploads, downloads, evictions, hit ratio, cache bytes). Their data
 * comes from the running TieredStore, registered per Catalog by the server (server/tiering.ts);
 * without tiered storage both views are empty.
 */
import type { Catalog } from './catalog.ts';
import type { SystemViewColumn, SystemViewResult } from './system-views.ts';

const TEXT = 25;
const INT8 = 20;
const BOOL = 16;
const FLOAT8 = 701;
const TIMESTAMPTZ = 1184;
const UNIX_TO_PG_EPOCH_MICROS = 946_684_800_000_000n;

/** What the views read from the tiered store. */
export interface TieringViewSource {
  objects(): Iterable<{ key: string; size: number; local: boolean; remote: boolean; deleting: boolean }>;
  stats(): Readonly<Record<string, number>>;
}

const sources = new WeakMap<Catalog, TieringViewSource>();

/** Connects a catalog's views to its tiered store. */
export function registerTieringViewSource(catalog: Catalog, source: TieringViewSource): void {
  sources.set(catalog, source);
}

export const TIERING_VIEW_COLUMNS: readonly SystemViewColumn[] = [
  { name: 'table_id', typeOid: INT8 },
  { name: 'table_name', typeOid: TEXT },
  { name: 'object_key', typeOid: TEXT },
  { name: 'kind', typeOid: TEXT },
  { name: 'size_bytes', typeOid: INT8 },
  { name: 'location', typeOid: TEXT },
  { name: 'pending_upload', typeOid: BOOL },
];

const STAT_COLUMNS: readonly [string, string][] = [
  ['uploads', 'uploads'], ['upload_bytes', 'uploadBytes'], ['upload_failures', 'uploadFailures'], ['pending_uploads', 'pendingUploads'],
  ['downloads', 'downloads'], ['download_bytes', 'downloadBytes'], ['range_reads', 'rangeReads'], ['range_bytes', 'rangeBytes'],
  ['hits', 'hits'], ['misses', 'misses'], ['evictions', 'evictions'], ['evicted_bytes', 'evictedBytes'], ['local_bytes', 'localBytes'],
  ['remote_bytes', 'remoteBytes'], ['cache_budget_bytes', 'cacheBudgetBytes'], ['snapshots', 'snapshots'], ['remote_deletes', 'remoteDeletes'],
];

export const CACHE_STATS_VIEW_COLUMNS: readonly SystemViewColumn[] = [
  ...STAT_COLUMNS.map(([name]) => ({ name, typeOid: INT8 })),
  { name: 'hit_ratio', typeOid: FLOAT8 },
  { name: 'last_snapshot', typeOid: TIMESTAMPTZ },
];

function kindOf(key: string): string {
  const m = /^tables\/\d+\/(segments|deletes|indexes)\//.exec(key);
  return m === null ? 'other' : { segments: 'segment', deletes: 'delete', indexes: 'index' }[m[1] as 'segments'];
}

export function tieringViewRows(catalog: Catalog | null): SystemViewResult {
  const src = catalog === null ? undefined : sources.get(catalog);
  const rows: unknown[][] = [];
  if (src !== undefined) {
    const names = new Map<number, string | null>();
    for (const o of src.objects()) {
      if (o.deleting) continue;
      const m = /^tables\/(\d+)\//.exec(o.key);
      const tableId = m === null ? null : Number(m[1]);
      if (tableId !== null && !names.has(tableId)) names.set(tableId, catalog!.getTableById(tableId)?.name ?? null);
      rows.push([
        tableId === null ? null : BigInt(tableId), tableId === null ? null : names.get(tableId), o.key, kindOf(o.key), BigInt(o.size),
        o.local && o.remote ? 'both' : o.remote ? 'remote' : 'local', !o.remote,
      ]);
    }
    rows.sort((a, b) => (a[2]! < b[2]! ? -1 : 1));
  }
  return { columns: [...TIERING_VIEW_COLUMNS], rows };
}

export function cacheStatsViewRows(catalog: Catalog | null): SystemViewResult {
  const src = catalog === null ? undefined : sources.get(catalog);
  const rows: unknown[][] = [];
  if (src !== undefined) {
    const s = src.stats();
    const lookups = (s.hits ?? 0) + (s.misses ?? 0);
    rows.push([
      ...STAT_COLUMNS.map(([, k]) => BigInt(Math.round(s[k] ?? 0))),
      lookups === 0 ? null : (s.hits ?? 0) / lookups,
      s.lastSnapshotMicros ? BigInt(s.lastSnapshotMicros) - UNIX_TO_PG_EPOCH_MICROS : null,
    ]);
  }
  return { columns: [...CACHE_STATS_VIEW_COLUMNS], rows };
}
