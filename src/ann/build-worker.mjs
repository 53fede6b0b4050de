/**
 * ann/: the index build worker (a worker_threads thread, plain JS so it needs no TS loader).
 * Receives one segment's packed float32 vectors, builds an hnswlib graph off the main thread,
 * and answers with hnswlib's serialised bytes (transferred, not copied) and, when no row is
 * NULL, the segment's cold-start sketch (sketch.mjs).
 * Message in:  { id, vectors: Float32Array (n*dim), present: Uint8Array|null (1 = add), n, dim, space, m, efConstruction, seed, tmpDir }
 * Message out: { id, ok: true, bytes: Uint8Array, sketch: Uint8Array|null, ms } | { id, ok: false, error }
 */
import fs from 'node:fs';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import hnswlib from 'hnswlib-node';
import { encodeSketch } from './sketch.mjs';
import { niceThisThread } from './thread-nice.mjs';

// TESSERA_BUILD_NICE (default 0): a lower priority for builds. Not the default: a CREATE INDEX
// is waited for, and the pool's size (cores − 1) already leaves the main thread a core.
niceThisThread(Number(process.env.TESSERA_BUILD_NICE ?? 0));

parentPort.on('message', (msg) => {
  const t0 = performance.now();
  try {
    const { vectors, present, n, dim, space, m, efConstruction, seed, tmpDir, threads } = msg;
    const index = new hnswlib.HierarchicalNSW(space, dim);
    index.initIndex(Math.max(1, n), m, efConstruction, seed);
    const parallel = present === null && threads > 1 && typeof index.addPointsParallel === 'function';
    if (parallel) {
      // Every row has a vector: one graph on several threads (the addon as rebuilt by
      // scripts/hnswlib-simd.mjs; the portable one lacks it). Insertion order then varies
      // from build to build, and so does the graph.
      index.addPointsParallel(vectors.subarray(0, n * dim), 0, threads);
    } else {
      const point = new Array(dim);
      for (let i = 0; i < n; i++) {
        if (present !== null && present[i] === 0) continue;
        const base = i * dim;
        for (let d = 0; d < dim; d++) point[d] = vectors[base + d];
        index.addPoint(point, i);
      }
    }
    const file = path.join(tmpDir, `build-${process.pid}-${msg.id}-${Date.now()}.hnsw`);
    index.writeIndexSync(file);
    const data = fs.readFileSync(file);
    fs.rmSync(file, { force: true });
    const bytes = new Uint8Array(data); // a copy: readFileSync may hand out a pooled buffer, which must not be transferred
    const sketch = present === null ? encodeSketch(vectors, n, dim, space === 'cosine') : null;
    parentPort.postMessage({ id: msg.id, ok: true, bytes, sketch, ms: performance.now() - t0, threads: parallel ? threads : 1 }, sketch === null ? [bytes.buffer] : [bytes.buffer, sketch.buffer]);
  } catch (err) {
    parentPort.postMessage({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
