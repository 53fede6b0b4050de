/**
 * ann/simd.ts: the WebAssembly SIMD batch kernels against float64 arithmetic on the same
 * float32 inputs — L2 squared and negative inner product, dimensions 4 to 16,000, runs longer
 * than one chunk of the module's memory, and a run starting mid-array; rows stored in a vector
 * memory (read in place) give the same bits as the same rows in a plain array (copied); with a
 * bar, exactly the rows whose distance is below it come back, in order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { distancesBelow, simdServes } from '../src/ann/simd.ts';
import { allocVectorFloats, copyVectorFloats, vectorMemoryOf } from '../src/storage/vector-memory.ts';
import { rng } from './vector-support.ts';

/** Every row's distance (bar +inf), checking that all came back in order. */
function batchDistances(metric: 'l2' | 'ip', q: Float32Array, data: Float32Array, first: number, n: number, dim: number, out: Float32Array): void {
  const at = new Int32Array(n);
  assert.equal(distancesBelow(metric, q, data, first, n, dim, Infinity, out, at), n);
  assert.deepEqual(at, Int32Array.from({ length: n }, (_v, i) => i));
}

function exact(metric: 'l2' | 'ip', q: Float32Array, data: Float32Array, row: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) s += metric === 'l2' ? (q[d]! - data[row * dim + d]!) ** 2 : q[d]! * data[row * dim + d]!;
  return metric === 'l2' ? s : -s;
}

test('SIMD batch distances equal float64 sums within float32 rounding', () => {
  const r = rng(11);
  for (const [dim, n] of [[4, 100], [12, 50], [128, 9000], [384, 3000], [16000, 70]] as const) {
    assert.equal(simdServes('l2', dim), true, `dim ${dim}`);
    const data = new Float32Array(n * dim).map(() => r.gauss());
    const q = new Float32Array(dim).map(() => r.gauss());
    for (const metric of ['l2', 'ip'] as const) {
      const first = 7;
      const out = new Float32Array(n - first);
      batchDistances(metric, q, data, first, n - first, dim, out);
      for (let i = 0; i < n - first; i++) {
        const want = exact(metric, q, data, first + i, dim);
        const tol = 1e-5 * Math.max(1, Math.abs(want)) * Math.sqrt(dim);
        assert.ok(Math.abs(out[i]! - want) <= tol, `${metric} dim ${dim} row ${first + i}: ${out[i]} vs ${want}`);
      }
    }
  }
  assert.equal(simdServes('l2', 3), false);
  assert.equal(simdServes('cosine', 128), false);
});

test('rows in a vector memory are scanned in place with the same results as copied rows', () => {
  assert.equal(vectorMemoryOf(allocVectorFloats(1000)), undefined, 'small arrays stay plain');
  const r = rng(12);
  // 20,000 × 16: more rows than one in-place call returns; 70 × 16,000: the widest query.
  for (const [dim, n] of [[16, 20_000], [128, 9000], [16000, 70]] as const) {
    const plain = new Float32Array(n * dim).map(() => r.gauss());
    const stored = copyVectorFloats(plain);
    assert.ok(vectorMemoryOf(stored) !== undefined, `dim ${dim}: ${n * dim * 4} bytes live in a vector memory`);
    assert.ok(stored.byteOffset > 0, 'rows start after the scratch area');
    const q = new Float32Array(dim).map(() => r.gauss());
    for (const metric of ['l2', 'ip'] as const) {
      const first = 3;
      const a = new Float32Array(n - first);
      const b = new Float32Array(n - first);
      batchDistances(metric, q, plain, first, n - first, dim, a);
      batchDistances(metric, q, stored, first, n - first, dim, b);
      assert.deepEqual(b, a, `${metric} dim ${dim}`);
      // Below a bar: exactly the rows under it (the 1st, 10th, 50th percentiles), same from both.
      const sorted = [...a].sort((x, y) => x - y);
      for (const bar of [sorted[0]!, sorted[Math.floor(sorted.length / 10)]!, sorted[sorted.length >> 1]!]) {
        const want = [...a.keys()].filter((i) => a[i]! < bar);
        for (const rows of [plain, stored]) {
          const dist = new Float32Array(n - first);
          const at = new Int32Array(n - first);
          const c = distancesBelow(metric, q, rows, first, n - first, dim, bar, dist, at);
          assert.deepEqual([...at.subarray(0, c)], want, `${metric} dim ${dim} below ${bar}`);
          assert.deepEqual(dist.subarray(0, c), Float32Array.from(want, (i) => a[i]!));
        }
      }
      // The query written into the memory's scratch area did not touch the rows.
      assert.deepEqual(stored.subarray(0, dim), plain.subarray(0, dim));
    }
  }
});
