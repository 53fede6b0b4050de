/**
 * kv/: ordered key-value stores (seed 002's KV interface) and the order-preserving key
 * encoding. Used by the primary-key index in session/unique-keys.ts.
 */
export { type KvEntry, type KvStore, prefixEnd } from './kv-store.ts';
export { MemoryKv } from './memory-kv.ts';
export { BufferedKv } from './buffered-kv.ts';
export { type KvLayer, MapLayer } from './kv-layer.ts';
export { BloomFilter, GrowingBloomFilter, hashState, type HashState } from './bloom.ts';
export { SqliteKv, openKvDatabase, type SqliteKvOptions } from './sqlite-kv.ts';
export { SqliteFlusher } from './sqlite-flusher.ts';
export { encodeKey, encodeKeyLatin1, decodeKey } from './key-encoding.ts';
