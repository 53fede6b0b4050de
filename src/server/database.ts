/**
 * Opens the embedded database in the data directory: the SQLite catalog (catalog.db), the
 * object store for sealed files (objects/, local filesystem), and the storage engine, which
 * replays its WAL before the server accepts connections.
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { AnnService } from '../ann/index.ts';
import { Catalog } from '../catalog/index.ts';
import { RowLocks, UniqueKeys, type Database } from '../session/index.ts';
import { StorageEngine } from '../storage/index.ts';
import { LocalObjectStore } from '../tiering/index.ts';

export interface OpenDatabase extends Database {
  close(): Promise<void>;
}

export async function openDatabase(dataDir: string, log: Logger, fsync = true): Promise<OpenDatabase> {
  const catalog = Catalog.open(path.join(dataDir, 'catalog.db'));
  const objectStore = new LocalObjectStore(path.join(dataDir, 'objects'));
  const started = Date.now();
  const storage = await StorageEngine.open({ dataDir, catalog, objectStore, log: log.child({ component: 'storage' }), fsync });
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
      await storage.close();
      unique.close();
      catalog.close();
    },
  };
}
