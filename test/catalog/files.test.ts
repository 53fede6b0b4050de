/**
 * catalog/ TableFiles on both twins, walking seed 001: insert → RAW, merge planning and
 * commitMerge, CREATE INDEX (TO_INDEX, NEW_INDEX → INDEX, raw → BACKUP), DROP INDEX, DROP
 * TABLE, the cleaner (filesToDelete / removeFiles / purgeDroppedTables) and rowCount.
 */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { type Catalog, FileState, type FileStateCode, type TableDef } from '../../src/catalog/index.ts';
import { assertDbError, makeTable, onBothTwins } from './twins.ts';

onBothTwins('table files', (twin) => {
  let c: Catalog;
  let t: TableDef;
  beforeEach(() => {
    c = twin.fresh();
    t = makeTable(c, 't', 1000);
  });

  function raw(fileSize: number, rowCount = 10, fileType: FileStateCode = FileState.RAW): number {
    const seg = c.nextSegmentId();
    return c.addFile({ tableId: t.tableId, segmentId: seg, fileType, fileSize, rowCount, location: `t/${seg}`, walLsn: BigInt(seg) * 100n }).id;
  }
  const states = (): [number, number][] => c.files(t.tableId).map((f) => [f.id, f.fileType]);

  test('insert: a RAW file is searchable and counted; a NEW one only after it flips to RAW', () => {
    const before = Date.now() * 1000;
    const f = c.addFile({ tableId: t.tableId, segmentId: 7, fileType: FileState.RAW, fileSize: 100, rowCount: 10, location: 'o/7',
      walLsn: 2n ** 60n, minMax: { id: [1, 10], big: [-(2n ** 62n), 2n ** 62n] } });
    assert.equal(f.fileType, FileState.RAW);
    assert.equal(f.walLsn, 2n ** 60n);
    assert.deepEqual(f.minMax, { id: [1, 10], big: [-(2n ** 62n), 2n ** 62n] });
    assert.ok(f.createdOn >= before - 1000 && f.updatedTime === f.createdOn);
    assert.match(String(f.date), /^20\d{6}$/);
    assert.equal(f.engineType, 1);
    const pending = raw(50, 5, FileState.NEW);
    assert.deepEqual(c.searchableFiles(t.tableId).map((x) => x.id), [f.id]);
    assert.equal(c.rowCount(t.tableId), 10);
    assert.equal(c.setFileState([pending], [FileState.NEW], FileState.RAW), 1);
    assert.equal(c.setFileState([pending], [FileState.NEW], FileState.RAW), 0, 'guarded: it is no longer NEW');
    assert.equal(c.rowCount(t.tableId), 15);
    assertDbError(() => c.addFile({ tableId: t.tableId, segmentId: 1, fileType: FileState.INDEX, fileSize: 1, rowCount: 1, location: 'x', walLsn: 0 }), 'XX000');
    assertDbError(() => c.addFile({ tableId: 999, segmentId: 1, fileType: FileState.RAW, fileSize: 1, rowCount: 1, location: 'x', walLsn: 0 }), '42P01');
  });

  test('file ids are unique text; segment ids are monotonic', () => {
    const ids = [raw(1), raw(1), raw(1)];
    const fileIds = new Set(c.files(t.tableId).map((f) => f.fileId));
    assert.equal(fileIds.size, 3);
    const segs = c.files(t.tableId).map((f) => f.segmentId);
    assert.deepEqual([...segs].sort((a, b) => a - b), segs);
    assert.deepEqual(c.files(t.tableId, [FileState.RAW]).map((f) => f.id), ids);
  });

  test('rowCount subtracts deleted rows and ignores TO_DELETE, BACKUP and NEW files', () => {
    const a = raw(100, 10);
    raw(100, 20);
    raw(100, 40, FileState.NEW);
    c.setDeletedCount(a, 3);
    assert.equal(c.rowCount(t.tableId), 27);
    assertDbError(() => c.setDeletedCount(a, 11), 'XX000');
    assertDbError(() => c.setDeletedCount(999, 1), '42704');
    c.setFileState([a], [FileState.RAW], FileState.TO_DELETE);
    assert.equal(c.rowCount(t.tableId), 20);
    assert.equal(c.rowCount(12345), 0);
  });

  test('planMerges packs small RAW files oldest first into groups within index_file_size', () => {
    const a = raw(400);
    const b = raw(500);
    const big = raw(1000);
    const d = raw(300);
    const e = raw(300);
    const f = raw(300);
    const g = raw(900);
    const h = raw(50, 10, FileState.NEW);
    void big; void h;
    assert.deepEqual(c.planMerges(t.tableId), [[a, b], [d, e, f]]);
    c.setFileState([g], [FileState.RAW], FileState.TO_INDEX);
    assert.deepEqual(c.planMerges(t.tableId), [[a, b], [d, e, f]], 'only RAW files merge');
  });

  test('planMerges merges files of one size tier only: a big file is not rewritten to take in small ones', () => {
    const MiB = 1 << 20;
    const u = makeTable(c, 'tiers', 1024 * MiB);
    const add = (fileSize: number): number => {
      const seg = c.nextSegmentId();
      return c.addFile({ tableId: u.tableId, segmentId: seg, fileType: FileState.RAW, fileSize, rowCount: 10, location: `u/${seg}`, walLsn: 1n }).id;
    };
    const big = add(300 * MiB); // tier 4 (256 MiB – 1 GiB)
    const small = [add(100_000), add(200_000), add(900_000)]; // tier 0 (under 1 MiB)
    const mid = [add(5 * MiB), add(10 * MiB)]; // tier 1 (4–16 MiB)
    assert.deepEqual(c.planMerges(u.tableId), [small, mid]);
    const big2 = add(400 * MiB);
    assert.deepEqual(c.planMerges(u.tableId), [small, mid, [big, big2]]);
  });

  test('commitMerge: merged file RAW, sources TO_DELETE, row count unchanged', () => {
    const a = raw(400, 10);
    const b = raw(500, 20);
    c.setDeletedCount(b, 5);
    assert.equal(c.rowCount(t.tableId), 25);
    const seg = c.nextSegmentId();
    const m = c.commitMerge(t.tableId, [a, b], { segmentId: seg, fileSize: 880, rowCount: 25, location: `t/${seg}`, walLsn: 999n, minMax: [1, 2] });
    assert.equal(m.fileType, FileState.RAW);
    assert.equal(m.deletedCount, 0);
    assert.deepEqual(states(), [[a, FileState.TO_DELETE], [b, FileState.TO_DELETE], [m.id, FileState.RAW]]);
    assert.equal(c.rowCount(t.tableId), 25);
    assert.deepEqual(c.planMerges(t.tableId), []);
  });

  test('commitMerge is guarded: a source no longer RAW (or of another table) fails with 55000 and changes nothing', () => {
    const a = raw(400);
    const b = raw(500);
    c.markToIndex(t.tableId);
    const before = states();
    assertDbError(() => c.commitMerge(t.tableId, [a, b], { segmentId: 50, fileSize: 900, rowCount: 20, location: 'm', walLsn: 1 }), '55000',
      /2 of 2 source files are no longer RAW/);
    assert.deepEqual(states(), before);
    const u = makeTable(c, 'u');
    c.dropIndex(t.tableId);
    assertDbError(() => c.commitMerge(u.tableId, [a, b], { segmentId: 50, fileSize: 900, rowCount: 20, location: 'm', walLsn: 1 }), '55000');
    assert.deepEqual(c.files(u.tableId), []);
  });

  test('CREATE INDEX: RAW → TO_INDEX; commitIndex makes INDEX + BACKUP; counts and search stay right', () => {
    const a = raw(400, 10);
    const b = raw(500, 20);
    c.setDeletedCount(a, 2);
    assert.equal(c.markToIndex(t.tableId, { engineType: 11, metricType: 2, params: { m: 16, ef_construction: 64 } }), 2);
    assert.deepEqual(c.getTableById(t.tableId)?.indexParams, { m: 16, ef_construction: 64 });
    assert.equal(c.getTableById(t.tableId)?.engineType, 11);
    assert.equal(c.rowCount(t.tableId), 28);
    const idx = c.commitIndex(a, { segmentId: 77, fileSize: 40, location: 't/77.hnsw' });
    assert.equal(idx.fileType, FileState.INDEX);
    assert.equal(idx.rowCount, 10);
    assert.equal(idx.deletedCount, 2);
    assert.equal(idx.sourceFileId, a);
    assert.equal(idx.engineType, 11);
    assert.equal(idx.walLsn, c.files(t.tableId).find((f) => f.id === a)!.walLsn);
    assert.deepEqual(states(), [[a, FileState.BACKUP], [b, FileState.TO_INDEX], [idx.id, FileState.INDEX]]);
    assert.deepEqual(c.searchableFiles(t.tableId).map((f) => f.id), [b, idx.id]);
    assert.equal(c.rowCount(t.tableId), 28);
    c.setDeletedCount(idx.id, 4);
    assert.equal(c.files(t.tableId).find((f) => f.id === a)!.deletedCount, 4, 'the backup follows its index file');
    assertDbError(() => c.commitIndex(a, { segmentId: 78, fileSize: 1, location: 'x' }), '55000');
    assertDbError(() => c.commitIndex(999, { segmentId: 78, fileSize: 1, location: 'x' }), '55000');
    const newer = raw(100, 5);
    assert.equal(c.markToIndex(t.tableId), 1, 'a later RAW file is marked too; the index spec stays');
    assert.equal(c.getTableById(t.tableId)?.engineType, 11);
    assert.equal(c.files(t.tableId).find((f) => f.id === newer)!.fileType, FileState.TO_INDEX);
  });

  test('DROP INDEX: INDEX → TO_DELETE, BACKUP → RAW, TO_INDEX → RAW, engine FLAT; a late commitIndex is refused', () => {
    const a = raw(400, 10);
    const b = raw(500, 20);
    c.markToIndex(t.tableId, { engineType: 11, metricType: 2, params: {} });
    const idx = c.commitIndex(a, { segmentId: 77, fileSize: 40, location: 't/77.hnsw' });
    c.setDeletedCount(idx.id, 1);
    c.dropIndex(t.tableId);
    assert.deepEqual(states(), [[a, FileState.RAW], [b, FileState.RAW], [idx.id, FileState.TO_DELETE]]);
    assert.equal(c.getTableById(t.tableId)?.engineType, 1);
    assert.equal(c.rowCount(t.tableId), 29);
    assertDbError(() => c.commitIndex(b, { segmentId: 78, fileSize: 1, location: 'x' }), '55000');
  });

  test('DROP TABLE → state 1, every file TO_DELETE; the cleaner removes files then the row', () => {
    const a = raw(400);
    c.markToIndex(t.tableId);
    const idx = c.commitIndex(a, { segmentId: 77, fileSize: 40, location: 't/77.hnsw' });
    const b = raw(10);
    const other = makeTable(c, 'other');
    c.dropTable(t.tableId);
    assert.deepEqual(states(), [[a, FileState.TO_DELETE], [idx.id, FileState.TO_DELETE], [b, FileState.TO_DELETE]]);
    assert.equal(c.tableSummaries().find((s) => s.tableId === t.tableId)?.state, 1);
    assert.equal(c.rowCount(t.tableId), 0);
    const doomed = c.filesToDelete();
    assert.deepEqual(doomed.map((f) => f.location), ['t/1', 't/77.hnsw', 't/2']);
    assert.deepEqual(c.purgeDroppedTables(), [], 'files remain, the row stays');
    assert.equal(c.removeFiles([doomed[0]!.id]), 1);
    assert.deepEqual(c.purgeDroppedTables(), []);
    assert.equal(c.removeFiles(doomed.map((f) => f.id)), 2);
    assert.deepEqual(c.filesToDelete(), []);
    assert.deepEqual(c.purgeDroppedTables(), [t.tableId]);
    assert.deepEqual(c.tableSummaries().map((s) => s.tableId), [other.tableId]);
  });

  test('removeFiles only deletes TO_DELETE rows', () => {
    const a = raw(10);
    assert.equal(c.removeFiles([a]), 0);
    assert.equal(c.files(t.tableId).length, 1);
  });

  test('TRUNCATE sends every file TO_DELETE; shadow files go TO_DELETE at start-up', () => {
    raw(10);
    raw(10);
    c.truncateTable(t.tableId);
    assert.equal(c.rowCount(t.tableId), 0);
    assert.equal(c.filesToDelete().length, 2);
    const n = raw(10, 1, FileState.NEW);
    const r = raw(10);
    assert.equal(c.cleanUpShadowFiles(), 1);
    assert.equal(c.files(t.tableId).find((f) => f.id === n)!.fileType, FileState.TO_DELETE);
    assert.equal(c.files(t.tableId).find((f) => f.id === r)!.fileType, FileState.RAW);
  });

  if (twin.reopen !== undefined) {
    const reopen = twin.reopen;
    test('files and segment ids survive a re-open', () => {
      raw(10);
      const before = c.allFiles();
      const seg = c.nextSegmentId();
      c = reopen(c);
      assert.deepEqual(c.allFiles(), before);
      assert.equal(c.nextSegmentId(), seg + 1);
    });
  }
});
