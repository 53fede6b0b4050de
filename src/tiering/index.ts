/**
 * tiering/: where sealed data lives. storage/ writes immutable objects through ObjectStore;
 * LocalObjectStore is the embedded default, S3 arrives behind the same interface.
 */
export { LocalObjectStore, syncDir, type ObjectStore } from './object-store.ts';
export { FaultyObjectStore } from './faulty-object-store.ts';
