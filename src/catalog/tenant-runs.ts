/**
 * catalog/: the tenant directory of clustered segment files (docs/tenants.md). A partitioned
 * table's files hold each tenant's rows contiguously; TenantRuns records, per file, every
 * tenant's run [start_row, start_row + row_count). Runs are written in the transaction that
 * registers their file and removed with it.
 */
import type { CatalogDb } from './catalog-db.ts';

/** One tenant's rows in one file. `tenant` is the key's canonical text (storage/tenants.ts). */
export interface TenantRun {
  tenant: string;
  start: number;
  count: number;
}

/** Records a file's runs (inside the caller's transaction). */
export function insertTenantRuns(cdb: CatalogDb, fileId: number, runs: readonly TenantRun[]): void {
  for (const r of runs) cdb.run('INSERT INTO TenantRuns (file_id, tenant, start_row, row_count) VALUES (?, ?, ?, ?)', fileId, r.tenant, r.start, r.count);
}

/** Every file's runs for a table's files, in row order per file. */
export function tenantRunsOfTable(cdb: CatalogDb, tableId: number): Map<number, TenantRun[]> {
  const out = new Map<number, TenantRun[]>();
  const rows = cdb.all<{ file_id: number | bigint; tenant: string; start_row: number | bigint; row_count: number | bigint }>(
    `SELECT r.file_id, r.tenant, r.start_row, r.row_count FROM TenantRuns r JOIN TableFiles f ON f.id = r.file_id
     WHERE f.table_id = ? ORDER BY r.file_id, r.start_row`, tableId);
  for (const r of rows) {
    const id = Number(r.file_id);
    let list = out.get(id);
    if (list === undefined) out.set(id, (list = []));
    list.push({ tenant: r.tenant, start: Number(r.start_row), count: Number(r.row_count) });
  }
  return out;
}

/** Drops the runs of removed files (inside the caller's transaction). */
export function deleteTenantRuns(cdb: CatalogDb, fileIdsJson: string): void {
  cdb.run('DELETE FROM TenantRuns WHERE file_id IN (SELECT value FROM json_each(?))', fileIdsJson);
}

/** What tessera.tenants shows of a partitioned table's data file: size, tier, and whether a graph was built for it. */
export interface TenantFileInfo {
  size: number;
  tier: string;
  indexed: boolean;
}

/** The table's data files (by TableFiles id) with their size, tier and index state. */
export function tenantFileInfo(cdb: CatalogDb, tableId: number): Map<number, TenantFileInfo> {
  const rows = cdb.all<{ id: number | bigint; file_size: number | bigint; tier: string; indexed: number | bigint }>(
    `SELECT f.id, f.file_size, f.tier,
       EXISTS (SELECT 1 FROM TableFiles x WHERE x.source_file_id = f.id AND x.file_type = 3) AS indexed
     FROM TableFiles f WHERE f.table_id = ? AND f.file_type IN (1, 2, 7)`, tableId);
  return new Map(rows.map((r) => [Number(r.id), { size: Number(r.file_size), tier: r.tier, indexed: Number(r.indexed) === 1 }]));
}
