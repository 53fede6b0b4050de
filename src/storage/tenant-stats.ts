/**
 * storage/: per-tenant figures of a partitioned table for tessera.tenants — visible rows
 * (clustered runs minus deleted offsets, plus rows in the growing segment and files not yet
 * clustered), an estimate of their bytes (each file's size shared by row count), how many
 * files hold the tenant alone or packed with others, whether one of its own files has a
 * graph, and the tiers of its files.
 */
import type { TenantFileInfo } from '../catalog/index.ts';
import { deletedInRange, isDeleted } from './delete-bitmap.ts';
import type { StorageEngine } from './engine.ts';
import { tenantKey } from './tenants.ts';

export interface TenantStat {
  tenant: string;
  rows: number;
  bytes: number;
  ownFiles: number;
  packedFiles: number;
  unclusteredRows: number;
  indexed: boolean;
  tiers: Set<string>;
}

/** Every tenant of a partitioned table with its figures, sorted by key. */
export async function tenantStats(engine: StorageEngine, tableId: number, files: ReadonlyMap<number, TenantFileInfo>): Promise<TenantStat[]> {
  const state = engine.tables.get(tableId);
  const keyAttnum = state?.def.partitionKey?.attnum;
  if (state === undefined || keyAttnum === undefined) return [];
  const out = new Map<string, TenantStat>();
  const stat = (k: string): TenantStat => {
    let s = out.get(k);
    if (s === undefined) out.set(k, (s = { tenant: k, rows: 0, bytes: 0, ownFiles: 0, packedFiles: 0, unclusteredRows: 0, indexed: false, tiers: new Set() }));
    return s;
  };
  const snap = engine.snapshot(tableId);
  try {
    for (const ref of snap.segments) {
      const seg = ref.segment;
      const info = seg.file === undefined ? undefined : files.get(seg.file.fileRowId);
      const bytesPerRow = info === undefined || ref.rowCount === 0 ? 0 : info.size / ref.rowCount;
      const dir = seg.tenantDir;
      if (dir !== null) {
        for (let i = 0; i < dir.keys.length; i++) {
          const s = stat(dir.keys[i]!);
          const start = dir.starts[i]!;
          const end = Math.min(dir.starts[i + 1]!, ref.rowCount);
          s.rows += end - start - deletedInRange(ref.deletes, start, end);
          s.bytes += (end - start) * bytesPerRow;
          if (dir.keys.length === 1) s.ownFiles++;
          else s.packedFiles++;
          if (dir.keys.length === 1 && info?.indexed) s.indexed = true;
          if (info !== undefined) s.tiers.add(info.tier);
        }
        continue;
      }
      const [values] = await seg.columnsFor([keyAttnum], engine.store);
      for (let off = 0; off < ref.rowCount; off++) {
        if (isDeleted(ref.deletes, off)) continue;
        const s = stat(tenantKey(values?.[off] ?? null));
        s.rows++;
        s.unclusteredRows++;
        s.bytes += bytesPerRow;
        if (info !== undefined) s.tiers.add(info.tier);
      }
    }
  } finally {
    snap.release();
  }
  return [...out.values()].filter((s) => s.rows > 0).sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0));
}
