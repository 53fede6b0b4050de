/**
 * What every session shares: the catalog and the storage engine, opened once per server
 * (server/database.ts). Sessions reach tables only through this.
 */
import type { AnnService } from '../ann/index.ts';
import type { Catalog } from '../catalog/index.ts';
import type { StorageEngine } from '../storage/index.ts';
import type { RowLocks } from './row-locks.ts';
import type { UniqueKeys } from './unique-keys.ts';

export interface Database {
  readonly catalog: Catalog;
  readonly storage: StorageEngine;
  /** Per-segment HNSW graphs: builds, cache, lookups (ann/). */
  readonly ann: AnnService;
  readonly unique: UniqueKeys;
  readonly rowLocks: RowLocks;
  /** Incremented by every DDL statement: prepared plans older than it are rebuilt. */
  readonly catalogGeneration: { value: number };
}
