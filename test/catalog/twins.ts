/**
 * Test support for catalog/: runs a suite on both twins — a temp-file catalog and ':memory:' —
 * and offers fixtures (a column, a table) and a snapshot of everything the public API shows,
 * for asserting that a failed transaction changed nothing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe } from 'node:test';
import { Catalog, type ColumnDef, type TableDef } from '../../src/catalog/index.ts';
import { DbError } from '../../src/errors/index.ts';

/** One twin: opens fresh catalogs; reopen is only possible for the file twin. */
export interface Twin {
  name: 'file' | 'memory';
  fresh(): Catalog;
  reopen?: (c: Catalog) => Catalog;
}

const tempDirs: string[] = [];
after(() => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh temp directory, removed when the test file ends. */
export function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-catalog-'));
  tempDirs.push(d);
  return d;
}

const fileTwin: Twin = {
  name: 'file',
  fresh: () => Catalog.open(path.join(tempDir(), 'catalog.db')),
  reopen: (c) => {
    c.close();
    return Catalog.open(c.path);
  },
};

const memoryTwin: Twin = { name: 'memory', fresh: () => Catalog.open(':memory:') };

/** Declares the suite once per twin. */
export function onBothTwins(title: string, body: (twin: Twin) => void): void {
  for (const twin of [fileTwin, memoryTwin]) describe(`${title} [${twin.name}]`, () => body(twin));
}

/** A live column with defaults for the fields a test does not care about. */
export function column(attnum: number, name: string, typeOid = 23, extra: Partial<ColumnDef> = {}): ColumnDef {
  return { attnum, name, typeOid, typmod: -1, notNull: false, defaultExpr: null, missingValue: null, identity: null, sequence: null, dropped: false, ...extra };
}

/** Creates public.<name>(id int4, body text) with a 1000-byte segment size. */
export function makeTable(c: Catalog, name = 't', segmentSizeBytes = 1000, schema = 'public'): TableDef {
  const def = c.createTable(
    { schema, name, columns: [column(1, 'id'), column(2, 'body', 25)], constraints: [], segmentSizeBytes, options: {} },
    false,
  );
  assert.ok(def);
  return def;
}

/** Everything the public API shows, for before/after comparison. */
export function snapshot(c: Catalog): unknown {
  return {
    schemas: c.listSchemas(),
    tables: c.listTables(),
    summaries: c.tableSummaries(),
    files: c.allFiles(),
    nextSegment: c.getMeta('next_segment_id'),
  };
}

/** Asserts fn throws a DbError with this SQLSTATE (and message, when given). */
export function assertDbError(fn: () => unknown, code: string, message?: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DbError, `expected DbError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (typeof message === 'string') assert.equal(err.message, message);
    else if (message !== undefined) assert.match(err.message, message);
    return true;
  });
}

/**
 * SQLite-style fault injection: runs op failing its 1st, 2nd, … write until it succeeds, and
 * asserts after each failure that nothing changed. Returns the number of writes op makes.
 */
export function assertAtomic(c: Catalog, op: () => unknown): number {
  for (let n = 1; n < 100; n++) {
    const before = snapshot(c);
    c.failNthWrite(n);
    try {
      op();
    } catch (err) {
      assert.ok(err instanceof DbError && err.code === '58030', `write ${n}: unexpected ${String(err)}`);
      assert.deepEqual(snapshot(c), before, `write ${n} failed but the catalog changed`);
      continue;
    } finally {
      c.failNthWrite(0);
    }
    return n - 1;
  }
  throw new Error('op never succeeded');
}
