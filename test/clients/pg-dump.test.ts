/**
 * Client test: PostgreSQL 15's pg_dump against Tessera, its output restored into real
 * PostgreSQL and compared with what PostgreSQL makes of the same DDL (the oracle).
 *
 * - Schema: Tessera holds schemas, every common column type, serial and identity columns,
 *   defaults, NOT NULL, CHECK, PRIMARY KEY, UNIQUE (constraint and CREATE UNIQUE INDEX),
 *   comments, a LIST-partitioned table with a named partition, a role with GRANTs, a
 *   row-level security policy, views (one over another, one in public over app, a comment
 *   and a GRANT on a view), and (after CREATE EXTENSION vector) a vector(3) column with an
 *   hnsw index. `pg_dump --schema-only` of it is restored
 *   1. into a private PostgreSQL 15 cluster, which has no pgvector here: psql runs the whole
 *      dump and the only errors allowed are the two about the vector extension (CREATE
 *      EXTENSION, COMMENT ON EXTENSION) and the two that follow from it (the vector table and
 *      its index); then `pg_dump --schema-only` of the restored database must equal
 *      `pg_dump --schema-only` of a database where the same non-vector DDL ran directly;
 *   2. into PGlite with pgvector (PostgreSQL 17, the only pgvector here), all of it without
 *      any error; then a catalog description (columns, types, defaults, constraints, indexes,
 *      comments, policies, ACLs, partitions) must equal PGlite's for the same DDL run directly.
 *   Known difference, asserted rather than hidden: Tessera's own `tessera` schema (its system
 *   views) is dumped as an empty schema, so the expected side creates it too.
 * - Data: plain `pg_dump -t app.kinds` (rows, COPY escapes, the serial sequence's setval)
 *   restored into PostgreSQL 15 gives the rows and the next serial value PostgreSQL gives
 *   after the same INSERTs.
 * - Custom format: `pg_dump -Fc --schema-only` and `pg_restore --list` name the same objects
 *   as for PostgreSQL's own database (the vector objects and the tessera schema aside).
 * - Parallel: `pg_dump -j 2 -Fd` (workers import the leader's exported snapshot), schema app
 *   restored with pg_restore into PostgreSQL 15: the same rows and sequence state.
 * - What pg_dump relies on, compared statement by statement with PostgreSQL: its settings,
 *   a REPEATABLE READ READ ONLY transaction not seeing a later commit, an exported snapshot
 *   imported by another session, LOCK TABLE ... IN
 *   ACCESS SHARE MODE holding off DROP TABLE, row_security = off refusing a filtered read.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import pg from 'pg';
import { postgresAvailable, startPostgres, type PgCluster } from '../support/pg-cluster.ts';
import { startTessera, type TesseraServer } from '../support/tessera.ts';

const run = promisify(execFile);
const PG_BIN = process.env.TESSERA_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const PG_DUMP = `${PG_BIN}/pg_dump`;
const PG_RESTORE = `${PG_BIN}/pg_restore`;
const PSQL = `${PG_BIN}/psql`;

const ROLE_DDL = 'CREATE ROLE reader LOGIN;';

/** Everything PostgreSQL 15 without pgvector can run too. */
const BASE_DDL = `
CREATE SCHEMA app;
CREATE TABLE app.kinds (
  id serial PRIMARY KEY,
  code text NOT NULL UNIQUE,
  label varchar(40) DEFAULT 'none',
  weight numeric(10,2) CHECK (weight >= 0),
  flag boolean NOT NULL DEFAULT false
);
CREATE TABLE app.items (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  small smallint,
  i4 integer DEFAULT 42,
  r real,
  d double precision,
  c char(3),
  b bytea,
  dt date,
  ts timestamp,
  tstz timestamptz DEFAULT now(),
  iv interval,
  u uuid,
  j json,
  jb jsonb,
  tags text[],
  CONSTRAINT items_small_pos CHECK (small > 0)
);
CREATE UNIQUE INDEX items_u_idx ON app.items (u);
CREATE INDEX items_dt_idx ON app.items (dt);
COMMENT ON TABLE app.items IS 'all the items';
COMMENT ON COLUMN app.items.r IS 'a real';
CREATE TABLE public.events (
  tenant text NOT NULL,
  id integer NOT NULL,
  payload text,
  PRIMARY KEY (tenant, id)
) PARTITION BY LIST (tenant);
CREATE TABLE public.events_acme PARTITION OF public.events FOR VALUES IN ('acme');
GRANT USAGE ON SCHEMA app TO reader;
GRANT SELECT ON app.items TO reader;
ALTER TABLE app.items ENABLE ROW LEVEL SECURITY;
CREATE POLICY items_small ON app.items FOR SELECT TO reader USING (small < 10);
CREATE VIEW app.heavy AS SELECT code, weight FROM app.kinds WHERE weight > 1;
CREATE VIEW public.item_days (day, n) AS SELECT dt, count(*) FROM app.items GROUP BY dt ORDER BY dt;
CREATE VIEW app.heavy_codes AS SELECT h.code FROM app.heavy h JOIN app.kinds k ON k.code = h.code;
CREATE VIEW public.event_counts AS WITH e AS (SELECT tenant, id FROM events WHERE id > 0) SELECT tenant, count(*) AS n FROM e GROUP BY tenant;
CREATE VIEW public.noted_events AS SELECT tenant, id FROM events WHERE id IN (SELECT id FROM events WHERE payload IS NOT NULL);
COMMENT ON VIEW app.heavy IS 'heavy kinds';
GRANT SELECT ON app.heavy TO reader;
`;

const VECTOR_DDL = `
CREATE EXTENSION vector;
CREATE TABLE public.docs (id integer PRIMARY KEY, tenant text NOT NULL, body text, embedding vector(3));
CREATE INDEX docs_embedding_idx ON public.docs USING hnsw (embedding vector_l2_ops);
`;

/** Tessera's system-view schema, which a dump of any Tessera database names (see the header). */
const TESSERA_SCHEMA_DDL = 'CREATE SCHEMA tessera;';

const KINDS_DATA = `INSERT INTO app.kinds (code, label, weight) VALUES ('a', 'A', 1.5), ('b', NULL, 2), ('c''q', E'tab\\tx', NULL);
INSERT INTO app.kinds (code, flag) VALUES ('back\\slash', true);`;

/** A dump without what changes from run to run: comments, blank lines, psql's \\restrict key. */
function normalise(dump: string): string {
  return dump
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('--') && !/^\\(un)?restrict /.test(l))
    .join('\n');
}

/** The catalog facts a restore must reproduce, one text line each, in a fixed order. */
const DESCRIBE = `
SELECT 'rel ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text || ' rls=' || c.relrowsecurity || ' acl=' || coalesce(c.relacl::text, '-')
  || ' comment=' || coalesce(obj_description(c.oid, 'pg_class'), '-') || ' bound=' || coalesce(pg_get_expr(c.relpartbound, c.oid), '-')
  || ' key=' || coalesce(pg_get_partkeydef(c.oid), '-') AS line
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('app', 'public', 'tessera') AND c.relkind IN ('r', 'p', 'S', 'v')
UNION ALL
SELECT 'col ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' notnull=' || a.attnotnull
  || ' identity=' || a.attidentity::text || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-')
  || ' comment=' || coalesce(col_description(c.oid, a.attnum), '-')
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE n.nspname IN ('app', 'public') AND c.relkind IN ('r', 'p', 'v') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'con ' || c.relname || '.' || k.conname || ' ' || pg_get_constraintdef(k.oid)
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('app', 'public')
UNION ALL
SELECT 'idx ' || pg_get_indexdef(i.indexrelid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('app', 'public')
UNION ALL
SELECT 'pol ' || schemaname || '.' || tablename || '.' || policyname || ' ' || permissive || ' ' || roles::text || ' ' || cmd || ' ' || coalesce(qual, '-')
FROM pg_policies
UNION ALL
SELECT 'nsp ' || nspname || ' acl=' || coalesce(nspacl::text, '-') FROM pg_namespace WHERE nspname IN ('app', 'tessera')
UNION ALL
SELECT 'ext ' || extname FROM pg_extension WHERE extname = 'vector'
ORDER BY 1`;

describe('pg_dump', { skip: postgresAvailable() && fs.existsSync(PG_DUMP) ? false : 'PostgreSQL 15 (pg_dump, psql) is not installed' }, () => {
  let tessera: TesseraServer;
  let cluster: PgCluster;
  let client: pg.Client;

  before(async () => {
    [tessera, cluster] = await Promise.all([startTessera(), startPostgres()]);
    client = new pg.Client(tessera.url);
    await client.connect();
    await client.query(ROLE_DDL + BASE_DDL + VECTOR_DDL + KINDS_DATA);
    await client.query(`INSERT INTO public.docs VALUES (1, 'acme', 'hello', '[1,2,3]')`);
    await onPg('postgres', ROLE_DDL); // roles are cluster-wide: every database below sees reader
    // The oracle: the same DDL (without pgvector, which PostgreSQL here lacks) run on PostgreSQL 15.
    await onPg('postgres', 'CREATE DATABASE restored; CREATE DATABASE expected;');
    await onPg('expected', TESSERA_SCHEMA_DDL + BASE_DDL);
  });
  after(async () => {
    await client?.end();
    await Promise.allSettled([tessera?.stop(), cluster?.stop()]);
  });

  const env = (): NodeJS.ProcessEnv => ({ ...process.env, PGUSER: 'postgres', PGHOST: '127.0.0.1', PGCONNECT_TIMEOUT: '10' });

  /** app.kinds' rows and its serial sequence's state, in a database of the cluster. */
  async function readKinds(database: string): Promise<unknown[]> {
    const c = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'postgres', database });
    await c.connect();
    try {
      const rows = (await c.query({ text: 'SELECT * FROM app.kinds ORDER BY id', rowMode: 'array' })).rows;
      const seq = (await c.query({ text: 'SELECT last_value, is_called FROM app.kinds_id_seq', rowMode: 'array' })).rows;
      return [rows, seq];
    } finally {
      await c.end();
    }
  }

  /** pg_dump of a database on Tessera or the cluster; fails the test on a non-zero exit. */
  async function pgDump(port: number, database: string, ...args: string[]): Promise<string> {
    const { stdout } = await run(PG_DUMP, ['-p', String(port), ...args, database], { env: env(), maxBuffer: 64 << 20, timeout: 60_000, encoding: 'utf8' });
    return stdout;
  }

  /** Runs SQL on one database of the PostgreSQL cluster through psql; returns stderr (errors), throws on none-zero exit only with ON_ERROR_STOP. */
  async function onPg(database: string, sql: string, stopOnError = true): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-pgdump-'));
    const file = path.join(dir, 'in.sql');
    fs.writeFileSync(file, sql);
    try {
      const { stderr } = await run(PSQL, ['-X', '-q', '-p', String(cluster.port), '-d', database, '-v', `ON_ERROR_STOP=${stopOnError ? 1 : 0}`, '-f', file], {
        env: env(), maxBuffer: 64 << 20, timeout: 60_000, encoding: 'utf8',
      });
      return stderr;
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test('--schema-only restores into PostgreSQL 15 as the same DDL run there', async () => {
    const dump = await pgDump(tessera.port, 'postgres', '--schema-only');
    const errors = (await onPg('restored', dump, false)).split('\n').filter((l) => /ERROR/.test(l)).map((l) => l.replace(/^psql:[^:]+:\d+: /, ''));
    // PostgreSQL here has no pgvector: exactly the vector extension's statements and their consequences fail
    // (CREATE EXTENSION, its COMMENT, CREATE TABLE docs, then docs' OWNER TO, primary key and hnsw index).
    assert.deepEqual(errors, [
      'ERROR:  extension "vector" is not available',
      'ERROR:  extension "vector" does not exist',
      'ERROR:  type "public.vector" does not exist',
      'ERROR:  relation "public.docs" does not exist',
      'ERROR:  relation "public.docs" does not exist',
      'ERROR:  relation "public.docs" does not exist',
    ], errors.join('\n'));
    const [got, want] = await Promise.all([pgDump(cluster.port, 'restored', '--schema-only'), pgDump(cluster.port, 'expected', '--schema-only')]);
    assert.equal(normalise(got), normalise(want));
  });

  test('--schema-only restores into PGlite + pgvector, vector column and hnsw index included', async () => {
    const dump = await pgDump(tessera.port, 'postgres', '--schema-only');
    const restored = await PGlite.create({ extensions: { vector } });
    const direct = await PGlite.create({ extensions: { vector } });
    try {
      for (const lite of [restored, direct]) await lite.exec(ROLE_DDL);
      // psql's \restrict / \unrestrict meta-commands are no SQL; PGlite runs the rest as one script.
      await restored.exec(dump.split('\n').filter((l) => !/^\\(un)?restrict /.test(l)).join('\n'));
      // The dump emptied search_path for its session; describe both under PostgreSQL's default path.
      for (const lite of [restored, direct]) await lite.exec(`SET search_path TO "$user", public`);
      await direct.exec(TESSERA_SCHEMA_DDL + BASE_DDL + VECTOR_DDL);
      const describe = async (lite: PGlite): Promise<string[]> => (await lite.query<{ line: string }>(DESCRIBE)).rows.map((r) => r.line);
      const [got, want] = [await describe(restored), await describe(direct)];
      assert.ok(want.some((l) => l.startsWith('idx CREATE INDEX docs_embedding_idx ON public.docs USING hnsw')), want.join('\n'));
      assert.deepEqual(got, want);
    } finally {
      await Promise.allSettled([restored.close(), direct.close()]);
    }
  });

  test('plain dump of a table with data restores its rows and its serial sequence', async () => {
    const dump = await pgDump(tessera.port, 'postgres', '-t', 'app.kinds');
    assert.match(dump, /^COPY app\.kinds \(id, code, label, weight, flag\) FROM stdin;$/m);
    assert.match(dump, /SELECT pg_catalog\.setval\('app\.kinds_id_seq', 4, true\);/);
    await onPg('postgres', 'CREATE DATABASE data_restored; CREATE DATABASE data_expected;');
    await onPg('data_restored', 'CREATE SCHEMA app;' + dump);
    await onPg('data_expected', 'CREATE SCHEMA app;' + BASE_DDL.slice(BASE_DDL.indexOf('CREATE TABLE app.kinds'), BASE_DDL.indexOf('CREATE TABLE app.items')) + KINDS_DATA);
    assert.deepEqual(await readKinds('data_restored'), await readKinds('data_expected'));
  });

  test('parallel directory dump (-j 2, workers importing the leader\'s snapshot) restores the same rows', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-pgdump-dir-'));
    try {
      await run(PG_DUMP, ['-p', String(tessera.port), '-j', '2', '-Fd', '-f', `${dir}/out`, 'postgres'], { env: env(), timeout: 60_000 });
      await onPg('postgres', 'CREATE DATABASE parallel_restored;');
      await onPg('parallel_restored', 'CREATE SCHEMA app;'); // pg_restore -n restores the schema's objects, not the schema
      await run(PG_RESTORE, ['-p', String(cluster.port), '-d', 'parallel_restored', '-n', 'app', '--exit-on-error', `${dir}/out`], { env: env(), timeout: 60_000 });
      assert.deepEqual(await readKinds('parallel_restored'), await readKinds('data_expected'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('custom format: pg_restore --list names the objects PostgreSQL lists for its own database', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-pgdump-fc-'));
    try {
      const list = async (port: number, database: string): Promise<string[]> => {
        const file = `${dir}/${port}.dump`;
        await run(PG_DUMP, ['-p', String(port), '-Fc', '--schema-only', '-f', file, database], { env: env(), timeout: 60_000 });
        const { stdout } = await run(PG_RESTORE, ['--list', file], { encoding: 'utf8' });
        // "id; catalog oid TYPE schema name owner": keep type, schema and name.
        return stdout.split('\n').filter((l) => l && !l.startsWith(';')).map((l) => l.replace(/^\d+; \d+ \d+ /, '')).sort();
      };
      const got = (await list(tessera.port, 'postgres')).filter((l) => !/vector|docs/.test(l));
      const want = await list(cluster.port, 'expected');
      assert.ok(got.some((l) => l.startsWith('POLICY app items items_small')), got.join('\n'));
      assert.deepEqual(got, want);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what pg_dump relies on, compared with PostgreSQL', { skip: postgresAvailable() ? false : 'PostgreSQL 15 is not installed' }, () => {
  let tessera: TesseraServer;
  let cluster: PgCluster;
  before(async () => {
    [tessera, cluster] = await Promise.all([startTessera(), startPostgres()]);
  });
  after(async () => {
    await Promise.allSettled([tessera?.stop(), cluster?.stop()]);
  });

  type Outcome = string;
  const outcome = async (c: pg.Client, sql: string): Promise<Outcome> => {
    try {
      const r = await c.query({ text: sql, rowMode: 'array' });
      return `${r.command} ${JSON.stringify(r.rows)}`;
    } catch (e) {
      const err = e as { code?: string; message: string };
      return `ERROR ${err.code} ${err.message}`;
    }
  };

  /** Runs `scenario` against each server with two fresh connections; returns the transcripts. */
  async function onBoth(scenario: (a: pg.Client, b: pg.Client, step: (c: pg.Client, sql: string) => Promise<void>) => Promise<void>): Promise<[string[], string[]]> {
    const out: string[][] = [];
    for (const url of [cluster.url, tessera.url]) {
      const a = new pg.Client(url);
      const b = new pg.Client(url);
      await Promise.all([a.connect(), b.connect()]);
      const transcript: string[] = [];
      try {
        await scenario(a, b, async (c, sql) => {
          transcript.push(`${c === a ? 'a' : 'b'}> ${sql} => ${await outcome(c, sql)}`);
        });
      } finally {
        await Promise.all([a.end(), b.end()]);
      }
      out.push(transcript);
    }
    return [out[1]!, out[0]!];
  }

  test("pg_dump's session settings", async () => {
    const [got, want] = await onBoth(async (a, _b, step) => {
      for (const sql of [
        'SET synchronize_seqscans TO off', 'SET statement_timeout = 0', 'SET lock_timeout = 0', 'SET idle_in_transaction_session_timeout = 0',
        'SET row_security = off', 'SET extra_float_digits TO 3', 'SHOW row_security', 'SHOW lock_timeout', 'SET row_security = maybe',
        // (pg_dump 15.8+ also sets restrict_nonsystem_relation_kind when pg_settings has it: 15.6, which Tessera reports, has not.)
        'SELECT pg_catalog.set_config(\'search_path\', \'\', false)', 'SHOW search_path',
      ]) await step(a, sql);
    });
    assert.deepEqual(got, want);
  });

  test('REPEATABLE READ, READ ONLY keeps its snapshot; SET TRANSACTION after a query fails', async () => {
    const [got, want] = await onBoth(async (a, b, step) => {
      await step(a, 'CREATE TABLE rr (id int PRIMARY KEY, v text)');
      await step(a, "INSERT INTO rr VALUES (1, 'one'), (5, 'five')");
      await step(a, 'BEGIN');
      await step(a, 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await step(a, 'SHOW transaction_isolation');
      await step(a, 'SELECT count(*)::int FROM rr');
      await step(b, "INSERT INTO rr VALUES (2, 'two')");
      await step(b, 'DELETE FROM rr WHERE id = 1');
      await step(a, 'SELECT id, v FROM rr ORDER BY id');
      await step(a, 'SELECT v FROM rr WHERE id = 1');
      // A key range (a primary-key range lookup on Tessera, which must read the held snapshot now) and a top-N.
      await step(a, 'SELECT id FROM rr WHERE id BETWEEN 1 AND 5 ORDER BY id');
      await step(a, 'SELECT id FROM rr ORDER BY id LIMIT 1');
      await step(a, 'SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
      await step(a, 'ROLLBACK');
      await step(a, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await step(a, 'SELECT 1'); // the snapshot is taken here, before b's insert, not at the first table read
      await step(b, "INSERT INTO rr VALUES (4, 'four')");
      await step(a, 'SELECT id, v FROM rr ORDER BY id');
      await step(a, "INSERT INTO rr VALUES (3, 'three')");
      await step(a, 'ROLLBACK');
      await step(a, 'SELECT id, v FROM rr ORDER BY id');
      await step(a, 'DROP TABLE rr');
    });
    assert.deepEqual(got, want);
  });

  test('pg_export_snapshot() / SET TRANSACTION SNAPSHOT (pg_dump -j): the importer reads the exporter\'s snapshot', async () => {
    const [got, want] = await onBoth(async (a, b, step) => {
      await step(a, 'CREATE TABLE snap (id int)');
      await step(a, 'INSERT INTO snap VALUES (1)');
      await step(a, 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const id = String((await a.query('SELECT pg_export_snapshot() AS id')).rows[0].id);
      await step(a, `SELECT '${id}' ~ '^[0-9A-F]{8}-[0-9A-F]{8}-[0-9]+$'`);
      await step(b, 'INSERT INTO snap VALUES (2)');
      await step(b, `SET TRANSACTION SNAPSHOT '${id}'`);
      await step(b, 'BEGIN');
      await step(b, `SET TRANSACTION SNAPSHOT '${id}'`);
      await step(b, 'ROLLBACK');
      await step(b, 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await step(b, "SET TRANSACTION SNAPSHOT 'abc'");
      await step(b, 'ROLLBACK');
      await step(b, 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await step(b, "SET TRANSACTION SNAPSHOT '0000ABCD-0000FFFF-1'");
      await step(b, 'ROLLBACK');
      await step(b, 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await step(b, 'SELECT count(*)::int FROM snap');
      await step(b, `SET TRANSACTION SNAPSHOT '${id}'`);
      await step(b, 'ROLLBACK');
      await step(b, 'BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      await step(b, `SET TRANSACTION SNAPSHOT '${id}'`);
      await step(a, 'COMMIT'); // the importer keeps the snapshot after the exporter ends
      await step(b, 'SELECT id FROM snap ORDER BY id');
      await step(b, 'COMMIT');
      await step(b, 'SELECT id FROM snap ORDER BY id');
      await step(b, `BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET TRANSACTION SNAPSHOT '${id}'`);
      await step(b, 'ROLLBACK');
      await step(a, 'DROP TABLE snap');
    });
    // The ids differ between the servers; everything else must not.
    const mask = (lines: string[]): string[] => lines.map((l) => l.replace(/[0-9A-F]{8}-[0-9A-F]{8}-[0-9]+/g, '<id>'));
    assert.deepEqual(mask(got), mask(want));
  });

  test('LOCK TABLE ... IN ACCESS SHARE MODE holds off DROP TABLE until the transaction ends', async () => {
    const [got, want] = await onBoth(async (a, b, step) => {
      await step(a, 'CREATE TABLE locked (id int)');
      await step(a, 'LOCK TABLE locked IN ACCESS SHARE MODE');
      await step(a, 'BEGIN');
      await step(a, 'LOCK TABLE nosuch IN ACCESS SHARE MODE');
      await step(a, 'ROLLBACK');
      await step(a, 'BEGIN');
      await step(a, 'LOCK TABLE locked IN ACCESS SHARE MODE');
      await step(a, 'SELECT count(*)::int FROM locked');
      let dropped = false;
      const drop = outcome(b, 'DROP TABLE locked').then((r) => ((dropped = true), r));
      await new Promise((r) => setTimeout(r, 400));
      await step(a, `SELECT ${dropped ? "'dropped while locked'" : "'drop waits'"}`);
      await step(a, 'COMMIT');
      // b's answer, recorded after a's COMMIT (the two sockets' replies may arrive in either order).
      await step(a, `SELECT 'b: ${await drop}'`);
      await step(a, 'SELECT count(*) FROM locked');
    });
    assert.deepEqual(got, want);
  });

  test('row_security = off refuses a read that policies would filter', async () => {
    const [got, want] = await onBoth(async (a, _b, step) => {
      for (const sql of [
        'CREATE ROLE rs_reader', 'CREATE TABLE rs (id int, owner text)', "INSERT INTO rs VALUES (1, 'x'), (2, 'y')", 'GRANT SELECT ON rs TO rs_reader',
        'ALTER TABLE rs ENABLE ROW LEVEL SECURITY', "CREATE POLICY rs_own ON rs USING (owner = 'x')",
        'SET ROLE rs_reader', 'SELECT id FROM rs', 'SET row_security = off', 'SELECT id FROM rs', 'RESET ROLE', 'SELECT id FROM rs ORDER BY id',
        'RESET row_security', 'DROP TABLE rs', 'DROP ROLE rs_reader',
      ]) await step(a, sql);
    });
    assert.deepEqual(got, want);
  });
});
