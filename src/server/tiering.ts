/**
 * server/: wiring of tiered storage (docs/tiering.md) when --s3-bucket is given. Before the
 * catalog opens: reach the bucket and, on an empty data directory, restore the catalog from
 * its snapshot in the bucket (with an empty WAL starting at the snapshot's checkpoint). After:
 * the TieredStore (objects/ as the cache in front of S3), the ledger, pinning of tier = 'hot'
 * tables and their warm-up, and the tessera.tiering / tessera.cache_stats view source.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { type Catalog, registerTieringViewSource, TierLedger } from '../catalog/index.ts';
import type { TableDef } from '../catalog/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import { encodeWalFileHeader } from '../storage/wal-format.ts';
import { CATALOG_SNAPSHOT_KEY, S3ObjectStore, TieredStore } from '../tiering/index.ts';
import type { TieringConfig } from './config.ts';

const CHECKPOINT_META_KEY = 'storage.checkpoint_lsn';
const TABLE_KEY = /^tables\/(\d+)\//;

/** The table option that pins a table's files in the local cache. */
export const TIER_OPTION = 'tier';

export interface TieringSetup {
  readonly remote: S3ObjectStore;
  /** True when the catalog was just restored from the bucket. */
  readonly restored: boolean;
}

/** Connects to the bucket and restores the catalog into an empty data directory. Call before Catalog.open. */
export async function prepareTiering(dataDir: string, cfg: TieringConfig, log: Logger): Promise<TieringSetup> {
  const remote = new S3ObjectStore({ endpoint: cfg.endpoint ?? undefined, bucket: cfg.bucket, prefix: cfg.prefix, totalTimeoutMs: cfg.timeoutMs });
  const catalogPath = path.join(dataDir, 'catalog.db');
  const walDir = path.join(dataDir, 'wal');
  const hasWal = fs.existsSync(walDir) && fs.readdirSync(walDir).some((n) => n.endsWith('.wal'));
  if (fs.existsSync(catalogPath) || hasWal) {
    // A local database starts without S3 (cached data is served; uploads wait and retry).
    void remote.ensureBucket().catch((err) => log.warn({ err: { message: (err as Error).message }, bucket: remote.describe }, 'object storage unreachable at start-up; cold data fails with 58030 until it returns'));
    return { remote, restored: false };
  }
  await remote.ensureBucket();
  let snapshot: Buffer;
  try {
    snapshot = await remote.get(CATALOG_SNAPSHOT_KEY);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      log.info({ bucket: remote.describe }, 'no catalog snapshot in the bucket: new database');
      return { remote, restored: false };
    }
    throw err;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const tmp = `${catalogPath}.restore`;
  fs.writeFileSync(tmp, snapshot);
  const fd = fs.openSync(tmp, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, catalogPath);
  log.info({ bucket: remote.describe, bytes: snapshot.length }, 'restored the catalog from the bucket');
  return { remote, restored: true };
}

export interface Tiering {
  readonly store: TieredStore;
  readonly ledger: TierLedger;
  /** Starts warm-up of pinned tables and adoption of pre-tiering local objects (background). */
  startBackground(storage: StorageEngine): void;
  /** After CREATE/ALTER TABLE: a table set to tier = 'hot' is fetched into the cache. */
  tableChanged(def: TableDef): void;
  close(timeoutMs?: number): Promise<void>;
}

/** Builds the tiered store over the opened catalog. */
export function openTiering(dataDir: string, catalog: Catalog, setup: TieringSetup, cfg: TieringConfig, fsync: boolean, log: Logger): Tiering {
  const tlog = log.child({ component: 'tiering' });
  const ledger = new TierLedger(catalog.path);
  if (setup.restored) {
    ledger.markRestored();
    // The restored catalog's checkpoint: an empty WAL starts there (unsealed rows of the old server are not in the bucket).
    const walDir = path.join(dataDir, 'wal');
    fs.mkdirSync(walDir, { recursive: true });
    const lsn = BigInt(catalog.getMeta(CHECKPOINT_META_KEY) ?? '0');
    if (lsn > 0n) fs.writeFileSync(path.join(walDir, `${lsn.toString(16).padStart(16, '0')}.wal`), encodeWalFileHeader(lsn));
  }
  const pinned = (tableId: number): boolean => catalog.getTableById(tableId)?.options?.[TIER_OPTION] === 'hot';
  const store = new TieredStore({
    cacheDir: path.join(dataDir, 'objects'),
    remote: setup.remote,
    ledger,
    log: tlog,
    cacheBytes: cfg.cacheBytes,
    fsync,
    isPinned: (key) => {
      const m = TABLE_KEY.exec(key);
      return m !== null && pinned(Number(m[1]));
    },
  });
  registerTieringViewSource(catalog, { objects: () => ledger.all(), stats: () => ({ ...store.stats }) });
  const warm = (def: TableDef): void => {
    void store.warm(`tables/${def.tableId}/`).then(
      (n) => n > 0 && tlog.info({ table: def.name, objects: n }, 'pinned table warmed up'),
      (err) => tlog.warn({ err, table: def.name }, 'warm-up of a pinned table failed'),
    );
  };
  return {
    store,
    ledger,
    startBackground() {
      for (const def of catalog.listTables()) if (pinned(def.tableId)) warm(def);
      void store.adoptLocalObjects().then(
        (n) => n > 0 && tlog.info({ objects: n }, 'recorded local objects written before tiering was enabled; uploading them'),
        (err) => tlog.warn({ err }, 'could not record pre-existing local objects'),
      );
    },
    tableChanged(def) {
      if (def.options?.[TIER_OPTION] === 'hot') warm(def);
    },
    async close(timeoutMs = 30_000) {
      await store.close(timeoutMs);
      ledger.close();
      setup.remote.close();
    },
  };
}
