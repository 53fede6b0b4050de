/**
 * ann/: batch distances in WebAssembly SIMD (simd/kernels.wat, f32x4 lanes) for the exact
 * scans — L2 squared or negative inner product, the conventions of exact.ts's
 * `exactDistance`, summed in float32 as pgvector does (the top-k re-ranks its candidates with
 * pgvector's own distance anyway). Rows that live in a vector memory (storage's
 * allocVectorFloats: decoded columns and tenant runs of ≥ 1 MiB) are read in place by an
 * instance of the kernels over that memory, the query and the distances passing through the
 * memory's scratch area; other rows are copied, in chunks, into a 4 MiB scratch memory first.
 */
import { vectorMemoryOf, VECTOR_MEMORY_SCRATCH_BYTES } from '../storage/index.ts';
import { KERNELS_WASM_BASE64 } from './simd/kernels-wasm.ts';

interface Kernels {
  l2_many(q: number, data: number, n: number, dim: number, out: number): void;
  ip_many(q: number, data: number, n: number, dim: number, out: number): void;
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
const instantiate = (memory: WebAssembly.Memory): Kernels => new WebAssembly.Instance(mod!, { env: { memory } }).exports as unknown as Kernels;

const scratchMemory = mod === null ? null : new WebAssembly.Memory({ initial: 64, maximum: 64 });
const scratchKernels = scratchMemory === null ? null : instantiate(scratchMemory);
const heap = scratchMemory === null ? null : new Float32Array(scratchMemory.buffer);

/** Kernels over each vector memory a scan has read from (made on first use, dropped with the memory). */
const inPlace = new WeakMap<WebAssembly.Memory, Kernels>();
/** Distances one in-place call writes: the scratch area holds the query (≤ 16,384 floats) and them. */
const IN_PLACE_ROWS = (VECTOR_MEMORY_SCRATCH_BYTES >> 2) - 16_384;

/** Whether `batchDistances` serves this metric and dimension. */
export function simdServes(metric: string, dim: number): boolean {
  return heap !== null && (metric === 'l2' || metric === 'ip') && dim % 4 === 0 && dim > 0 && dim * 8 + 64 <= heap.length && dim <= 16_384;
}

/**
 * Distances of rows [first, first + n) of `data` (row-major, `dim` floats each) to `q`, written
 * to out[0..n). The caller checks `simdServes` first.
 */
export function batchDistances(metric: 'l2' | 'ip', q: Float32Array, data: Float32Array, first: number, n: number, dim: number, out: Float32Array): void {
  const memory = vectorMemoryOf(data);
  if (memory !== undefined) {
    let k = inPlace.get(memory);
    if (k === undefined) inPlace.set(memory, (k = instantiate(memory)));
    const h = new Float32Array(memory.buffer, 0, VECTOR_MEMORY_SCRATCH_BYTES >> 2);
    h.set(q, 0);
    const call = metric === 'l2' ? k.l2_many : k.ip_many;
    const outAt = 16_384;
    for (let done = 0; done < n; done += IN_PLACE_ROWS) {
      const m = Math.min(IN_PLACE_ROWS, n - done);
      call(0, data.byteOffset + (first + done) * dim * 4, m, dim, outAt * 4);
      out.set(h.subarray(outAt, outAt + m), done);
    }
    return;
  }
  const h = heap!;
  const k = scratchKernels!;
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
