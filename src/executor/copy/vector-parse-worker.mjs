/**
 * executor/copy/: a COPY parse worker — runs vector_in's fast path (types/vector-text.mjs) over
 * a batch of text fields off the event loop. In: { id, bytes, bounds } with the fields at
 * bytes[bounds[2k] .. bounds[2k + 1]). Out: { id, out, dims }: field k's elements follow field
 * k − 1's in `out`, dims[k] of them, or dims[k] = -1 when the main thread must parse it
 * (anything but a plain literal, and every error: the exact parser raises pgvector's).
 */
import { parentPort } from 'node:worker_threads';
import { literalArea, vectorsInArea } from '../../types/vector-text.mjs';

parentPort.on('message', ({ id, bytes, bounds }) => {
  literalArea(bytes.length).set(bytes);
  const { out, dims } = vectorsInArea(bounds);
  parentPort.postMessage({ id, out, dims }, [out.buffer, dims.buffer]);
});
