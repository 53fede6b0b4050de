/**
 * Ingest benchmark for storage/: commits batches of 1,000 rows of (int8 id, 128-dim float32
 * vector, text) through StorageEngine with WAL fsync on, one commit at a time and then with
 * several commits in flight (group commit), sealing included. Prints rows/s.
 *   npx tsx bench/storage-ingest.ts [batches=200] [inflight=4]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Catalog } from '../src/catalog/index.ts';
import { StorageEngine } from '../src/storage/index.ts';
import { LocalObjectStore } from '../src/tiering/index.ts';

const VECTOR_OID = 990001; // placeholder until types/ registers `vector`; stored by the Float32Array fast path
const BATCH = 1000;
const DIM = 128;
const batches = Number(process.argv[2] ?? 200);
const inflight = Number(process.argv[3] ?? 4);

function makeBatch(base: number): unknown[][] {
  const rows: unknown[][] = [];
  for (let i = 0; i < BATCH; i++) {
    const v = new Float32Array(DIM);
    for (let d = 0; d < DIM; d++) v[d] = Math.random();
    rows.push([BigInt(base + i), v, `document ${base + i} about something`]);
  }
  return rows;
}

async function run(label: string, concurrency: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-'));
  const catalog = Catalog.open(path.join(dir, 'catalog.db'));
  const col = (attnum: number, name: string, typeOid: number) =>
    ({ attnum, name, typeOid, typmod: -1, notNull: false, defaultExpr: null, missingValue: null, identity: null, sequence: null, dropped: false });
  const def = catalog.createTable({ schema: 'public', name: 'docs', columns: [col(1, 'id', 20), col(2, 'embedding', VECTOR_OID), col(3, 'body', 25)],
    constraints: [], segmentSizeBytes: 1 << 30, options: {} }, false)!;
  const engine = await StorageEngine.open({
    dataDir: dir, catalog, objectStore: new LocalObjectStore(path.join(dir, 'objects')), log: pino({ level: 'silent' }), fsync: true, maintenanceIntervalMs: 0,
  });
  const data = Array.from({ length: batches }, (_x, b) => makeBatch(b * BATCH));
  const t0 = performance.now();
  let nextBatch = 0;
  const worker = async (): Promise<void> => {
    while (nextBatch < batches) {
      const rows = data[nextBatch++]!;
      const tx = engine.begin();
      tx.insert(def.tableId, rows, [1, 2, 3]);
      await tx.commit();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const commitMs = performance.now() - t0;
  await engine.maintain(); // finish background seals
  const totalMs = performance.now() - t0;
  const rows = batches * BATCH;
  const files = catalog.files(def.tableId).length;
  console.log(`${label}: ${rows} rows in ${batches} commits: ${Math.round(rows / (commitMs / 1000)).toLocaleString('en-US')} rows/s acknowledged ` +
    `(${(commitMs / batches).toFixed(2)} ms/commit, ${engine.walStats.fsyncs} fsyncs), ${Math.round(rows / (totalMs / 1000)).toLocaleString('en-US')} rows/s incl. sealing and merging into ${files} segment file(s)`);
  await engine.close();
  // Cold full scan: a fresh engine reads every column of the sealed files.
  const cold = await StorageEngine.open({
    dataDir: dir, catalog, objectStore: new LocalObjectStore(path.join(dir, 'objects')), log: pino({ level: 'silent' }), fsync: true, maintenanceIntervalMs: 0,
  });
  const s0 = performance.now();
  const snap = cold.snapshot(def.tableId);
  let seen = 0;
  for await (const b of cold.scan(snap, null, [1, 2, 3], { batchRows: 4096 })) seen += b.rows.length;
  snap.release();
  const scanMs = performance.now() - s0;
  console.log(`  cold scan of ${seen} rows (all columns): ${Math.round(seen / (scanMs / 1000)).toLocaleString('en-US')} rows/s`);
  await cold.close();
  catalog.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

await run('sequential', 1);
await run(`${inflight} in flight`, inflight);
