/**
 * ann/codes.ts: the rows `codeCandidates` keeps always include the exact L2 top-k (float64
 * over the float32 rows) of the live rows, on clustered, uniform, constant and wide-ranged
 * data, with deleted rows and queries from inside and outside the data — and they are few;
 * a query too far outside the codes' range is refused (the caller scans the floats).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codeCandidates, codesServe, encodeCodes } from '../src/ann/codes.ts';
import { rng } from './vector-support.ts';

function exactTop(data: Float32Array, dim: number, q: Float32Array, k: number, live: (i: number) => boolean): { ids: number[]; kth: number } {
  const all: [number, number][] = [];
  for (let i = 0; i < data.length / dim; i++) {
    if (!live(i)) continue;
    let s = 0;
    for (let d = 0; d < dim; d++) s += (q[d]! - data[i * dim + d]!) ** 2;
    all.push([s, i]);
  }
  all.sort((a, b) => a[0] - b[0]);
  return { ids: all.slice(0, k).map((x) => x[1]), kth: all[Math.min(k, all.length) - 1]?.[0] ?? Infinity };
}

test('code candidates hold the exact top-k of the live rows, and are few', () => {
  const r = rng(21);
  const dim = 128;
  const n = 6000;
  const centers = Array.from({ length: 40 }, () => Float32Array.from({ length: dim }, () => r.gauss() * 3));
  // Each with the scale of its query perturbations. One scale serves every dimension, so a
  // single wide dimension makes the others coarse: still exact, but not few.
  const datasets: [string, Float32Array, number][] = [
    ['clustered', Float32Array.from({ length: n * dim }, (_v, i) => centers[Math.floor(i / dim) % 40]![i % dim]! + 0.4 * r.gauss()), 1],
    ['uniform', Float32Array.from({ length: n * dim }, () => r.uni()), 0.1],
    ['one wide dimension', Float32Array.from({ length: n * dim }, (_v, i) => (i % dim === 5 ? 1000 * r.gauss() : r.gauss())), 1],
  ];
  for (const [name, data, spread] of datasets) {
    const codes = encodeCodes(data, 0, n, dim)!;
    let kept = 0;
    let queries = 0;
    for (let t = 0; t < 30; t++) {
      const near = Math.floor(r.uni() * n);
      // Queries: near a row, between rows, and a little outside the data's box.
      const q = Float32Array.from({ length: dim }, (_v, d) => data[near * dim + d]! + spread * ((t % 3) * 0.3 * r.gauss() + (t % 5 === 0 ? 0.5 : 0)));
      const deleted = new Set(Array.from({ length: 300 }, () => Math.floor(r.uni() * n)));
      const live = t % 2 === 0 ? () => true : (i: number) => !deleted.has(i);
      for (const k of [1, 10, 18, 100]) {
        const out: number[] = [];
        assert.equal(codeCandidates(codes, q, k, live, out), true, `${name}: query in range`);
        const want = exactTop(data, dim, q, k, live);
        const got = new Set(out);
        for (const id of want.ids) assert.ok(got.has(id), `${name} k ${k}: row ${id} of the exact top-k is a candidate`);
        for (const id of out) assert.ok(live(id), 'only live rows');
        assert.deepEqual(out, [...out].sort((a, b) => a - b), 'in row order');
        kept += out.length;
        queries++;
      }
    }
    // Tight enough to pay: on average well under a tenth of the rows.
    if (name !== 'one wide dimension') assert.ok(kept / queries < n / 10, `${name}: ${(kept / queries).toFixed(0)} candidates per query`);
  }
});

test('a run of rows starting mid-array, a constant run, and queries out of range', () => {
  const dim = 16;
  const data = new Float32Array(50 * dim).fill(2);
  for (let i = 0; i < 20 * dim; i++) data[i] = i;
  const codes = encodeCodes(data, 20, 30, dim)!; // rows 20..49: all 2
  const out: number[] = [];
  assert.equal(codeCandidates(codes, new Float32Array(dim).fill(2.5), 3, () => true, out), true);
  assert.deepEqual(out, Array.from({ length: 30 }, (_v, i) => i), 'all tie: all are candidates');
  const far = new Float32Array(dim).fill(1e6);
  assert.equal(codeCandidates(codes, far, 3, () => true, []), false, 'far outside: refused');
  assert.equal(codesServe(128), true);
  assert.equal(codesServe(100), false);
});
