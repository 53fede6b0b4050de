/**
 * kv/: the worker thread behind SqliteFlusher — its own connection to the KV database,
 * writing one packed batch of sorted entries per message in one transaction: puts 100 rows
 * per INSERT statement, deletes one by one. When the transaction has committed (or failed),
 * it stores the batch's generation in the shared state and wakes a waiting main thread, then
 * posts { gen, error? }.
 * Packed entry: u16 key length | key | i32 value length (-1: delete) | value.
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

const write = db.transaction((b) => {
  const args = new Array(2 * chunk);
  let n = 0;
  for (let p = 0; p < b.length; ) {
    const kl = b.readUInt16LE(p);
    const k = b.subarray(p + 2, p + 2 + kl);
    p += 2 + kl;
    const vl = b.readInt32LE(p);
    p += 4;
    if (vl < 0) {
      del.run(k);
      continue;
    }
    args[2 * n] = k;
    args[2 * n + 1] = b.subarray(p, p + vl);
    p += vl;
    if (++n === chunk) {
      putMany.run(...args);
      n = 0;
    }
  }
  for (let i = 0; i < n; i++) putOne.run(args[2 * i], args[2 * i + 1]);
});

parentPort.on('message', ({ gen, bytes }) => {
  let error;
  try {
    write(Buffer.from(bytes));
  } catch (err) {
    error = String(err?.message ?? err);
  }
  Atomics.store(state, 1, error === undefined ? 0 : 1);
  Atomics.store(state, 0, gen);
  Atomics.notify(state, 0);
  parentPort.postMessage({ gen, error });
});
