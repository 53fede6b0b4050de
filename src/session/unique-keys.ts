/**
 * PRIMARY KEY and UNIQUE enforcement through the global primary-key index of seed 002: a
 * durable ordered KV store (kv/, SqliteKv in <dataDir>/pkindex.db) mapping each constraint's
 * encoded key to the row id (segment, offset) holding it. Open transactions' key changes
 * stay in memory here; a key another open transaction has inserted makes the inserter wait
 * for that transaction to end, as PostgreSQL does. Merges and compactions move locations
 * inside their WAL barrier (StorageEngine.onRowsMoved). docs/pk-index.md describes it.
 */
import path from 'node:path';
import type { ConstraintDef, TableDef } from '../catalog/index.ts';
import { DbError, SqlState } from '../errors/index.ts';
import { BloomFilter, BufferedKv, GrowingBloomFilter, hashState, type HashState, decodeKey, encodeKey, encodeKeyLatin1, type KvLayer, type KvStore, MemoryKv, openKvDatabase, prefixEnd, SqliteFlusher, SqliteKv } from '../kv/index.ts';
import { makeRowId, ROW_ID_SEGMENT_FACTOR, type SegmentMove, type StorageEngine, type WriteTx } from '../storage/index.ts';
import { typeByOid, defaultFormatContext } from '../types/index.ts';

/**
 * One open transaction as other transactions see it: its pending key changes (constraint →
 * keys inserted with their provisional row ids / keys deleted), the rows it has locked, and
 * a promise that settles when it ends.
 */
export class UniqueTxChanges {
  readonly inserted = new Map<UniqueConstraint, Map<string, number>>();
  readonly deleted = new Map<UniqueConstraint, Set<string>>();
  /** (tableId, rowId) pairs locked by UPDATE/DELETE (session/row-locks.ts). */
  readonly lockedRows: [number, number][] = [];
  /** The storage transaction whose provisional ids `inserted` holds (assigned ids are read at commit). */
  writeTx: WriteTx | null = null;
  /** Set when the transaction committed (read by waiters after `done`). */
  committed = false;
  /** Resolves when the owning transaction ends (commit or abort). */
  readonly done: Promise<void>;
  end!: () => void;
  constructor() {
    this.done = new Promise((r) => (this.end = r));
  }

  /** SAVEPOINT: the key changes so far. */
  mark(): { inserted: Map<UniqueConstraint, Map<string, number>>; deleted: Map<UniqueConstraint, Set<string>> } {
    return {
      inserted: new Map([...this.inserted].map(([u, m]) => [u, new Map(m)])),
      deleted: new Map([...this.deleted].map(([u, d]) => [u, new Set(d)])),
    };
  }

  /** ROLLBACK TO SAVEPOINT: keys inserted since the mark stop being this transaction's (others may take them at once). */
  rollbackTo(m: ReturnType<UniqueTxChanges['mark']>): void {
    this.inserted.clear();
    for (const [u, keys] of m.inserted) this.inserted.set(u, keys);
    this.deleted.clear();
    for (const [u, keys] of m.deleted) this.deleted.set(u, keys);
  }
}

const rowIdBytes = (rowId: number): Buffer => {
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleBE(rowId);
  return b;
};
const rowIdOf = (b: Buffer): number => b.readDoubleBE(0);

/**
 * A committed transaction's keys of one constraint as a write-buffer layer (BufferedKv.putLayer):
 * the transaction's own map (encoded key → provisional id) and the row ids commit assigned,
 * read in place and packed at flush, instead of a memtable insert and a value Buffer per key.
 */
class CommittedKeys implements KvLayer {
  constructor(
    private readonly prefix: string,
    private readonly keys: ReadonlyMap<string, number>,
    /** Row id of each provisional row (NaN: deleted again by the transaction). */
    private readonly assigned: readonly number[],
  ) {}

  get size(): number {
    return this.keys.size;
  }

  private rowId(provisional: number): number | undefined {
    const id = this.assigned[-provisional - 1];
    return id === undefined || Number.isNaN(id) ? undefined : id;
  }

  get(full: string): Buffer | undefined {
    if (!full.startsWith(this.prefix)) return undefined;
    const p = this.keys.get(full.slice(this.prefix.length));
    const id = p === undefined ? undefined : this.rowId(p);
    return id === undefined ? undefined : rowIdBytes(id);
  }

  forEach(fn: (key: string, value: Buffer | null) => void): void {
    this.keys.forEach((p, k) => {
      const id = this.rowId(p);
      if (id !== undefined) fn(this.prefix + k, rowIdBytes(id));
    });
  }

  packedSize(): number {
    let n = 0;
    this.keys.forEach((_p, k) => (n += k.length));
    return n + this.keys.size * (6 + this.prefix.length + 8);
  }

  pack(b: Buffer, p: number): number {
    const prefix = this.prefix;
    this.keys.forEach((provisional, k) => {
      const id = this.rowId(provisional);
      if (id === undefined) return;
      const n = prefix.length + k.length;
      b[p++] = n & 255;
      b[p++] = n >>> 8;
      for (let j = 0; j < prefix.length; j++) b[p++] = prefix.charCodeAt(j);
      for (let j = 0; j < k.length; j++) b[p++] = k.charCodeAt(j);
      b.writeInt32LE(8, p);
      b.writeDoubleBE(id, p + 4);
      p += 12;
    });
    return p;
  }
}

/** A transaction with at least this many keys of a constraint commits them as a layer (CommittedKeys). */
const LAYER_MIN_KEYS = 1024;

export class UniqueConstraint {
  /**
   * Open transactions that have inserted keys of this constraint: a key's holder is the one
   * whose `inserted` map has it (at most one: an inserter waits for the holder to end).
   * Usually empty or one, so a lone writer pays no lookup per row for others' keys.
   */
  writers = new Set<UniqueTxChanges>();
  /** KV prefix of this constraint's entries: u32 tableId, then the constraint name, escaped. */
  readonly prefix: Buffer;
  private readonly prefixLatin1: string;
  readonly typeOids: number[];
  /** What the index entries were built for; a change (ALTER) rebuilds them. */
  readonly signature: string;

  constructor(
    readonly table: TableDef,
    readonly def: ConstraintDef,
    /** Positions of the key columns within a full live-column row. */
    readonly positions: number[],
  ) {
    this.typeOids = def.attnums.map((a) => table.columns.find((c) => c.attnum === a)!.typeOid);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(table.tableId);
    this.prefix = Buffer.concat([head, encodeKey([25], [def.name])!]);
    this.prefixLatin1 = this.prefix.toString('latin1');
    this.signature = JSON.stringify({ attnums: def.attnums, types: this.typeOids, kind: def.kind });
  }

  /** The encoded key of a row as a map key (latin1), or null when a key column is NULL (NULLs never conflict). */
  key(row: readonly unknown[]): string | null {
    const p = this.positions;
    return encodeKeyLatin1(this.typeOids, p.length === 1 ? [row[p[0]!]] : p.map((i) => row[i]));
  }

  /** Encoded key of key-column values (in constraint column order). */
  keyOfValues(values: readonly unknown[]): string | null {
    return encodeKeyLatin1(this.typeOids, values);
  }

  /**
   * An open transaction other than `tx` that has inserted one of `keys`, if any: each other
   * writer's map is checked against all the keys (no iterator over the writers per key).
   */
  holder(keys: readonly (string | null)[], tx: UniqueTxChanges): UniqueTxChanges | undefined {
    for (const w of this.writers) {
      const theirs = w === tx ? undefined : w.inserted.get(this);
      if (theirs !== undefined && theirs.size > 0 && keys.some((k) => k !== null && theirs.has(k))) return w;
    }
    return undefined;
  }

  fullKey(k: string): Buffer {
    return Buffer.from(this.prefixLatin1 + k, 'latin1');
  }

  /** The Bloom filter hashes' state after this constraint's prefix (claims hash only the key). */
  get prefixHash(): HashState {
    return (this.prefixHashState ??= hashState(this.prefixLatin1));
  }
  private prefixHashState: HashState | undefined;

  /** fullKey() as a latin1 string. */
  fullKeyLatin1(k: string): string {
    return this.prefixLatin1 + k;
  }

  violation(row: readonly unknown[]): DbError {
    const cols = this.def.attnums.map((a) => this.table.columns.find((c) => c.attnum === a)!);
    const values = this.positions.map((p, i) => typeByOid(cols[i]!.typeOid)!.textOut(row[p], defaultFormatContext));
    return new DbError(SqlState.UniqueViolation, `duplicate key value violates unique constraint "${this.def.name}"`, {
      detail: `Key (${cols.map((c) => c.name).join(', ')})=(${values.join(', ')}) already exists.`,
      table: this.table.name,
      constraint: this.def.name,
    });
  }
}

/** One difference verify() found between the index and the segments. */
export interface PkIndexDifference {
  readonly constraint: string;
  readonly key: string;
  /** Row id in the index (null: the key is missing from the index). */
  readonly indexed: number | null;
  /** Row id of the visible row with the key (null: no such row). */
  readonly actual: number | null;
}

export interface PkIndexReport {
  readonly table: string;
  readonly rows: number;
  readonly entries: number;
  readonly differences: PkIndexDifference[];
  /** Row offsets in recorded merge moves not yet folded into the entries (all tables). */
  readonly movedOffsets: number;
}

/** A key conflict found by `conflicts()`: the constraint and the existing row's id (committed or own provisional). */
export interface KeyConflict {
  readonly constraint: UniqueConstraint;
  readonly rowId: number;
}

const CLEAN_KEY = Buffer.from('clean');
const BLOOM_KEY = Buffer.from('bloom');
/** pk_meta key of the Bloom filter's layer i (layer 0 under BLOOM_KEY). */
const bloomLayerKey = (i: number): Buffer => (i === 0 ? BLOOM_KEY : Buffer.from(`bloom.${i}`));
/** More layers than this: rebuild the filter from the entries (a growing filter never drops deleted keys). */
const MAX_BLOOM_LAYERS = 6;
/**
 * pk_meta keys of recorded moves: 'mv:' ‖ u32 BE source segment id → u32 LE merged segment id ‖
 * i32 LE offsets; a merge that wrote several files stores 0xFFFFFFFF as the segment id and the
 * per-row target segment ids (i32 LE) after the offsets.
 */
const MOVE_PREFIX = Buffer.from('mv:');
/** The merged-segment id of a move whose rows went to several segments. */
const MULTI_TARGET = 0xffffffff;
const moveKey = (segmentId: number): Buffer => {
  const b = Buffer.alloc(MOVE_PREFIX.length + 4);
  MOVE_PREFIX.copy(b);
  b.writeUInt32BE(segmentId, MOVE_PREFIX.length);
  return b;
};
/**
 * Offsets kept in recorded moves before they are folded into the entries (4 bytes each): at
 * least 8M, and four times the keys in the index (a merge of a table's big file moves every row, so
 * a fixed limit folded after every such merge once the table passed it). Tests set a fixed one.
 */
const FIXED_MAX_MOVED_OFFSETS = process.env['TESSERA_PK_MAX_MOVED_OFFSETS'];
const MAX_MOVED_OFFSETS = Number(FIXED_MAX_MOVED_OFFSETS ?? 8_000_000);
/** Most entries a fold rewrites per turn of the event loop; tests lower it. */
const FOLD_CHUNK = Math.max(1, Number(process.env['TESSERA_PK_FOLD_CHUNK'] ?? 20_000));
/**
 * How long one fold step may hold the event loop: the next step's chunk is scaled to it
 * (20,000 entries took 50–100 ms here, a stall for every statement arriving meanwhile).
 * After a step the fold sleeps twice as long as the step took (like PostgreSQL's
 * vacuum_cost_delay), so it takes at most a third of a busy event loop.
 */
const FOLD_STEP_MS = 4;
const FOLD_PAUSE_FACTOR = 2;

/**
 * The committed rows of `t` as the constraints' keys see them: only the key columns are read
 * (a rebuild after a restore must not pull whole cold segments from S3), each row a live-column
 * array with just the constraints' positions filled.
 */
async function* keyRows(t: TableDef, constraints: readonly UniqueConstraint[], storage: StorageEngine): AsyncGenerator<{ rowIds: readonly number[]; rows: unknown[][] }> {
  const live = t.columns.filter((c) => !c.dropped);
  const used = [...new Set(constraints.flatMap((u) => u.positions))];
  const snap = storage.snapshot(t.tableId);
  try {
    for await (const batch of storage.scan(snap, null, used.map((p) => live[p]!.attnum))) {
      const rows = batch.rows.map((got) => {
        const row: unknown[] = new Array(live.length);
        used.forEach((p, j) => (row[p] = got[j]));
        return row;
      });
      yield { rowIds: batch.rowIds, rows };
    }
  } finally {
    snap.release();
  }
}

/** Smallest Bloom filter capacity (1.25 MB at 10 bits per key). */
const MIN_BLOOM_KEYS = 1_000_000;
const sigKey = (u: UniqueConstraint): Buffer => Buffer.concat([Buffer.from('sig:'), u.prefix]);

export class UniqueKeys {
  private readonly byTable = new Map<number, UniqueConstraint[]>();
  /** Tables whose keys could not be loaded (e.g. a corrupt segment): writes fail with the cause. */
  private readonly broken = new Map<number, DbError>();
  /** Whether the index was closed cleanly last time (then load() trusts it instead of rebuilding). */
  private trusted: boolean;
  /** Constraints rebuilt from a scan by the last load()/attach() calls (for tests and logs). */
  rebuilt = 0;
  /**
   * Every key ever put since the filter was built: a miss means the key is certainly not in
   * the index, so probes for new keys (most inserts) skip the store.
   */
  private bloom = new GrowingBloomFilter(MIN_BLOOM_KEYS);
  /** Entries put since the filter passed its capacity: rebuild it (bigger) once outside any KV transaction. */
  private bloomRebuildDue = false;
  /** Merged source segment → (merged segment, offset map): entries written before a merge resolve through these. */
  private readonly moves = new Map<number, SegmentMove>();
  private movedOffsets = 0;

  /**
   * Entries of one constraint read ahead in one batch (`prefetch`): encoded key → value, null
   * = absent. Every write to the entries drops it, so it never answers with a stale value.
   */
  private readAhead: { u: UniqueConstraint; entries: Map<string, Buffer | null> } | null = null;

  /** The entry of a full key given as its latin1 string (no Buffer on the common paths). */
  private entryGet(full: string): Buffer | undefined {
    if (!this.bloom.mayContain(full)) return undefined;
    return this.kv instanceof BufferedKv ? this.kv.getLatin1(full) : this.kv.get(Buffer.from(full, 'latin1'));
  }

  /** The committed entry of key `k` of `u` (read ahead, else from the store). */
  private committedEntry(u: UniqueConstraint, k: string): Buffer | undefined {
    const ra = this.readAhead;
    if (ra !== null && ra.u === u) {
      const v = ra.entries.get(k);
      if (v !== undefined) return v ?? undefined;
    }
    return this.entryGet(u.fullKeyLatin1(k));
  }

  /**
   * committedEntry() of a key a transaction claims, which also goes into the filter now (hashed
   * once): every key a transaction inserts is in the filter before it commits, so commits add
   * none. A claim that aborts leaves its bits behind, a false positive like a deleted key's.
   */
  private claimedEntry(u: UniqueConstraint, k: string): Buffer | undefined {
    const maybe = this.bloom.addChecked(k, u.prefixHash);
    if (this.bloom.layers.length > MAX_BLOOM_LAYERS) this.bloomRebuildDue = true;
    const ra = this.readAhead;
    if (ra !== null && ra.u === u) {
      const v = ra.entries.get(k);
      if (v !== undefined) return v ?? undefined;
    }
    if (!maybe) return undefined;
    const full = u.fullKeyLatin1(k);
    return this.kv instanceof BufferedKv ? this.kv.getLatin1(full) : this.kv.get(Buffer.from(full, 'latin1'));
  }

  /**
   * Reads the committed entries of keys of `u` in one batch (SqliteKv: one `IN (...)`
   * statement per 250 keys) for the point reads that follow (lookup, conflicts). Keys the
   * Bloom filter rules out are not read.
   */
  prefetch(u: UniqueConstraint, keys: readonly string[]): void {
    const entries = new Map<string, Buffer | null>();
    const ask: string[] = [];
    const full: Buffer[] = [];
    for (const k of keys) {
      if (entries.has(k)) continue;
      const f = u.fullKey(k);
      entries.set(k, null);
      if (this.bloom.mayContain(f)) {
        ask.push(k);
        full.push(f);
      }
    }
    const got = full.length > 0 ? this.kv.batchGet(full) : [];
    ask.forEach((k, i) => entries.set(k, got[i] ?? null));
    this.readAhead = { u, entries };
  }

  /** Read-ahead for the rows an upsert is about to probe (`DataAccess.prefetchConflicts`). */
  prefetchRows(tableId: number, rows: readonly (readonly unknown[])[], only?: readonly UniqueConstraint[]): void {
    const cs = only ?? this.byTable.get(tableId) ?? [];
    // One constraint's worth of read-ahead is kept; the first (the primary key, or the arbiter) is the one probed first.
    const u = cs[0];
    if (u === undefined || rows.length < 2) return;
    const keys: string[] = [];
    for (const row of rows) {
      const k = u.key(row);
      if (k !== null) keys.push(k);
    }
    this.prefetch(u, keys);
  }

  private entryDeletePrefix(prefix: Buffer): void {
    this.readAhead = null;
    this.kv.deletePrefix(prefix);
  }

  /**
   * Puts the entry of a full key given as its latin1 string; `value` is taken as it is.
   * `known`: the key is already in the filter (an update re-putting its key), so the filter is left as it is.
   */
  private entryPut(full: string, value: Buffer, known = false): void {
    this.readAhead = null;
    if (this.kv instanceof BufferedKv) this.kv.putLatin1(full, value);
    else this.kv.put(Buffer.from(full, 'latin1'), value);
    if (known) return;
    this.bloom.add(full);
    if (this.bloom.layers.length > MAX_BLOOM_LAYERS) this.bloomRebuildDue = true;
  }

  /** Rebuilds the filter from every entry (sized for twice as many), reading the store in chunks. */
  private rebuildBloom(): void {
    this.bloomRebuildDue = false;
    let n = 0;
    const keys: Buffer[] = [];
    for (let start = Buffer.alloc(0); ; ) {
      const chunk = this.kv.scan(start, null, 100_000);
      for (const e of chunk) keys.push(e.key);
      n += chunk.length;
      if (chunk.length < 100_000) break;
      start = Buffer.concat([chunk[chunk.length - 1]!.key, Buffer.from([0])]);
    }
    const f = new BloomFilter(Math.max(MIN_BLOOM_KEYS, 2 * n));
    for (const k of keys) f.add(k);
    this.bloom = new GrowingBloomFilter(0, [f]);
    // Keys open transactions have claimed are not in the store yet, and their commits add none.
    for (const cs of this.byTable.values()) {
      for (const u of cs) for (const w of u.writers) w.inserted.get(u)?.forEach((_p, k) => this.bloom.add(u.fullKeyLatin1(k)));
    }
  }

  /** The filter a clean close saved (its layers in order), or null when missing or unreadable. */
  private savedBloom(): GrowingBloomFilter | null {
    const layers: BloomFilter[] = [];
    for (let i = 0; ; i++) {
      const b = this.meta.get(bloomLayerKey(i));
      if (b === undefined) break;
      const f = BloomFilter.fromBytes(b);
      if (f === null) return null;
      layers.push(f);
    }
    return layers.length === 0 ? null : new GrowingBloomFilter(0, layers);
  }

  private afterWrites(): void {
    if (this.bloomRebuildDue) this.rebuildBloom();
  }

  /**
   * @param kv the index entries (constraint prefix ‖ encoded key → row id).
   * @param meta signatures and the clean-shutdown flag.
   */
  constructor(
    readonly kv: KvStore = new MemoryKv(),
    private readonly meta: KvStore = new MemoryKv(),
  ) {
    this.trusted = meta.get(CLEAN_KEY)?.toString() === '1';
  }

  /** Opens the durable index in `<dataDir>/pkindex.db`. */
  static open(dataDir: string): UniqueKeys {
    const file = path.join(dataDir, 'pkindex.db');
    const db = openKvDatabase(file);
    // Entries go through a write buffer: they are derived data, rebuilt after a crash anyway.
    // A full buffer is written by a worker thread (SqliteFlusher), off the event loop.
    const entries = new SqliteKv(db, 'pk_entries', true);
    return new UniqueKeys(new BufferedKv(entries, 100_000, new SqliteFlusher(file, 'pk_entries')), new SqliteKv(db, 'pk_meta'));
  }

  /**
   * Attaches every table with unique constraints: the durable entries are used as they are
   * when the index was closed cleanly; otherwise (first start, crash) they are rebuilt from
   * the committed data, which the storage engine has just recovered from its WAL. A table
   * that cannot be read stays unwritable until fixed, but does not stop the server.
   * Also registers the merge/compaction hook on the engine.
   */
  async load(tables: readonly TableDef[], storage: StorageEngine, onError: (t: TableDef, err: unknown) => void): Promise<void> {
    storage.onRowsMoved = (_tableId, moves) => this.rowsMoved(moves);
    // The filter saved by a clean close covers the trusted entries; otherwise read them all
    // (entries of constraints rebuilt below are added as they are written).
    const restored = this.trusted ? this.savedBloom() : null;
    if (restored !== null) this.bloom = restored;
    else if (this.trusted) this.rebuildBloom();
    // Moves matter to entries kept from before; after a crash every entry is rebuilt.
    if (this.trusted) this.loadMoves();
    else for (const e of this.meta.scanPrefix(MOVE_PREFIX)) this.meta.delete(e.key);
    // From now until close() the entries may run ahead of or behind a crash's recovery.
    for (let i = 0; this.meta.delete(bloomLayerKey(i)); i++);
    this.meta.put(CLEAN_KEY, Buffer.from('0'));
    for (const t of tables) {
      try {
        await this.attach(t, storage);
      } catch (err) {
        onError(t, err);
        this.broken.set(t.tableId, err instanceof DbError ? err : new DbError(SqlState.InternalError, String(err)));
      }
    }
    this.trusted = false;
    this.afterWrites();
  }

  /** Builds or re-checks a table's constraints (CREATE TABLE, ALTER TABLE, start-up). */
  async attach(t: TableDef, storage: StorageEngine): Promise<void> {
    this.broken.delete(t.tableId);
    const live = t.columns.filter((c) => !c.dropped);
    const constraints = t.constraints
      .filter((k) => k.kind === 'primary' || k.kind === 'unique')
      .map((k) => new UniqueConstraint(t, k, k.attnums.map((a) => live.findIndex((c) => c.attnum === a))));
    const before = this.byTable.get(t.tableId) ?? [];
    for (const old of before) {
      if (!constraints.some((u) => u.prefix.equals(old.prefix) && u.signature === old.signature)) {
        this.entryDeletePrefix(old.prefix);
        this.meta.delete(sigKey(old));
      }
    }
    if (constraints.length === 0) {
      this.byTable.delete(t.tableId);
      return;
    }
    const stale = constraints.filter((u) => {
      const had = before.find((o) => o.prefix.equals(u.prefix) && o.signature === u.signature);
      if (had !== undefined) return false;
      return !(this.trusted && this.meta.get(sigKey(u))?.toString() === u.signature);
    });
    // Keep the open transactions' keys of constraints that survive an ALTER (their maps move to the new object).
    for (const u of constraints) {
      const had = before.find((o) => o.prefix.equals(u.prefix) && o.signature === u.signature);
      if (had === undefined) continue;
      u.writers = had.writers;
      for (const w of had.writers) {
        for (const changes of [w.inserted, w.deleted] as Map<UniqueConstraint, unknown>[]) {
          const keys = changes.get(had);
          if (keys === undefined) continue;
          changes.delete(had);
          changes.set(u, keys);
        }
      }
    }
    this.byTable.set(t.tableId, constraints);
    if (stale.length > 0) await this.rebuild(t, stale, storage);
  }

  /** Rebuilds constraints' entries from a full scan of the committed rows. */
  private async rebuild(t: TableDef, constraints: UniqueConstraint[], storage: StorageEngine): Promise<void> {
    for (const u of constraints) {
      this.entryDeletePrefix(u.prefix);
      this.meta.delete(sigKey(u));
    }
    for await (const batch of keyRows(t, constraints, storage)) {
      this.kv.atomic(() => {
        batch.rows.forEach((row, i) => {
          for (const u of constraints) {
            const k = u.key(row);
            if (k !== null) this.entryPut(u.fullKeyLatin1(k), rowIdBytes(batch.rowIds[i]!));
          }
        });
      });
    }
    for (const u of constraints) this.meta.put(sigKey(u), Buffer.from(u.signature));
    this.rebuilt += constraints.length;
    this.afterWrites();
  }

  forget(tableId: number): void {
    for (const u of this.byTable.get(tableId) ?? []) {
      this.entryDeletePrefix(u.prefix);
      this.meta.delete(sigKey(u));
    }
    this.byTable.delete(tableId);
    this.broken.delete(tableId);
  }

  /** Empties a table's entries (TRUNCATE). */
  clear(tableId: number): void {
    for (const u of this.byTable.get(tableId) ?? []) this.entryDeletePrefix(u.prefix);
  }

  has(tableId: number): boolean {
    return this.byTable.has(tableId) || this.broken.has(tableId);
  }

  constraints(tableId: number): readonly UniqueConstraint[] {
    return this.byTable.get(tableId) ?? [];
  }

  /** The committed row id holding key `k` of `u`, if any. */
  committedRowId(u: UniqueConstraint, k: string): number | undefined {
    const v = this.committedEntry(u, k);
    return v === undefined ? undefined : this.resolve(rowIdOf(v));
  }

  /**
   * The row currently holding a row's key under any constraint, as `tx` sees it: its own
   * provisional rows, else committed rows it has not deleted. Waits for other open
   * transactions holding the key (so after it returns, their outcome is known).
   */
  async conflicts(tableId: number, row: readonly unknown[], tx: UniqueTxChanges, only?: readonly UniqueConstraint[]): Promise<KeyConflict | null> {
    const broken = this.broken.get(tableId);
    if (broken) throw broken;
    for (const u of only ?? this.byTable.get(tableId) ?? []) {
      const k = u.key(row);
      if (k === null) continue;
      await this.waitFor(u, k, tx);
      const own = tx.inserted.get(u)?.get(k);
      if (own !== undefined) return { constraint: u, rowId: own };
      if (tx.deleted.get(u)?.has(k)) continue;
      const id = this.committedRowId(u, k);
      if (id !== undefined) return { constraint: u, rowId: id };
    }
    return null;
  }

  private async waitFor(u: UniqueConstraint, k: string, tx: UniqueTxChanges): Promise<void> {
    for (let other = u.holder([k], tx); other !== undefined; other = u.holder([k], tx)) await other.done;
  }

  /**
   * Checks and records new rows of a transaction (full live-column rows): waits for other
   * open transactions holding the same key, throws 23505 on a committed or own duplicate,
   * then calls `write` (which buffers the rows and returns their provisional ids).
   */
  async insert(tableId: number, rows: readonly (readonly unknown[])[], tx: UniqueTxChanges, write: () => readonly number[]): Promise<readonly number[]> {
    const broken = this.broken.get(tableId);
    if (broken) throw broken;
    const constraints = this.byTable.get(tableId) ?? [];
    const keys: (string | null)[][] = constraints.map((u) => rows.map((row) => u.key(row)));
    // Wait until no other open transaction holds any of the keys, then check and claim them
    // without yielding, so the check and the claim cannot be separated by another claim.
    for (let again = true; again; ) {
      again = false;
      for (let c = 0; c < constraints.length && !again; c++) {
        const other = constraints[c]!.holder(keys[c]!, tx);
        if (other !== undefined) {
          await other.done;
          again = true;
        }
      }
    }
    // Claimed keys go into the transaction's map at once (NaN until write() assigns ids), so a
    // key repeated within the rows is found there too; a violation or a failed write takes them out.
    const claimed: Map<string, number>[] = [];
    try {
      for (let c = 0; c < constraints.length; c++) {
        const u = constraints[c]!;
        let mine = tx.inserted.get(u);
        if (mine === undefined) tx.inserted.set(u, (mine = new Map()));
        claimed.push(mine);
        const gone = tx.deleted.get(u);
        const ks = keys[c]!;
        for (let r = 0; r < rows.length; r++) {
          const k = ks[r]!;
          if (k === null) continue;
          // A key the transaction deleted was in the index, so it is in the filter already.
          if (mine.has(k) || (gone?.has(k) !== true && this.claimedEntry(u, k) !== undefined)) {
            ks.length = r; // the keys claimed so far, for the rollback below
            throw u.violation(rows[r]!);
          }
          mine.set(k, NaN);
        }
        u.writers.add(tx);
      }
      const ids = write();
      for (let c = 0; c < constraints.length; c++) {
        const mine = claimed[c]!;
        const ks = keys[c]!;
        for (let r = 0; r < rows.length; r++) {
          const k = ks[r];
          if (k !== null && k !== undefined) mine.set(k, ids[r]!);
        }
      }
      return ids;
    } catch (err) {
      claimed.forEach((mine, c) => {
        for (const k of keys[c]!) if (k !== null && k !== undefined) mine.delete(k);
      });
      throw err;
    }
  }

  /** Records rows a transaction deletes (full live-column rows), so their keys free up at commit. */
  delete(tableId: number, rows: readonly (readonly unknown[])[], tx: UniqueTxChanges): void {
    for (const u of this.byTable.get(tableId) ?? []) {
      let gone = tx.deleted.get(u);
      if (!gone) tx.deleted.set(u, (gone = new Set()));
      const mine = tx.inserted.get(u);
      for (const row of rows) {
        const k = u.key(row);
        if (k === null) continue;
        if (mine?.delete(k)) continue;
        gone.add(k);
      }
    }
  }

  /**
   * Applies a committed transaction's changes to the index (one KV transaction: deleted
   * keys out, inserted keys → their assigned row ids) and releases its pending keys.
   */
  commit(tx: UniqueTxChanges): void {
    this.readAhead = null;
    const kv = this.kv;
    // Deletes are blind where the store allows (no read to learn whether the key was there).
    const remove = kv instanceof BufferedKv ? (k: Buffer): void => kv.discard(k) : (k: Buffer): void => void kv.delete(k);
    // The write buffer takes the entries without atomic()'s undo log (a lookup per key): the
    // transaction has committed, so entries written before a failure half-way are right, and
    // undoing them would leave more keys without their entry, not fewer.
    const apply = kv instanceof BufferedKv ? (fn: () => void): void => fn() : (fn: () => void): void => kv.atomic(fn);
    apply(() => {
      // A key deleted and re-inserted by the transaction (an update, an upsert) is only put:
      // the put replaces the entry, so the delete would be a wasted write.
      const put = new Map<UniqueConstraint, Set<string>>();
      for (const [u, keys] of tx.inserted) {
        if (keys.size === 0) continue;
        const assigned = tx.writeTx?.state === 'committed' ? tx.writeTx.assignedRowIds(u.table.tableId) : [];
        const gone = tx.deleted.get(u);
        if (kv instanceof BufferedKv && keys.size >= LAYER_MIN_KEYS && (gone === undefined || gone.size === 0)) {
          kv.putLayer(new CommittedKeys(u.fullKeyLatin1(''), keys, assigned));
          continue;
        }
        // Which keys were put matters only to the deletes below.
        const done = gone !== undefined && gone.size > 0 ? new Set<string>() : null;
        if (done !== null) put.set(u, done);
        // forEach: no [key, value] array per entry, as for...of over entries makes.
        keys.forEach((provisional, k) => {
          const id = assigned[-provisional - 1];
          if (id !== undefined && !Number.isNaN(id)) {
            // The key went into the filter when the transaction claimed it (claimedEntry).
            this.entryPut(u.fullKeyLatin1(k), rowIdBytes(id), true);
            done?.add(k);
          }
        });
      }
      for (const [u, gone] of tx.deleted) {
        const done = put.get(u);
        for (const k of gone) if (done === undefined || !done.has(k)) remove(u.fullKey(k));
      }
    });
    for (const u of tx.inserted.keys()) u.writers.delete(tx);
    tx.committed = true;
    this.afterWrites();
  }

  abort(tx: UniqueTxChanges): void {
    for (const u of tx.inserted.keys()) u.writers.delete(tx);
  }

  /**
   * Row ids holding the given keys (key-column values in constraint order) as `tx` sees
   * them: own provisional rows first, committed entries unless `tx` deleted that key.
   * Returns null when no constraint has exactly these key columns.
   */
  lookup(tableId: number, keyAttnums: readonly number[], keys: readonly (readonly unknown[])[], tx: UniqueTxChanges | null): number[] | null {
    const u = (this.byTable.get(tableId) ?? []).find((c) => c.def.attnums.length === keyAttnums.length && c.def.attnums.every((a, i) => a === keyAttnums[i]));
    if (u === undefined) return null;
    const ids: number[] = [];
    const seen = new Set<string>();
    if (keys.length > 1) {
      const ks: string[] = [];
      for (const values of keys) {
        const k = u.keyOfValues(values);
        if (k !== null) ks.push(k);
      }
      this.prefetch(u, ks);
    }
    for (const values of keys) {
      const k = u.keyOfValues(values);
      if (k === null || seen.has(k)) continue;
      seen.add(k);
      const own = tx?.inserted.get(u)?.get(k);
      if (own !== undefined) ids.push(own);
      if (tx?.deleted.get(u)?.has(k)) continue;
      const id = this.committedRowId(u, k);
      if (id !== undefined) ids.push(id);
    }
    return ids;
  }

  /**
   * A cursor over the row ids whose first key column lies between the bounds (null = open),
   * in ascending key order, as `tx` sees them (its own rows merged in, keys it deleted left
   * out). Null when no constraint has exactly `keyAttnums`. A NULL bound matches nothing.
   */
  range(
    tableId: number,
    keyAttnums: readonly number[],
    lower: { readonly value: unknown; readonly inclusive: boolean } | null,
    upper: { readonly value: unknown; readonly inclusive: boolean } | null,
    tx: UniqueTxChanges | null,
  ): KeyRangeCursor | null {
    const u = (this.byTable.get(tableId) ?? []).find((c) => c.def.attnums.length === keyAttnums.length && c.def.attnums.every((a, i) => a === keyAttnums[i]));
    if (u === undefined) return null;
    const bound = (b: { readonly value: unknown; readonly inclusive: boolean }, after: boolean): Buffer | null => {
      const k = encodeKey([u.typeOids[0]!], [b.value], u.prefix);
      if (k === null) return null;
      // A composite key starts with the first column's encoding: past all of them = prefix end.
      return after ? (prefixEnd(k) ?? k) : k;
    };
    const start = lower === null ? u.prefix : bound(lower, !lower.inclusive);
    const end = upper === null ? prefixEnd(u.prefix) : bound(upper, upper.inclusive);
    if (start === null || (upper !== null && end === null)) return new KeyRangeCursor(this.kv, u, Buffer.alloc(0), Buffer.alloc(0), [], new Set(), (id) => this.resolve(id));
    const own = [...(tx?.inserted.get(u) ?? new Map<string, number>())]
      .map(([k, id]) => ({ key: u.fullKey(k), id }))
      .filter((e) => Buffer.compare(e.key, start) >= 0 && (end === null || Buffer.compare(e.key, end) < 0))
      .sort((a, b) => Buffer.compare(a.key, b.key));
    return new KeyRangeCursor(this.kv, u, start, end, own, tx?.deleted.get(u) ?? new Set(), (id) => this.resolve(id));
  }

  /**
   * Merge/compaction hook, called inside the WAL barrier that swaps the files: entries are
   * not rewritten; each source segment's offset map is recorded (memory and pk_meta, one put
   * per segment) and entries resolve through it (`resolve`). When the maps hold more than
   * MAX_MOVED_OFFSETS offsets they are folded into the entries in one pass.
   */
  private rowsMoved(moves: readonly (SegmentMove & { readonly segmentId: number })[]): void {
    for (const m of moves) {
      this.moves.set(m.segmentId, { to: m.to, offsets: m.offsets, targets: m.targets });
      this.movedOffsets += m.offsets.length;
      const head = Buffer.alloc(4);
      head.writeUInt32LE(m.targets === undefined ? m.to : MULTI_TARGET);
      const parts = [head, Buffer.from(m.offsets.buffer, m.offsets.byteOffset, m.offsets.byteLength)];
      if (m.targets !== undefined) parts.push(Buffer.from(m.targets.buffer, m.targets.byteOffset, m.targets.byteLength));
      this.meta.put(moveKey(m.segmentId), Buffer.concat(parts));
    }
    if (this.movedOffsets > this.foldThreshold()) this.startFold();
  }

  private foldThreshold(): number {
    if (FIXED_MAX_MOVED_OFFSETS !== undefined) return MAX_MOVED_OFFSETS;
    const keys = this.bloom.layers.reduce((n, l) => n + l.added, 0);
    return Math.max(MAX_MOVED_OFFSETS, 4 * keys);
  }

  /** The current row id of an entry's row id, following recorded moves; undefined when the row was dropped by a merge. */
  resolve(rowId: number): number | undefined {
    let id = rowId;
    for (let hops = 0; id > 0 && hops < 1_000; hops++) {
      const seg = Math.floor(id / ROW_ID_SEGMENT_FACTOR);
      const m = this.moves.get(seg);
      if (m === undefined) return id;
      const off = id - seg * ROW_ID_SEGMENT_FACTOR;
      const next = off < m.offsets.length ? m.offsets[off]! : -1;
      if (next < 0) return undefined;
      id = makeRowId(m.targets !== undefined ? m.targets[off]! : m.to, next);
    }
    return id;
  }

  /**
   * The fold under way: the moves it will forget when done (those recorded when it started)
   * and where its scan of the entries continues.
   */
  private folding: { readonly sources: Set<number>; from: Buffer } | null = null;
  /** Entries the next fold step rewrites (scaled so a step takes about FOLD_STEP_MS). */
  private foldChunk = FOLD_CHUNK;
  private closed = false;
  /** Folds finished (for tests and reports). */
  folds = 0;

  /** Offsets held in recorded moves (verify_pk_index reports it). */
  get pendingMovedOffsets(): number {
    return this.movedOffsets;
  }

  /**
   * Starts folding the recorded moves into the entries, FOLD_CHUNK entries per turn of the
   * event loop (a fold of millions of entries in one synchronous pass stalled every session
   * for seconds). Each chunk rewrites the entries that resolve through a move to their current
   * row id (or deletes them when a merge dropped the row) in one KV transaction. The moves
   * recorded when the fold started are forgotten once the scan has passed every entry: any
   * entry written meanwhile names a live segment, not one of those sources. Moves recorded
   * during the fold stay (the next fold takes them). A close stops the fold; the moves stay
   * recorded (pk_meta) and entries already rewritten resolve to themselves.
   */
  private startFold(): void {
    if (this.folding !== null || this.moves.size === 0) return;
    this.folding = { sources: new Set(this.moves.keys()), from: Buffer.alloc(0) };
    // Entries still in the write buffer are rewritten in place now: a later flush may put them
    // in a key range the scan has passed. Every entry buffered after this names a live segment.
    if (this.kv instanceof BufferedKv) {
      this.readAhead = null;
      this.kv.rewriteBuffered((v) => {
        const old = rowIdOf(v);
        const cur = this.resolve(old);
        return cur === undefined ? null : cur !== old ? rowIdBytes(cur) : undefined;
      });
    }
    setImmediate(() => this.foldStep());
  }

  private foldStep(): void {
    const f = this.folding;
    if (f === null || this.closed) return;
    // The store under the write buffer is read and rewritten directly, a key range at a time
    // (pages in order, no trip through the buffer). A buffered value for the same key wins
    // over it until the buffer is flushed, and then replaces it, as it would anyway.
    const store = this.kv instanceof BufferedKv ? this.kv.base : this.kv;
    this.readAhead = null;
    const n = this.foldChunk;
    const started = performance.now();
    let pauseMs = 0;
    const rescale = (): void => {
      const ms = Math.max(0.05, performance.now() - started);
      this.foldChunk = Math.min(FOLD_CHUNK, Math.max(256, Math.round((n * FOLD_STEP_MS) / ms)));
      pauseMs = Math.round(ms * FOLD_PAUSE_FACTOR);
    };
    const next = (): void => void setTimeout(() => this.foldStep(), pauseMs);
    if (store instanceof SqliteKv) {
      // Inside SQLite: one UPDATE over the chunk's key range (no keys or rows through JavaScript).
      const from = store.rewriteValues(f.from, n, (v) => {
        const old = rowIdOf(v);
        const cur = this.resolve(old);
        return cur === undefined ? null : cur !== old ? rowIdBytes(cur) : undefined;
      });
      rescale();
      if (from !== null) {
        f.from = from;
        next();
        return;
      }
    } else {
      const chunk = store.scan(f.from, null, n);
      store.atomic(() => {
        for (const e of chunk) {
          const old = rowIdOf(e.value);
          const cur = this.resolve(old);
          if (cur === undefined) store.delete(e.key);
          else if (cur !== old) store.put(e.key, rowIdBytes(cur));
        }
      });
      rescale();
      if (chunk.length === n) {
        f.from = Buffer.concat([chunk[chunk.length - 1]!.key, Buffer.from([0])]);
        next();
        return;
      }
    }
    for (const seg of f.sources) {
      const m = this.moves.get(seg);
      if (m === undefined) continue;
      this.movedOffsets -= m.offsets.length;
      this.moves.delete(seg);
      this.meta.delete(moveKey(seg));
    }
    this.folding = null;
    this.folds++;
    this.afterWrites();
    if (this.movedOffsets > this.foldThreshold()) this.startFold();
  }

  /** Loads the moves a clean close left (entries written before them resolve through them). */
  private loadMoves(): void {
    for (const e of this.meta.scanPrefix(MOVE_PREFIX)) {
      const seg = e.key.readUInt32BE(MOVE_PREFIX.length);
      const to = e.value.readUInt32LE(0);
      const body = e.value.subarray(4);
      const ints = new Int32Array(body.length / 4);
      Buffer.from(ints.buffer).set(body);
      const multi = to === MULTI_TARGET;
      const offsets = multi ? ints.slice(0, ints.length / 2) : ints;
      this.moves.set(seg, { to: multi ? -1 : to, offsets, targets: multi ? ints.slice(ints.length / 2) : undefined });
      this.movedOffsets += offsets.length;
    }
  }

  /**
   * Compares a table's index entries with its visible committed rows: keys missing from the
   * index, entries without a row, and entries pointing elsewhere. Empty differences = clean.
   */
  async verify(t: TableDef, storage: StorageEngine, limit = 100): Promise<PkIndexReport> {
    const constraints = this.byTable.get(t.tableId) ?? [];
    const differences: PkIndexDifference[] = [];
    const actual = constraints.map(() => new Map<string, number>());
    let rows = 0;
    for await (const batch of keyRows(t, constraints, storage)) {
      batch.rows.forEach((row, i) => {
        rows++;
        constraints.forEach((u, c) => {
          const k = u.key(row);
          if (k !== null) actual[c]!.set(k, batch.rowIds[i]!);
        });
      });
    }
    let entries = 0;
    const show = (k: string): string => JSON.stringify(decodeKey(Buffer.from(k, 'latin1')), (_n, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    constraints.forEach((u, c) => {
      const want = actual[c]!;
      for (const e of this.kv.scanPrefix(u.prefix)) {
        entries++;
        const k = e.key.subarray(u.prefix.length).toString('latin1');
        const id = this.resolve(rowIdOf(e.value)) ?? -1;
        const at = want.get(k);
        // An entry may still name a row's pre-merge id; the engine resolves it to the same row.
        const same = at !== undefined && (at === id || storage.tables.get(t.tableId)?.currentRowId(id) === at);
        if (!same) differences.push({ constraint: u.def.name, key: show(k), indexed: id, actual: at ?? null });
        want.delete(k);
      }
      for (const [k, id] of want) differences.push({ constraint: u.def.name, key: show(k), indexed: null, actual: id });
    });
    return { table: t.name, rows, entries, differences: differences.slice(0, limit), movedOffsets: this.movedOffsets };
  }

  /** Marks the index clean (all entries match the committed data) and closes it. Call after the storage engine closed. */
  close(): void {
    this.closed = true;
    this.folding = null;
    // Every entry reaches the store before the index is declared clean.
    if (this.kv instanceof BufferedKv) this.kv.flush();
    this.bloom.layers.forEach((l, i) => this.meta.put(bloomLayerKey(i), l.toBytes()));
    this.meta.put(CLEAN_KEY, Buffer.from('1'));
    this.kv.close();
    this.meta.close();
  }
}

/** Row ids of a key range in key order, read from the store a chunk at a time (UniqueKeys.range). */
export class KeyRangeCursor {
  private done: boolean;

  constructor(
    private readonly kv: KvStore,
    private readonly u: UniqueConstraint,
    private from: Buffer,
    private readonly end: Buffer | null,
    /** The transaction's own rows in the range, sorted by key. */
    private readonly own: { key: Buffer; id: number }[],
    /** Keys (without prefix, latin1) the transaction deleted. */
    private readonly deleted: ReadonlySet<string>,
    /** UniqueKeys.resolve: an entry's row id after recorded merges. */
    private readonly resolve: (rowId: number) => number | undefined,
  ) {
    this.done = end !== null && Buffer.compare(from, end) >= 0;
  }

  /** The next ids (up to about `n` committed entries plus own rows up to the same key); [] at the end. */
  next(n: number): number[] {
    if (this.done) return this.own.splice(0).map((e) => e.id);
    const chunk = this.kv.scan(this.from, this.end, n);
    const exhausted = chunk.length < n;
    const last = chunk.length > 0 ? chunk[chunk.length - 1]!.key : null;
    const merged: { key: Buffer; id: number }[] = [];
    for (const e of chunk) {
      if (this.deleted.has(e.key.subarray(this.u.prefix.length).toString('latin1'))) continue;
      const id = this.resolve(e.value.readDoubleBE(0));
      if (id !== undefined) merged.push({ key: e.key, id });
    }
    let take = 0;
    while (take < this.own.length && (exhausted || (last !== null && Buffer.compare(this.own[take]!.key, last) <= 0))) take++;
    for (const o of this.own.splice(0, take)) merged.push(o);
    merged.sort((a, b) => Buffer.compare(a.key, b.key));
    if (exhausted) this.done = true;
    else this.from = Buffer.concat([last!, Buffer.from([0])]);
    return merged.map((e) => e.id);
  }
}
