/**
 * Unit tests of the pure parts of vector search: the index file envelope (round trip, every
 * corrupted byte detected, the sketch section, version 1 files), the cold-start sketch's
 * bounded candidates against exact search, the bounded top-k heap and exact kernels against a full sort with
 * pgvector's own distance functions, and PostgreSQL's default index names.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { decodeIndexFile, encodeIndexFile, readIndexLayout, type IndexFileHeader } from '../src/ann/envelope.ts';
import { exactDistance, squaredNorm, TopK, type ExactMetric } from '../src/ann/exact.ts';
import { sketchCandidates } from '../src/ann/sketch-search.ts';
import { decodeSketch, encodeSketch } from '../src/ann/sketch.mjs';
import { defaultIndexName } from '../src/planner/plan-index.ts';
import { denseDistance } from '../src/types/vector-distance.ts';
import { clusteredVectors, rng } from './vector-support.ts';

const header: IndexFileHeader = { tableId: 7, segmentId: 42, indexId: 3, rowCount: 1000, dim: 128, metric: 'cosine', m: 16, efConstruction: 64 };

test('envelope: round trip keeps header and payload', () => {
  const payload = Uint8Array.from({ length: 300 }, (_v, i) => (i * 31) & 0xff);
  const file = encodeIndexFile(header, payload);
  const { header: h, payload: p } = decodeIndexFile(file, 'x');
  assert.deepEqual(h, header);
  assert.deepEqual(Buffer.from(p), Buffer.from(payload));
});

test('envelope: every flipped byte and truncation is XX001', () => {
  const file = encodeIndexFile(header, Uint8Array.from({ length: 64 }, (_v, i) => i));
  for (let i = 0; i < file.length; i++) {
    const bad = Buffer.from(file);
    bad[i] ^= 0x01;
    assert.throws(() => decodeIndexFile(bad, 'f'), (e: { code: string }) => e.code === 'XX001', `byte ${i}`);
  }
  assert.throws(() => decodeIndexFile(file.subarray(0, file.length - 1), 'f'), (e: { code: string }) => e.code === 'XX001');
  assert.throws(() => decodeIndexFile(file.subarray(0, 10), 'f'), (e: { code: string }) => e.code === 'XX001');
});

test('envelope: a sketch section round trips, is located by the header alone, and every flipped byte is XX001', () => {
  const payload = Uint8Array.from({ length: 200 }, (_v, i) => (i * 7) & 0xff);
  const sketch = Uint8Array.from({ length: 90 }, (_v, i) => (i * 13) & 0xff);
  const file = encodeIndexFile(header, payload, sketch);
  const d = decodeIndexFile(file, 'x');
  assert.deepEqual(d.header, header);
  assert.deepEqual(Buffer.from(d.payload), Buffer.from(payload));
  assert.deepEqual(Buffer.from(d.sketch!), Buffer.from(sketch));
  const l = readIndexLayout(file.subarray(0, 64), 'x');
  assert.deepEqual(Buffer.from(file.subarray(l.payloadOffset, l.payloadOffset + l.payloadLength)), Buffer.from(payload));
  assert.deepEqual(Buffer.from(file.subarray(l.sketchOffset, l.sketchOffset + l.sketchLength)), Buffer.from(sketch));
  for (let i = 0; i < file.length; i++) {
    const bad = Buffer.from(file);
    bad[i] ^= 0x10;
    assert.throws(() => decodeIndexFile(bad, 'f'), (e: { code: string }) => e.code === 'XX001', `byte ${i}`);
  }
});

test('envelope: version 1 files (48-byte header, no sketch) still read', () => {
  const payload = Uint8Array.from({ length: 100 }, (_v, i) => i);
  const v2 = encodeIndexFile(header, payload);
  const v1 = Buffer.alloc(48 + payload.length);
  v2.copy(v1, 0, 0, 44);
  v1.writeUInt16LE(1, 4);
  v1.writeUInt32LE(zlib.crc32(v1.subarray(0, 44)) >>> 0, 44);
  v1.set(payload, 48);
  const d = decodeIndexFile(v1, 'v1');
  assert.deepEqual(d.header, header);
  assert.deepEqual(Buffer.from(d.payload), Buffer.from(payload));
  assert.equal(d.sketch, null);
  assert.equal(readIndexLayout(v1, 'v1').sketchLength, 0);
});

test('sketch: the rows its error bounds keep hold the exact top-10 (l2, ip, cosine), certified, with true distances inside the bounds', () => {
  const dim = 32;
  const n = 20_000;
  const { base, queries } = clusteredVectors(n, dim, { seed: 77, clusters: 80, queries: 30 });
  for (const metric of ['l2', 'ip', 'cosine'] as const) {
    // Decoded from a Buffer view into a larger buffer, as read from object storage.
    const enc = encodeSketch(base, n, dim, metric === 'cosine');
    const pooled = Buffer.alloc(enc.length + 100);
    pooled.set(enc, 37);
    const sk = decodeSketch(pooled.subarray(37, 37 + enc.length))!;
    assert.equal(sk.n, n);
    let kept = 0;
    for (let qi = 0; qi < 30; qi++) {
      const q = queries.subarray(qi * dim, (qi + 1) * dim);
      const qn = squaredNorm(q);
      const gone = (i: number): boolean => i % 97 === 0; // deleted rows never come back
      const got = sketchCandidates(sk, metric, q, 10, (i) => !gone(i));
      assert.ok(got.certified, `${metric} query ${qi}: certified`);
      kept += got.offsets.length;
      const reranked = new TopK(10);
      got.offsets.forEach((id, j) => {
        assert.ok(!gone(id));
        const d = exactDistance(metric, q, base, id * dim, dim, qn);
        assert.ok(got.lower[j]! <= d && d <= got.upper[j]!, `${metric}: ${got.lower[j]} <= ${d} <= ${got.upper[j]}`);
        reranked.push(d, id);
      });
      const truth = new TopK(10);
      for (let i = 0; i < n; i++) if (!gone(i)) truth.push(exactDistance(metric, q, base, i * dim, dim, qn), i);
      const sorted = (t: TopK): number[] => Array.from(t.ids.subarray(0, t.size)).sort((a, b) => a - b);
      assert.deepEqual(sorted(reranked), sorted(truth), `${metric} query ${qi}`);
    }
    assert.ok(kept / 30 < 200, `${metric}: the bounds keep few rows (${kept / 30} per query)`);
  }
});

test('exact kernels + TopK give pgvector\'s order (full sort with pgvector\'s kernels as oracle)', () => {
  const r = rng(3);
  const dim = 37;
  const n = 2000;
  const data = Float32Array.from({ length: n * dim }, () => r.gauss());
  const q = Float32Array.from({ length: dim }, () => r.gauss());
  const pg: Record<ExactMetric, (a: Float32Array, b: Float32Array) => number> = {
    l2: (a, b) => denseDistance.l2('vector', a, b),
    ip: (a, b) => denseDistance.negativeInnerProduct('vector', a, b),
    cosine: (a, b) => denseDistance.cosine('vector', a, b),
    l1: (a, b) => denseDistance.l1('vector', a, b),
  };
  for (const metric of ['l2', 'ip', 'cosine', 'l1'] as const) {
    const top = new TopK(25);
    const qn = squaredNorm(q);
    for (let i = 0; i < n; i++) top.push(exactDistance(metric, q, data, i * dim, dim, qn), i);
    const oracle = Array.from({ length: n }, (_v, i) => i)
      .map((i) => ({ i, d: pg[metric](q, data.subarray(i * dim, (i + 1) * dim)) }))
      .sort((a, b) => a.d - b.d || a.i - b.i)
      .slice(0, 25)
      .map((x) => x.i);
    assert.deepEqual(top.sortedIds(), oracle, metric);
  }
});

test('TopK keeps the k smallest of a stream in any order', () => {
  const r = rng(11);
  for (const k of [1, 2, 7, 100]) {
    const xs = Array.from({ length: 500 }, () => r.uni());
    const top = new TopK(k);
    xs.forEach((x, i) => top.push(x, i));
    const want = xs.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x).slice(0, k).map((e) => e.i);
    assert.deepEqual(top.sortedIds(), want);
  }
});

test('default index names as PostgreSQL: t_col_idx, numbering on a clash, 63-byte truncation', () => {
  const taken = new Set(['items_embedding_idx', 'items_embedding_idx1']);
  assert.equal(defaultIndexName('items', ['embedding'], (n) => taken.has(n)), 'items_embedding_idx2');
  assert.equal(defaultIndexName('t', ['a', 'b'], () => false), 't_a_b_idx');
  // Expected names from PostgreSQL (PGlite): a 63-char table name shortens the table part,
  // a 63-char column name the column part.
  const long = 'x'.repeat(63);
  const name = defaultIndexName(long, ['embedding'], () => false);
  assert.equal(name, `${'x'.repeat(49)}_embedding_idx`);
  assert.equal(Buffer.byteLength(name), 63);
  assert.equal(defaultIndexName('t', ['a'.repeat(63)], () => false), `t_${'a'.repeat(57)}_idx`);
});

test('searchGraphs: inline searches here, pool in the workers (one message per worker), split alternates; results in request order', async () => {
  const { searchGraphs } = await import('../src/ann/graph.ts');
  type Fake = Parameters<typeof searchGraphs>[0][number]['graph'];
  const messages: string[][] = [];
  const worker = {
    async searchMany(_q: Float32Array, keys: readonly string[], ks: Int32Array) {
      messages.push([...keys]);
      const parts = keys.map((k, i) => Array.from({ length: ks[i]! }, (_v, j) => Number(k.slice(1)) * 100 + j));
      return { labels: Int32Array.from(parts.flat()), counts: Int32Array.from(parts.map((p) => p.length)) };
    },
  };
  const localCalls: number[] = [];
  const graph = (n: number): Fake => ({
    header: {} as never, count: 1000, drop: () => {},
    search: async () => { throw new Error('not used'); },
    local: { searchSync: (_q: Float32Array, k: number) => { localCalls.push(n); return Array.from({ length: k }, (_v, j) => n * 100 + j); } } as never,
    remote: { target: worker, key: `g${n}` },
  });
  const reqs = [0, 1, 2, 3].map((n) => ({ graph: graph(n), k: 2, ef: 40 }));
  const q = new Float32Array(4);
  const expected = [[0, 1], [100, 101], [200, 201], [300, 301]];
  for (const mode of ['inline', 'pool', 'split'] as const) {
    messages.length = 0;
    localCalls.length = 0;
    const out = await searchGraphs(reqs, q, mode);
    assert.deepEqual(out.map((x) => Array.from(x)), expected, mode);
    if (mode === 'inline') assert.deepEqual([messages, localCalls], [[], [0, 1, 2, 3]]);
    if (mode === 'pool') assert.deepEqual([messages, localCalls], [[['g0', 'g1', 'g2', 'g3']], []]);
    if (mode === 'split') assert.deepEqual([messages, localCalls], [[['g0', 'g2']], [1, 3]]);
  }
  // A failing worker fails the search (after this thread's share), never as an unhandled rejection.
  const failing = { searchMany: async () => { throw new Error('worker gone'); } };
  const bad = [0, 1].map((n) => ({ graph: { ...graph(n), remote: { target: failing, key: `g${n}` } }, k: 1, ef: 40 }));
  await assert.rejects(searchGraphs(bad, q, 'split'), /worker gone/);
});
