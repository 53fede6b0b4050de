/**
 * catalog/ fault injection on both twins: every multi-row change is re-run failing its 1st,
 * 2nd, … write (failNthWrite) until it succeeds, and after each failure the catalog must be
 * exactly as before — one SQLite transaction, rolled back whole.
 */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { type Catalog, FileState, type TableDef } from '../../src/catalog/index.ts';
import { assertAtomic, column, makeTable, onBothTwins } from './twins.ts';

onBothTwins('rollback on an injected write failure', (twin) => {
  let c: Catalog;
  let t: TableDef;
  let ids: number[];
  beforeEach(() => {
    c = twin.fresh();
    t = makeTable(c, 't', 1000);
    ids = [100, 200, 300].map((size, i) =>
      c.addFile({ tableId: t.tableId, segmentId: i + 1, fileType: FileState.RAW, fileSize: size, rowCount: 10, location: `t/${i}`, walLsn: i }).id);
  });

  test('commitMerge', () => {
    const writes = assertAtomic(c, () => c.commitMerge(t.tableId, ids, { segmentId: 9, fileSize: 600, rowCount: 30, location: 'm', walLsn: 3 }));
    assert.equal(writes, 3);
    assert.equal(c.files(t.tableId, [FileState.TO_DELETE]).length, 3);
  });

  test('markToIndex, commitIndex and dropIndex', () => {
    assertAtomic(c, () => c.markToIndex(t.tableId, { engineType: 11, metricType: 1, params: { m: 8 } }));
    const writes = assertAtomic(c, () => c.commitIndex(ids[0]!, { segmentId: 9, fileSize: 10, location: 'i' }));
    assert.equal(writes, 3);
    assert.equal(assertAtomic(c, () => c.dropIndex(t.tableId)), 3);
    assert.equal(c.getTableById(t.tableId)?.engineType, 1);
  });

  test('dropTable (with its sequence), truncateTable, dropSchema cascade', () => {
    const s = c.createTable({ schema: 'public', name: 's', segmentSizeBytes: 10, options: {}, constraints: [],
      columns: [column(1, 'id', 20, { sequence: 's_id_seq' })] }, false)!;
    c.createSequence('s_id_seq');
    assert.equal(assertAtomic(c, () => c.dropTable(s.tableId)), 3);
    assert.equal(c.sequenceExists('s_id_seq'), false);
    assertAtomic(c, () => c.truncateTable(t.tableId));
    c.createSchema('app', false);
    makeTable(c, 'a', 10, 'app');
    makeTable(c, 'b', 10, 'app');
    assert.equal(assertAtomic(c, () => c.dropSchema('app', false, true)), 5);
  });

  test('cleaner: removeFiles and purgeDroppedTables', () => {
    c.dropTable(t.tableId);
    assertAtomic(c, () => c.removeFiles(ids));
    assert.equal(assertAtomic(c, () => c.purgeDroppedTables()), 1);
    assert.deepEqual(c.tableSummaries(), []);
  });

  test('table definition changes and segment ids', () => {
    assertAtomic(c, () => c.addColumn(t.tableId, column(0, 'x')));
    assertAtomic(c, () => c.dropColumn(t.tableId, 'x'));
    assertAtomic(c, () => c.renameTable(t.tableId, 'u'));
    assertAtomic(c, () => c.createTable({ schema: 'public', name: 'v', columns: [], constraints: [], segmentSizeBytes: 1, options: {} }, false));
    assertAtomic(c, () => c.nextSegmentId());
    assertAtomic(c, () => c.addFile({ tableId: t.tableId, segmentId: 5, fileType: FileState.NEW, fileSize: 1, rowCount: 1, location: 'n', walLsn: 0 }));
    assertAtomic(c, () => c.setFileState(ids, [FileState.RAW], FileState.TO_INDEX));
    assert.equal(c.getTable('public', 'u')?.columns.length, 3);
  });

  test('a failed nextval hands out nothing', () => {
    c.createSequence('q');
    c.failNthWrite(1);
    assert.throws(() => c.nextval('q'));
    assert.equal(c.nextval('q'), 1n);
  });
});
