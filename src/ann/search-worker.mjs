/**
 * ann/: a search worker (worker_threads, plain JS). It owns the hnswlib graphs assigned to it
 * and answers k-NN searches, so the main thread keeps serving connections while a search runs
 * and searches of several clients run in parallel with the main thread's protocol work.
 * In:  { type: 'load', id, key, file, metric, dim } → { id, ok, count }   (hnswlib's file; the sender removes it)
 *      { type: 'search', id, key, query: Float32Array, k, ef }            → { id, ok, labels: Int32Array }
 *      { type: 'searchMany', id, query: Float32Array, keys: string[], ks: Int32Array, efs: Int32Array }
 *        → { id, ok, labels: Int32Array (all graphs' labels, concatenated), counts: Int32Array }
 *      { type: 'drop', key }
 */
import { parentPort } from 'node:worker_threads';
import hnswlib from 'hnswlib-node';
import { niceThisThread } from './thread-nice.mjs';

// The main thread's protocol work (e.g. a SELECT 1 during a search storm) comes before
// searches on a busy machine (TESSERA_SEARCH_NICE, default 5).
niceThisThread(Number(process.env.TESSERA_SEARCH_NICE ?? 5));

const graphs = new Map();

parentPort.on('message', (msg) => {
  try {
    if (msg.type === 'load') {
      const index = new hnswlib.HierarchicalNSW(msg.metric, msg.dim);
      index.readIndexSync(msg.file);
      graphs.set(msg.key, { index, query: new Array(msg.dim) });
      parentPort.postMessage({ id: msg.id, ok: true, count: index.getCurrentCount() });
    } else if (msg.type === 'search') {
      const g = graphs.get(msg.key);
      if (g === undefined) throw new Error(`graph ${msg.key} is not loaded in this worker`);
      const q = g.query;
      for (let d = 0; d < q.length; d++) q[d] = msg.query[d];
      const n = Math.min(msg.k, g.index.getCurrentCount());
      g.index.setEf(Math.max(msg.ef, n));
      const r = n > 0 ? g.index.searchKnn(q, n).neighbors : [];
      const labels = Int32Array.from(r);
      parentPort.postMessage({ id: msg.id, ok: true, labels }, [labels.buffer]);
    } else if (msg.type === 'searchMany') {
      // One round trip for every segment graph of a statement that lives in this worker.
      const parts = [];
      let total = 0;
      const counts = new Int32Array(msg.keys.length);
      for (let i = 0; i < msg.keys.length; i++) {
        const g = graphs.get(msg.keys[i]);
        if (g === undefined) throw new Error(`graph ${msg.keys[i]} is not loaded in this worker`);
        const q = g.query;
        for (let d = 0; d < q.length; d++) q[d] = msg.query[d];
        const n = Math.min(msg.ks[i], g.index.getCurrentCount());
        g.index.setEf(Math.max(msg.efs[i], n));
        const r = n > 0 ? g.index.searchKnn(q, n).neighbors : [];
        parts.push(r);
        counts[i] = r.length;
        total += r.length;
      }
      const labels = new Int32Array(total);
      let at = 0;
      for (const r of parts) for (const x of r) labels[at++] = x;
      parentPort.postMessage({ id: msg.id, ok: true, labels, counts }, [labels.buffer, counts.buffer]);
    } else if (msg.type === 'drop') {
      graphs.delete(msg.key);
    }
  } catch (err) {
    parentPort.postMessage({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
