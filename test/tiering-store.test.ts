/**
 * Unit tests of TieredStore (src/tiering/tiered-store.ts) over a temp cache directory, an
 * in-memory remote whose puts can be held or failed (S3 going away in the middle of an
 * upload), and an in-memory ledger: upload after put, a rewrite during an upload, eviction
 * between watermarks and pinning, cold reads (ranges, background fill, lost cached file),
 * checksum mismatch on download (XX001), remote deletes deferred until a snapshot no longer
 * references the object, and snapshots only when nothing is pending.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import pino from 'pino';
import { CATALOG_SNAPSHOT_KEY, TieredStore, type RemoteStore, type TierLedgerPort, type TierRecord } from '../src/tiering/index.ts';

class MemRemote implements RemoteStore {
  readonly objects = new Map<string, Buffer>();
  down = false;
  /** While set, puts wait for it (an upload in flight when S3 goes away). */
  hold: Promise<void> | null = null;
  puts: string[] = [];
  async put(key: string, data: Uint8Array): Promise<void> {
    if (this.hold) await this.hold;
    if (this.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    this.puts.push(key);
    this.objects.set(key, Buffer.from(data));
  }
  async get(key: string): Promise<Buffer> {
    if (this.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: '58030' });
    const b = this.objects.get(key);
    if (!b) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    return Buffer.from(b);
  }
  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    return (await this.get(key)).subarray(offset, offset + length);
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }
  async size(key: string): Promise<number> {
    return (await this.get(key)).length;
  }
}

class MemLedger implements TierLedgerPort {
  readonly rows = new Map<string, TierRecord>();
  /** Keys the "catalog" references; a snapshot file records them. */
  referenced = new Set<string>();
  changed = false;
  get(key: string): TierRecord | undefined {
    return this.rows.get(key);
  }
  all(): IterableIterator<TierRecord> {
    return this.rows.values();
  }
  put(rec: TierRecord): void {
    this.rows.set(rec.key, { ...rec });
  }
  update(key: string, flags: Partial<Pick<TierRecord, 'local' | 'remote' | 'deleting'>>): void {
    const r = this.rows.get(key);
    if (r) this.rows.set(key, { ...r, ...flags });
  }
  remove(key: string): void {
    this.rows.delete(key);
  }
  syncTableFiles(): void {}
  catalogChanged(): boolean {
    const c = this.changed;
    this.changed = false;
    return c;
  }
  async backupTo(dest: string): Promise<void> {
    fs.writeFileSync(dest, JSON.stringify([...this.referenced]));
  }
  referencedKeys(file: string): Set<string> {
    return new Set(JSON.parse(fs.readFileSync(file, 'utf8')) as string[]);
  }
}

const log = pino({ level: 'silent' });
const dirs: string[] = [];
const stores: TieredStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close(100);
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function make(opts: { cacheBytes?: number; pinned?: (k: string) => boolean; remote?: MemRemote; ledger?: MemLedger; dir?: string } = {}) {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-tier-'));
  if (!opts.dir) dirs.push(dir);
  const remote = opts.remote ?? new MemRemote();
  const ledger = opts.ledger ?? new MemLedger();
  const store = new TieredStore({ cacheDir: dir, remote, ledger, log, cacheBytes: opts.cacheBytes ?? 0, isPinned: opts.pinned, fsync: false, snapshotIntervalMs: 0 });
  stores.push(store);
  return { dir, remote, ledger, store };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const bytes = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);

describe('TieredStore', () => {
  test('put is local at once and uploaded in the background', async () => {
    const { store, remote, ledger } = make();
    await store.put('tables/1/segments/1.seg', bytes(100, 1));
    assert.equal(ledger.get('tables/1/segments/1.seg')!.local, true);
    await until(() => ledger.get('tables/1/segments/1.seg')!.remote);
    assert.deepEqual(remote.objects.get('tables/1/segments/1.seg'), bytes(100, 1));
    assert.equal(store.stats.uploads, 1);
    assert.deepEqual(await store.list('tables/1/'), ['tables/1/segments/1.seg']);
  });

  test('S3 away in the middle of an upload: the object stays local, is retried, and a rewrite is never marked remote with old bytes', async () => {
    const { store, remote, ledger } = make();
    let release!: () => void;
    remote.hold = new Promise((r) => (release = r));
    await store.put('tables/1/deletes/1.del', bytes(10, 1)); // upload starts and hangs
    await until(() => store.stats.pendingUploads === 1);
    await store.put('tables/1/deletes/1.del', bytes(10, 2)); // rewritten while the first upload is in flight
    remote.down = true;
    remote.hold = null;
    release();
    await until(() => store.stats.uploadFailures >= 1);
    assert.equal(ledger.get('tables/1/deletes/1.del')!.remote, false);
    assert.equal(store.allUploaded, false);
    assert.equal(await store.snapshot(), false, 'no snapshot while an object is not uploaded');
    remote.down = false;
    assert.equal(await store.drain(5000), true);
    assert.deepEqual(remote.objects.get('tables/1/deletes/1.del'), bytes(10, 2));
    assert.equal(ledger.get('tables/1/deletes/1.del')!.remote, true);
  });

  test('eviction: LRU between watermarks, never unuploaded or pinned objects', async () => {
    const { store, remote, ledger, dir } = make({ cacheBytes: 1000, pinned: (k) => k.startsWith('tables/9/') });
    remote.down = true;
    for (let i = 1; i <= 4; i++) await store.put(`tables/1/segments/${i}.seg`, bytes(300, i));
    assert.equal(store.stats.localBytes, 1200, 'over budget, but nothing is remote yet: nothing evicted');
    assert.equal(store.stats.evictions, 0);
    remote.down = false;
    await store.drain(5000);
    await store.put('tables/9/segments/5.seg', bytes(300, 5));
    await store.drain(5000);
    assert.ok(store.stats.localBytes <= 900, `local ${store.stats.localBytes}`);
    assert.ok(store.stats.evictions >= 2);
    assert.equal(ledger.get('tables/1/segments/1.seg')!.local, false, 'least recently used first');
    assert.equal(ledger.get('tables/9/segments/5.seg')!.local, true, 'pinned stays');
    assert.equal(fs.existsSync(path.join(dir, 'tables/1/segments/1.seg')), false);
    // A cold range read is served remotely, then the object is fetched whole into the cache.
    assert.deepEqual(await store.getRange('tables/1/segments/1.seg', 10, 5), bytes(5, 1));
    assert.equal(store.stats.rangeReads, 1);
    await until(() => ledger.get('tables/1/segments/1.seg')!.local);
    assert.deepEqual(await store.getRange('tables/1/segments/1.seg', 0, 3), bytes(3, 1));
    assert.ok(store.stats.hits >= 1);
  });

  test('cold reads: S3 errors surface, a lost cached file falls back to S3, a corrupt download is XX001', async () => {
    const { store, remote, ledger, dir } = make();
    await store.put('tables/2/segments/1.seg', bytes(50, 7));
    await store.drain(5000);
    fs.rmSync(path.join(dir, 'tables/2/segments/1.seg'));
    assert.deepEqual(await store.get('tables/2/segments/1.seg'), bytes(50, 7), 'lost cached copy read from S3');
    assert.equal(ledger.get('tables/2/segments/1.seg')!.local, true, 'and cached again');
    fs.rmSync(path.join(dir, 'tables/2/segments/1.seg'));
    remote.down = true;
    await assert.rejects(store.get('tables/2/segments/1.seg'), (e: { code?: string }) => e.code === '58030');
    remote.down = false;
    const evil = bytes(50, 7);
    evil[3] = 8;
    remote.objects.set('tables/2/segments/1.seg', evil);
    await assert.rejects(store.get('tables/2/segments/1.seg'), (e: { code?: string }) => e.code === 'XX001');
  });

  test('remote deletes wait for a snapshot that no longer references the object', async () => {
    const { store, remote, ledger } = make();
    await store.put('tables/3/segments/1.seg', bytes(20, 1));
    await store.drain(5000);
    ledger.referenced = new Set(['tables/3/segments/1.seg']);
    await store.delete('tables/3/segments/1.seg');
    assert.deepEqual(await store.list('tables/3/'), [], 'gone for readers at once');
    assert.ok(remote.objects.has('tables/3/segments/1.seg'), 'remote copy kept');
    assert.equal(await store.snapshot(), true);
    assert.ok(remote.objects.has(CATALOG_SNAPSHOT_KEY));
    assert.ok(remote.objects.has('tables/3/segments/1.seg'), 'still referenced by the snapshot');
    ledger.referenced = new Set();
    assert.equal(await store.snapshot(), true);
    assert.equal(remote.objects.has('tables/3/segments/1.seg'), false);
    assert.equal(ledger.get('tables/3/segments/1.seg'), undefined);
    assert.equal(store.stats.remoteDeletes, 1);
  });

  test('a restart re-queues objects that were never uploaded', async () => {
    const first = make();
    first.remote.down = true;
    await first.store.put('tables/4/segments/1.seg', bytes(30, 4));
    await first.store.close(50);
    first.remote.down = false;
    const second = make({ remote: first.remote, ledger: first.ledger, dir: first.dir });
    await until(() => first.ledger.get('tables/4/segments/1.seg')!.remote);
    assert.deepEqual(first.remote.objects.get('tables/4/segments/1.seg'), bytes(30, 4));
    assert.equal(second.store.allUploaded, true);
  });
});
