/**
 * ann/: the cold-start sketch of a segment's vectors — one byte per dimension (scalar
 * quantisation between each dimension's min and max), a quarter of the float32 column. It
 * travels at the end of the segment's index file (envelope.ts), so the first query on a cold
 * segment reads 1/5 of the file, ranks every row by the sketch's approximate distance, and
 * lets the exact re-rank of the fetched rows decide (vector-topk.ts), while the graph loads.
 * Plain JS: the build worker (build-worker.mjs) encodes it off the main thread.
 *
 * Layout (little-endian):  u32 n | u32 dim | u32 flags (1: rows normalised, for cosine)
 *                          | f32 lo[dim] | f32 step[dim] | f32 err[n] | u8 codes[n · dim]
 * Row i dimension d decodes as lo[d] + step[d] · codes[i · dim + d]; err[i] ≥ ‖row i − its
 * decoding‖ (rounded up), which bounds how far a sketch distance is from the true one.
 */

export const SKETCH_HEADER_BYTES = 12;
const NORMALISED = 1;

/** Quantises n packed rows (none NULL); `normalise` quantises unit-length rows (cosine). */
export function encodeSketch(vectors, n, dim, normalise) {
  const rows = normalise ? normalised(vectors, n, dim) : vectors;
  const lo = new Float32Array(dim).fill(Infinity);
  const hi = new Float32Array(dim).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    const base = i * dim;
    for (let d = 0; d < dim; d++) {
      const x = rows[base + d];
      if (x < lo[d]) lo[d] = x;
      if (x > hi[d]) hi[d] = x;
    }
  }
  const step = new Float32Array(dim);
  for (let d = 0; d < dim; d++) {
    if (n === 0) lo[d] = 0;
    const span = n === 0 ? 0 : hi[d] - lo[d];
    step[d] = span > 0 ? span / 255 : 1;
  }
  const out = new Uint8Array(SKETCH_HEADER_BYTES + dim * 8 + n * 4 + n * dim);
  const view = new DataView(out.buffer);
  view.setUint32(0, n, true);
  view.setUint32(4, dim, true);
  view.setUint32(8, normalise ? NORMALISED : 0, true);
  new Uint8Array(out.buffer, SKETCH_HEADER_BYTES, dim * 4).set(new Uint8Array(lo.buffer));
  new Uint8Array(out.buffer, SKETCH_HEADER_BYTES + dim * 4, dim * 4).set(new Uint8Array(step.buffer));
  const err = new Float32Array(out.buffer, SKETCH_HEADER_BYTES + dim * 8, n);
  const codes = out.subarray(SKETCH_HEADER_BYTES + dim * 8 + n * 4);
  const inv = step.map((s) => 1 / s);
  for (let i = 0; i < n; i++) {
    const base = i * dim;
    let e2 = 0;
    for (let d = 0; d < dim; d++) {
      const c = Math.min(255, Math.max(0, Math.round((rows[base + d] - lo[d]) * inv[d])));
      codes[base + d] = c;
      e2 += (rows[base + d] - (lo[d] + step[d] * c)) ** 2;
    }
    err[i] = Math.sqrt(e2) * (1 + 1e-6) + 1e-12; // rounded up past float32's rounding
  }
  return out;
}

/** A sketch's parts, viewing `bytes` (whose length must match its header; the envelope's CRC covers the bytes). */
export function decodeSketch(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < SKETCH_HEADER_BYTES) return null;
  const n = view.getUint32(0, true);
  const dim = view.getUint32(4, true);
  if (dim === 0 || bytes.byteLength !== SKETCH_HEADER_BYTES + dim * 8 + n * 4 + n * dim) return null;
  // Copy the float arrays (alignment; a Buffer's slice would be a view); codes stay a view.
  const floats = new Float32Array(dim * 2 + n);
  new Uint8Array(floats.buffer).set(bytes.subarray(SKETCH_HEADER_BYTES, SKETCH_HEADER_BYTES + dim * 8 + n * 4));
  const err = floats.subarray(dim * 2);
  let maxErr = 0;
  for (let i = 0; i < n; i++) if (err[i] > maxErr) maxErr = err[i];
  return {
    n, dim, normalised: (view.getUint32(8, true) & NORMALISED) !== 0,
    lo: floats.subarray(0, dim), step: floats.subarray(dim, dim * 2), err, maxErr, codes: bytes.subarray(SKETCH_HEADER_BYTES + dim * 8 + n * 4),
  };
}

function normalised(vectors, n, dim) {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const base = i * dim;
    let s = 0;
    for (let d = 0; d < dim; d++) s += vectors[base + d] * vectors[base + d];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let d = 0; d < dim; d++) out[base + d] = vectors[base + d] * inv;
  }
  return out;
}
