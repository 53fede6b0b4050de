/**
 * catalog/ sequences and Meta on both twins: nextval order, reserved ranges, bounds (2200H)
 * and cycling, name conflicts, and — on the file twin — values and segment ids that stay
 * handed out across a re-open.
 */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { Catalog } from '../../src/catalog/index.ts';
import { assertDbError, onBothTwins } from './twins.ts';

onBothTwins('sequences', (twin) => {
  let c: Catalog;
  beforeEach(() => {
    c = twin.fresh();
  });

  test('nextval counts from start by increment; a range returns its first value', () => {
    c.createSequence('a');
    assert.deepEqual([c.nextval('a'), c.nextval('a')], [1n, 2n]);
    assert.equal(c.nextval('a', 100), 3n);
    assert.equal(c.nextval('a'), 103n);
    c.createSequence('b', { start: 10, increment: 5 });
    assert.equal(c.nextval('b', 3), 10n);
    assert.equal(c.nextval('b'), 25n);
    c.createSequence('down', { increment: -1 });
    assert.deepEqual([c.nextval('down'), c.nextval('down')], [-1n, -2n]);
  });

  test('names: 42P07 on create, 42P01 on drop and nextval; 22023 for bad options', () => {
    c.createSequence('a');
    assertDbError(() => c.createSequence('a'), '42P07', 'relation "a" already exists');
    assertDbError(() => c.nextval('zz'), '42P01', 'relation "zz" does not exist');
    assertDbError(() => c.dropSequence('zz'), '42P01', 'sequence "zz" does not exist');
    assertDbError(() => c.createSequence('z', { increment: 0 }), '22023', 'INCREMENT must not be zero');
    assertDbError(() => c.createSequence('z', { start: 0 }), '22023', 'START value (0) cannot be less than MINVALUE (1)');
    c.dropSequence('a');
    assert.equal(c.sequenceExists('a'), false);
    c.createSequence('a', { start: 5 });
    assert.equal(c.nextval('a'), 5n);
  });

  test('the int8 bound gives 2200H; cycling restarts at MINVALUE', () => {
    c.createSequence('top', { start: 2n ** 63n - 2n });
    assert.equal(c.nextval('top'), 2n ** 63n - 2n);
    assert.equal(c.nextval('top'), 2n ** 63n - 1n);
    assertDbError(() => c.nextval('top'), '2200H', 'nextval: reached maximum value of sequence "top" (9223372036854775807)');
    c.createSequence('small', { max: 3 });
    assertDbError(() => c.nextval('small', 4), '2200H');
    assert.equal(c.nextval('small', 3), 1n);
    assertDbError(() => c.nextval('small'), '2200H');
    c.createSequence('ring', { min: 1, max: 3, cycle: true });
    assert.deepEqual([1, 2, 3, 4, 5].map(() => c.nextval('ring')), [1n, 2n, 3n, 1n, 2n]);
    assert.equal(c.nextval('ring', 2), 1n, 'a range that does not fit restarts at MINVALUE');
  });

  test('Meta values and segment ids', () => {
    assert.equal(c.getMeta('wal_checkpoint_lsn'), undefined);
    c.setMeta('wal_checkpoint_lsn', '42');
    c.setMeta('wal_checkpoint_lsn', '43');
    assert.equal(c.getMeta('wal_checkpoint_lsn'), '43');
    const a = c.nextSegmentId();
    assert.equal(c.nextSegmentId(), a + 1);
  });

  if (twin.reopen !== undefined) {
    const reopen = twin.reopen;
    test('values handed out stay handed out across a re-open, with segment ids and Meta', () => {
      c.createSequence('a');
      assert.equal(c.nextval('a', 10), 1n);
      const seg = c.nextSegmentId();
      c.setMeta('k', 'v');
      c = reopen(c);
      assert.equal(c.nextval('a'), 11n);
      assert.equal(c.nextSegmentId(), seg + 1);
      assert.equal(c.getMeta('k'), 'v');
    });
  }
});
