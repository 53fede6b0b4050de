/**
 * Child process of crash.test.ts: commits forever into tables `ca` (3 rows per commit) and
 * `cb` (2 rows), printing "ok <seq>" after each commit resolves. Commit seq s with s % 5 == 0
 * also deletes the rows of seq s - 3 when that seq was committed by this run. Runs maintenance
 * concurrently now and then. Killed with SIGKILL by the parent.
 */
import path from 'node:path';
import { Catalog } from '../../src/catalog/index.ts';
import { StorageEngine } from '../../src/storage/index.ts';
import { LocalObjectStore } from '../../src/tiering/index.ts';
import { silent } from './helpers.ts';

const [dir, startArg] = process.argv.slice(2) as [string, string];
const catalog = Catalog.open(path.join(dir, 'catalog.db'));
const engine = await StorageEngine.open({
  dataDir: dir, catalog, objectStore: new LocalObjectStore(path.join(dir, 'objects')), log: silent, fsync: true,
  maintenanceIntervalMs: 0, segmentMaxRows: 40, walFileBytes: 16 * 1024,
});
const ca = catalog.getTable('public', 'ca')!.tableId;
const cb = catalog.getTable('public', 'cb')!.tableId;
const mine = new Map<number, { a: number[]; b: number[] }>();
const start = Number(startArg);
process.stdout.write('ready\n');
for (let seq = start; ; seq++) {
  const tx = engine.begin();
  tx.insert(ca, [[seq, 0, 'x'.repeat(seq % 50)], [seq, 1, null], [seq, 2, 'z']], [1, 2, 3]);
  tx.insert(cb, [[BigInt(seq), new Float32Array([seq, seq / 2])], [BigInt(seq), null]], [1, 2]);
  const victim = mine.get(seq - 3);
  if (seq % 5 === 0 && victim !== undefined) {
    tx.delete(ca, victim.a);
    tx.delete(cb, victim.b);
  }
  await tx.commit();
  mine.set(seq, { a: tx.assignedRowIds(ca), b: tx.assignedRowIds(cb) });
  process.stdout.write(`ok ${seq}\n`);
  if (seq % 25 === 0) void engine.maintain().catch(() => undefined);
}
