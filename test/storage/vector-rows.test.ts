/**
 * storage/segment-file.ts readVectorRows: a run of rows of a vector column read through chunk
 * CRCs without the whole column — equal to the rows as written, for runs inside one chunk and
 * across many; a flipped byte inside the run's chunks is XX001, one elsewhere does not matter;
 * columns with NULLs or mixed dimensions decline (null) so readers load the whole column.
 * A column larger than one step is checked and decoded in steps (readSegmentColumn lets the
 * event loop turn between them) with the same values and the same XX001.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { DbError } from '../../src/errors/index.ts';
import { CHUNK_BYTES, encodeSegmentFile, readSegmentColumn, readSegmentHeader, readVectorRows } from '../../src/storage/segment-file.ts';
import { ByteReader } from '../../src/storage/bytes.ts';
import { decodeColumnSteps } from '../../src/storage/column-codec.ts';
import { LocalObjectStore } from '../../src/tiering/index.ts';
import { Oid } from '../../src/types/index.ts';
import { rng } from '../vector-support.ts';

const DIM = 64;
const N = 5000;
const r = rng(5);
const vectors = Array.from({ length: N }, () => new Float32Array(DIM).map(() => r.gauss()));
const ids = Array.from({ length: N }, (_v, i) => BigInt(i));

async function withFile(values: readonly unknown[], fn: (store: LocalObjectStore, key: string, file: string) => Promise<void>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-vrows-'));
  try {
    const store = new LocalObjectStore(dir, false);
    const key = 'tables/1/segments/7.seg';
    const { bytes } = encodeSegmentFile(1, 7, values.length, [{ attnum: 1, typeOid: Oid.int8, values: ids.slice(0, values.length) }, { attnum: 2, typeOid: Oid.vector, values }]);
    await store.put(key, bytes);
    await fn(store, key, path.join(dir, ...key.split('/')));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('runs of rows read by chunk equal the rows written', async () => {
  await withFile(vectors, async (store, key) => {
    const header = await readSegmentHeader(store, key);
    const col = header.columns.find((c) => c.attnum === 2)!;
    assert.equal(col.fixedDim, DIM);
    for (const [a, b] of [[0, 1], [10, 20], [N - 3, N], [100, 4000], [0, N]]) {
      const got = (await readVectorRows(store, key, header, col, a!, b!))!;
      assert.equal(got.length, (b! - a!) * DIM);
      for (let i = a!; i < b!; i++) assert.deepEqual(got.subarray((i - a!) * DIM, (i - a! + 1) * DIM), vectors[i]);
    }
    // The whole-column read verifies the same chunk CRCs.
    assert.deepEqual(await readSegmentColumn(store, key, header, col), vectors);
  });
});

test('a flipped byte in the chunks of a run is XX001; elsewhere it is not read', async () => {
  await withFile(vectors, async (store, key, file) => {
    const header = await readSegmentHeader(store, key);
    const col = header.columns.find((c) => c.attnum === 2)!;
    const pristine = fs.readFileSync(file);
    const rowAt = (i: number): number => col.offset + 14 + N * 4 + i * DIM * 4;
    const bad = Buffer.from(pristine);
    bad[rowAt(3000) + 5]! ^= 0x01;
    fs.writeFileSync(file, bad);
    await assert.rejects(readVectorRows(store, key, header, col, 2990, 3010), (err: unknown) => err instanceof DbError && err.code === 'XX001');
    // Rows whose chunks do not include the flipped byte are still served (and correct).
    const far = Math.floor((rowAt(3000) - col.offset) / CHUNK_BYTES) * CHUNK_BYTES; // start of the damaged chunk, block-relative
    const safeEnd = Math.floor((far - 14 - N * 4) / (DIM * 4)) - 1;
    const got = (await readVectorRows(store, key, header, col, 0, safeEnd))!;
    assert.deepEqual(got.subarray(0, DIM), vectors[0]);
    // A flipped chunk CRC is caught too.
    const crcBad = Buffer.from(pristine);
    crcBad[col.offset + col.length]! ^= 0x01;
    fs.writeFileSync(file, crcBad);
    await assert.rejects(readVectorRows(store, key, header, col, 0, 10), (err: unknown) => err instanceof DbError && err.code === 'XX001');
    await assert.rejects(readSegmentColumn(store, key, header, col), (err: unknown) => err instanceof DbError && err.code === 'XX001');
  });
});

test('NULLs or mixed dimensions: no fixed layout, the reader declines', async () => {
  await withFile([...vectors.slice(0, 10), null, ...vectors.slice(11, 20)], async (store, key) => {
    const header = await readSegmentHeader(store, key);
    const col = header.columns.find((c) => c.attnum === 2)!;
    assert.equal(col.fixedDim, 0);
    assert.equal(await readVectorRows(store, key, header, col, 0, 5), null);
  });
  await withFile([...vectors.slice(0, 10), new Float32Array(DIM + 1)], async (store, key) => {
    const header = await readSegmentHeader(store, key);
    assert.equal(await readVectorRows(store, key, header, header.columns.find((c) => c.attnum === 2)!, 0, 5), null);
  });
});

test('a column larger than a step is checked and decoded in steps: same values, a flip in a later step is XX001', async () => {
  // 70,000 × 64 floats = 17.9 MB: more than one 16 MiB step of checksums and of copying, and
  // several slices of row views (each a point where readSegmentColumn may let the loop turn).
  const big = Array.from({ length: 70_000 }, (_v, i) => vectors[i % N]!.map((x) => x + i));
  const { bytes } = encodeSegmentFile(1, 7, big.length, [{ attnum: 2, typeOid: Oid.vector, values: big }]);
  const header = await readSegmentHeader({ getRange: async (_k: string, at: number, n: number) => bytes.subarray(at, at + n) } as unknown as LocalObjectStore, 'k');
  const col = header.columns.find((c) => c.attnum === 2)!;
  const block = new ByteReader(bytes.subarray(col.offset, col.offset + col.length), 'test');
  const steps = decodeColumnSteps(block);
  let yields = 0;
  let done = steps.next();
  for (; done.done !== true; done = steps.next()) yields++;
  assert.ok(yields >= 4, `${yields} yields`);
  assert.deepEqual(done.value.values, big);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-vrows-'));
  try {
    const store = new LocalObjectStore(dir, false);
    const key = 'tables/1/segments/8.seg';
    await store.put(key, bytes);
    const file = path.join(dir, ...key.split('/'));
    const h = await readSegmentHeader(store, key);
    const c = h.columns.find((x) => x.attnum === 2)!;
    assert.deepEqual(await readSegmentColumn(store, key, h, c), big);
    const bad = fs.readFileSync(file);
    bad[c.offset + c.length - 100]! ^= 0x01; // in the last chunk: the second step of checksums
    fs.writeFileSync(file, bad);
    await assert.rejects(readSegmentColumn(store, key, h, c), (err: unknown) => err instanceof DbError && err.code === 'XX001' && /chunk 2\d\d /.test(String(err.detail)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
