/**
 * storage/: single values of fixed-width columns read through chunk CRCs (segment-file.ts
 * openFixedWidthColumn / fixedValueAt, Segment.rowAt) — equal to the values written for every
 * fixed-width type, at chunk boundaries (a value straddling two chunks) too; columns with NULLs
 * or of variable width decline; a flipped byte in a value's chunk or in its CRC is XX001 while
 * other chunks are still served; and a point fetch from a cold sealed file reads a few chunks,
 * not the whole column (bytes counted at the object store).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DbError } from '../../src/errors/index.ts';
import {
  CHUNK_BYTES, encodeSegmentFile, fixedValueAt, fixedValueChunks, openFixedWidthColumn, readColumnChunk, readSegmentHeader,
} from '../../src/storage/segment-file.ts';
import { LocalObjectStore, type ObjectStore } from '../../src/tiering/index.ts';
import { Oid } from '../../src/types/index.ts';
import { col, createTable, insertCommit, openEnv, tempDir } from './helpers.ts';

const N = 30_000;
const COLUMNS = [
  { attnum: 1, typeOid: Oid.int8, values: Array.from({ length: N }, (_v, i) => BigInt(i) * 7919n - 1_000_000n) },
  { attnum: 2, typeOid: Oid.int4, values: Array.from({ length: N }, (_v, i) => (i * 2654435761) | 0) },
  { attnum: 3, typeOid: Oid.int2, values: Array.from({ length: N }, (_v, i) => (i % 65536) - 32768) },
  { attnum: 4, typeOid: Oid.float8, values: Array.from({ length: N }, (_v, i) => i / 7 - 100) },
  { attnum: 5, typeOid: Oid.bool, values: Array.from({ length: N }, (_v, i) => i % 3 === 0) },
  { attnum: 6, typeOid: Oid.float4, values: Array.from({ length: N }, (_v, i) => Math.fround(i * 1.5)) },
  { attnum: 7, typeOid: Oid.int8, values: Array.from({ length: N }, (_v, i) => (i === 17 ? null : BigInt(i))) },
  { attnum: 8, typeOid: Oid.text, values: Array.from({ length: N }, (_v, i) => `t${i}`) },
  { attnum: 9, typeOid: Oid.date, values: Array.from({ length: N }, (_v, i) => (i === 0 ? -Infinity : i === 1 ? Infinity : i - 15_000)) },
];
const FIXED = COLUMNS.filter((c) => c.attnum !== 7 && c.attnum !== 8);

async function withFile(fn: (store: LocalObjectStore, key: string, file: string) => Promise<void>): Promise<void> {
  const dir = tempDir('tessera-fixed-');
  try {
    const store = new LocalObjectStore(dir, false);
    const key = 'tables/1/segments/9.seg';
    await store.put(key, encodeSegmentFile(1, 9, N, COLUMNS).bytes);
    await fn(store, key, path.join(dir, ...key.split('/')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function valueAt(store: ObjectStore, f: NonNullable<Awaited<ReturnType<typeof openFixedWidthColumn>>>, offset: number): Promise<unknown> {
  const [a, b] = fixedValueChunks(f, offset);
  const first = await readColumnChunk(store, f.key, f.col, f.crcs, a);
  return fixedValueAt(f, offset, first, b === a ? null : await readColumnChunk(store, f.key, f.col, f.crcs, b));
}

test('single values read by chunk equal the values written, across chunk boundaries', async () => {
  await withFile(async (store, key) => {
    const header = await readSegmentHeader(store, key);
    for (const c of FIXED) {
      const f = await openFixedWidthColumn(store, key, header, header.columns.find((h) => h.attnum === c.attnum)!);
      assert.ok(f !== null, `column ${c.attnum} has a fixed layout`);
      // Offsets around every chunk boundary (8-byte values straddle them: the block starts with a 14-byte prefix).
      const offsets = new Set([0, 1, N - 1, 12345]);
      for (let at = CHUNK_BYTES; at < f.col.length; at += CHUNK_BYTES) {
        const row = Math.floor((at - 14) / f.width);
        for (const o of [row - 1, row, row + 1]) if (o >= 0 && o < N) offsets.add(o);
      }
      let straddles = 0;
      for (const o of offsets) {
        const [a, b] = fixedValueChunks(f, o);
        if (a !== b) straddles++;
        assert.deepEqual(await valueAt(store, f, o), c.values[o], `column ${c.attnum} row ${o}`);
      }
      if (c.attnum === 1) assert.ok(straddles > 0, 'some int8 value straddles two chunks');
    }
  });
});

test('columns with NULLs or of variable width have no fixed layout', async () => {
  await withFile(async (store, key) => {
    const header = await readSegmentHeader(store, key);
    for (const attnum of [7, 8]) assert.equal(await openFixedWidthColumn(store, key, header, header.columns.find((h) => h.attnum === attnum)!), null);
  });
});

test('a flipped byte in a value\'s chunk or its CRC is XX001; other chunks are still served', async () => {
  await withFile(async (store, key, file) => {
    const header = await readSegmentHeader(store, key);
    const h = header.columns.find((c) => c.attnum === 1)!;
    const pristine = fs.readFileSync(file);
    const isCorrupt = (err: unknown): boolean => err instanceof DbError && err.code === 'XX001';
    // Row 20000's bytes sit in chunk 2 of the int8 block.
    const bad = Buffer.from(pristine);
    bad[h.offset + 14 + 20000 * 8 + 3]! ^= 0x10;
    fs.writeFileSync(file, bad);
    const f = (await openFixedWidthColumn(store, key, header, h))!;
    assert.equal(fixedValueChunks(f, 20000)[0], 2);
    await assert.rejects(valueAt(store, f, 20000), isCorrupt);
    await assert.rejects(valueAt(store, f, 19990), isCorrupt);
    assert.equal(await valueAt(store, f, 100), COLUMNS[0]!.values[100]);
    // A flipped CRC of chunk 1.
    const crcBad = Buffer.from(pristine);
    crcBad[h.offset + h.length + 4]! ^= 0x01;
    fs.writeFileSync(file, crcBad);
    const g = (await openFixedWidthColumn(store, key, header, h))!;
    assert.equal(fixedValueChunks(g, 9000)[0], 1);
    await assert.rejects(valueAt(store, g, 9000), isCorrupt);
    assert.equal(await valueAt(store, g, 20000), COLUMNS[0]!.values[20000]);
    // Chunk 0 holds the block's prefix: damage there fails the opening.
    const prefixBad = Buffer.from(pristine);
    prefixBad[h.offset + 20]! ^= 0x01;
    fs.writeFileSync(file, prefixBad);
    await assert.rejects(openFixedWidthColumn(store, key, header, h), isCorrupt);
  });
});

/** An object store counting the bytes read through it. */
class CountingStore implements ObjectStore {
  bytesRead = 0;
  constructor(private readonly inner: ObjectStore) {}
  put(key: string, data: Uint8Array): Promise<void> { return this.inner.put(key, data); }
  async get(key: string): Promise<Buffer> {
    const b = await this.inner.get(key);
    this.bytesRead += b.length;
    return b;
  }
  async getRange(key: string, offset: number, length: number): Promise<Buffer> {
    const b = await this.inner.getRange(key, offset, length);
    this.bytesRead += b.length;
    return b;
  }
  delete(key: string): Promise<void> { return this.inner.delete(key); }
  list(prefix: string): Promise<string[]> { return this.inner.list(prefix); }
  size(key: string): Promise<number> { return this.inner.size(key); }
}

test('a point fetch from a cold sealed file reads a few chunks, not the whole column', async () => {
  const dir = tempDir();
  const counting = new CountingStore(new LocalObjectStore(path.join(dir, 'objects'), false));
  const env = await openEnv({ objectStore: counting }, dir);
  try {
    const t = createTable(env.catalog, 'big', [col(1, 'id', Oid.int8), col(2, 'v', Oid.int8), col(3, 'note', Oid.text)]);
    env.engine.attachTable(t);
    const rows = Array.from({ length: 200_000 }, (_v, i) => [BigInt(i) * 3n, BigInt(-i), i === 5 ? null : `n${i}`]);
    const ids = await insertCommit(env.engine, t.tableId, [1, 2, 3], rows);
    await env.engine.maintain();
    // A fresh engine: the sealed file's columns are not in memory.
    const engine = await env.reopen();
    const snap = engine.snapshot(t.tableId);
    try {
      const seg = snap.segments[0]!.segment;
      assert.equal(seg.state, 'sealed');
      assert.equal(seg.columns.size, 0);
      const before = counting.bytesRead;
      const got = await engine.fetch(snap, null, [ids[150_001]!, ids[7]!], [1, 2]);
      assert.deepEqual(got, [[450_003n, -150_001n], [21n, -7n]]);
      const read = counting.bytesRead - before;
      // Each int8 column block is 1.6 MB; a header, CRC lists and a few 64 KiB chunks are far less.
      assert.ok(read < 8 * CHUNK_BYTES, `read ${read} bytes`);
      assert.equal(seg.columns.size, 0, 'no column was loaded whole');
      assert.equal(seg.chunkValueReads, 4);
      // The text column has no fixed layout: loaded whole, and still exact.
      assert.deepEqual(await engine.fetch(snap, null, [ids[5]!, ids[6]!], [3, 1]), [[null, 15n], ['n6', 18n]]);
      assert.ok(seg.columns.has(3));
      // Memory charged for the chunks stays within the budget's accounting.
      assert.ok(engine.columnCache.usage().external > 0);
    } finally {
      snap.release();
    }
  } finally {
    await env.close();
  }
});

test('many point reads of one column read its block once, then serve values without I/O; a damaged block stays with chunks', async () => {
  const dir = tempDir();
  const counting = new CountingStore(new LocalObjectStore(path.join(dir, 'objects'), false));
  const env = await openEnv({ objectStore: counting }, dir);
  try {
    const t = createTable(env.catalog, 'many', [col(1, 'id', Oid.int8), col(2, 'v', Oid.int4)]);
    env.engine.attachTable(t);
    const n = 300_000; // the int8 block: 37 chunks
    const ids = await insertCommit(env.engine, t.tableId, [1, 2], Array.from({ length: n }, (_v, i) => [BigInt(i) * 5n, i - 7]));
    await env.engine.maintain();
    const spread = (k: number, of: number): number => Math.floor(((k + 0.5) * n) / of);
    const check = async (offsets: number[]): Promise<void> => {
      const snap = env.engine.snapshot(t.tableId);
      try {
        const got = await env.engine.fetch(snap, null, offsets.map((o) => ids[o]!), [1]);
        assert.deepEqual(got, offsets.map((o) => [BigInt(o) * 5n]));
      } finally {
        snap.release();
      }
    };
    let engine = await env.reopen();
    const segOf = (): { promotions: Promise<void>[]; chunkValueReads: number; columns: Map<number, unknown[]> } => {
      const snap = engine.snapshot(t.tableId);
      const seg = snap.segments[0]!.segment;
      snap.release();
      return seg as unknown as { promotions: Promise<void>[]; chunkValueReads: number; columns: Map<number, unknown[]> };
    };
    // Values from 30 different chunks, one statement each: the block is read whole in the background.
    for (let k = 0; k < 30; k++) await check([spread(k, 30)]);
    await Promise.all(segOf().promotions);
    const before = counting.bytesRead;
    await check(Array.from({ length: 500 }, (_v, k) => spread(k, 500)));
    assert.equal(counting.bytesRead - before, 0, 'served from the block in memory');
    assert.equal(segOf().columns.size, 0, 'never decoded whole');
    // A flipped byte in chunk 3: the whole-block read fails quietly; intact chunks keep serving, chunk 3 is XX001.
    const files = env.catalog.files(t.tableId);
    const loc = files[files.length - 1]!.location;
    const file = path.join(dir, 'objects', ...loc.split('/'));
    const header = await readSegmentHeader(counting, loc);
    const h = header.columns.find((c) => c.attnum === 1)!;
    const bytes = fs.readFileSync(file);
    bytes[h.offset + 3 * CHUNK_BYTES + 100]! ^= 0x04;
    fs.writeFileSync(file, bytes);
    engine = await env.reopen();
    const rowsPerChunk = CHUNK_BYTES / 8;
    const damaged = Math.floor((3 * CHUNK_BYTES + 100 - 14) / 8);
    for (let c = 0; c < 37; c++) if (c !== 3) await check([Math.min(n - 1, c * rowsPerChunk + 10)]);
    await Promise.all(segOf().promotions);
    await check([n - 5, 100]);
    await assert.rejects(check([damaged]), (err: unknown) => err instanceof DbError && err.code === 'XX001');
  } finally {
    await env.close();
  }
});
