/**
 * ann/: batch distances in WebAssembly SIMD (simd/kernels.wat, f32x4 lanes) for the exact
 * scans. A query and a run of consecutive rows are copied into the module's 4 MiB memory (in
 * chunks when the run is longer) and one call computes every row's distance — L2 squared or
 * negative inner product, the conventions of exact.ts's `exactDistance`, summed in float32 as
 * pgvector does (the top-k re-ranks its candidates with pgvector's own distance anyway).
 */
import { KERNELS_WASM_BASE64 } from './simd/kernels-wasm.ts';

interface Kernels {
  readonly memory: WebAssembly.Memory;
  l2_many(q: number, data: number, n: number, dim: number, out: number): void;
  ip_many(q: number, data: number, n: number, dim: number, out: number): void;
}

function instantiate(): Kernels | null {
  if (process.env.TESSERA_SIMD === '0') return null;
  try {
    const mod = new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
    return new WebAssembly.Instance(mod).exports as unknown as Kernels;
  } catch {
    return null; // a runtime without WebAssembly SIMD: callers fall back to the JS kernel
  }
}

const kernels = instantiate();
const heap = kernels === null ? null : new Float32Array(kernels.memory.buffer);

/** Whether `batchDistances` serves this metric and dimension. */
export function simdServes(metric: string, dim: number): boolean {
  return heap !== null && (metric === 'l2' || metric === 'ip') && dim % 4 === 0 && dim > 0 && dim * 8 + 64 <= heap.length;
}

/**
 * Distances of rows [first, first + n) of `data` (row-major, `dim` floats each) to `q`, written
 * to out[0..n). The caller checks `simdServes` first.
 */
export function batchDistances(metric: 'l2' | 'ip', q: Float32Array, data: Float32Array, first: number, n: number, dim: number, out: Float32Array): void {
  const h = heap!;
  const k = kernels!;
  h.set(q, 0);
  const perChunk = Math.floor((h.length - dim) / (dim + 1));
  const outAt = dim;
  const dataAt = dim + perChunk;
  const call = metric === 'l2' ? k.l2_many : k.ip_many;
  for (let done = 0; done < n; done += perChunk) {
    const m = Math.min(perChunk, n - done);
    const from = (first + done) * dim;
    h.set(data.subarray(from, from + m * dim), dataAt);
    call(0, dataAt * 4, m, dim, outAt * 4);
    out.set(h.subarray(outAt, outAt + m), done);
  }
}
