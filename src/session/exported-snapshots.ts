/**
 * pg_export_snapshot() / SET TRANSACTION SNAPSHOT (what `pg_dump -j` uses so that its worker
 * connections read the leader's snapshot): an exported snapshot is the exporting transaction's
 * set of table snapshots (session/data-access.ts), registered under a PostgreSQL-style id
 * ("0000ABCD-00000001-1") until that transaction ends. An importing REPEATABLE READ
 * transaction pins the same segments (and row counts and delete views) for itself, so it
 * keeps them even after the exporter ends.
 */
import { DbError, SqlState } from '../errors/index.ts';
import type { TableSnapshot } from '../storage/index.ts';
import type { Database } from './database.ts';

const registries = new WeakMap<Database, Map<string, ReadonlyMap<number, TableSnapshot>>>();
let exportCount = 0;

function registry(db: Database): Map<string, ReadonlyMap<number, TableSnapshot>> {
  let r = registries.get(db);
  if (!r) registries.set(db, (r = new Map()));
  return r;
}

/** Registers the snapshot set; returns its id and the function that withdraws it (at the exporter's transaction end). */
export function exportSnapshots(db: Database, backendPid: number, snapshots: ReadonlyMap<number, TableSnapshot>): { id: string; withdraw: () => void } {
  const hex = (n: number): string => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
  const id = `${hex(backendPid)}-${hex(++exportCount)}-1`;
  registry(db).set(id, snapshots);
  return { id, withdraw: () => registry(db).delete(id) };
}

/** New snapshots (pinned for the importer) of an exported set; 22023 for a malformed or unknown id (PostgreSQL says the same for both). */
export function importSnapshots(db: Database, id: string): Map<number, TableSnapshot> {
  if (!/^[0-9A-F-]+$/.test(id)) throw new DbError(SqlState.InvalidParameterValue, `invalid snapshot identifier: "${id}"`);
  const exported = registry(db).get(id);
  if (!exported) throw new DbError(SqlState.InvalidParameterValue, `invalid snapshot identifier: "${id}"`);
  const out = new Map<number, TableSnapshot>();
  for (const [tableId, s] of exported) if (db.storage.table(tableId)) out.set(tableId, s.share());
  return out;
}
