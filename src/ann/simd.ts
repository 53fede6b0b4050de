/**
 * ann/: batch distances in WebAssembly SIMD (simd/kernels.wat, f32x4 lanes) for the exact
 * scans, handing back only the rows below the scan's admission bar — L2 squared or negative
 * inner product, the conventions of exact.ts's `exactDistance`, summed in float32 as pgvector
 * does (the top-k re-ranks its candidates with pgvector's own distance anyway). Rows that live
 * in a vector memory (storage's allocVectorFloats: decoded columns and tenant runs of ≥ 1 MiB)
 * are read in place by an instance of the kernels over that memory, the query and the results
 * passing through the memory's scratch area; other rows are copied, in chunks, into a 4 MiB
 * scratch memory first. The byte-code kernel's callers (codes.ts) own their memories.
 */
import { vectorMemoryOf, VECTOR_MEMORY_SCRATCH_BYTES } from '../storage/index.ts';
import { KERNELS_WASM_BASE64 } from './simd/kernels-wasm.ts';

interface Kernels {
  l2_below(q: number, data: number, n: number, dim: number, bar: number, out: number): number;
  ip_below(q: number, data: number, n: number, dim: number, bar: number, out: number): number;
  l2_codes_below(q: number, codes: number, n: number, dim: number, bar: number, out: number): number;
}

/** Kernels over one memory, with views of its floats and of the same bytes as int32. */
export interface Instance {
  readonly k: Kernels;
  readonly f32: Float32Array;
  readonly i32: Int32Array;
}

function compile(): WebAssembly.Module | null {
  if (process.env.TESSERA_SIMD === '0') return null;
  try {
    return new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
  } catch {
    return null; // a runtime without WebAssembly SIMD: callers fall back to the JS kernel
  }
}

const mod = compile();
const instantiate = (memory: WebAssembly.Memory): Instance => ({
  k: new WebAssembly.Instance(mod!, { env: { memory } }).exports as unknown as Kernels,
  f32: new Float32Array(memory.buffer),
  i32: new Int32Array(memory.buffer),
});

const scratch = mod === null ? null : instantiate(new WebAssembly.Memory({ initial: 64, maximum: 64 }));

/** Kernels over each vector memory a scan has read from (made on first use, dropped with the memory). */
const inPlace = new WeakMap<WebAssembly.Memory, Instance>();
/** The kernels over `memory` (made on first use, dropped with the memory); null without SIMD. */
export function kernelsOver(memory: WebAssembly.Memory): Instance | null {
  if (mod === null) return null;
  let m = inPlace.get(memory);
  if (m === undefined) inPlace.set(memory, (m = instantiate(memory)));
  return m;
}

/** Where an in-place call writes its pairs (after the query, ≤ 16,384 floats), and how many rows one call takes. */
const IN_PLACE_OUT = 16_384;
const IN_PLACE_ROWS = ((VECTOR_MEMORY_SCRATCH_BYTES >> 2) - IN_PLACE_OUT) >> 1;

/** Whether `distancesBelow` serves this metric and dimension. */
export function simdServes(metric: string, dim: number): boolean {
  return scratch !== null && (metric === 'l2' || metric === 'ip') && dim % 4 === 0 && dim > 0 && dim * 8 + 64 <= scratch.f32.length && dim <= 16_384;
}

/**
 * The rows of [first, first + n) of `data` (row-major, `dim` floats each) whose distance to `q`
 * is below `bar`: their distances go to dist[0..c) and their indices, counted from `first`, to
 * at[0..c), in row order; returns c. `dist` and `at` hold n entries. The caller checks
 * `simdServes` first.
 */
export function distancesBelow(
  metric: 'l2' | 'ip', q: Float32Array, data: Float32Array, first: number, n: number, dim: number, bar: number, dist: Float32Array, at: Int32Array,
): number {
  const memory = vectorMemoryOf(data);
  let c = 0;
  if (memory !== undefined) {
    const m = kernelsOver(memory)!;
    m.f32.set(q, 0);
    const call = metric === 'l2' ? m.k.l2_below : m.k.ip_below;
    for (let done = 0; done < n; done += IN_PLACE_ROWS) {
      const rows = Math.min(IN_PLACE_ROWS, n - done);
      c = collect(m, call(0, data.byteOffset + (first + done) * dim * 4, rows, dim, bar, IN_PLACE_OUT * 4), IN_PLACE_OUT, done, dist, at, c);
    }
    return c;
  }
  const m = scratch!;
  m.f32.set(q, 0);
  const perChunk = Math.floor((m.f32.length - dim) / (dim + 2));
  const outAt = dim;
  const dataAt = dim + 2 * perChunk;
  const call = metric === 'l2' ? m.k.l2_below : m.k.ip_below;
  for (let done = 0; done < n; done += perChunk) {
    const rows = Math.min(perChunk, n - done);
    const from = (first + done) * dim;
    m.f32.set(data.subarray(from, from + rows * dim), dataAt);
    c = collect(m, call(0, dataAt * 4, rows, dim, bar, outAt * 4), outAt, done, dist, at, c);
  }
  return c;
}

/** Appends a call's `count` pairs (at float `outAt` of m's memory) to dist/at from c on; returns the new c. */
function collect(m: Instance, count: number, outAt: number, done: number, dist: Float32Array, at: Int32Array, c: number): number {
  for (let j = 0; j < count; j++, c++) {
    dist[c] = m.f32[outAt + 2 * j]!;
    at[c] = m.i32[outAt + 2 * j + 1]! + done;
  }
  return c;
}
