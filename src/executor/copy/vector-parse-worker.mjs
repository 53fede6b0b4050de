/**
 * executor/copy/: a COPY parse worker — runs vector_in's fast path (types/vector-text.mjs)
 * over a batch of text fields off the event loop. In: { id, bytes, bounds } with the fields
 * at bytes[bounds[2k] .. bounds[2k + 1]). Out: { id, out, dims }: field k's elements follow
 * field k − 1's in `out`, dims[k] of them, or dims[k] = -1 when the main thread must parse it
 * (anything but a plain literal, and every error: the exact parser raises pgvector's).
 */
import { parentPort } from 'node:worker_threads';
import { plainVectorInto, VECTOR_MAX_DIM } from '../../types/vector-text.mjs';

let scratch = new Float32Array(1 << 18);

parentPort.on('message', ({ id, bytes, bounds }) => {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bounds.length >> 1;
  const dims = new Int32Array(n);
  let at = 0;
  for (let k = 0; k < n; k++) {
    if (scratch.length < at + VECTOR_MAX_DIM) {
      const grown = new Float32Array(Math.max(scratch.length * 2, at + VECTOR_MAX_DIM));
      grown.set(scratch.subarray(0, at));
      scratch = grown;
    }
    const count = plainVectorInto(b, bounds[2 * k], bounds[2 * k + 1], scratch, at);
    dims[k] = count;
    if (count > 0) at += count;
  }
  const out = scratch.slice(0, at);
  parentPort.postMessage({ id, out, dims }, [out.buffer, dims.buffer]);
});
