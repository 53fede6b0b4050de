/**
 * storage/: where large float32 vector data lives. A decoded vector column (or a tenant's run
 * of one) of at least VECTOR_MEMORY_MIN_BYTES is allocated inside its own WebAssembly.Memory,
 * after a reserved scratch area, so the exact scan's SIMD kernels (ann/simd.ts, instantiated
 * over that memory) read the rows where they are instead of copying them into the kernels'
 * memory first — the copy was half the time of an exact scan of a 10,000-row tenant (measured:
 * 140 of 245 µs). Smaller arrays, and any allocation the runtime refuses, are plain
 * Float32Arrays; every reader treats both alike. `TESSERA_VECTOR_MEMORY=0` disables it.
 */

const PAGE = 65_536;
/** Bytes at the start of a vector memory for the kernels' query and distances (no rows there). */
export const VECTOR_MEMORY_SCRATCH_BYTES = 2 * PAGE;
/** Smaller arrays are plain: a memory costs a mapping (~0.3 ms) and its scratch pages. */
export const VECTOR_MEMORY_MIN_BYTES = 1 << 20;
/** A 32-bit memory addresses 4 GiB; larger columns stay plain (and are scanned by copying). */
const MAX_PAGES = 65_536;

const enabled = process.env.TESSERA_VECTOR_MEMORY !== '0' && typeof WebAssembly === 'object';
const memories = new WeakMap<ArrayBufferLike, WebAssembly.Memory>();

/** A zeroed Float32Array of n floats: in a vector memory when large enough, else plain. */
export function allocVectorFloats(n: number): Float32Array {
  const bytes = n * 4;
  if (!enabled || bytes < VECTOR_MEMORY_MIN_BYTES) return new Float32Array(n);
  const pages = Math.ceil((VECTOR_MEMORY_SCRATCH_BYTES + bytes) / PAGE);
  if (pages > MAX_PAGES) return new Float32Array(n);
  let memory: WebAssembly.Memory;
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  } catch {
    return new Float32Array(n); // address space or a runtime limit: plain memory serves as well
  }
  memories.set(memory.buffer, memory);
  return new Float32Array(memory.buffer, VECTOR_MEMORY_SCRATCH_BYTES, n);
}

/** A copy of `src` allocated as allocVectorFloats does. */
export function copyVectorFloats(src: Float32Array): Float32Array {
  const out = allocVectorFloats(src.length);
  out.set(src);
  return out;
}

/** The vector memory holding `a`, if it lives in one (its scratch area is free for the kernels). */
export function vectorMemoryOf(a: Float32Array): WebAssembly.Memory | undefined {
  return memories.get(a.buffer);
}
