/**
 * catalog/: the tiering ledger (TierObjects, migration 0003) on its own SQLite connection to
 * the catalog file: one row per object the tiered store holds — size, CRC-32, local/remote
 * copies, deferred remote deletion — kept in memory too, plus TableFiles.tier kept in step.
 * Also takes consistent snapshots of the whole catalog file (VACUUM INTO).
 */
import Database from 'better-sqlite3';
import { nowMicros } from './catalog-db.ts';

/** One object of the tiered store. */
export interface TierRecord {
  key: string;
  size: number;
  crc32: number;
  local: boolean;
  remote: boolean;
  deleting: boolean;
}

function tierOf(r: TierRecord | undefined): string {
  if (r === undefined) return 'local';
  return r.local && r.remote ? 'both' : r.remote ? 'remote' : 'local';
}

export class TierLedger {
  private readonly db: Database.Database;
  private readonly records = new Map<string, TierRecord>();
  private lastDataVersion = -1;

  /** Opens a connection to an already-migrated catalog file and loads every record. */
  constructor(readonly catalogPath: string) {
    this.db = new Database(catalogPath);
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('synchronous = FULL');
    const rows = this.db.prepare('SELECT key, size, crc32, local, remote, deleting FROM TierObjects').all() as
      { key: string; size: number; crc32: number; local: number; remote: number; deleting: number }[];
    for (const r of rows) this.records.set(r.key, { key: r.key, size: r.size, crc32: r.crc32 >>> 0, local: r.local === 1, remote: r.remote === 1, deleting: r.deleting === 1 });
  }

  get(key: string): TierRecord | undefined {
    return this.records.get(key);
  }

  all(): IterableIterator<TierRecord> {
    return this.records.values();
  }

  /** Inserts or replaces a record (and TableFiles.tier of the file at that location). */
  put(rec: TierRecord): void {
    this.records.set(rec.key, rec);
    this.db.prepare(
      `INSERT INTO TierObjects (key, size, crc32, local, remote, deleting, updated_on) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET size = excluded.size, crc32 = excluded.crc32, local = excluded.local, remote = excluded.remote,
         deleting = excluded.deleting, updated_on = excluded.updated_on`,
    ).run(rec.key, rec.size, rec.crc32, rec.local ? 1 : 0, rec.remote ? 1 : 0, rec.deleting ? 1 : 0, nowMicros());
    this.db.prepare('UPDATE TableFiles SET tier = ? WHERE location = ?').run(tierOf(rec), rec.key);
  }

  /** Changes flags of an existing record; no-op when absent. */
  update(key: string, flags: Partial<Pick<TierRecord, 'local' | 'remote' | 'deleting'>>): void {
    const r = this.records.get(key);
    if (r !== undefined) this.put({ ...r, ...flags });
  }

  remove(key: string): void {
    this.records.delete(key);
    this.db.prepare('DELETE FROM TierObjects WHERE key = ?').run(key);
  }

  /** After restoring the catalog from the bucket: no local copies exist; records never uploaded are gone. */
  markRestored(): void {
    this.db.prepare('DELETE FROM TierObjects WHERE remote = 0').run();
    this.db.prepare('UPDATE TierObjects SET local = 0').run();
    for (const [key, r] of this.records) {
      if (!r.remote) this.records.delete(key);
      else r.local = false;
    }
    this.syncTableFiles();
  }

  /** TableFiles.tier for every file from the ledger (files added after their object's record). */
  syncTableFiles(): void {
    this.db.prepare(
      `UPDATE TableFiles SET tier = (SELECT CASE WHEN o.local = 1 AND o.remote = 1 THEN 'both' WHEN o.remote = 1 THEN 'remote' ELSE 'local' END
         FROM TierObjects o WHERE o.key = TableFiles.location)
       WHERE location IN (SELECT key FROM TierObjects)`,
    ).run();
  }

  /** True when another connection (the catalog) committed since the last call. */
  catalogChanged(): boolean {
    const v = this.db.pragma('data_version', { simple: true }) as number;
    const changed = v !== this.lastDataVersion;
    this.lastDataVersion = v;
    return changed;
  }

  /** A consistent, compacted copy of the whole catalog file at `dest` (VACUUM INTO; the catalog is small). */
  async backupTo(dest: string): Promise<void> {
    this.db.prepare('VACUUM INTO ?').run(dest);
  }

  /** Object keys a catalog file (e.g. a snapshot) still references: file locations and their delete files. */
  referencedKeys(catalogFile: string): Set<string> {
    const db = new Database(catalogFile, { readonly: true });
    try {
      const out = new Set<string>();
      for (const r of db.prepare('SELECT table_id, segment_id, location FROM TableFiles').all() as { table_id: number; segment_id: number; location: string }[]) {
        out.add(r.location);
        out.add(`tables/${r.table_id}/deletes/${r.segment_id}.del`);
      }
      return out;
    } finally {
      db.close();
    }
  }

  close(): void {
    this.db.close();
  }
}
