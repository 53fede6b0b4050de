/**
 * Unit test of catalog/partitions.ts on both catalog twins: named partitions take ids from the
 * table id sequence (never a table's, also after later tables), PostgreSQL's errors for taken
 * names and overlapping lists, rename, drop, the parent's drop, atomicity and reopening.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAtomic, assertDbError, makeTable, onBothTwins } from './catalog/twins.ts';

onBothTwins('named partitions', (twin) => {
  test('ids come from the table id sequence and never meet a table id', () => {
    const c = twin.fresh();
    const t = makeTable(c, 'mem');
    const a = c.createPartition({ tableId: t.tableId, schema: 'public', name: 'mem_a', values: ['a'] });
    const b = c.createPartition({ tableId: t.tableId, schema: 'public', name: 'mem_b', values: ['b1', 'b2'] });
    const later = makeTable(c, 'later');
    const ids = [t.tableId, a.partitionId, b.partitionId, later.tableId];
    assert.equal(new Set(ids).size, 4);
    assert.ok(a.partitionId > t.tableId && b.partitionId > a.partitionId && later.tableId > b.partitionId);
    assert.deepEqual(c.getPartition('public', 'mem_b'), { ...b, values: ['b1', 'b2'] });
    assert.deepEqual(c.listPartitions(t.tableId).map((p) => p.name), ['mem_a', 'mem_b']);
    assert.equal(c.getPartition('public', 'mem'), undefined);
  });

  test('a taken name is 42P07 both ways; an overlapping list is 42P17', () => {
    const c = twin.fresh();
    const t = makeTable(c, 'mem');
    makeTable(c, 'other');
    c.createPartition({ tableId: t.tableId, schema: 'public', name: 'mem_a', values: ['a', 'x'] });
    assertDbError(() => c.createPartition({ tableId: t.tableId, schema: 'public', name: 'other', values: ['o'] }), '42P07', 'relation "other" already exists');
    assertDbError(() => c.createPartition({ tableId: t.tableId, schema: 'public', name: 'mem_a', values: ['o'] }), '42P07');
    assertDbError(() => makeTable(c, 'mem_a'), '42P07', 'relation "mem_a" already exists');
    assertDbError(() => c.renameTable(t.tableId, 'mem_a'), '42P07');
    assert.equal(c.relationNameTaken('public', 'mem_a'), true);
    assertDbError(() => c.createPartition({ tableId: t.tableId, schema: 'public', name: 'mem_x', values: ['y', 'x'] }), '42P17',
      'partition "mem_x" would overlap partition "mem_a"');
  });

  test('rename, drop, and the parent\'s partitions going with it; creation is atomic', () => {
    const c = twin.fresh();
    const t = makeTable(c, 'mem');
    const u = makeTable(c, 'keep');
    const a = c.createPartition({ tableId: t.tableId, schema: 'public', name: 'mem_a', values: ['a'] });
    c.createPartition({ tableId: u.tableId, schema: 'public', name: 'keep_k', values: ['k'] });
    c.renamePartition(a.partitionId, 'mem_aa');
    assert.equal(c.getPartition('public', 'mem_a'), undefined);
    assert.equal(c.getPartition('public', 'mem_aa')?.partitionId, a.partitionId);
    assertDbError(() => c.renamePartition(a.partitionId, 'keep'), '42P07');
    c.createPartition({ tableId: t.tableId, schema: 'public', name: 'mem_b', values: ['b'] });
    c.dropPartition(a.partitionId);
    assert.deepEqual(c.listPartitions(t.tableId).map((p) => p.name), ['mem_b']);
    assert.equal(c.dropPartitionsOf(t.tableId), 1);
    assert.deepEqual(c.listPartitions().map((p) => p.name), ['keep_k']);
    const writes = assertAtomic(c, () => c.createPartition({ tableId: u.tableId, schema: 'public', name: 'keep_z', values: ['z'] }));
    assert.ok(writes >= 2);
    assert.deepEqual(c.listPartitions(u.tableId).map((p) => p.values), [['k'], ['z']]);
  });

  if (twin.reopen) {
    test('partitions survive reopening the catalog', () => {
      let c = twin.fresh();
      const t = makeTable(c, 'mem');
      const a = c.createPartition({ tableId: t.tableId, schema: 'public', name: 'mem_a', values: ['a', "it's"] });
      c = twin.reopen!(c);
      assert.deepEqual(c.getPartition('public', 'mem_a'), a);
      assert.ok(makeTable(c, 'next').tableId > a.partitionId);
    });
  }
});
