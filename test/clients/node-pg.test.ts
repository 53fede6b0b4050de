/**
 * Client test: node-pg (`pg`) and the `pgvector` npm helpers. One scenario (DDL with several
 * types and constraints, parameterised DML, text and binary results, rollback, NULLs, errors
 * that leave the connection usable, information_schema introspection) runs against Tessera and
 * PostgreSQL 15, and the two transcripts must be equal; then the vector part (pgvector's
 * registerTypes/toSql, an hnsw index, `ORDER BY v <-> $1 LIMIT 5`) against Tessera, checked
 * against brute force.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import pgvector from 'pgvector/pg';
import { assertSameAsPostgres, makeVectors, nearestL2, plain, startServers, type Servers } from './support.ts';

/** A query asking for binary results (pg supports `binary`; @types/pg does not declare it). */
function binaryQuery(text: string, values: unknown[]): pg.QueryConfig {
  return { text, values, binary: true } as pg.QueryConfig;
}

async function scenario(url: string): Promise<unknown[]> {
  const out: unknown[] = [];
  const c = new pg.Client(url);
  await c.connect();
  const log = (label: string, r: pg.QueryResult): void => {
    out.push({
      label,
      command: r.command,
      rowCount: r.rowCount,
      fields: r.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeModifier, f.dataTypeSize, f.format]),
      rows: plain(r.rows),
    });
  };
  const fails = async (label: string, p: Promise<unknown>): Promise<void> => {
    try {
      await p;
      out.push({ label, error: 'none' });
    } catch (e) {
      const err = e as pg.DatabaseError;
      out.push({ label, code: err.code, message: err.message, constraint: err.constraint ?? null, table: err.table ?? null });
    }
  };
  try {
    await c.query(`SET TimeZone = 'UTC'`);
    await c.query(`CREATE TABLE items (
      id serial PRIMARY KEY,
      name text NOT NULL UNIQUE,
      qty int4 NOT NULL DEFAULT 0 CHECK (qty >= 0),
      big int8,
      price numeric(10,2),
      ratio float8,
      active bool DEFAULT true,
      born date,
      at timestamptz,
      meta jsonb,
      tags text[],
      uid uuid,
      data bytea)`);
    await c.query('CREATE INDEX items_qty ON items (qty)');
    const ins = 'INSERT INTO items (name, qty, big, price, ratio, active, born, at, meta, tags, uid, data) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id, name';
    log('insert 1', await c.query(ins, ['apple', 3, '9007199254740993', '1.50', 0.25, true, '2024-02-29', '2024-03-01T12:34:56.789Z', { a: 1, b: [true, null] }, ['x', 'y z'], 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', Buffer.from([0, 1, 255])]));
    log('insert 2', await c.query(ins, ['pear', 0, null, null, null, null, null, null, null, null, null, null]));
    log('insert 3', await c.query('INSERT INTO items (name, qty) VALUES ($1, $2), ($3, $4)', ['plum', 7, 'fig', 2]));
    const sel = 'SELECT id, name, qty, big, price, ratio, active, born, at, meta, tags, uid, data FROM items WHERE qty >= $1 ORDER BY id';
    log('select text', await c.query(sel, [0]));
    log('select binary', await c.query(binaryQuery(sel, [0])));
    log('select nulls', await c.query('SELECT id, name FROM items WHERE price IS NULL AND big IS NULL ORDER BY id'));
    log('select null param', await c.query('SELECT $1::text IS NULL AS isnull, coalesce($1::int4, -1) AS v', [null]));
    log('update', await c.query('UPDATE items SET qty = qty + $1, meta = $2 WHERE name = ANY($3) RETURNING name, qty, meta', [10, null, ['pear', 'fig']]));
    log('delete', await c.query('DELETE FROM items WHERE qty > $1', [15]));
    log('aggregate', await c.query('SELECT count(*), sum(qty), max(price), avg(qty)::numeric(10,2) AS avg FROM items'));

    await c.query('BEGIN');
    await c.query('INSERT INTO items (name, qty) VALUES ($1, $2)', ['tmp', 1]);
    await c.query('UPDATE items SET qty = 100 WHERE name = $1', ['apple']);
    log('in transaction', await c.query('SELECT name, qty FROM items ORDER BY name'));
    await c.query('ROLLBACK');
    log('after rollback', await c.query('SELECT name, qty FROM items ORDER BY name'));

    await fails('unique violation', c.query(ins, ['apple', 1, null, null, null, null, null, null, null, null, null, null]));
    await fails('check violation', c.query('UPDATE items SET qty = $1 WHERE name = $2', [-1, 'apple']));
    await fails('not null violation', c.query('INSERT INTO items (name) VALUES ($1)', [null]));
    await fails('bad int param', c.query('SELECT $1::int4', ['nope']));
    await fails('undefined table', c.query('SELECT * FROM nope'));
    log('usable after errors', await c.query('SELECT count(*)::int AS n FROM items'));

    await c.query('BEGIN');
    await fails('error in transaction', c.query('SELECT 1/0'));
    await fails('aborted transaction', c.query('SELECT 1'));
    await c.query('ROLLBACK');
    log('usable after aborted transaction', await c.query('SELECT 1 AS one'));

    log('introspection columns', await c.query(
      `SELECT column_name, data_type, is_nullable, column_default, numeric_precision, numeric_scale
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`, ['items']));
    log('introspection constraints', await c.query(
      `SELECT conname, contype, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass ORDER BY conname`, ['items']));
    log('introspection indexes', await c.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1 ORDER BY indexname`, ['items']));
  } finally {
    await c.end();
  }
  return out;
}

describe('node-pg client', () => {
  let servers: Servers;
  before(async () => {
    servers = await startServers();
  });
  after(async () => {
    await servers?.stop();
  });

  test('the scenario gives the same transcript as PostgreSQL 15', async (t) => {
    const got = await scenario(servers.tessera.url);
    assert.equal(got.length, 24, 'every step reported');
    await assertSameAsPostgres(t, servers, got, async (url) => (await scenario(url)) as unknown[]);
  });

  test('pgvector helpers, an hnsw index and nearest neighbours in text and binary', async () => {
    const c = new pg.Client(servers.tessera.url);
    await c.connect();
    try {
      await c.query('CREATE EXTENSION IF NOT EXISTS vector');
      await pgvector.registerTypes(c);
      await c.query('CREATE TABLE docs (id int PRIMARY KEY, title text, v vector(3))');
      await c.query('CREATE INDEX docs_v ON docs USING hnsw (v vector_l2_ops)');
      const vectors = makeVectors(60, 3);
      const rows = vectors.map((v, i) => ({ id: i + 1, v }));
      for (const r of rows) {
        await c.query('INSERT INTO docs (id, title, v) VALUES ($1, $2, $3)', [r.id, `doc ${r.id}`, pgvector.toSql(r.v)]);
      }
      await c.query('INSERT INTO docs (id, title, v) VALUES ($1, $2, $3)', [1000, 'no vector', null]);
      const q = [1.5, -2.25, 3];
      const want = nearestL2(rows, q, 5);

      const text = await c.query('SELECT id, v, v <-> $1 AS d FROM docs ORDER BY v <-> $1 LIMIT 5', [pgvector.toSql(q)]);
      assert.deepEqual(text.rows.map((r) => r.id), want);
      assert.deepEqual(text.rows[0].v, rows[want[0]! - 1]!.v, 'registerTypes parses vector text into number[]');
      assert.equal(typeof text.rows[0].d, 'number');

      // node-pg decodes every DataRow field as UTF-8 text (pg-protocol), so of binary results only
      // values whose bytes are all below 0x80 survive: small int4 ids do, float4 vectors do not.
      const bin = await c.query(binaryQuery('SELECT id FROM docs ORDER BY v <-> $1 LIMIT 5', [pgvector.toSql(q)]));
      assert.deepEqual(bin.fields.map((f) => f.format), ['binary']);
      assert.deepEqual(bin.rows.map((r) => r.id), want);

      const upd = await c.query('UPDATE docs SET v = $1 WHERE id = $2', [pgvector.toSql([100, 100, 100]), want[0]]);
      assert.equal(upd.rowCount, 1);
      const after1 = await c.query('SELECT id FROM docs ORDER BY v <-> $1 LIMIT 5', [pgvector.toSql(q)]);
      const rest = rows.filter((r) => r.id !== want[0]);
      assert.deepEqual(after1.rows.map((r) => r.id), nearestL2(rest, q, 5));

      const idx = await c.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'docs_v'`);
      assert.equal(idx.rows[0].indexdef, 'CREATE INDEX docs_v ON public.docs USING hnsw (v vector_l2_ops)');
      await assert.rejects(c.query('INSERT INTO docs (id, v) VALUES ($1, $2)', [2000, '[1,2]']), { code: '22000' });
      assert.equal((await c.query('SELECT count(*)::int AS n FROM docs')).rows[0].n, 61);
    } finally {
      await c.end();
    }
  });
});
