/**
 * tiering/: the tiered ObjectStore — a local cache directory in front of a remote store (S3).
 * Writes go to the cache first (durable, as before) and are uploaded in the background by a
 * retrying queue; a ledger (catalog TierObjects) records each object's size, CRC-32 and where
 * copies are. Reads hit the cache or fetch from the remote (ranges directly, then the whole
 * object into the cache in the background); the cache is trimmed LRU between watermarks to a
 * byte budget, never dropping an object that is not yet remote or that belongs to a pinned
 * (tier = 'hot') table. The whole catalog is snapshotted to the remote when nothing is pending
 * upload, and remote deletions wait until a snapshot no longer references the object.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import type { Logger } from 'pino';
import { DbError, SqlState } from '../errors/index.ts';
import { LocalObjectStore, type ObjectStore } from './object-store.ts';

/** Objects of at least two parts are downloaded as parallel ranged GETs of this size. */
const PART_BYTES = 8 * 2 ** 20;
const PARALLEL_PARTS = 4;

/** One ledger row (catalog/tier-ledger.ts implements the ledger). */
export interface TierRecord {
  key: string;
  size: number;
  crc32: number;
  local: boolean;
  remote: boolean;
  deleting: boolean;
}

/** What the tiered store needs from its ledger. */
export interface TierLedgerPort {
  get(key: string): TierRecord | undefined;
  all(): IterableIterator<TierRecord>;
  put(rec: TierRecord): void;
  update(key: string, flags: Partial<Pick<TierRecord, 'local' | 'remote' | 'deleting'>>): void;
  remove(key: string): void;
  syncTableFiles(): void;
  catalogChanged(): boolean;
  backupTo(dest: string): Promise<void>;
  /** Object keys a catalog file (a snapshot) references. */
  referencedKeys(catalogFile: string): Set<string>;
}

/** A remote store whose puts can be given their own retry budget (S3ObjectStore). */
export interface RemoteStore extends ObjectStore {
  put(key: string, data: Uint8Array, totalMs?: number): Promise<void>;
}

export interface TieredStoreOptions {
  /** The cache directory (the data dir's objects/). */
  cacheDir: string;
  remote: RemoteStore;
  ledger: TierLedgerPort;
  log: Logger;
  /** Local cache budget in bytes; 0 = unlimited (nothing is evicted). */
  cacheBytes?: number;
  /** Eviction starts above high × budget and stops at low × budget (defaults 0.9 / 0.7). */
  highWatermark?: number;
  lowWatermark?: number;
  /** True for keys of pinned (tier = 'hot') tables: never evicted. */
  isPinned?: (key: string) => boolean;
  /** fsync cache writes of new objects (default true). */
  fsync?: boolean;
  /** Catalog snapshots at most this often while idle (default 5 s; 0 = only on close and explicit calls). */
  snapshotIntervalMs?: number;
  /** Retry budget of one background upload attempt round (default 30 s); the queue retries later anyway. */
  uploadTimeoutMs?: number;
}

/** Key of the catalog snapshot in the remote store. */
export const CATALOG_SNAPSHOT_KEY = 'catalog/catalog.db';

export interface TieringStats {
  uploads: number;
  uploadBytes: number;
  uploadFailures: number;
  pendingUploads: number;
  downloads: number;
  downloadBytes: number;
  rangeReads: number;
  rangeBytes: number;
  hits: number;
  misses: number;
  evictions: number;
  evictedBytes: number;
  localBytes: number;
  remoteBytes: number;
  cacheBudgetBytes: number;
  snapshots: number;
  remoteDeletes: number;
  lastSnapshotMicros: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Delete files are read at every start-up (small bitmaps): never evicted, so a local database opens without S3. */
function isStartupMetadata(key: string): boolean {
  return key.includes('/deletes/');
}

function isEnoent(err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT';
}

export class TieredStore implements ObjectStore {
  readonly local: LocalObjectStore;
  private readonly cacheFill: LocalObjectStore;
  readonly remote: RemoteStore;
  private readonly ledger: TierLedgerPort;
  private readonly log: Logger;
  readonly cacheBytes: number;
  private readonly high: number;
  private readonly low: number;
  private readonly isPinned: (key: string) => boolean;
  /** Keys in least-recently-used-first order (Map insertion order; touching moves a key to the end). */
  private readonly lru = new Map<string, true>();
  /** Write generation per key: an upload only marks `remote` if no newer put happened meanwhile. */
  private readonly gen = new Map<string, number>();
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly uploading = new Set<string>();
  private readonly fetching = new Map<string, Promise<Buffer>>();
  private readonly retryAt = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  private workers = 0;
  private readonly maxWorkers = 2;
  private snapshotting: Promise<boolean> | undefined;
  private dirty = true;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly uploadTimeoutMs: number;
  readonly stats: TieringStats;

  constructor(opts: TieredStoreOptions) {
    this.local = new LocalObjectStore(opts.cacheDir, opts.fsync ?? true);
    this.cacheFill = new LocalObjectStore(opts.cacheDir, false);
    this.remote = opts.remote;
    this.ledger = opts.ledger;
    this.log = opts.log;
    this.cacheBytes = opts.cacheBytes ?? 0;
    this.high = opts.highWatermark ?? 0.9;
    this.low = opts.lowWatermark ?? 0.7;
    this.isPinned = opts.isPinned ?? (() => false);
    this.uploadTimeoutMs = opts.uploadTimeoutMs ?? 30_000;
    this.stats = {
      uploads: 0, uploadBytes: 0, uploadFailures: 0, pendingUploads: 0, downloads: 0, downloadBytes: 0, rangeReads: 0, rangeBytes: 0,
      hits: 0, misses: 0, evictions: 0, evictedBytes: 0, localBytes: 0, remoteBytes: 0, cacheBudgetBytes: this.cacheBytes, snapshots: 0,
      remoteDeletes: 0, lastSnapshotMicros: 0,
    };
    for (const r of this.ledger.all()) {
      if (r.deleting) continue;
      if (r.local) {
        this.stats.localBytes += r.size;
        this.lru.set(r.key, true);
      }
      if (r.remote) this.stats.remoteBytes += r.size;
      if (r.local && !r.remote) this.enqueue(r.key);
    }
    this.maybeEvict(); // the budget may have shrunk since the last run
    const every = opts.snapshotIntervalMs ?? 5000;
    if (every > 0) {
      this.timer = setInterval(() => void this.snapshotIfIdle().catch((err) => this.log.warn({ err }, 'catalog snapshot failed')), every);
      this.timer.unref();
    }
  }

  /**
   * Objects in the cache directory the ledger does not know (written before tiering was
   * enabled): recorded and queued for upload. Reads them, so run in the background.
   */
  async adoptLocalObjects(): Promise<number> {
    let n = 0;
    for (const key of await this.local.list('tables/')) {
      if (this.ledger.get(key) !== undefined) continue;
      let bytes: Buffer;
      try {
        bytes = await this.local.get(key);
      } catch (err) {
        if (isEnoent(err)) continue;
        throw err;
      }
      if (this.ledger.get(key) !== undefined) continue;
      this.ledger.put({ key, size: bytes.length, crc32: crc32(bytes), local: true, remote: false, deleting: false });
      this.stats.localBytes += bytes.length;
      this.lru.set(key, true);
      this.enqueue(key);
      n++;
    }
    if (n > 0) this.ledger.syncTableFiles();
    return n;
  }

  // ---- ObjectStore ----

  async put(key: string, data: Uint8Array): Promise<void> {
    this.gen.set(key, (this.gen.get(key) ?? 0) + 1);
    await this.local.put(key, data);
    const old = this.ledger.get(key);
    if (old !== undefined && !old.deleting) {
      if (old.local) this.stats.localBytes -= old.size;
      if (old.remote) this.stats.remoteBytes -= old.size;
    }
    this.ledger.put({ key, size: data.length, crc32: crc32(data), local: true, remote: false, deleting: false });
    this.stats.localBytes += data.length;
    this.touch(key);
    this.dirty = true;
    this.enqueue(key);
    this.maybeEvict();
  }

  async get(key: string): Promise<Buffer> {
    const rec = this.ledger.get(key);
    if (rec === undefined || rec.local) {
      try {
        const buf = await this.local.get(key);
        this.stats.hits++;
        this.touch(key);
        return buf;
      } catch (err) {
        if (!isEnoent(err) || rec === undefined || !rec.remote) throw err;
        this.lostLocalCopy(rec);
      }
    }
    if (rec.deleting) throw Object.assign(new Error(`object ${key} was deleted`), { code: 'ENOENT' });
    this.stats.misses++;
    return this.fetchWhole(rec);
  }

  /** Local when not in the ledger (never uploaded) or when the cache holds it. */
  isLocal(key: string): boolean {
    const rec = this.ledger.get(key);
    return rec === undefined || rec.local;
  }

  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    const rec = this.ledger.get(key);
    if (rec === undefined || rec.local) {
      try {
        const buf = await this.local.getRange(key, offset, length);
        this.stats.hits++;
        this.touch(key);
        return buf;
      } catch (err) {
        if (!isEnoent(err) || rec === undefined || !rec.remote) throw err;
        this.lostLocalCopy(rec);
      }
    }
    if (rec.deleting) throw Object.assign(new Error(`object ${key} was deleted`), { code: 'ENOENT' });
    this.stats.misses++;
    const inflight = this.fetching.get(key);
    if (inflight !== undefined) return (await inflight).subarray(offset, offset + length);
    const started = Date.now();
    const buf = await this.remoteRange(key, offset, length);
    if (length >= 1 << 20) this.log.info({ key, offset, bytes: length, ms: Date.now() - started }, 'read range of a cold object');
    this.stats.rangeReads++;
    this.stats.rangeBytes += buf.length;
    // Later reads of this object hit the cache: fetch it whole in the background (if it can stay there).
    if (this.cacheable(rec.size) || this.isPinned(key)) void this.fetchWhole(rec).catch((err) => this.log.warn({ err, key }, 'background cache fill failed'));
    return buf;
  }

  async delete(key: string): Promise<void> {
    await this.local.delete(key);
    const rec = this.ledger.get(key);
    this.lru.delete(key);
    this.gen.set(key, (this.gen.get(key) ?? 0) + 1);
    if (rec === undefined) return;
    if (!rec.deleting) {
      if (rec.local) this.stats.localBytes -= rec.size;
      if (rec.remote) this.stats.remoteBytes -= rec.size;
    }
    if (rec.remote || this.uploading.has(key)) this.ledger.update(key, { local: false, deleting: true });
    else this.ledger.remove(key);
    this.dirty = true;
  }

  async list(prefix: string): Promise<string[]> {
    const keys = new Set(await this.local.list(prefix));
    for (const r of this.ledger.all()) if (r.key.startsWith(prefix) && !r.deleting) keys.add(r.key);
    for (const k of [...keys]) if (this.ledger.get(k)?.deleting) keys.delete(k);
    return [...keys].sort();
  }

  async size(key: string): Promise<number> {
    const rec = this.ledger.get(key);
    if (rec !== undefined && !rec.deleting) return rec.size;
    return this.local.size(key);
  }

  // ---- cache ----

  private touch(key: string): void {
    this.lru.delete(key);
    this.lru.set(key, true);
  }

  private lostLocalCopy(rec: TierRecord): void {
    this.log.warn({ key: rec.key }, 'cached copy missing; reading from object storage');
    this.ledger.update(rec.key, { local: false });
    this.stats.localBytes -= rec.size;
    this.lru.delete(rec.key);
  }

  /** Downloads a whole object, checks it against the ledger's CRC (XX001), stores it in the cache. One fetch per key at a time. */
  private fetchWhole(rec: TierRecord): Promise<Buffer> {
    let p = this.fetching.get(rec.key);
    if (p !== undefined) return p;
    p = (async () => {
      const started = Date.now();
      const buf = rec.size >= PART_BYTES * 2 ? await this.remoteRange(rec.key, 0, rec.size) : await this.remote.get(rec.key);
      if (buf.length !== rec.size || crc32(buf) !== rec.crc32) {
        throw new DbError(SqlState.DataCorrupted, `object "${rec.key}" from object storage fails its checksum`, {
          detail: `${buf.length} bytes with CRC-32 ${crc32(buf).toString(16)}; the catalog records ${rec.size} bytes with ${rec.crc32.toString(16)}`,
        });
      }
      this.stats.downloads++;
      this.stats.downloadBytes += buf.length;
      this.log.info({ key: rec.key, bytes: buf.length, ms: Date.now() - started }, 'downloaded object');
      const cur = this.ledger.get(rec.key);
      if (cur !== undefined && !cur.deleting && !cur.local && cur.crc32 === rec.crc32 && !this.closed && (this.cacheable(buf.length) || this.isPinned(rec.key))) {
        await this.cacheFill.put(rec.key, buf);
        this.ledger.update(rec.key, { local: true });
        this.stats.localBytes += buf.length;
        this.touch(rec.key);
        this.log.debug({ key: rec.key }, 'cached downloaded object');
      }
      return buf;
    })().finally(() => {
      this.fetching.delete(rec.key);
      this.maybeEvict();
    });
    this.fetching.set(rec.key, p);
    return p;
  }

  /**
   * Bytes [offset, offset + length) of a remote object; a large range as ranged GETs of
   * PART_BYTES, PARALLEL_PARTS in flight (one stream does not fill the link).
   */
  private async remoteRange(key: string, offset: number, length: number): Promise<Buffer> {
    if (length < PART_BYTES * 2) return this.remote.getRange(key, offset, length);
    const out = Buffer.allocUnsafe(length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < length) {
        const at = next;
        next += PART_BYTES;
        const part = await this.remote.getRange(key, offset + at, Math.min(PART_BYTES, length - at));
        part.copy(out, at);
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_PARTS }, worker));
    return out;
  }

  /** Objects over half the budget are not cached (they would evict everything and be evicted next), unless pinned. */
  private cacheable(size: number): boolean {
    return this.cacheBytes <= 0 || size <= this.cacheBytes / 2;
  }

  /** Trims the cache LRU-first to the low watermark once it passes the high one. */
  private maybeEvict(): void {
    if (this.cacheBytes <= 0 || this.stats.localBytes <= this.high * this.cacheBytes) return;
    const target = this.low * this.cacheBytes;
    for (const key of [...this.lru.keys()]) {
      if (this.stats.localBytes <= target) break;
      const r = this.ledger.get(key);
      if (r === undefined || !r.local) {
        this.lru.delete(key);
        continue;
      }
      if (!r.remote || r.deleting || this.uploading.has(key) || this.fetching.has(key) || this.isPinned(key) || isStartupMetadata(key)) continue;
      this.ledger.update(key, { local: false });
      this.lru.delete(key);
      this.stats.localBytes -= r.size;
      this.stats.evictions++;
      this.stats.evictedBytes += r.size;
      void this.local.delete(key).catch((err) => this.log.warn({ err, key }, 'could not remove evicted cache file'));
      this.log.info({ key, bytes: r.size, cacheBytes: this.stats.localBytes, budget: this.cacheBytes }, 'evicted object from the local cache');
    }
  }

  /** Fetches every remote-only object under `prefix` into the cache (warm-up of a pinned table). */
  async warm(prefix: string): Promise<number> {
    let n = 0;
    for (const r of [...this.ledger.all()]) {
      if (this.closed) break;
      if (!r.key.startsWith(prefix) || r.local || r.deleting || !r.remote) continue;
      await this.fetchWhole(r);
      n++;
    }
    return n;
  }

  // ---- uploads ----

  private enqueue(key: string): void {
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.stats.pendingUploads = this.queued.size + this.uploading.size;
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.workers < this.maxWorkers && this.queue.length > 0) {
      this.workers++;
      void this.worker().finally(() => {
        this.workers--;
        this.stats.pendingUploads = this.queued.size + this.uploading.size;
        if (this.queue.length > 0) this.pump();
      });
    }
  }

  private async worker(): Promise<void> {
    while (this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      const wait = (this.retryAt.get(key) ?? 0) - Date.now();
      if (wait > 0) await sleep(wait);
      await this.uploadOne(key);
      if (this.closed && !this.draining) return;
    }
  }

  private draining = false;

  private async uploadOne(key: string): Promise<void> {
    const rec = this.ledger.get(key);
    if (rec === undefined || rec.remote || rec.deleting || !rec.local) return;
    const g = this.gen.get(key) ?? 0;
    this.uploading.add(key);
    const started = Date.now();
    try {
      const bytes = await this.local.get(key);
      if (crc32(bytes) !== rec.crc32 || bytes.length !== rec.size) {
        if ((this.gen.get(key) ?? 0) !== g) return; // rewritten meanwhile; the new put queued it again
        throw new DbError(SqlState.DataCorrupted, `cached object "${key}" fails its checksum; not uploading it`);
      }
      await this.remote.put(key, bytes, this.uploadTimeoutMs);
      this.stats.uploads++;
      this.stats.uploadBytes += bytes.length;
      this.failures.delete(key);
      this.retryAt.delete(key);
      const cur = this.ledger.get(key);
      if (cur !== undefined && (this.gen.get(key) ?? 0) === g && cur.crc32 === rec.crc32) {
        this.ledger.update(key, { remote: true });
        if (!cur.deleting) this.stats.remoteBytes += cur.size;
        this.dirty = true;
      } else if (cur === undefined) {
        // Deleted while uploading and the record is gone: remove the stray upload.
        await this.remote.delete(key).catch(() => undefined);
      }
      this.log.info({ key, bytes: bytes.length, ms: Date.now() - started }, 'uploaded object');
    } catch (err) {
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      this.stats.uploadFailures++;
      const delay = Math.min(30_000, 500 * 2 ** Math.min(n, 6));
      this.retryAt.set(key, Date.now() + delay);
      this.log.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code }, key, attempt: n, retryInMs: delay }, 'upload failed; will retry');
      if (isEnoent(err)) {
        // The only copy went away (deleted meanwhile, or removed by hand): nothing to upload; forget it so snapshots are not blocked.
        const cur = this.ledger.get(key);
        if (cur !== undefined && !cur.remote && (this.gen.get(key) ?? 0) === g) {
          this.ledger.remove(key);
          if (cur.local && !cur.deleting) this.stats.localBytes -= cur.size;
          this.lru.delete(key);
        }
        return;
      }
      if (!this.closed) setTimeout(() => this.enqueue(key), delay).unref();
    } finally {
      this.uploading.delete(key);
      this.stats.pendingUploads = this.queued.size + this.uploading.size;
    }
    this.maybeEvict();
  }

  /** True when every live object has a remote copy. */
  get allUploaded(): boolean {
    if (this.uploading.size > 0 || this.queued.size > 0) return false;
    for (const r of this.ledger.all()) if (!r.deleting && !r.remote) return false;
    return true;
  }

  /** Waits until every object is uploaded or `timeoutMs` passes; retries failed ones immediately. Returns allUploaded. */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    this.draining = true;
    try {
      while (!this.allUploaded && Date.now() < deadline) {
        for (const r of this.ledger.all()) {
          if (!r.deleting && !r.remote && r.local && !this.uploading.has(r.key)) {
            this.retryAt.delete(r.key);
            if (!this.queued.has(r.key)) {
              this.queued.add(r.key);
              this.queue.push(r.key);
            }
          }
        }
        if (this.workers === 0 && this.queue.length > 0) {
          this.workers++;
          await this.worker().finally(() => this.workers--);
        } else {
          this.pump();
          await sleep(50);
        }
      }
      return this.allUploaded;
    } finally {
      this.draining = false;
    }
  }

  // ---- catalog snapshots ----

  /** Snapshots the catalog when something changed and nothing is waiting for upload. */
  async snapshotIfIdle(): Promise<boolean> {
    const changed = this.ledger.catalogChanged();
    if (!(changed || this.dirty) || !this.allUploaded || this.closed) {
      if (changed) this.dirty = true;
      return false;
    }
    return this.snapshot();
  }

  /**
   * Uploads a consistent copy of the catalog (only when every live object is remote, so a
   * restore from it finds all its files), then removes remote objects deleted before it that
   * it no longer references. Returns false when uploads are pending or the upload failed.
   */
  snapshot(): Promise<boolean> {
    this.snapshotting ??= this.snapshotOnce().finally(() => (this.snapshotting = undefined));
    return this.snapshotting;
  }

  private async snapshotOnce(): Promise<boolean> {
    if (!this.allUploaded) return false;
    this.dirty = false;
    this.ledger.syncTableFiles();
    const tmp = path.join(os.tmpdir(), `tessera-catalog-snapshot-${process.pid}-${Date.now()}.db`);
    try {
      await this.ledger.backupTo(tmp);
      const bytes = await fs.readFile(tmp);
      const referenced = this.ledger.referencedKeys(tmp);
      await this.remote.put(CATALOG_SNAPSHOT_KEY, bytes, this.uploadTimeoutMs);
      this.stats.snapshots++;
      this.stats.lastSnapshotMicros = Date.now() * 1000;
      this.log.info({ bytes: bytes.length }, 'catalog snapshot uploaded');
      for (const r of [...this.ledger.all()]) {
        if (!r.deleting || referenced.has(r.key) || this.uploading.has(r.key)) continue;
        if (r.remote) await this.remote.delete(r.key);
        this.ledger.remove(r.key);
        this.stats.remoteDeletes++;
      }
      return true;
    } catch (err) {
      this.dirty = true;
      this.log.warn({ err: { message: (err as Error).message, code: (err as { code?: string }).code } }, 'catalog snapshot failed; will retry');
      return false;
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  /** Uploads what is pending (bounded by `timeoutMs`), snapshots the catalog, stops the background work. */
  async close(timeoutMs = 30_000): Promise<boolean> {
    if (this.timer !== undefined) clearInterval(this.timer);
    const uploaded = await this.drain(timeoutMs);
    await Promise.allSettled([...this.fetching.values()]);
    let snap = false;
    if (uploaded) snap = await this.snapshot();
    this.closed = true;
    if (!uploaded) this.log.warn({ pending: this.stats.pendingUploads }, 'shutting down with objects not yet uploaded; they stay in the local cache and upload after the next start');
    return uploaded && snap;
  }
}
