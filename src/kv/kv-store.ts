/**
 * kv/: the ordered key-value interface of seed 002 — the contract the primary-key index
 * (session/unique-keys.ts) is written against. Keys and values are byte strings; keys sort
 * by unsigned byte order (memcmp), which key-encoding.ts makes equal to SQL order.
 * Implementations: SqliteKv (embedded, durable; the default) and MemoryKv (the test twin).
 * External stores (DynamoDB, Cassandra, TiKV) would implement the same interface; the
 * embedded ones are synchronous, so an external one needs an async adapter (not built).
 */

/** One entry of a scan, in key order. */
export interface KvEntry {
  readonly key: Buffer;
  readonly value: Buffer;
}

export interface KvStore {
  put(key: Uint8Array, value: Uint8Array): void;
  /** Puts every pair atomically (one transaction), later pairs win on equal keys. */
  batchPut(entries: readonly (readonly [Uint8Array, Uint8Array])[]): void;
  /** Removes a key; true if it was present. */
  delete(key: Uint8Array): boolean;
  /** Removes keys atomically; returns how many were present. */
  batchDelete(keys: readonly Uint8Array[]): number;
  /** Removes keys in [start, end); returns how many. */
  deleteRange(start: Uint8Array, end: Uint8Array): number;
  /** Removes every key starting with prefix; returns how many. */
  deletePrefix(prefix: Uint8Array): number;
  get(key: Uint8Array): Buffer | undefined;
  batchGet(keys: readonly Uint8Array[]): (Buffer | undefined)[];
  /** Entries with start <= key < end in key order (end null = to the last key), at most `limit`. */
  scan(start: Uint8Array, end: Uint8Array | null, limit?: number): KvEntry[];
  /** Entries whose key starts with prefix, in key order. */
  scanPrefix(prefix: Uint8Array, limit?: number): KvEntry[];
  /**
   * Runs fn so that all its writes apply together or not at all (nested calls join the
   * outer one). Writes outside `atomic` are each atomic on their own.
   */
  atomic<T>(fn: () => T): T;
  /** Number of keys (for tests and reports; may scan). */
  size(): number;
  close(): void;
}

/** The smallest key greater than every key starting with prefix, or null when none exists (all 0xff). */
export function prefixEnd(prefix: Uint8Array): Buffer | null {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return end.subarray(0, i + 1);
    }
  }
  return null;
}
