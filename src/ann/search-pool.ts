/**
 * ann/: search workers (search-worker.mjs). Each loaded graph lives in exactly one worker
 * (assigned round-robin at load); a search is one message round trip (~0.05–0.1 ms) and runs
 * off the main thread, which meanwhile serves other connections. Workers are unref'd.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { GraphMetric } from './envelope.ts';
import type { BatchTarget } from './graph.ts';

interface Reply {
  id: number;
  ok: boolean;
  count?: number;
  labels?: Int32Array;
  counts?: Int32Array;
  error?: string;
}

/** Default: TESSERA_SEARCH_WORKERS, else one per core beyond the first (at least 1, at most 4); 0 searches on the main thread. */
export function defaultSearchWorkers(): number {
  const env = process.env.TESSERA_SEARCH_WORKERS;
  if (env !== undefined && /^\d+$/.test(env)) return Number(env);
  return Math.max(1, Math.min(4, os.availableParallelism() - 1));
}

class SearchWorker implements BatchTarget {
  readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor() {
    this.worker = new Worker(new URL('./search-worker.mjs', import.meta.url));
    this.worker.unref();
    this.worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      this.pending.delete(r.id);
      if (this.pending.size === 0) this.worker.unref();
      if (p === undefined) return;
      if (r.ok) p.resolve(r);
      else p.reject(new Error(r.error ?? 'search worker failed'));
    });
    this.worker.on('error', (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    });
  }

  call(msg: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  async searchMany(query: Float32Array, keys: readonly string[], ks: Int32Array, efs: Int32Array): Promise<{ labels: Int32Array; counts: Int32Array }> {
    const r = await this.call({ type: 'searchMany', query, keys, ks, efs });
    return { labels: r.labels ?? new Int32Array(0), counts: r.counts ?? new Int32Array(keys.length) };
  }

  send(msg: Record<string, unknown>): void {
    this.worker.postMessage(msg);
  }
}

export class SearchPool {
  private readonly workers: SearchWorker[] = [];
  private next = 0;

  constructor(readonly size: number) {}

  private pick(): SearchWorker {
    if (this.workers.length < this.size) this.workers.push(new SearchWorker());
    return this.workers[this.next++ % this.workers.length]!;
  }

  /**
   * Loads a graph into one worker from hnswlib's file (written by writeGraphFile; the worker
   * reads it on its own thread, so no copy of the bytes passes through this one); returns a
   * handle that searches there.
   */
  async load(key: string, file: string, metric: GraphMetric, dim: number): Promise<{ count: number; search: (q: Float32Array, k: number, ef: number) => Promise<number[]>; drop: () => void; target: BatchTarget }> {
    const w = this.pick();
    const r = await w.call({ type: 'load', key, file, metric, dim });
    return {
      count: r.count ?? 0,
      search: async (q, k, ef) => {
        const res = await w.call({ type: 'search', key, query: q, k, ef });
        return Array.from(res.labels ?? []);
      },
      drop: () => w.send({ type: 'drop', key }),
      target: w,
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.worker.terminate()));
  }
}
