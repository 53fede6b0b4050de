/**
 * kv/: SqliteFlusher — writes BufferedKv's flushes into a SqliteKv table from a worker thread
 * (sqlite-flush-worker.mjs, its own connection to the same file), so a commit that fills the
 * write buffer does not spend ~1 µs per key of the event loop in SQLite. One batch is in
 * flight at a time; `wait()` blocks (Atomics.wait) until it has committed, for the callers
 * that must read or change the table itself next.
 */
import { Worker } from 'node:worker_threads';
import type { KvLayer } from './kv-layer.ts';
import { PUT_CHUNK } from './sqlite-kv.ts';

/** A batch takes well under a second; this long means the worker is stuck. */
const WAIT_LIMIT_MS = 120_000;

export class SqliteFlusher {
  private readonly worker: Worker;
  /** [0]: generation of the last batch finished; [1]: 1 when it failed. */
  private readonly state = new Int32Array(new SharedArrayBuffer(8));
  private gen = 0;
  /** Called on the event loop when a batch has finished (error: it was not written). */
  onDone: (gen: number, error: string | undefined) => void = () => {};

  constructor(file: string, table: string) {
    this.worker = new Worker(new URL('./sqlite-flush-worker.mjs', import.meta.url), {
      workerData: { file, table, state: this.state.buffer, chunk: PUT_CHUNK },
    });
    this.worker.on('message', (m: { gen: number; error?: string }) => this.onDone(m.gen, m.error));
    // A worker that died finishes nothing more: waits give up on it, flushes stay on the main thread.
    const died = (): void => {
      this.dead = true;
      this.onDone(this.gen, 'the flush worker stopped');
    };
    this.worker.on('error', died);
    this.worker.on('exit', () => this.dead || died());
    this.worker.unref();
  }

  /** Whether the worker has stopped (then BufferedKv flushes synchronously). */
  dead = false;

  /**
   * Starts writing the layers' entries (oldest first; the worker sorts them and keeps each
   * key's newest) in one transaction; returns the batch's generation.
   */
  start(layers: readonly KvLayer[]): number {
    const b = Buffer.allocUnsafeSlow(layers.reduce((n, l) => n + l.packedSize(), 0));
    let p = 0;
    for (const l of layers) p = l.pack(b, p);
    this.gen++;
    this.worker.postMessage({ gen: this.gen, bytes: b.buffer, length: p }, [b.buffer]);
    return this.gen;
  }

  /** Blocks until batch `gen` has finished; returns whether it was written. */
  wait(gen: number): boolean {
    const deadline = Date.now() + WAIT_LIMIT_MS;
    for (let seen = Atomics.load(this.state, 0); seen < gen; seen = Atomics.load(this.state, 0)) {
      if (this.dead) return false;
      if (Date.now() > deadline) throw new Error(`primary-key index flush did not finish in ${WAIT_LIMIT_MS / 1000} s`);
      Atomics.wait(this.state, 0, seen, 1000);
    }
    return Atomics.load(this.state, 1) === 0;
  }

  close(): void {
    this.dead = true;
    void this.worker.terminate();
  }
}
