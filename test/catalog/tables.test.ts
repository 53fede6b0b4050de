/**
 * catalog/ schemas and tables on both twins: create / drop / rename, IF [NOT] EXISTS, column
 * changes with stable attnums, constraints, case-sensitive names, and the SQLSTATEs and
 * messages PostgreSQL gives for the same conflicts.
 */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { type Catalog, FileState } from '../../src/catalog/index.ts';
import { assertDbError, column, makeTable, onBothTwins } from './twins.ts';

onBothTwins('schemas', (twin) => {
  let c: Catalog;
  beforeEach(() => {
    c = twin.fresh();
  });

  test('create, exists, list, IF NOT EXISTS, duplicate 42P06', () => {
    assert.equal(c.createSchema('app', false), true);
    assert.equal(c.schemaExists('app'), true);
    assert.equal(c.schemaExists('APP'), false);
    assert.deepEqual(c.listSchemas(), ['public', 'tessera', 'app']);
    assert.equal(c.createSchema('app', true), false);
    assertDbError(() => c.createSchema('app', false), '42P06', 'schema "app" already exists');
    assertDbError(() => c.createSchema('pg_mine', false), '42939', 'unacceptable schema name "pg_mine"');
  });

  test('drop: 3F000 when missing, IF EXISTS, 2BP01 when not empty, CASCADE soft-deletes tables', () => {
    assertDbError(() => c.dropSchema('nope', false, false), '3F000', 'schema "nope" does not exist');
    assert.equal(c.dropSchema('nope', true, false), false);
    c.createSchema('app', false);
    const t = makeTable(c, 'docs', 1000, 'app');
    c.addFile({ tableId: t.tableId, segmentId: 1, fileType: FileState.RAW, fileSize: 10, rowCount: 5, location: 'a/1', walLsn: 1 });
    assertDbError(() => c.dropSchema('app', false, false), '2BP01', 'cannot drop schema app because other objects depend on it');
    assert.equal(c.dropSchema('app', false, true), true);
    assert.equal(c.schemaExists('app'), false);
    assert.equal(c.getTableById(t.tableId), undefined);
    assert.deepEqual(c.files(t.tableId).map((f) => f.fileType), [FileState.TO_DELETE]);
    c.createSchema('app', false);
    assert.equal(makeTable(c, 'docs', 1000, 'app').schema, 'app');
  });

  test('the tessera schema cannot be dropped; public can', () => {
    assertDbError(() => c.dropSchema('tessera', false, true), '2BP01', /required by the database system/);
    assert.equal(c.dropSchema('public', false, false), true);
  });
});

onBothTwins('tables', (twin) => {
  let c: Catalog;
  beforeEach(() => {
    c = twin.fresh();
  });

  test('create returns the stored definition; get by name and id; list', () => {
    const t = c.createTable({
      schema: 'public', name: 'Items', segmentSizeBytes: 1 << 20, options: { segment_size: '1MB' }, dimension: 3,
      columns: [column(2, 'embedding', 90000, { typmod: 3 }), column(1, 'id', 20, { notNull: true, identity: 'always', sequence: 'Items_id_seq' })],
      constraints: [{ name: 'Items_pkey', kind: 'primary', attnums: [1], expr: null }],
    }, false);
    assert.ok(t);
    assert.deepEqual(t.columns.map((col) => col.attnum), [1, 2]);
    assert.equal(t.segmentSizeBytes, 1 << 20);
    assert.equal(t.dimension, 3);
    assert.equal(t.engineType, 1);
    assert.deepEqual(t.options, { segment_size: '1MB' });
    assert.ok(Number(t.createdOnMicros) > 1.6e15);
    assert.deepEqual(c.getTable('public', 'Items'), t);
    assert.equal(c.getTable('public', 'items'), undefined);
    assert.deepEqual(c.getTableById(t.tableId), t);
    assert.deepEqual(c.listTables(), [t]);
  });

  test('conflicts: 42P07, IF NOT EXISTS → null, 3F000 for a missing schema, 42701 for a repeated column', () => {
    makeTable(c, 't');
    assertDbError(() => makeTable(c, 't'), '42P07', 'relation "t" already exists');
    assert.equal(c.createTable({ schema: 'public', name: 't', columns: [], constraints: [], segmentSizeBytes: 1, options: {} }, true), null);
    assertDbError(() => makeTable(c, 't', 1000, 'nope'), '3F000', 'schema "nope" does not exist');
    assertDbError(
      () => c.createTable({ schema: 'public', name: 'u', columns: [column(1, 'a'), column(2, 'a')], constraints: [], segmentSizeBytes: 1, options: {} }, false),
      '42701', 'column "a" specified more than once',
    );
    assertDbError(() => makeTable(c, 'v', 0), '22023');
    c.createSchema('other', false);
    assert.ok(makeTable(c, 't', 1000, 'other'));
  });

  test('drop soft-deletes: the name is free again and the new table gets a new id', () => {
    const t = makeTable(c, 't');
    c.dropTable(t.tableId);
    assert.equal(c.getTable('public', 't'), undefined);
    assert.equal(c.getTableById(t.tableId), undefined);
    assert.equal(c.tableSummaries()[0]?.state, 1);
    assertDbError(() => c.dropTable(t.tableId), '42P01');
    const again = makeTable(c, 't');
    assert.ok(again.tableId > t.tableId);
    assert.deepEqual(c.purgeDroppedTables(), [t.tableId]);
    assert.ok(makeTable(c, 'x').tableId > again.tableId, 'table ids are never reused');
  });

  test('rename: 42P07 when taken, same name is a no-op', () => {
    const t = makeTable(c, 't');
    makeTable(c, 'u');
    assertDbError(() => c.renameTable(t.tableId, 'u'), '42P07', 'relation "u" already exists');
    assert.equal(c.renameTable(t.tableId, 't').name, 't');
    assert.equal(c.renameTable(t.tableId, 'v').name, 'v');
    assert.equal(c.getTable('public', 'v')?.tableId, t.tableId);
    assertDbError(() => c.renameTable(9999, 'w'), '42P01');
  });

  test('columns: attnums are never reused; dropped columns stay as placeholders', () => {
    const t = makeTable(c, 't');
    assertDbError(() => c.addColumn(t.tableId, column(0, 'body')), '42701', 'column "body" of relation "t" already exists');
    let d = c.addColumn(t.tableId, { ...column(0, 'extra', 23), missingValue: '7', defaultExpr: '7' });
    assert.deepEqual(d.columns.map((col) => [col.attnum, col.name]), [[1, 'id'], [2, 'body'], [3, 'extra']]);
    assert.equal(d.columns[2]!.missingValue, '7');
    d = c.dropColumn(t.tableId, 'extra');
    assert.equal(d.columns[2]!.dropped, true);
    assert.equal(d.columns[2]!.name, '........pg.dropped.3........');
    assertDbError(() => c.dropColumn(t.tableId, 'extra'), '42703', 'column "extra" of relation "t" does not exist');
    d = c.addColumn(t.tableId, column(0, 'extra', 25));
    assert.deepEqual(d.columns.map((col) => col.attnum), [1, 2, 3, 4]);
    assert.equal(d.columns[3]!.typeOid, 25);
  });

  test('rename column: 42703 missing, 42701 taken; constraints follow attnums', () => {
    const t = makeTable(c, 't');
    c.setConstraints(t.tableId, [
      { name: 't_pkey', kind: 'primary', attnums: [1], expr: null },
      { name: 't_body_check', kind: 'check', attnums: [2], expr: 'length(body) > 0' },
    ]);
    assertDbError(() => c.renameColumn(t.tableId, 'nope', 'x'), '42703', 'column "nope" of relation "t" does not exist');
    assertDbError(() => c.renameColumn(t.tableId, 'id', 'body'), '42701', 'column "body" of relation "t" already exists');
    const d = c.renameColumn(t.tableId, 'id', 'key');
    assert.equal(d.columns[0]!.name, 'key');
    assert.equal(d.constraints.length, 2);
    const dropped = c.dropColumn(t.tableId, 'body');
    assert.deepEqual(dropped.constraints.map((k) => k.name), ['t_pkey']);
    assertDbError(() => c.setConstraints(t.tableId, [{ name: 'bad', kind: 'unique', attnums: [2], expr: null }]), 'XX000');
  });

  test('dropping a column or a table drops its sequence', () => {
    const t = c.createTable({
      schema: 'public', name: 's', segmentSizeBytes: 100, options: {}, constraints: [],
      columns: [column(1, 'id', 20, { sequence: 's_id_seq' }), column(2, 'n', 20, { sequence: 's_n_seq' })],
    }, false)!;
    c.createSequence('s_id_seq');
    c.createSequence('s_n_seq');
    c.dropColumn(t.tableId, 'n');
    assert.equal(c.sequenceExists('s_n_seq'), false);
    c.dropTable(t.tableId);
    assert.equal(c.sequenceExists('s_id_seq'), false);
  });

  test('over 1600 columns is 54011', () => {
    const columns = Array.from({ length: 1601 }, (_v, i) => column(i + 1, `c${i}`));
    assertDbError(() => c.createTable({ schema: 'public', name: 'wide', columns, constraints: [], segmentSizeBytes: 1, options: {} }, false),
      '54011', 'tables can have at most 1600 columns');
  });

  if (twin.reopen !== undefined) {
    const reopen = twin.reopen;
    test('definitions survive a re-open', () => {
      const t = makeTable(c, 't');
      c.addColumn(t.tableId, column(0, 'x'));
      const before = c.listTables();
      c = reopen(c);
      assert.deepEqual(c.listTables(), before);
    });
  }
});
