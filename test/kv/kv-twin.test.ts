/**
 * Property tests for kv/: SqliteKv and its in-memory twin MemoryKv driven with the same
 * random operations (seeded) must return the same results after every step.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { BufferedKv, MapLayer, MemoryKv, SqliteFlusher, SqliteKv, type KvStore } from '../../src/kv/index.ts';
import { mulberry32 } from '../support/prng.ts';

const rng = mulberry32;

/** Short keys over a tiny alphabet (including 0x00 and 0xff) so ranges and prefixes collide often. */
function randomKey(r: () => number): Buffer {
  const alphabet = [0x00, 0x01, 0x61, 0x62, 0xfe, 0xff];
  const n = Math.floor(r() * 4);
  return Buffer.from(Array.from({ length: n }, () => alphabet[Math.floor(r() * alphabet.length)]!));
}

const show = (es: { key: Buffer; value: Buffer }[]): string[] => es.map((e) => `${e.key.toString('hex')}=${e.value.toString('hex')}`);

function drive(a: KvStore, b: KvStore, seed: number, steps: number): void {
  const r = rng(seed);
  for (let step = 0; step < steps; step++) {
    const op = Math.floor(r() * 13);
    const k = randomKey(r);
    const k2 = randomKey(r);
    const v = Buffer.from([Math.floor(r() * 256)]);
    const ctx = `seed ${seed} step ${step} op ${op} key ${k.toString('hex')} key2 ${k2.toString('hex')}`;
    switch (op) {
      case 0:
        a.put(k, v);
        b.put(k, v);
        break;
      case 1: {
        const entries: [Buffer, Buffer][] = [[k, v], [k2, Buffer.from([1])], [k, Buffer.from([2])]];
        // Sometimes big (SqliteKv writes those in statements of 100 rows), with repeated keys.
        if (r() < 0.2) for (let n = 100 + Math.floor(r() * 250); n > 0; n--) entries.push([r() < 0.1 ? k : randomKey(r), Buffer.from([n & 0xff])]);
        a.batchPut(entries);
        b.batchPut(entries);
        break;
      }
      case 2:
        assert.equal(a.delete(k), b.delete(k), ctx);
        break;
      case 3:
        assert.equal(a.batchDelete([k, k2, k]), b.batchDelete([k, k2, k]), ctx);
        break;
      case 4:
        assert.equal(a.deleteRange(k, k2), b.deleteRange(k, k2), ctx);
        break;
      case 5:
        assert.equal(a.deletePrefix(k), b.deletePrefix(k), ctx);
        break;
      case 6:
        assert.deepEqual(a.get(k), b.get(k), ctx);
        break;
      case 7: {
        // Small batches, and big ones (SqliteKv reads those with IN (...) statements of 250 keys), with repeats.
        const n = r() < 0.2 ? 250 + Math.floor(r() * 400) : 2 + Math.floor(r() * 8);
        const keys = [k, k2, k];
        while (keys.length < n) keys.push(randomKey(r));
        assert.deepEqual(a.batchGet(keys), b.batchGet(keys), ctx);
        break;
      }
      case 8: {
        const end = r() < 0.3 ? null : k2;
        const limit = r() < 0.5 ? 1 + Math.floor(r() * 3) : undefined;
        assert.deepEqual(show(a.scan(k, end, limit)), show(b.scan(k, end, limit)), ctx);
        break;
      }
      case 9:
        assert.deepEqual(show(a.scanPrefix(k)), show(b.scanPrefix(k)), ctx);
        break;
      case 10: {
        // An atomic batch that fails half-way leaves nothing behind in either store.
        for (const s of [a, b]) {
          assert.throws(() =>
            s.atomic(() => {
              s.put(k, v);
              s.delete(k2);
              throw new Error('abort');
            }),
          );
        }
        break;
      }
      case 11:
        // BufferedKv's blind delete (no read) must leave the same contents as delete.
        if (a instanceof BufferedKv) a.discard(k);
        else a.delete(k);
        b.delete(k);
        break;
      case 12: {
        // A batch handed over whole (a layer: read in place, packed at flush) is newer than everything before it.
        const layer = new Map<string, Buffer | null>([[k.toString('latin1'), v], [k2.toString('latin1'), r() < 0.3 ? null : Buffer.from([3])]]);
        for (let n = Math.floor(r() * (r() < 0.2 ? 300 : 5)); n > 0; n--) layer.set(randomKey(r).toString('latin1'), r() < 0.2 ? null : Buffer.from([n & 0xff]));
        for (const s of [a, b]) {
          if (s instanceof BufferedKv) s.putLayer(new MapLayer(new Map(layer)));
          else for (const [key, value] of layer) value === null ? s.delete(Buffer.from(key, 'latin1')) : s.put(Buffer.from(key, 'latin1'), value);
        }
        break;
      }
    }
    if (step % 50 === 0) assert.deepEqual(show(a.scan(Buffer.alloc(0), null)), show(b.scan(Buffer.alloc(0), null)), ctx);
  }
  assert.deepEqual(show(a.scan(Buffer.alloc(0), null)), show(b.scan(Buffer.alloc(0), null)));
  assert.equal(a.size(), b.size());
}

test('SqliteKv (in memory) and MemoryKv agree on random operations', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const sq = SqliteKv.open(':memory:');
    drive(sq, new MemoryKv(), seed, 600);
    sq.close();
  }
});

test('BufferedKv over SqliteKv (tiny buffer, so flushes interleave) and MemoryKv agree', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const b = new BufferedKv(SqliteKv.open(':memory:'), 1 + (seed % 7));
    drive(b, new MemoryKv(), seed, 600);
    assert.ok(b.flushes > 0);
    b.close();
  }
});

/** Fills a store file (in a temp dir) through `fill`, then reopens it and checks it holds what the twin holds. */
async function reopenedMatches(fill: (file: string, twin: MemoryKv) => Promise<void> | void): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-kv-'));
  try {
    const file = path.join(dir, 'kv.db');
    const twin = new MemoryKv();
    await fill(file, twin);
    const sq = SqliteKv.open(file);
    assert.deepEqual(show(sq.scan(Buffer.alloc(0), null)), show(twin.scan(Buffer.alloc(0), null)));
    sq.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('BufferedKv flushing through a worker thread (SqliteFlusher, tiny buffer) and MemoryKv agree; reads see batches in flight', () =>
  reopenedMatches(async (file, twin) => {
    const b = new BufferedKv(SqliteKv.open(file), 3, new SqliteFlusher(file, 'kv'));
    for (let seed = 1; seed <= 40; seed++) {
      drive(b, twin, seed, 40);
      // Sometimes the event loop turns, so batches also finish in the background.
      if (seed % 3 !== 0) await new Promise((r) => setTimeout(r, seed % 3));
    }
    assert.ok(b.flushes > 10);
    b.close();
  }));

test('BufferedKv keeps unflushed writes until close, then they are in the base store', () =>
  reopenedMatches((file, twin) => {
    const b = new BufferedKv(SqliteKv.open(file), 1_000_000);
    drive(b, twin, 7, 300);
    b.close();
  }));

test('SqliteKv on disk keeps its contents across reopen', () =>
  reopenedMatches((file, twin) => {
    const sq = SqliteKv.open(file);
    drive(sq, twin, 99, 800);
    sq.close();
  }));

test('scan limit and open end', () => {
  for (const s of [SqliteKv.open(':memory:'), new MemoryKv()]) {
    for (let i = 0; i < 10; i++) s.put(Buffer.from([i]), Buffer.from([i]));
    assert.deepEqual(s.scan(Buffer.from([3]), null, 2).map((e) => e.key[0]), [3, 4]);
    assert.deepEqual(s.scan(Buffer.from([8]), null).map((e) => e.key[0]), [8, 9]);
    assert.deepEqual(s.scan(Buffer.from([2]), Buffer.from([4])).map((e) => e.key[0]), [2, 3]);
    s.close();
  }
});

test('BufferedKv.rewriteBuffered rewrites, deletes or keeps buffered values in place; flushed ones are not touched', () => {
  const b = new BufferedKv(SqliteKv.open(':memory:'), 1_000_000);
  const k = (i: number): Buffer => Buffer.from([i]);
  for (let i = 0; i < 6; i++) b.put(k(i), Buffer.from([i]));
  b.flush();
  for (let i = 3; i < 9; i++) b.put(k(i), Buffer.from([10 + i]));
  b.discard(k(2));
  b.rewriteBuffered((v) => (v[0] === 13 ? null : v[0] === 14 ? Buffer.from([99]) : undefined));
  const all = b.scan(Buffer.alloc(0), null).map((e) => `${e.key[0]}=${e.value[0]}`);
  assert.deepEqual(all, ['0=0', '1=1', '4=99', '5=15', '6=16', '7=17', '8=18']);
  assert.throws(() => b.atomic(() => b.rewriteBuffered(() => undefined)));
  b.close();
});

test('SqliteKv.rewriteValues walks the keys in chunks and rewrites, keeps or deletes each value (MemoryKv does the same by hand)', () => {
  for (const limit of [1, 3, 7, 1000]) {
    const sq = SqliteKv.open(':memory:');
    const mem = new MemoryKv();
    const r = rng(limit);
    for (let i = 0; i < 300; i++) {
      const k = randomKey(r);
      const v = Buffer.from([1 + Math.floor(r() * 200)]);
      sq.put(k, v);
      mem.put(k, v);
    }
    // Values divisible by 3 are deleted, even ones doubled (mod 256, never 0), the rest kept.
    const fn = (v: Buffer): Buffer | null | undefined => (v[0]! % 3 === 0 ? null : v[0]! % 2 === 0 ? Buffer.from([(v[0]! * 2) % 255 || 1]) : undefined);
    let steps = 0;
    for (let from: Buffer | null = Buffer.alloc(0); from !== null; steps++) from = sq.rewriteValues(from, limit, fn);
    for (const e of mem.scan(Buffer.alloc(0), null)) {
      const next = fn(e.value);
      if (next === null) mem.delete(e.key);
      else if (next !== undefined) mem.put(e.key, next);
    }
    assert.deepEqual(show(sq.scan(Buffer.alloc(0), null)), show(mem.scan(Buffer.alloc(0), null)), `limit ${limit}`);
    if (limit === 1) assert.ok(steps > 10, `${steps} steps`);
    sq.close();
  }
});
