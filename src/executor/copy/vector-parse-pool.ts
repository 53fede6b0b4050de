/**
 * executor/copy/: the pool of COPY parse workers (vector-parse-worker.mjs). A text COPY into
 * a vector column hands batches of vector fields to a worker and goes on splitting lines and
 * inserting earlier batches meanwhile: parsing a 128-dim vector costs ~3 µs, about half of a
 * COPY's event-loop time per row. Workers start on first use, one per spare core (at most 4),
 * and do not keep the process alive. A worker that fails rejects its batches; the caller
 * parses them on the main thread.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';

export interface ParsedVectors {
  /** The fields' elements back to back. */
  readonly out: Float32Array;
  /** Elements of each field, or -1: parse it on the main thread. */
  readonly dims: Int32Array;
}

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (r: ParsedVectors) => void; reject: (e: Error) => void }>;
}

let slots: Slot[] | null = null;
let next = 0;
let ids = 0;

function spawn(): Slot {
  const worker = new Worker(new URL('./vector-parse-worker.mjs', import.meta.url));
  const slot: Slot = { worker, pending: new Map() };
  worker.on('message', (m: { id: number; out: Float32Array; dims: Int32Array }) => {
    const p = slot.pending.get(m.id);
    slot.pending.delete(m.id);
    p?.resolve({ out: m.out, dims: m.dims });
  });
  const fail = (err: Error): void => {
    const i = slots?.indexOf(slot) ?? -1;
    if (i >= 0) slots![i] = spawn(); // later batches get a fresh worker
    for (const p of slot.pending.values()) p.reject(err);
    slot.pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`COPY parse worker exited (${code})`)));
  worker.unref();
  return slot;
}

/** Batches handed to the workers and not yet answered, over all COPYs. */
export function parseBacklog(): number {
  let n = 0;
  for (const slot of slots ?? []) n += slot.pending.size;
  return n;
}

/** How many parse workers the pool runs (TESSERA_COPY_PARSE_WORKERS, else spare cores, 1..4). */
export function parseWorkerCount(): number {
  const env = Number(process.env.TESSERA_COPY_PARSE_WORKERS);
  if (Number.isInteger(env) && env >= 0) return env;
  return Math.max(1, Math.min(4, os.availableParallelism() - 1));
}

/**
 * Parses the vector literals at bytes[bounds[2k] .. bounds[2k + 1]) on a worker. Both
 * arrays are transferred to it: they must own their ArrayBuffers, and are unusable here
 * afterwards. Null when the pool has no workers (TESSERA_COPY_PARSE_WORKERS=0).
 */
export function parseVectorsOffThread(bytes: Uint8Array, bounds: Int32Array): Promise<ParsedVectors> | null {
  if (slots === null) slots = Array.from({ length: parseWorkerCount() }, spawn);
  if (slots.length === 0) return null;
  const slot = slots[next++ % slots.length]!;
  const id = ++ids;
  return new Promise((resolve, reject) => {
    slot.pending.set(id, { resolve, reject });
    slot.worker.postMessage({ id, bytes, bounds }, [bytes.buffer as ArrayBuffer, bounds.buffer as ArrayBuffer]);
  });
}
