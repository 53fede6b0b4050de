/**
 * LIST-partitioned tables and named partitions through the wire (docs/tenants.md, "SQL
 * surface"): psql's \d / \dt / \dP transcripts and Kysely's introspection compared with
 * PostgreSQL 15 after the same DDL; then what only Tessera does — key values without a named
 * partition are tenants of their own (PostgreSQL refuses them) — with COPY through a named
 * partition, its tenant pin in EXPLAIN, and DROP of a partition deleting only its rows.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { postgresAvailable } from './support/pg-cluster.ts';
import { psql, psqlParity, runStatements } from './support/psql.ts';
import { startTessera, type TesseraServer } from './support/tessera.ts';

const DDL = [
  `CREATE TABLE docs (id bigserial, tenant_id text NOT NULL, body text CHECK (length(body) < 100), score int DEFAULT 0,
     PRIMARY KEY (tenant_id, id), UNIQUE (tenant_id, body)) PARTITION BY LIST (tenant_id)`,
  `CREATE INDEX docs_score_idx ON docs (score)`,
  `CREATE TABLE docs_acme PARTITION OF docs FOR VALUES IN ('acme')`,
  `CREATE TABLE docs_other PARTITION OF docs FOR VALUES IN ('o1', 'o2')`,
  `CREATE SCHEMA app`,
  `CREATE TABLE app.t (k int NOT NULL, v varchar(10)) PARTITION BY LIST (k)`,
  `CREATE TABLE app.t_1 PARTITION OF app.t FOR VALUES IN (1, -2)`,
  `CREATE TABLE t_2 PARTITION OF app.t FOR VALUES IN (2)`,
  `CREATE TABLE plain (a int PRIMARY KEY)`,
  // Index copies are named as PostgreSQL names them: truncated to 63 bytes, numbered past a taken name.
  `CREATE TABLE docs_y_pkey (a int)`,
  `CREATE TABLE docs_y PARTITION OF docs FOR VALUES IN ('y')`,
  `CREATE TABLE a_very_long_partition_name_that_goes_on_and_on_and_on_forever_x PARTITION OF docs FOR VALUES IN ('long')`,
];

/** psql commands whose output must equal PostgreSQL's (sizes, as in \dt+ and \dP+, differ by storage engine). */
const SAME_AS_POSTGRES = [
  '\\d docs', '\\d+ docs', '\\d docs_acme', '\\d+ docs_acme', '\\d+ docs_other', '\\dt', '\\dP', '\\di', '\\d', '\\d app.t', '\\d+ app.t',
  '\\d+ app.t_1', '\\d+ t_2', '\\dt app.*', '\\d docs_pkey', '\\d docs_acme_pkey', '\\d docs_acme_score_idx', '\\d docs_other_tenant_id_body_key', '\\d docs_y',
];

async function query(url: string, sql: string): Promise<{ rows: Record<string, unknown>[]; error: { code: string; message: string } | null }> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return { rows: (await c.query(sql)).rows as Record<string, unknown>[], error: null };
  } catch (e) {
    const err = e as pg.DatabaseError;
    return { rows: [], error: { code: err.code ?? '', message: err.message } };
  } finally {
    await c.end();
  }
}

/** Kysely's introspection (information_schema / pg_catalog queries of its PostgresIntrospector), names and columns only. */
async function introspect(url: string): Promise<unknown> {
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
  try {
    const tables = await db.introspection.getTables();
    return tables
      .map((t) => ({ schema: t.schema, name: t.name, isView: t.isView, columns: t.columns.map((c) => [c.name, c.dataType, c.isNullable, c.hasDefaultValue, c.isAutoIncrementing]) }))
      .sort((a, b) => `${a.schema}.${a.name}`.localeCompare(`${b.schema}.${b.name}`));
  } finally {
    await db.destroy();
  }
}

describe('partitioned tables as PostgreSQL 15 shows them', { skip: !postgresAvailable() && 'PostgreSQL 15 not installed' }, () => {
  const servers = psqlParity(DDL, SAME_AS_POSTGRES);

  test('Kysely introspection lists partitioned tables and partitions as PostgreSQL does', async () => {
    const [ours, theirs] = await Promise.all([introspect(servers.tessera.url), introspect(servers.postgres.url)]);
    assert.deepEqual(ours, theirs);
    assert.ok((ours as { name: string }[]).some((t) => t.name === 'docs_acme'));
  });

  test('a key value without a named partition: PostgreSQL refuses it, Tessera makes it a tenant', async () => {
    const insert = `INSERT INTO docs (tenant_id, body) VALUES ('acme', 'a1'), ('o1', 'o1 row'), ('zeta', 'auto tenant')`;
    const pgResult = await query(servers.postgres.url, insert);
    assert.equal(pgResult.error?.code, '23514');
    assert.equal(pgResult.error?.message, 'no partition of relation "docs" found for row');
    const ours = await query(servers.tessera.url, insert);
    assert.equal(ours.error, null);
    const all = await query(servers.tessera.url, 'SELECT tenant_id, body FROM docs ORDER BY tenant_id');
    assert.deepEqual(all.rows.map((r) => r.tenant_id), ['acme', 'o1', 'zeta']);
    assert.deepEqual((await query(servers.tessera.url, 'SELECT body FROM docs_acme')).rows, [{ body: 'a1' }]);
    assert.deepEqual((await query(servers.tessera.url, 'SELECT body FROM docs_other')).rows, [{ body: 'o1 row' }]);
  });
});

describe('named partitions over auto-created tenants (Tessera)', () => {
  let tessera: TesseraServer;

  before(async () => {
    tessera = await startTessera();
    await runStatements(tessera.url, [
      `CREATE TABLE mem (id int NOT NULL, tenant_id text NOT NULL, body text, PRIMARY KEY (tenant_id, id)) PARTITION BY LIST (tenant_id)`,
      `INSERT INTO mem VALUES (1, 'acme', 'a'), (2, 'beta', 'b'), (3, 'gamma', 'c'), (4, 'acme', 'd')`,
      `CREATE TABLE mem_acme PARTITION OF mem FOR VALUES IN ('acme')`,
      `CREATE TABLE mem_bg PARTITION OF mem FOR VALUES IN ('beta', 'gamma')`,
    ]);
  });

  after(async () => {
    await tessera?.stop();
  });

  test('a partition created after its tenant\'s rows shows them', async () => {
    assert.deepEqual((await query(tessera.url, 'SELECT id FROM mem_acme ORDER BY id')).rows, [{ id: 1 }, { id: 4 }]);
    assert.deepEqual((await query(tessera.url, 'SELECT id FROM mem_bg ORDER BY id')).rows, [{ id: 2 }, { id: 3 }]);
  });

  test('reads through a named partition are pinned to its tenants', () => {
    assert.match(psql(tessera.url, 'EXPLAIN SELECT * FROM mem_acme'), /Tenants: 'acme'::text/);
    assert.match(psql(tessera.url, 'EXPLAIN SELECT * FROM mem_bg WHERE body <> \'x\''), /Tenants: 'beta'::text, 'gamma'::text/);
    assert.match(psql(tessera.url, 'EXPLAIN DELETE FROM mem_bg'), /Tenants: 'beta'::text, 'gamma'::text/);
  });

  test('a key condition of another tenant finds nothing, also through the primary key', async () => {
    assert.deepEqual((await query(tessera.url, `SELECT * FROM mem_acme WHERE tenant_id = 'beta' AND id = 2`)).rows, []);
    assert.deepEqual((await query(tessera.url, `SELECT * FROM mem_acme WHERE tenant_id = 'acme' AND id = 4`)).rows, [{ id: 4, tenant_id: 'acme', body: 'd' }]);
  });

  test('COPY FROM into a named partition checks the partition constraint; COPY TO reads only its rows', async () => {
    const bad = psql(tessera.url, '\\copy mem_acme FROM STDIN', '10\tacme\tok\n11\tbeta\twrong\n\\.\n');
    assert.match(bad, /ERROR: {2}new row for relation "mem_acme" violates partition constraint/);
    assert.match(bad, /DETAIL: {2}Failing row contains \(11, beta, wrong\)\./);
    assert.match(psql(tessera.url, '\\copy mem_acme FROM STDIN', '10\tacme\tok\n\\.\n'), /COPY 1/);
    assert.equal(psql(tessera.url, '\\copy (SELECT 1) TO STDOUT').trim(), '1');
    const out = execFileSync('psql', [tessera.url, '-X', '-c', 'COPY mem_acme TO STDOUT'], { encoding: 'utf8' });
    assert.equal(out, '1\tacme\ta\n4\tacme\td\n10\tacme\tok\n');
  });

  test('DROP TABLE of a named partition deletes its rows only; the other tenants stay', async () => {
    await runStatements(tessera.url, ['DROP TABLE mem_bg']);
    assert.deepEqual((await query(tessera.url, 'SELECT tenant_id, count(*)::int AS n FROM mem GROUP BY tenant_id ORDER BY 1')).rows, [{ tenant_id: 'acme', n: 3 }]);
    const gone = await query(tessera.url, 'SELECT * FROM mem_bg');
    assert.equal(gone.error?.code, '42P01');
    // The name is free again, for a table or a partition.
    await runStatements(tessera.url, [`CREATE TABLE mem_bg PARTITION OF mem FOR VALUES IN ('beta')`, `INSERT INTO mem_bg VALUES (20, 'beta', 'back')`]);
    assert.deepEqual((await query(tessera.url, 'SELECT id FROM mem WHERE tenant_id = \'beta\'')).rows, [{ id: 20 }]);
  });

  test('DROP TABLE of a named partition by its owner deletes all its rows, whatever the row-level security policies', async () => {
    const out = psql(tessera.url, [
      'CREATE ROLE app LOGIN', 'GRANT CREATE ON SCHEMA public TO app', 'SET ROLE app',
      'CREATE TABLE owned (id int NOT NULL, k text NOT NULL) PARTITION BY LIST (k)', "CREATE TABLE owned_a PARTITION OF owned FOR VALUES IN ('a')",
      "INSERT INTO owned VALUES (1, 'a'), (2, 'a'), (3, 'b')", 'ALTER TABLE owned ENABLE ROW LEVEL SECURITY', 'ALTER TABLE owned FORCE ROW LEVEL SECURITY',
      'CREATE POLICY only_one ON owned USING (id = 1) WITH CHECK (true)', 'SELECT count(*) AS visible FROM owned_a', 'DROP TABLE owned_a',
    ].join(';\n'));
    assert.match(out, /^DROP TABLE$/m);
    assert.deepEqual((await query(tessera.url, 'SELECT id FROM owned ORDER BY id')).rows, [{ id: 3 }]);
    await runStatements(tessera.url, ['DROP TABLE owned']);
  });

  test('partitions survive a restart; DROP TABLE of the parent drops them', async () => {
    await tessera.restart();
    assert.deepEqual((await query(tessera.url, 'SELECT count(*)::int AS n FROM mem_acme')).rows, [{ n: 3 }]);
    assert.deepEqual(
      (await query(tessera.url, `SELECT relname FROM pg_class WHERE relispartition AND relkind = 'r' ORDER BY 1`)).rows,
      [{ relname: 'mem_acme' }, { relname: 'mem_bg' }],
    );
    await runStatements(tessera.url, ['DROP TABLE mem']);
    assert.deepEqual((await query(tessera.url, `SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE 'mem%'`)).rows, [{ n: 0 }]);
    await runStatements(tessera.url, ['CREATE TABLE mem_acme (a int)']);
  });
});
