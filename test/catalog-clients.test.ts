/**
 * Drivers' own catalog use against Tessera: postgres.js with fetch_types on (it reads the
 * array types from pg_type at connect, then parses arrays by their OIDs), node-pg reading
 * reg* and int2vector values, and catalog queries over a few hundred tables staying fast.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import postgres from 'postgres';
import { startTessera, type TesseraServer } from './support/tessera.ts';

describe('catalog through drivers', () => {
  let server: TesseraServer;

  before(async () => {
    server = await startTessera();
  });

  after(async () => {
    await server?.stop();
  });

  test('postgres.js with fetch_types learns the array types and parses arrays', async () => {
    const sql = postgres(server.url, { max: 1, fetch_types: true, onnotice: () => {} });
    try {
      await sql`CREATE TABLE arr (id int PRIMARY KEY, tags text[], nums int8[], flags bool[])`;
      await sql`INSERT INTO arr VALUES (1, ${sql.array(['a', 'b c'])}, ${sql.array([1, 2])}::int8[], '{t,f}')`;
      const [row] = await sql`SELECT tags, nums, flags FROM arr`;
      assert.deepEqual(row!.tags, ['a', 'b c']);
      assert.deepEqual(row!.nums.map(String), ['1', '2']);
      assert.deepEqual(row!.flags, [true, false]);
      const types = await sql`SELECT b.oid, b.typarray FROM pg_catalog.pg_type a LEFT JOIN pg_catalog.pg_type b ON b.oid = a.typelem WHERE a.typcategory = 'A' GROUP BY b.oid, b.typarray ORDER BY b.oid`;
      assert.ok(types.some((t) => t.oid === 23 && t.typarray === 1007));
      assert.ok(types.some((t) => t.oid === 16385 && t.typarray === 16386), 'vector[] is listed');
    } finally {
      await sql.end();
    }
  });

  test('node-pg reads regclass, regtype, int2vector and oid values as text', async () => {
    const c = new pg.Client(server.url);
    await c.connect();
    try {
      await c.query('CREATE TABLE pk2 (a int, b int, PRIMARY KEY (b, a))');
      const r = await c.query(`SELECT indrelid::regclass AS rel, indkey, indkey[0] AS first, 'int4'::regtype AS t, 'pk2'::regclass::oid > 0 AS has_oid FROM pg_index WHERE indrelid = 'pk2'::regclass`);
      assert.deepEqual(r.rows[0], { rel: 'pk2', indkey: '2 1', first: 2, t: 'integer', has_oid: true });
      await assert.rejects(c.query(`SELECT 'nope'::regclass`), { code: '42P01', message: 'relation "nope" does not exist' });
      const ok = await c.query('SELECT 1 AS one');
      assert.equal(ok.rows[0].one, 1, 'the connection is usable after the error');
    } finally {
      await c.end();
    }
  });

  test('catalog queries over 300 tables', async (t) => {
    const c = new pg.Client(server.url);
    await c.connect();
    try {
      for (let i = 0; i < 300; i++) {
        await c.query(`CREATE TABLE wide_${i} (id serial PRIMARY KEY, name text NOT NULL, v numeric(8,2) CHECK (v > 0), created timestamptz DEFAULT now())`);
      }
      const time = async (sql: string): Promise<number> => {
        const start = performance.now();
        await c.query(sql);
        return performance.now() - start;
      };
      const attrs = await c.query(`SELECT count(*)::int AS n FROM pg_attribute WHERE attnum > 0 AND attrelid IN (SELECT oid FROM pg_class WHERE relname LIKE 'wide_%' AND relkind = 'r')`);
      assert.equal(attrs.rows[0].n, 1200);
      const msAttributes = await time(`SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0`);
      const msColumns = await time(`SELECT table_name, column_name, data_type, column_default FROM information_schema.columns WHERE table_schema = 'public'`);
      const msConstraints = await time(`SELECT conrelid::regclass, pg_get_constraintdef(oid) FROM pg_constraint`);
      t.diagnostic(`300 tables: pg_attribute⋈pg_class ${msAttributes.toFixed(0)} ms, information_schema.columns ${msColumns.toFixed(0)} ms, pg_constraint+pg_get_constraintdef ${msConstraints.toFixed(0)} ms`);
      // Generous bounds: these run per query on a shared 2-core machine.
      assert.ok(msAttributes < 5000 && msColumns < 5000 && msConstraints < 5000);
    } finally {
      await c.end();
    }
  });
});
