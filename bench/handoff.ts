/**
 * bench/handoff.ts — what one main-thread ↔ worker round trip costs on this machine (latency
 * and process CPU), by the ways a search could be handed to a worker and answered:
 *   pm        postMessage both ways (what ann/search-pool.ts does)
 *   wait      Atomics.notify to a worker blocked in Atomics.wait; reply awaited with Atomics.waitAsync
 *   spin      as wait, but the worker spins on the shared word before it blocks
 *   poll      as spin, and the main thread polls for the reply through a setImmediate chain
 *
 *   npx tsx bench/handoff.ts [--trips 20000]
 */
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

const { values: opts } = parseArgs({ options: { trips: { type: 'string', default: '20000' } } });
const N = Number(opts.trips);
/** Node 20 has Atomics.waitAsync; TypeScript's es2022 lib does not declare it. */
const waitAsync = (Atomics as unknown as { waitAsync: (a: Int32Array, i: number, v: number) => { async: boolean; value: Promise<string> | string } }).waitAsync;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const ctl = new Int32Array(workerData.sab);
const mode = workerData.mode;
if (mode === 'pm') parentPort.on('message', (m) => parentPort.postMessage(m));
else {
  parentPort.postMessage('ready');
  let seq = 0;
  for (;;) {
    if (mode !== 'wait') { let s = 0; while (Atomics.load(ctl, 0) === seq && s++ < 200000) {} }
    Atomics.wait(ctl, 0, seq);
    seq = Atomics.load(ctl, 0);
    Atomics.store(ctl, 1, seq);
    if (mode !== 'poll') Atomics.notify(ctl, 1);
  }
}`;

async function trial(mode: string): Promise<{ us: number; cpu: number }> {
  const sab = new SharedArrayBuffer(8);
  const ctl = new Int32Array(sab);
  const w = new Worker(WORKER, { eval: true, workerData: { sab, mode } });
  await new Promise((r) => (mode === 'pm' ? setImmediate(r) : w.once('message', r)));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  if (mode === 'pm') {
    let n = 0;
    await new Promise<void>((resolve) => {
      w.on('message', () => (++n === N ? resolve() : w.postMessage({ query: new Float32Array(128), k: 10 })));
      w.postMessage({ query: new Float32Array(128), k: 10 });
    });
  } else {
    for (let i = 1; i <= N; i++) {
      Atomics.store(ctl, 0, i);
      Atomics.notify(ctl, 0);
      if (mode === 'poll') {
        while (Atomics.load(ctl, 1) !== i) await new Promise(setImmediate);
      } else {
        const r = waitAsync(ctl, 1, i - 1);
        if (r.async) await r.value;
      }
    }
  }
  const us = ((performance.now() - t0) * 1000) / N;
  const c = process.cpuUsage(cpu0);
  await w.terminate();
  return { us, cpu: (c.user + c.system) / N };
}

for (const mode of ['pm', 'wait', 'spin', 'poll', 'pm', 'wait', 'spin', 'poll']) {
  const r = await trial(mode);
  console.log(`${mode.padEnd(5)} ${r.us.toFixed(1).padStart(7)} µs per round trip, ${r.cpu.toFixed(1).padStart(7)} µs process CPU per round trip`);
}
