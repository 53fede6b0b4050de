/**
 * Bench: the embedded KV stores of the primary-key index on their own (no server): SqliteKv
 * random-order puts in transactions of 1,000, point reads (hit p50/p99, miss rate), disk per
 * key after a checkpoint, and MemoryKv (the twin) for scale. Keys look like the index's:
 * a 9-byte constraint prefix and an encoded bigint. docs/pk-index.md quotes it.
 * Usage: npx tsx bench/kv-store.ts [keys, default 200000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteKv, MemoryKv, encodeKey } from '../src/kv/index.ts';
const N = Number(process.argv[2] ?? 200000);
const file = path.join(os.tmpdir(), `tessera-kv-bench-${process.pid}.db`);
for (const f of [file, file + '-wal', file + '-shm']) fs.rmSync(f, { force: true });
const kv = SqliteKv.open(file);
const prefix = Buffer.from([0, 0, 0, 1, 0x20, 0x70, 0x6b, 0, 1]);
const key = (i: number) => encodeKey([20], [(BigInt(i) * 0x9e3779b1n) % (1n << 40n)], prefix)!;
const val = Buffer.alloc(8);
let t = performance.now();
for (let i = 0; i < N; i += 1000) kv.atomic(() => { for (let j = i; j < i + 1000; j++) kv.put(key(j), val); });
const putRate = N / ((performance.now() - t) / 1000);
t = performance.now();
const lat: number[] = [];
for (let i = 0; i < 20000; i++) { const k = key((i * 7919) % N); const s = performance.now(); kv.get(k); lat.push(performance.now() - s); }
const getRate = 20000 / ((performance.now() - t) / 1000);
lat.sort((a, b) => a - b);
t = performance.now();
for (let i = 0; i < 20000; i++) kv.get(key(N + i));
const missRate = 20000 / ((performance.now() - t) / 1000);
kv.db.pragma('wal_checkpoint(TRUNCATE)');
const disk = fs.statSync(file).size + (fs.existsSync(file + '-wal') ? fs.statSync(file + '-wal').size : 0);
kv.close();
const mem = new MemoryKv();
const heap0 = process.memoryUsage().heapUsed;
t = performance.now();
for (let i = 0; i < Math.min(N, 100000); i++) mem.put(key(i), val);
const memPut = Math.min(N, 100000) / ((performance.now() - t) / 1000);
console.log(JSON.stringify({ N, sqlitePutPerSec: Math.round(putRate), sqliteGetHitPerSec: Math.round(getRate), getP50us: +(lat[lat.length >> 1]! * 1000).toFixed(1), getP99us: +(lat[Math.floor(lat.length * 0.99)]! * 1000).toFixed(1), sqliteGetMissPerSec: Math.round(missRate), diskBytesPerKey: +(disk / N).toFixed(1), memoryKvPutPerSec_100k: Math.round(memPut), memoryKvHeapBytesPerKey: +((process.memoryUsage().heapUsed - heap0) / Math.min(N, 100000)).toFixed(0) }));
for (const f of [file, file + '-wal', file + '-shm']) fs.rmSync(f, { force: true });
