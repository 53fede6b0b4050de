/**
 * catalog/ system views on both twins: tessera.tables and tessera.table_files list their
 * columns with PostgreSQL type OIDs and rows in the executor's value representation, dropped
 * tables and TO_DELETE files included until the cleaner is done.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileState, SYSTEM_VIEWS, fileStateName } from '../../src/catalog/index.ts';
import { makeTable, onBothTwins } from './twins.ts';

const PG_EPOCH_UNIX_MICROS = 946_684_800_000_000n;

onBothTwins('system views', (twin) => {
  test('tessera.tables and tessera.table_files', () => {
    const c = twin.fresh();
    const t = makeTable(c, 'docs', 4096);
    const a = c.addFile({ tableId: t.tableId, segmentId: 1, fileType: FileState.RAW, fileSize: 100, rowCount: 10, location: 'docs/1', walLsn: 5 });
    c.addFile({ tableId: t.tableId, segmentId: 2, fileType: FileState.RAW, fileSize: 50, rowCount: 4, location: 'docs/2', walLsn: 6 });
    c.setDeletedCount(a.id, 1);
    const gone = makeTable(c, 'gone');
    c.dropTable(gone.tableId);

    const tables = SYSTEM_VIEWS['tessera.tables']!(c);
    assert.deepEqual(tables.columns.map((col) => `${col.name}:${col.typeOid}`), [
      'schema:25', 'table_name:25', 'table_id:20', 'state:23', 'row_count:20', 'file_count:20', 'size_bytes:20', 'index_file_size:20', 'created_on:1184',
    ]);
    const createdOn = BigInt(t.createdOnMicros) - PG_EPOCH_UNIX_MICROS;
    assert.deepEqual(tables.rows, [
      ['public', 'docs', BigInt(t.tableId), 0, 13n, 2n, 150n, 4096n, createdOn],
      ['public', 'gone', BigInt(gone.tableId), 1, 0n, 0n, 0n, 1000n, BigInt(gone.createdOnMicros) - PG_EPOCH_UNIX_MICROS],
    ]);
    const createdYear = new Date(Number((createdOn + PG_EPOCH_UNIX_MICROS) / 1000n)).getUTCFullYear();
    assert.ok(createdYear >= 2024);

    c.markToIndex(t.tableId);
    const files = SYSTEM_VIEWS['tessera.table_files']!(c);
    assert.deepEqual(files.columns.map((col) => `${col.name}:${col.typeOid}`), [
      'table_name:25', 'file_id:25', 'segment_id:20', 'file_type:23', 'state:25', 'row_count:20', 'deleted_count:20', 'file_size:20',
      'location:25', 'updated_time:1184',
    ]);
    assert.deepEqual(files.rows.map((r) => [r[0], r[2], r[3], r[4], r[5], r[6], r[7], r[8]]), [
      ['docs', 1n, 2, 'TO_INDEX', 10n, 1n, 100n, 'docs/1'],
      ['docs', 2n, 2, 'TO_INDEX', 4n, 0n, 50n, 'docs/2'],
    ]);
    assert.equal(typeof files.rows[0]![1], 'string');
    assert.equal(typeof files.rows[0]![9], 'bigint');
    assert.deepEqual(Object.values(FileState).map(fileStateName), ['NEW', 'RAW', 'TO_INDEX', 'INDEX', 'TO_DELETE', 'NEW_MERGE', 'NEW_INDEX', 'BACKUP']);
    c.close();
  });
});
