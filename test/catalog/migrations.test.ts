/**
 * catalog/ migrations: a fresh catalog gets every sql/catalog file and the seed rows; a
 * re-open applies nothing; a catalog newer than this build, or with a renamed migration, is
 * refused; a failing migration rolls back alone; file catalogs run WAL + synchronous=FULL.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { Catalog, loadMigrations, type Migration } from '../../src/catalog/index.ts';
import { applyMigrations, schemaVersion } from '../../src/catalog/migrations.ts';
import { assertDbError, makeTable, tempDir } from './twins.ts';

const shipped = loadMigrations();

test('shipped migrations are numbered from 1 and start with init', () => {
  assert.ok(shipped.length >= 1);
  assert.deepEqual(shipped.map((m) => m.version), shipped.map((_m, i) => i + 1));
  assert.equal(shipped[0]!.name, 'init');
});

for (const where of ['file', 'memory'] as const) {
  test(`fresh catalog [${where}]: newest version, public and tessera schemas, segment ids from 1`, () => {
    const c = Catalog.open(where === 'file' ? path.join(tempDir(), 'c.db') : ':memory:');
    assert.equal(c.schemaVersion(), shipped.length);
    assert.deepEqual(c.listSchemas(), ['public', 'tessera']);
    assert.deepEqual(c.listTables(), []);
    assert.equal(c.getMeta('next_segment_id'), '1');
    c.close();
  });
}

test('re-open keeps data and applies nothing again', () => {
  const file = path.join(tempDir(), 'c.db');
  const c = Catalog.open(file);
  makeTable(c, 'kept');
  c.close();
  const db = new Database(file);
  assert.deepEqual(applyMigrations(db, shipped), []);
  assert.equal((db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get() as { n: number }).n, shipped.length);
  db.close();
  const again = Catalog.open(file);
  assert.equal(again.getTable('public', 'kept')?.name, 'kept');
  again.close();
});

test('a catalog newer than this build is refused with 55000 and left untouched', () => {
  const file = path.join(tempDir(), 'c.db');
  Catalog.open(file).close();
  const db = new Database(file);
  db.prepare('INSERT INTO schema_migrations (version, name, applied_on) VALUES (?, ?, 0)').run(shipped.length + 1, 'from_the_future');
  db.close();
  assertDbError(() => Catalog.open(file), '55000', /is at schema version \d+, newer than this server supports/);
  const check = new Database(file);
  assert.equal(schemaVersion(check), shipped.length + 1);
  check.close();
});

test('a known version recorded under another name is refused', () => {
  const db = new Database(':memory:');
  applyMigrations(db, [{ version: 1, name: 'one', sql: 'CREATE TABLE a (x)' }]);
  assertDbError(() => applyMigrations(db, [{ version: 1, name: 'uno', sql: 'CREATE TABLE a (x)' }]), '55000', /migration 1 is "one"/);
  db.close();
});

test('migrations apply in order; a failing one rolls back alone and is retried next time', () => {
  const db = new Database(':memory:');
  const one: Migration = { version: 1, name: 'one', sql: 'CREATE TABLE a (x); INSERT INTO a VALUES (1);' };
  const bad: Migration = { version: 2, name: 'two', sql: 'CREATE TABLE b (y); INSERT INTO nowhere VALUES (1);' };
  assert.throws(() => applyMigrations(db, [one, bad]), /no such table: nowhere/);
  assert.equal(schemaVersion(db), 1);
  assert.equal((db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'b'").get() as { n: number }).n, 0);
  const good: Migration = { version: 2, name: 'two', sql: 'CREATE TABLE b (y); INSERT INTO b SELECT x FROM a;' };
  const three: Migration = { version: 3, name: 'three', sql: 'ALTER TABLE b ADD COLUMN z DEFAULT 7;' };
  assert.deepEqual(applyMigrations(db, [one, good, three]), [2, 3]);
  assert.deepEqual(db.prepare('SELECT y, z FROM b').all(), [{ y: 1, z: 7 }]);
  assert.equal(schemaVersion(db), 3);
  db.close();
});

test('Catalog.open takes explicit migrations (the shipped ones plus a later one)', () => {
  const file = path.join(tempDir(), 'c.db');
  Catalog.open(file).close();
  const later: Migration = { version: shipped.length + 1, name: 'later', sql: "INSERT INTO Meta (key, value) VALUES ('later', 'yes');" };
  const c = Catalog.open(file, { migrations: [...shipped, later] });
  assert.equal(c.schemaVersion(), shipped.length + 1);
  assert.equal(c.getMeta('later'), 'yes');
  c.close();
  assertDbError(() => Catalog.open(file), '55000');
});

test('a file catalog runs journal_mode=WAL; an unopenable path is 58030', () => {
  const file = path.join(tempDir(), 'c.db');
  Catalog.open(file).close();
  const db = new Database(file);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
  assertDbError(() => Catalog.open(path.join(tempDir(), 'missing-dir', 'c.db')), '58030', /could not open catalog/);
});
