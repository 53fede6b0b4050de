/**
 * Client test: Metabase's PostgreSQL driver, replayed through pgJDBC (metabase/MetabaseClient.java,
 * compiled by javac at test time). The same schema (several types, constraints, a partial and a
 * multi-column index, COMMENT ON TABLE / COLUMN, a view) is created on Tessera and on PostgreSQL 15 with
 * node-pg; then the replay runs what Metabase sends when it connects and syncs (pool check with
 * an empty statement, SET SESSION CHARACTERISTICS ... READ UNCOMMITTED, `show timezone;`, the
 * table-privileges CTE over pg_tables/pg_views/pg_matviews, get-tables-sql over pg_class /
 * pg_namespace / pg_description / pg_stat_user_tables, describe-fields-sql with
 * col_description(format('%I.%I')::regclass), the foreign-key query with `= ANY(conkey)`,
 * describe-indexes-sql with _pg_expandarray, DatabaseMetaData getColumns / getPrimaryKeys /
 * getImportedKeys / getIndexInfo) and a question fetched with setFetchSize + setMaxRows in a
 * read-only transaction; the transcripts must be equal. Then a vector column with an hnsw index
 * is added on Tessera alone: the sync must see it as pgvector's `vector` and the nearest-neighbour
 * question must match brute force. Skipped where Java or the driver is not installed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import pg from 'pg';
import { REPO_ROOT } from '../support/tessera.ts';
import { assertSameAsPostgres, makeVectors, nearestL2, startServers, type Servers } from './support.ts';

const run = promisify(execFile);
const DRIVER = '/usr/share/java/postgresql.jar';
const SOURCE = path.join(REPO_ROOT, 'test', 'clients', 'metabase', 'MetabaseClient.java');
const available = fs.existsSync(DRIVER) && fs.existsSync('/usr/bin/javac');

/** Metabase's JDBC URL for a `postgres://user@host:port/db` URL (its spec: OpenSourceSubProtocolOverride, ssl disabled). */
const jdbcUrl = (url: string): string => {
  const u = new URL(url);
  return `jdbc:postgresql://${u.hostname}:${u.port}${u.pathname}?user=${u.username}&sslmode=disable&OpenSourceSubProtocolOverride=true&ApplicationName=Metabase%20v0.50`;
};

const SCHEMA = [
  // Tessera's own schema of system views (docs/clients.md): PostgreSQL gets an empty one of the same name.
  `CREATE SCHEMA IF NOT EXISTS tessera`,
  `CREATE SCHEMA shop`,
  `CREATE TABLE public.customers (
     id serial PRIMARY KEY,
     email varchar(120) NOT NULL UNIQUE,
     name text,
     created_at timestamptz NOT NULL DEFAULT '2026-01-01T00:00:00Z',
     vip boolean DEFAULT false,
     score double precision,
     visits smallint CHECK (visits >= 0))`,
  `CREATE TABLE shop.orders (
     id bigint PRIMARY KEY,
     customer_id int NOT NULL,
     status text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'paid', 'shipped')),
     total numeric(12,2),
     placed date,
     placed_at timestamp,
     meta jsonb,
     tags text[],
     uid uuid,
     fee money,
     UNIQUE (customer_id, placed))`,
  `CREATE INDEX orders_placed ON shop.orders (placed)`,
  `CREATE INDEX orders_status_total ON shop.orders (status, total)`,
  `COMMENT ON TABLE public.customers IS 'People who buy'`,
  `COMMENT ON COLUMN public.customers.email IS 'Login e-mail'`,
  `COMMENT ON TABLE shop.orders IS 'One row per order'`,
  `COMMENT ON COLUMN shop.orders.total IS 'Gross, in EUR'`,
  `INSERT INTO public.customers (email, name, vip, score, visits) VALUES
     ('ann@example.com', 'Ann', true, 4.5, 10), ('bob@example.com', 'Bob', false, NULL, 0), ('cy@example.com', NULL, NULL, 1.25, 3)`,
  `INSERT INTO shop.orders (id, customer_id, status, total, placed, placed_at, meta, tags, uid) VALUES
     (1, 1, 'new', 10.50, '2026-01-01', '2026-01-01 10:00:00', '{"src": "web"}', '{a,b}', '00000000-0000-0000-0000-000000000001'),
     (2, 1, 'paid', 120.00, '2026-01-02', '2026-01-02 11:30:00', NULL, '{}', NULL),
     (3, 2, 'shipped', 99.99, '2026-01-03', NULL, '{"src": "app", "n": [1, 2]}', NULL, '00000000-0000-0000-0000-000000000003'),
     (4, 3, 'new', NULL, NULL, NULL, NULL, NULL, NULL),
     (5, 2, 'paid', 250.00, '2026-01-05', '2026-01-05 08:15:00', '{}', '{x}', NULL),
     (6, 3, 'paid', 5.00, '2026-01-06', '2026-01-06 09:00:00', NULL, NULL, NULL),
     (7, 1, 'shipped', 77.70, '2026-01-07', '2026-01-07 23:59:59', NULL, NULL, NULL)`,
  `UPDATE shop.orders SET fee = total / 10 WHERE total IS NOT NULL`,
  // A view: Metabase syncs views as tables (relkind 'v' in get-tables-sql, pg_views in the privileges CTE).
  `CREATE VIEW shop.paid_orders AS SELECT id, customer_id, total FROM shop.orders WHERE status = 'paid'`,
  `COMMENT ON VIEW shop.paid_orders IS 'Orders paid, not yet shipped'`,
];

async function exec(url: string, statements: readonly string[], flushStats: boolean): Promise<void> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    for (const sql of statements) await c.query(sql);
    // PostgreSQL's pg_stat_user_tables lags behind commits; make it current so n_live_tup is comparable.
    if (flushStats) await c.query('SELECT pg_stat_force_next_flush()');
  } finally {
    await c.end();
  }
}

describe('Metabase (replayed through pgJDBC)', { skip: available ? false : 'Java or libpostgresql-jdbc-java is not installed' }, () => {
  let servers: Servers;
  let classes: string;
  before(async () => {
    classes = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-metabase-'));
    const [s] = await Promise.all([startServers(), run('/usr/bin/javac', ['-cp', DRIVER, '-d', classes, SOURCE], { timeout: 120_000 })]);
    servers = s;
    await Promise.all([
      exec(servers.tessera.url, SCHEMA, false),
      servers.pg ? exec(servers.pg.url, SCHEMA, true) : Promise.resolve(),
    ]);
  });
  after(async () => {
    await servers?.stop();
    if (classes) fs.rmSync(classes, { recursive: true, force: true });
  });

  const java = async (...args: string[]): Promise<unknown[]> => {
    const { stdout } = await run('/usr/bin/java', ['-cp', `${classes}:${DRIVER}`, 'MetabaseClient', ...args], { timeout: 90_000, maxBuffer: 16 << 20 });
    return JSON.parse(stdout) as unknown[];
  };
  const value = (transcript: unknown[], label: string): unknown => (transcript as { label: string; value: unknown }[]).find((s) => s.label === label)?.value;

  for (const table of ['shop.orders', 'public.customers', 'shop.paid_orders']) {
    test(`connect and sync, then a question on ${table}, as on PostgreSQL 15`, async (t) => {
      const got = await java(jdbcUrl(servers.tessera.url), 'public,shop', table);
      assert.equal(got.length, 31, 'every step reported');
      const privileges = value(got, 'current-user-table-privileges') as unknown[][];
      assert.ok(privileges.length >= 3, 'the privileges CTE returns the user tables (else Metabase syncs none)');
      await assertSameAsPostgres(t, servers, got, async (url) => (await java(jdbcUrl(url), 'public,shop', table)) as unknown[]);
    });
  }

  test('questions as its query processor compiles them, as on PostgreSQL 15', async (t) => {
    const got = await java(jdbcUrl(servers.tessera.url), 'questions');
    assert.equal(got.length, 17, 'every question reported');
    assert.deepEqual(value(got, 'can-connect?'), [['?column? int4'], [1]]);
    await assertSameAsPostgres(t, servers, got, async (url) => (await java(jdbcUrl(url), 'questions')) as unknown[]);
  });

  test('a vector column with an hnsw index: synced as pgvector `vector`, nearest-neighbour question', async () => {
    const rows = makeVectors(30, 3, 41).map((v, i) => ({ id: i + 1, v }));
    await exec(servers.tessera.url, [
      'CREATE EXTENSION IF NOT EXISTS vector',
      'CREATE TABLE public.docs (id int PRIMARY KEY, title text, embedding vector(3))',
      'CREATE INDEX docs_hnsw ON public.docs USING hnsw (embedding vector_l2_ops)',
      `COMMENT ON COLUMN public.docs.embedding IS 'MiniLM, 3 dims'`,
      `INSERT INTO public.docs VALUES ${rows.map((r) => `(${r.id}, 'doc ${r.id}', '[${r.v.join(',')}]')`).join(', ')}`,
    ], false);
    const got = await java(jdbcUrl(servers.tessera.url), 'public', 'public.docs');
    const fields = (value(got, 'describe-fields-sql') as unknown[][]).filter((r) => Array.isArray(r) && r[4] === 'docs');
    assert.deepEqual(fields.map((r) => [r[0], r[1], r[2], r[5], r[6]]), [
      ['id', 'int4', 0, true, null],
      ['title', 'text', 1, false, null],
      ['embedding', 'vector', 2, false, 'MiniLM, 3 dims'],
    ]);
    const indexes = (value(got, 'describe-indexes-sql') as unknown[][]).filter((r) => Array.isArray(r) && r[1] === 'docs');
    assert.deepEqual(indexes.slice().sort(), [['public', 'docs', 'embedding'], ['public', 'docs', 'id']]);
    const columns = value(got, 'getColumns') as unknown[][];
    assert.deepEqual(columns.map((r) => [r[0], r[2]]), [['id', 'int4'], ['title', 'text'], ['embedding', 'vector']]);
    const q = [0.5, -1.5, 2];
    const [nearest] = await java(jdbcUrl(servers.tessera.url), 'vector', 'public.docs', `[${q.join(',')}]`);
    assert.deepEqual((nearest as { value: unknown }).value, nearestL2(rows, q, 4), 'setMaxRows(4) cuts the 5 nearest to 4');
  });
});
