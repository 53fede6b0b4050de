/**
 * executor/: loads a statement leaves for the statements after it — the graphs of segments it
 * ranked by their sketches, the vector columns it deferred — run in the background a few at a
 * time, each key once. Started all at once they would flood object storage (a 1M-row table:
 * 10 graphs and 10 columns, ~1 GB) and starve the reads that foreground queries wait for.
 */

/** Background loads in flight at most (each may itself read in a few parallel parts). */
const MAX_RUNNING = 2;

const queued = new Map<string, () => Promise<unknown>>();
const running = new Set<string>();

/** Queues `load` under `key` unless that key is queued or running; failures are the loader's to report. */
export function loadLater(key: string, load: () => Promise<unknown>): void {
  if (queued.has(key) || running.has(key)) return;
  queued.set(key, load);
  pump();
}

function pump(): void {
  while (running.size < MAX_RUNNING && queued.size > 0) {
    const [key, load] = queued.entries().next().value!;
    queued.delete(key);
    running.add(key);
    load().catch(() => undefined).finally(() => {
      running.delete(key);
      pump();
    });
  }
}
