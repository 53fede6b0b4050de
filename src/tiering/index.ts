/**
 * tiering/: where sealed data lives. storage/ writes immutable objects through ObjectStore;
 * LocalObjectStore is the embedded default; with S3 configured, TieredStore puts a local
 * cache in front of S3ObjectStore (docs/tiering.md).
 */
export { LocalObjectStore, syncDir, type ObjectStore } from './object-store.ts';
export { FaultyObjectStore } from './faulty-object-store.ts';
export { S3ObjectStore, type S3StoreOptions } from './s3-object-store.ts';
export {
  TieredStore, CATALOG_SNAPSHOT_KEY, type TieredStoreOptions, type TierLedgerPort, type TierRecord, type TieringStats, type RemoteStore,
} from './tiered-store.ts';
