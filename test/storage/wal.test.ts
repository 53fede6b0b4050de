/** storage/ WAL: round trip, group commit, torn tail, corrupt record, checkpoint removal. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { WriteAheadLog } from '../../src/storage/wal.ts';
import { commitRecord, deleteRecord, insertRecord, type WalRecord } from '../../src/storage/wal-format.ts';
import { col, createTable, insertCommit, openEnv, rowsOf, silent, tempDir } from './helpers.ts';

async function collect(wal: WriteAheadLog, from = 0n): Promise<{ rec: WalRecord; lsn: bigint }[]> {
  const out: { rec: WalRecord; lsn: bigint }[] = [];
  await wal.replay(from, (rec, lsn) => out.push({ rec, lsn }));
  return out;
}

test('a group commit of more buffers than one gathered write takes is written whole, in order', async () => {
  const dir = tempDir();
  const wal = await WriteAheadLog.open({ dir, fsync: true, log: silent });
  await wal.replay(0n, () => assert.fail('empty log'));
  const jobs = Array.from({ length: 400 }, (_v, i) => wal.submit({
    build: () => [...insertRecord(BigInt(i), 7, 3, i, 1, [1], Buffer.from([3, 0, 0, 0, i & 255, 2, 3])), commitRecord(BigInt(i), 5n)],
    apply: () => undefined,
  }));
  await Promise.all(jobs);
  assert.ok(wal.stats.writes < 400, `grouped (${wal.stats.writes} writes for 400 commits)`);
  await wal.close();
  const again = await WriteAheadLog.open({ dir, fsync: true, log: silent });
  const recs = (await collect(again)).map((r) => r.rec);
  await again.close();
  assert.equal(recs.length, 800);
  recs.forEach((rec, j) => {
    const i = j >> 1;
    if (j % 2 === 1) return assert.equal(rec.kind, 'commit');
    assert.equal(rec.kind, 'insert');
    if (rec.kind === 'insert') assert.deepEqual([rec.txId, rec.startOffset, ...rec.blocks[0]!], [BigInt(i), i, i & 255, 2, 3]);
  });
});

test('WAL records round-trip with increasing LSNs across files', async () => {
  const dir = tempDir();
  const wal = await WriteAheadLog.open({ dir, fsync: true, log: silent, fileBytes: 200 });
  await wal.replay(0n, () => assert.fail('empty log'));
  for (let i = 0; i < 10; i++) {
    await wal.submit({
      build: () => [
        ...insertRecord(BigInt(i), 7, 3, i, 1, [1], Buffer.from([3, 0, 0, 0, 1, 2, 3])),
        deleteRecord(BigInt(i), 7, [{ segmentId: 3, offset: i }]),
        commitRecord(BigInt(i), 5n),
      ],
      apply: () => undefined,
    });
  }
  await wal.close();
  assert.ok(fs.readdirSync(dir).length > 2, 'rotated into several files');
  const again = await WriteAheadLog.open({ dir, fsync: true, log: silent, fileBytes: 200 });
  const recs = await collect(again);
  assert.equal(recs.length, 30);
  for (let i = 1; i < recs.length; i++) assert.ok(recs[i]!.lsn > recs[i - 1]!.lsn);
  const ins = recs[3]!.rec;
  assert.equal(ins.kind, 'insert');
  if (ins.kind === 'insert') {
    assert.deepEqual([ins.txId, ins.tableId, ins.segmentId, ins.startOffset, ins.rowCount], [1n, 7, 3, 1, 1]);
    assert.deepEqual([...ins.blocks[0]!], [1, 2, 3]);
  }
  // Replay from a mid-log LSN starts exactly at that record.
  const third = await WriteAheadLog.open({ dir, fsync: true, log: silent });
  const tail = await collect(third, recs[15]!.lsn);
  await third.close();
  assert.equal(tail.length, 15);
  assert.equal(tail[0]!.lsn, recs[15]!.lsn);
  await again.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('group commit: concurrent commits share fsyncs', async () => {
  const env = await openEnv({ fsync: true });
  const t = createTable(env.catalog, 'g', [col(1, 'id', 23)]);
  env.engine.attachTable(t);
  const before = env.engine.walStats.fsyncs;
  const n = 200;
  await Promise.all(Array.from({ length: n }, (_x, i) => insertCommit(env.engine, t.tableId, [1], [[i]])));
  const fsyncs = env.engine.walStats.fsyncs - before;
  assert.ok(fsyncs <= 10, `expected far fewer than ${n} fsyncs, got ${fsyncs}`);
  assert.equal((await rowsOf(env.engine, t.tableId, [1])).length, n);
  await env.close();
});

test('a torn tail is truncated at the last good record; earlier commits survive', async () => {
  const env = await openEnv();
  const t = createTable(env.catalog, 'torn', [col(1, 'id', 23)]);
  env.engine.attachTable(t);
  for (let i = 0; i < 5; i++) await insertCommit(env.engine, t.tableId, [1], [[i]]);
  await env.engine.close();
  const walDir = path.join(env.dir, 'wal');
  const file = path.join(walDir, fs.readdirSync(walDir)[0]!);
  const size = fs.statSync(file).size;
  fs.truncateSync(file, size - 7); // tear the last transaction's commit record
  await env.reopen();
  assert.deepEqual((await rowsOf(env.engine, t.tableId, [1])).map((r) => r[0]), [0, 1, 2, 3]);
  assert.ok(fs.statSync(file).size < size - 7, 'torn bytes truncated away');
  // The log continues cleanly after the truncation point.
  await insertCommit(env.engine, t.tableId, [1], [[99]]);
  await env.reopen();
  assert.deepEqual((await rowsOf(env.engine, t.tableId, [1])).map((r) => r[0]), [0, 1, 2, 3, 99]);
  await env.close();
});

test('a flipped byte in a WAL record stops replay there', async () => {
  const env = await openEnv();
  const t = createTable(env.catalog, 'flip', [col(1, 'id', 23)]);
  env.engine.attachTable(t);
  for (let i = 0; i < 6; i++) await insertCommit(env.engine, t.tableId, [1], [[i]]);
  await env.engine.close();
  const walDir = path.join(env.dir, 'wal');
  const file = path.join(walDir, fs.readdirSync(walDir)[0]!);
  const buf = fs.readFileSync(file);
  // Find the third transaction: records are 3 per... locate by walking record lengths.
  let off = 20;
  let txs = 0;
  while (txs < 3) {
    const len = buf.readUInt32LE(off);
    if (buf[off + 8] === 3) txs++;
    off += 9 + len;
  }
  buf[off + 12] ^= 0x40; // inside the 4th transaction's first record
  fs.writeFileSync(file, buf);
  await env.reopen();
  assert.deepEqual((await rowsOf(env.engine, t.tableId, [1])).map((r) => r[0]), [0, 1, 2]);
  await env.close();
});

test('checkpoint removes WAL files whose contents are sealed', async () => {
  const env = await openEnv({ walFileBytes: 4096, segmentMaxRows: 50 });
  const t = createTable(env.catalog, 'ckpt', [col(1, 'id', 23), col(2, 's', 25)]);
  env.engine.attachTable(t);
  for (let i = 0; i < 40; i++) await insertCommit(env.engine, t.tableId, [1, 2], Array.from({ length: 10 }, (_x, j) => [i * 10 + j, 'x'.repeat(20)]));
  const walDir = path.join(env.dir, 'wal');
  const before = fs.readdirSync(walDir).length;
  const report = await env.engine.maintain();
  assert.ok(report.checkpointLsn > 0n);
  const after = fs.readdirSync(walDir).length;
  assert.ok(after < before, `WAL files ${before} → ${after}`);
  await env.reopen();
  const ids = (await rowsOf(env.engine, t.tableId, [1])).map((r) => r[0] as number).sort((a, b) => a - b);
  assert.deepEqual(ids, Array.from({ length: 400 }, (_x, i) => i));
  await env.close();
});

test('a checkpoint that reaches the end of a large WAL file starts a new one and removes it (recovery does not reread it)', async () => {
  const env = await openEnv({ segmentMaxRows: 4000 });
  const t = createTable(env.catalog, 'big', [col(1, 'id', 20), col(2, 'v', 990001)], {}, 1000);
  env.engine.attachTable(t);
  // One transaction of ~5 MB of WAL (10,000 rows × 128 float32), as one large COPY writes.
  const rows = Array.from({ length: 10_000 }, (_v, i) => [BigInt(i), new Float32Array(128).fill(i)]);
  await insertCommit(env.engine, t.tableId, [1, 2], rows);
  const walDir = path.join(env.dir, 'wal');
  const walBytes = (): number => fs.readdirSync(walDir).reduce((s, f) => s + fs.statSync(path.join(walDir, f)).size, 0);
  assert.ok(walBytes() > 4 * 1024 * 1024, `the transaction is in the WAL (${walBytes()} bytes)`);
  await env.engine.sealAll();
  await env.engine.maintain();
  assert.ok(walBytes() < 64 * 1024, `WAL after the checkpoint: ${walBytes()} bytes`);
  await env.reopen();
  const got = await rowsOf(env.engine, t.tableId, [1]);
  assert.equal(got.length, rows.length);
  await env.close();
});

test('preallocated zeros ahead of the end: replay stops at them, appends continue at the logical end, across rotation', async () => {
  const dir = tempDir();
  const opts = { dir, fsync: true, log: silent, fileBytes: 3 << 20, preallocateBytes: 8 << 20 };
  const commit = (i: number, bytes: number): { build: () => Buffer[]; apply: () => void } => ({
    build: () => {
      const block = Buffer.alloc(4 + bytes, i & 255); // u32 length | the column's block
      block.writeUInt32LE(bytes, 0);
      return [...insertRecord(BigInt(i), 7, 3, i, 1, [1], block), commitRecord(BigInt(i), 5n)];
    },
    apply: () => undefined,
  });
  const waitFor = async (cond: () => boolean): Promise<void> => {
    for (let t = 0; t < 200 && !cond(); t++) await new Promise((r) => setTimeout(r, 25));
    assert.ok(cond(), 'preallocated in time');
  };
  const sizes = (): number => fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  let wal = await WriteAheadLog.open(opts);
  await wal.replay(0n, () => assert.fail('empty log'));
  await wal.submit(commit(0, 1 << 20)); // 1 MiB: zeros follow, 1.25 MiB of them at least
  const logical = sizes();
  await waitFor(() => sizes() >= logical + (1 << 20));
  const endBefore = wal.endLsn;
  await wal.close();
  wal = await WriteAheadLog.open(opts);
  assert.deepEqual((await collect(wal)).map((r) => r.rec.kind), ['insert', 'commit']);
  assert.equal(wal.endLsn, endBefore, 'the zeros are not part of the log');
  assert.ok(sizes() >= logical + (1 << 20), 'and not a torn tail to truncate: they stay for the next writes');
  // Appends overwrite the zeros; a write past fileBytes moves preallocation to the next file.
  for (let i = 1; i <= 4; i++) await wal.submit(commit(i, 900_000));
  await waitFor(() => fs.readdirSync(dir).length >= 2);
  await wal.close();
  wal = await WriteAheadLog.open(opts);
  const recs = await collect(wal);
  assert.deepEqual(recs.filter((r) => r.rec.kind === 'insert').map((r) => (r.rec.kind === 'insert' ? r.rec.blocks[0]![0] : -1)), [0, 1, 2, 3, 4]);
  for (let i = 1; i < recs.length; i++) assert.ok(recs[i]!.lsn > recs[i - 1]!.lsn);
  await wal.submit(commit(5, 10));
  await wal.close();
  wal = await WriteAheadLog.open(opts);
  assert.equal((await collect(wal)).length, 12);
  await wal.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a write announced ahead (expectWrite) is preallocated before it comes, within the cap', async () => {
  const dir = tempDir();
  const wal = await WriteAheadLog.open({ dir, fsync: true, log: silent, preallocateBytes: 4 << 20 });
  await wal.replay(0n, () => assert.fail('empty log'));
  const size = (): number => fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  const before = size();
  wal.expectWrite(2 << 20); // 2 MiB and a quarter: 3 one-MiB steps
  for (let t = 0; t < 200 && size() < before + (3 << 20); t++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(size(), before + (3 << 20));
  wal.expectWrite(64 << 20); // capped at 4 MiB ahead
  for (let t = 0; t < 200 && size() < before + (4 << 20); t++) await new Promise((r) => setTimeout(r, 25));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(size(), before + (4 << 20));
  await wal.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
