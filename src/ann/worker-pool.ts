/**
 * ann/: a small pool of worker threads (build-worker.mjs) that build hnswlib graphs off the
 * main thread, so index builds never stall query processing. Jobs queue FIFO; each worker
 * runs one build at a time. Workers are unref'd: an idle pool does not keep the process up.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';

export interface BuildJob {
  readonly vectors: Float32Array;
  readonly present: Uint8Array | null;
  readonly n: number;
  readonly dim: number;
  readonly space: 'l2' | 'ip' | 'cosine';
  readonly m: number;
  readonly efConstruction: number;
  readonly seed: number;
  readonly tmpDir: string;
  /** Threads inserting into the one graph (addPointsParallel, when the addon has it). */
  readonly threads: number;
}

export interface BuildResult {
  readonly bytes: Uint8Array;
  /** The cold-start sketch (sketch.mjs); null when some row has no vector. */
  readonly sketch: Uint8Array | null;
  readonly ms: number;
  /** Threads that inserted (1 when the addon has no parallel insert, or a row has no vector). */
  readonly threads: number;
}

interface Pending {
  readonly job: BuildJob;
  readonly resolve: (r: BuildResult) => void;
  readonly reject: (e: Error) => void;
}

/** Default pool size: one thread per core beyond the first (the main thread serves queries), at least 1, at most 4. */
export function defaultBuildWorkers(): number {
  const env = Number(process.env.TESSERA_INDEX_BUILD_WORKERS);
  if (Number.isInteger(env) && env > 0) return env;
  return Math.max(1, Math.min(4, os.availableParallelism() - 1));
}

/**
 * Threads per graph build: TESSERA_BUILD_THREADS, else for a CREATE INDEX / REINDEX (waited
 * for) the cores shared among the pool's concurrent builds, and 1 for builds in the background
 * (they leave the other cores to queries).
 */
export function buildThreads(waitedFor: boolean, poolSize: number): number {
  const env = Number(process.env.TESSERA_BUILD_THREADS);
  if (Number.isInteger(env) && env > 0) return env;
  return waitedFor ? Math.max(1, Math.floor(os.availableParallelism() / poolSize)) : 1;
}

export class BuildPool {
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private started = 0;
  private nextId = 0;
  private closed = false;

  constructor(readonly size: number) {}

  build(job: BuildJob): Promise<BuildResult> {
    if (this.closed) return Promise.reject(new Error('index build pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.pump();
    });
  }

  private spawn(): Worker {
    const w = new Worker(new URL('./build-worker.mjs', import.meta.url));
    w.unref();
    w.on('message', (msg: { ok: boolean; bytes?: Uint8Array; sketch?: Uint8Array | null; ms?: number; threads?: number; error?: string }) => {
      const p = this.busy.get(w);
      this.busy.delete(w);
      if (p !== undefined) {
        if (msg.ok) p.resolve({ bytes: msg.bytes!, sketch: msg.sketch ?? null, ms: msg.ms ?? 0, threads: msg.threads ?? 1 });
        else p.reject(new Error(msg.error ?? 'index build failed'));
      }
      this.idle.push(w);
      this.pump();
    });
    w.on('error', (err) => {
      const p = this.busy.get(w);
      this.busy.delete(w);
      this.started--;
      p?.reject(err);
      this.pump();
    });
    this.started++;
    return w;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let w = this.idle.pop();
      if (w === undefined) {
        if (this.started >= this.size) return;
        w = this.spawn();
      }
      const p = this.queue.shift()!;
      this.busy.set(w, p);
      const { vectors, present } = p.job;
      // Copies go to the worker (the segment's packed column stays usable by searches).
      const msg = { ...p.job, id: this.nextId++, vectors: vectors.slice(), present: present === null ? null : present.slice() };
      w.postMessage(msg, [msg.vectors.buffer, ...(msg.present ? [msg.present.buffer] : [])]);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('index build pool is closed'));
    const all = [...this.idle, ...this.busy.keys()];
    this.idle.length = 0;
    await Promise.all(all.map((w) => w.terminate()));
  }
}
