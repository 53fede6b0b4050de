/**
 * Opens the embedded database in the data directory: the SQLite catalog (catalog.db), the
 * object store for sealed files (objects/, local filesystem — or, with tiered storage, a
 * cache in front of S3: server/tiering.ts), and the storage engine, which replays its WAL
 * before the server accepts connections.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { AnnService } from '../ann/index.ts';
import { Catalog } from '../catalog/index.ts';
import { RowLocks, UniqueKeys, type Database } from '../session/index.ts';
import { defaultColumnBudgets, StorageEngine } from '../storage/index.ts';
import { LocalObjectStore, type ObjectStore } from '../tiering/index.ts';
import type { TieringConfig } from './config.ts';
import { openTiering, prepareTiering, type Tiering } from './tiering.ts';

export interface OpenDatabase extends Database {
  close(): Promise<void>;
}

export async function openDatabase(dataDir: string, log: Logger, fsync = true, tieringConfig: TieringConfig | null = null, memoryBudget: number | null = null): Promise<OpenDatabase> {
  const started = Date.now();
  const setup = tieringConfig === null ? null : await prepareTiering(dataDir, tieringConfig, log);
  const catalog = Catalog.open(path.join(dataDir, 'catalog.db'));
  let tiering: Tiering | null = null;
  let objectStore: ObjectStore;
  if (setup !== null) {
    tiering = openTiering(dataDir, catalog, setup, tieringConfig!, fsync, log);
    objectStore = tiering.store;
  } else {
    objectStore = new LocalObjectStore(path.join(dataDir, 'objects'));
  }
  const budget = defaultColumnBudgets();
  const storage = await StorageEngine.open({
    dataDir, catalog, objectStore, log: log.child({ component: 'storage' }), fsync, walPreallocateBytes: 256 * 1024 * 1024,
    columnBudget: memoryBudget === null ? budget : { heap: budget.heap, external: memoryBudget },
  });
  if (tiering !== null) {
    const t = tiering;
    const attach = storage.attachTable.bind(storage);
    storage.attachTable = (def) => {
      attach(def);
      t.tableChanged(def);
    };
    t.startBackground(storage);
  }
  const unique = UniqueKeys.open(dataDir);
  await unique.load(catalog.listTables(), storage, (t, err) => log.error({ err, table: t.name }, 'cannot load unique keys; writes to this table will fail'));
  log.info({ tables: catalog.listTables().length, pkIndexRebuilt: unique.rebuilt, ms: Date.now() - started }, 'database open');
  const ann = new AnnService({ catalog, storage, log: log.child({ component: 'ann' }) });
  return {
    catalog,
    storage,
    ann,
    unique,
    rowLocks: new RowLocks(),
    catalogGeneration: { value: 0 },
    async close() {
      await ann.close();
      if (tiering !== null) {
        // Everything into files, then into the bucket: a restore from it loses nothing acknowledged.
        await storage.sealAll().catch((err) => log.warn({ err }, 'sealing at shutdown failed; the WAL still holds the rows'));
      }
      await storage.close();
      await tiering?.close();
      unique.close();
      catalog.close();
    },
  };
}
