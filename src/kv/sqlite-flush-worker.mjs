/**
 * kv/: the worker thread behind SqliteFlusher — its own connection to the KV database,
 * writing one packed batch of entries per message in one transaction: sorted by key (a key
 * packed more than once keeps its last value), puts 100 rows per INSERT statement, deletes
 * one by one. When the transaction has committed (or failed), it stores the batch's
 * generation in the shared state and wakes a waiting main thread, then posts { gen, error? }.
 * Packed entry (kv-layer.ts): u16 key length | key | i32 value length (-1: delete) | value.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, table, state: stateBuffer, chunk } = workerData;
const state = new Int32Array(stateBuffer);
const db = new Database(file, { timeout: 60_000 });
db.pragma('journal_mode = WAL');
db.pragma('synchronous = normal');
const putOne = db.prepare(`INSERT INTO ${table} (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`);
const putMany = db.prepare(`INSERT INTO ${table} (k, v) VALUES ${new Array(chunk).fill('(?, ?)').join(', ')} ON CONFLICT (k) DO UPDATE SET v = excluded.v`);
const del = db.prepare(`DELETE FROM ${table} WHERE k = ?`);

/** The entries of a packed batch in key order, each key once with its last value (null: delete). */
function sortedEntries(b) {
  const keys = [];
  const at = [];
  for (let p = 0; p < b.length; ) {
    const kl = b.readUInt16LE(p);
    keys.push(b.latin1Slice(p + 2, p + 2 + kl));
    at.push(p);
    p += 2 + kl;
    const vl = b.readInt32LE(p);
    p += 4 + Math.max(vl, 0);
  }
  // Latin1 strings compare as their bytes do; equal keys keep their packing order.
  const order = keys.map((_k, i) => i).sort((x, y) => (keys[x] < keys[y] ? -1 : keys[x] > keys[y] ? 1 : x - y));
  const out = [];
  for (let j = 0; j < order.length; j++) {
    const i = order[j];
    if (j + 1 < order.length && keys[order[j + 1]] === keys[i]) continue; // a later value follows
    const p = at[i];
    const kl = b.readUInt16LE(p);
    const vl = b.readInt32LE(p + 2 + kl);
    const v = p + 6 + kl;
    out.push([b.subarray(p + 2, p + 2 + kl), vl < 0 ? null : b.subarray(v, v + vl)]);
  }
  return out;
}

const write = db.transaction((b) => {
  const args = new Array(2 * chunk);
  let n = 0;
  // Each key occurs once, so the deletes and the (batched) puts do not overlap.
  for (const [k, v] of sortedEntries(b)) {
    if (v === null) {
      del.run(k);
      continue;
    }
    args[2 * n] = k;
    args[2 * n + 1] = v;
    if (++n === chunk) {
      putMany.run(...args);
      n = 0;
    }
  }
  for (let i = 0; i < n; i++) putOne.run(args[2 * i], args[2 * i + 1]);
});

parentPort.on('message', ({ gen, bytes, length }) => {
  let error;
  try {
    write(Buffer.from(bytes, 0, length));
  } catch (err) {
    error = String(err?.message ?? err);
  }
  Atomics.store(state, 1, error === undefined ? 0 : 1);
  Atomics.store(state, 0, gen);
  Atomics.notify(state, 0);
  parentPort.postMessage({ gen, error });
});
