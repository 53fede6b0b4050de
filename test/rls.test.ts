/**
 * Roles, privileges and row-level security through the wire, PostgreSQL 15 as the oracle:
 * the same script runs on a private PostgreSQL cluster and on Tessera, each step as one of
 * several roles on its own connection (superuser postgres, app roles alice and bob), and the
 * results — rows, command tags, SQLSTATEs and messages — must be equal. Covers the
 * multi-tenant pattern of issue 7: a policy on current_setting('app.tenant_id') and one on
 * current_user; a bound role never sees, changes or adds another tenant's rows through
 * SELECT, count(*), joins, subqueries, UPDATE, DELETE, INSERT, ON CONFLICT, COPY or prepared
 * statements across SET changes; FORCE binds the owner; superusers bypass; default deny.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import postgres from 'postgres';
import { postgresAvailable, startPostgres, type PgCluster } from './support/pg-cluster.ts';
import { startTessera, type TesseraServer } from './support/tessera.ts';

/** One step: SQL run as a role; `params` makes it an extended-protocol query (named when `name`). */
interface Step {
  readonly as: string;
  readonly sql: string;
  readonly params?: readonly unknown[];
  readonly name?: string;
  /** COPY ... FROM STDIN data, or 'out' to read COPY ... TO STDOUT. */
  readonly copy?: string | 'out';
}

const S = (as: string, sql: string, extra: Partial<Step> = {}): Step => ({ as, sql, ...extra });

/** The multi-tenant script. Roles: postgres (superuser), alice and bob (LOGIN), carol (NOLOGIN). */
const SCRIPT: readonly Step[] = [
  S('postgres', "CREATE ROLE alice LOGIN PASSWORD 'alice-secret'"),
  S('postgres', 'CREATE USER bob'),
  S('postgres', 'CREATE ROLE carol'),
  S('postgres', 'CREATE ROLE alice'),
  S('postgres', 'CREATE ROLE pg_nope'),
  S('postgres', 'SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolbypassrls, rolconnlimit FROM pg_roles WHERE rolname IN (\'alice\', \'bob\', \'carol\') ORDER BY 1'),
  S('postgres', "SELECT rolname, rolpassword LIKE 'SCRAM-SHA-256$4096:%' AS scram FROM pg_authid WHERE rolname IN ('alice', 'bob') ORDER BY 1"),
  S('postgres', 'CREATE TABLE memories (id bigint PRIMARY KEY, tenant_id text NOT NULL, body text)'),
  S('postgres', "INSERT INTO memories VALUES (1, 'a', 'a1'), (2, 'a', 'a2'), (3, 'b', 'b1'), (4, 'c', 'c1'), (5, 'bob', 'bob1'), (6, 'alice', 'alice1')"),
  // No privileges yet.
  S('alice', 'SELECT count(*) FROM memories'),
  S('alice', "INSERT INTO memories VALUES (100, 'a', 'x')"),
  S('postgres', 'GRANT SELECT, INSERT, UPDATE, DELETE ON memories TO alice, bob'),
  S('postgres', "SELECT relname, relacl::text FROM pg_class WHERE relname = 'memories'"),
  S('alice', 'SELECT count(*) FROM memories'),
  S('alice', 'TRUNCATE memories'),
  S('alice', 'DROP TABLE memories'),
  S('alice', 'ALTER TABLE memories ENABLE ROW LEVEL SECURITY'),
  S('alice', 'CREATE TABLE mine (x int)'),
  S('postgres', 'ALTER TABLE memories ENABLE ROW LEVEL SECURITY'),
  S('postgres', "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'memories'"),
  // Default deny: RLS on, no policy.
  S('alice', 'SELECT count(*) FROM memories'),
  S('alice', "INSERT INTO memories VALUES (100, 'a', 'x')"),
  S('alice', "UPDATE memories SET body = 'x'"),
  S('postgres', "CREATE POLICY tenant_isolation ON memories USING (tenant_id = current_setting('app.tenant_id'))"),
  S('postgres', "CREATE POLICY tenant_isolation ON memories USING (true)"),
  S('postgres', 'CREATE POLICY bad ON memories FOR INSERT USING (true)'),
  S('postgres', 'CREATE POLICY bad ON memories FOR SELECT WITH CHECK (true)'),
  S('postgres', 'CREATE POLICY bad ON memories USING (nope = 1)'),
  S('postgres', 'CREATE POLICY bad ON memories TO nobody USING (true)'),
  S('postgres', 'SELECT policyname, permissive, roles::text, cmd, qual, with_check FROM pg_policies ORDER BY 1'),
  // The setting is unset: current_setting() fails, as in PostgreSQL.
  S('alice', 'SELECT count(*) FROM memories'),
  S('alice', "SET app.tenant_id = 'a'"),
  S('alice', 'SELECT id, tenant_id, body FROM memories ORDER BY id'),
  S('alice', 'SELECT count(*) FROM memories'),
  S('alice', "SELECT count(*) FROM memories WHERE tenant_id = 'b'"),
  S('alice', 'SELECT * FROM memories WHERE id = 3'),
  S('alice', 'SELECT m.id, n.body FROM memories m JOIN memories n ON n.id = m.id ORDER BY 1'),
  S('alice', 'SELECT m.id, n.id FROM memories m LEFT JOIN memories n ON n.id = m.id + 2 ORDER BY 1'),
  S('alice', "SELECT id FROM memories WHERE id IN (SELECT id FROM memories WHERE tenant_id <> 'a') ORDER BY 1"),
  S('alice', 'SELECT (SELECT count(*) FROM memories), (SELECT max(id) FROM memories), EXISTS (SELECT 1 FROM memories WHERE id = 4)'),
  S('alice', 'WITH x AS (SELECT * FROM memories) SELECT tenant_id, count(*) FROM x GROUP BY 1 ORDER BY 1'),
  S('alice', 'SELECT id FROM memories ORDER BY id LIMIT 1'),
  // Writes see only the tenant's rows; new rows must belong to it.
  S('alice', "UPDATE memories SET body = body || '!' RETURNING id, body"),
  S('alice', "UPDATE memories SET body = 'hacked' WHERE id = 3"),
  S('alice', "UPDATE memories SET body = 'hacked' WHERE tenant_id = 'b'"),
  S('alice', "DELETE FROM memories WHERE tenant_id = 'c'"),
  S('alice', 'DELETE FROM memories WHERE id IN (3, 4, 5)'),
  S('alice', 'DELETE FROM memories WHERE id = 2 RETURNING id, tenant_id'),
  S('alice', "INSERT INTO memories VALUES (10, 'b', 'evil')"),
  S('alice', "INSERT INTO memories VALUES (11, 'a', 'fine') RETURNING id"),
  S('alice', "INSERT INTO memories SELECT 12, 'c', 'evil'"),
  S('alice', "UPDATE memories SET tenant_id = 'b' WHERE id = 1"),
  S('alice', "INSERT INTO memories VALUES (3, 'a', 'steal') ON CONFLICT (id) DO UPDATE SET body = 'stolen'"),
  S('alice', "INSERT INTO memories VALUES (3, 'a', 'steal') ON CONFLICT (id) DO NOTHING"),
  S('alice', "INSERT INTO memories VALUES (1, 'a', 'again') ON CONFLICT (id) DO UPDATE SET body = excluded.body RETURNING id, body"),
  S('alice', "INSERT INTO memories VALUES (1, 'a', 'again') ON CONFLICT (id) DO UPDATE SET tenant_id = 'b'"),
  // COPY: FROM refused, TO shows only the tenant's rows.
  S('alice', 'COPY memories FROM STDIN', { copy: "20\ta\tcopied\n" }),
  S('alice', 'COPY memories TO STDOUT', { copy: 'out' }),
  S('alice', "COPY (SELECT id FROM memories WHERE tenant_id = 'b') TO STDOUT", { copy: 'out' }),
  // Prepared statements do not keep another tenant's rows.
  S('alice', 'PREPARE q AS SELECT id, tenant_id FROM memories ORDER BY id'),
  S('alice', 'EXECUTE q'),
  S('alice', 'SELECT id FROM memories WHERE body <> $1 ORDER BY id', { params: ['zzz'], name: 'ext1' }),
  S('alice', "SET app.tenant_id = 'b'"),
  S('alice', 'EXECUTE q'),
  S('alice', 'SELECT id FROM memories WHERE body <> $1 ORDER BY id', { params: ['zzz'], name: 'ext1' }),
  S('alice', "SELECT set_config('app.tenant_id', 'c', false)"),
  S('alice', 'EXECUTE q'),
  S('alice', 'BEGIN'),
  S('alice', "SET LOCAL app.tenant_id = 'a'"),
  S('alice', 'SELECT id FROM memories ORDER BY id'),
  S('alice', 'COMMIT'),
  S('alice', 'SELECT id FROM memories ORDER BY id'),
  // A policy on current_user for bob, and a restrictive one.
  S('postgres', 'CREATE POLICY own_rows ON memories FOR ALL TO bob USING (tenant_id = current_user)'),
  S('bob', 'SELECT id FROM memories ORDER BY id'),
  S('bob', "SET app.tenant_id = 'c'"),
  S('bob', 'SELECT id, tenant_id FROM memories ORDER BY id'),
  S('bob', "INSERT INTO memories VALUES (30, 'bob', 'b2'), (31, 'c', 'c2')"),
  S('bob', "INSERT INTO memories VALUES (32, 'alice', 'no')"),
  S('postgres', "CREATE POLICY no_c ON memories AS RESTRICTIVE FOR ALL TO bob USING (tenant_id <> 'c')"),
  S('bob', 'SELECT id, tenant_id FROM memories ORDER BY id'),
  S('bob', "INSERT INTO memories VALUES (33, 'c', 'c3')"),
  S('bob', "UPDATE memories SET body = 'x' WHERE id = 4"),
  S('bob', 'SELECT current_user, session_user, current_role'),
  S('bob', 'SELECT usename FROM pg_stat_activity WHERE pid = pg_backend_pid()'),
  // Superuser bypasses; the owner bypasses unless FORCE.
  S('postgres', 'SELECT id, tenant_id, body FROM memories ORDER BY id'),
  S('postgres', 'ALTER TABLE memories OWNER TO alice'),
  S('postgres', "SELECT tableowner FROM pg_tables WHERE tablename = 'memories'"),
  S('postgres', "SELECT relowner::regrole::text, 'bob'::regrole::text AS bob, relacl::text FROM pg_class WHERE relname = 'memories'"),
  S('postgres', "SELECT 'nobody'::regrole"),
  S('alice', 'SELECT count(*) FROM memories'),
  S('alice', 'ALTER TABLE memories FORCE ROW LEVEL SECURITY'),
  S('alice', 'SELECT id FROM memories ORDER BY id'),
  S('postgres', 'SELECT count(*) FROM memories'),
  S('postgres', "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'memories'"),
  S('alice', 'ALTER TABLE memories NO FORCE ROW LEVEL SECURITY'),
  S('alice', 'SELECT count(*) FROM memories'),
  // SET ROLE from the superuser: the policies bind the role.
  S('postgres', 'SET ROLE bob'),
  S('postgres', 'SELECT current_user, session_user'),
  S('postgres', 'SELECT count(*) FROM memories'),
  S('postgres', 'SET ROLE alice'),
  S('postgres', 'RESET ROLE'),
  S('postgres', 'SELECT current_user, count(*) FROM memories GROUP BY 1'),
  S('bob', 'SET ROLE alice'),
  S('bob', 'SET ROLE nobody'),
  S('postgres', 'GRANT alice TO bob'),
  S('bob', 'SET ROLE alice'),
  S('bob', 'SELECT current_user, count(*) FROM memories GROUP BY 1'),
  S('bob', 'RESET ROLE'),
  S('postgres', "SELECT r.rolname AS role, m.rolname AS member, a.admin_option FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.roleid JOIN pg_roles m ON m.oid = a.member WHERE m.rolname IN ('alice', 'bob') ORDER BY 1, 2"),
  // Privileges go with REVOKE; roles with dependencies cannot be dropped.
  S('postgres', 'REVOKE SELECT ON memories FROM bob'),
  S('bob', 'SELECT count(*) FROM memories'),
  S('postgres', "SELECT has_table_privilege('bob', 'memories', 'SELECT'), has_table_privilege('bob', 'memories', 'INSERT')"),
  S('postgres', 'DROP ROLE carol'),
  S('postgres', 'DROP ROLE IF EXISTS carol'),
  S('postgres', 'DROP ROLE carol'),
  S('postgres', 'DROP ROLE alice'),
  S('bob', 'DROP ROLE alice'),
  S('bob', 'CREATE ROLE dave'),
  S('postgres', 'ALTER ROLE bob CREATEROLE'),
  S('bob', 'CREATE ROLE dave'),
  S('bob', 'ALTER ROLE dave RENAME TO erin'),
  S('bob', 'DROP ROLE erin'),
  S('postgres', 'DROP POLICY own_rows ON memories'),
  S('postgres', 'DROP POLICY IF EXISTS own_rows ON memories'),
  S('postgres', 'DROP POLICY own_rows ON memories'),
  S('postgres', 'ALTER POLICY no_c ON memories RENAME TO not_c'),
  S('postgres', "ALTER POLICY tenant_isolation ON memories USING (tenant_id = current_setting('app.tenant_id') OR tenant_id = 'shared')"),
  S('postgres', 'SELECT policyname, permissive, roles::text, cmd, qual FROM pg_policies ORDER BY 1'),
  // Prepared plans follow SET ROLE; serial defaults need the sequence; FOR UPDATE needs UPDATE.
  S('postgres', 'PREPARE pr AS SELECT count(*) FROM memories'),
  S('postgres', 'EXECUTE pr'),
  S('postgres', 'SET ROLE alice'),
  S('postgres', 'EXECUTE pr'),
  S('postgres', 'RESET ROLE'),
  S('postgres', 'EXECUTE pr'),
  S('postgres', 'CREATE TABLE counters (id serial PRIMARY KEY, tenant_id text)'),
  S('postgres', 'GRANT SELECT, INSERT ON counters TO alice'),
  S('alice', "INSERT INTO counters (tenant_id) VALUES ('a')"),
  S('alice', "INSERT INTO counters VALUES (7, 'a')"),
  S('alice', 'SELECT id FROM counters FOR UPDATE'),
  S('postgres', 'GRANT USAGE ON SEQUENCE counters_id_seq TO alice'),
  S('alice', "INSERT INTO counters (tenant_id) VALUES ('a') RETURNING id"),
  S('postgres', "SELECT relname, relacl::text FROM pg_class WHERE relname LIKE 'counters%' ORDER BY 1"),
  // Policies with subqueries, UPDATE ... FROM, INSERT ... SELECT, recursion, TRUNCATE.
  S('postgres', 'CREATE TABLE members (tenant text, member name)'),
  S('postgres', "INSERT INTO members VALUES ('a', 'alice'), ('b', 'bob'), ('c', 'alice')"),
  S('postgres', 'CREATE TABLE docs2 (id int PRIMARY KEY, tenant text, v int)'),
  S('postgres', "INSERT INTO docs2 VALUES (1, 'a', 1), (2, 'b', 2), (3, 'c', 3)"),
  S('postgres', 'GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON docs2 TO alice'),
  S('postgres', 'GRANT SELECT ON members TO alice'),
  S('postgres', 'ALTER TABLE docs2 ENABLE ROW LEVEL SECURITY'),
  S('postgres', 'CREATE POLICY via_members ON docs2 USING (tenant IN (SELECT tenant FROM members WHERE member = current_user))'),
  S('alice', 'SELECT id, tenant FROM docs2 ORDER BY id'),
  S('alice', 'UPDATE docs2 d SET v = m.v + 10 FROM docs2 m WHERE m.id = d.id RETURNING d.id, d.v'),
  S('alice', 'INSERT INTO docs2 SELECT id + 10, tenant, v FROM docs2 RETURNING id'),
  S('alice', "INSERT INTO docs2 VALUES (20, 'b', 0)"),
  S('alice', 'DELETE FROM docs2 WHERE v > 5 RETURNING id'),
  S('postgres', 'SELECT id, tenant, v FROM docs2 ORDER BY id'),
  S('postgres', 'ALTER TABLE members ENABLE ROW LEVEL SECURITY'),
  S('postgres', 'CREATE POLICY selfref ON members USING (member IN (SELECT member FROM members))'),
  S('alice', 'SELECT count(*) FROM members'),
  S('alice', 'SELECT id FROM docs2 ORDER BY id'),
  S('alice', 'TRUNCATE docs2'),
  S('postgres', 'SELECT count(*) FROM docs2'),
  S('bob', 'SELECT count(*) FROM pg_authid'),
  S('bob', "SELECT rolname FROM pg_roles WHERE rolname = 'bob'"),
  S('bob', "COMMENT ON TABLE memories IS 'mine'"),
  S('postgres', 'CREATE INDEX memories_body_idx ON memories (body)'),
  S('bob', 'DROP INDEX memories_body_idx'),
  S('postgres', 'ALTER TABLE memories DISABLE ROW LEVEL SECURITY'),
  S('bob', 'SELECT count(*) FROM memories'),
];

interface Outcome {
  readonly rows?: unknown[];
  readonly command?: string;
  readonly error?: string;
}

/** Runs the script against one server; connections open lazily, one per role. */
async function runScript(host: string, port: number): Promise<Outcome[]> {
  const clients = new Map<string, pg.Client>();
  const copiers = new Map<string, postgres.Sql>();
  const client = async (as: string): Promise<pg.Client> => {
    let c = clients.get(as);
    if (!c) {
      c = new pg.Client({ host, port, user: as, database: 'postgres', password: as === 'alice' ? 'alice-secret' : undefined });
      c.on('notice', () => {});
      await c.connect();
      clients.set(as, c);
    }
    return c;
  };
  const out: Outcome[] = [];
  try {
    for (const step of SCRIPT) {
      try {
        if (step.copy !== undefined) {
          // COPY through postgres.js on the role's own connection, after the role's settings.
          let sql = copiers.get(step.as);
          if (!sql) {
            sql = postgres({ host, port, user: step.as, database: 'postgres', max: 1, fetch_types: false, onnotice: () => {}, password: step.as === 'alice' ? 'alice-secret' : undefined });
            copiers.set(step.as, sql);
          }
          await sql.unsafe("SET app.tenant_id = 'a'");
          if (step.copy === 'out') {
            const chunks: Buffer[] = [];
            const readable = await sql.unsafe(step.sql).readable();
            for await (const chunk of readable) chunks.push(Buffer.from(chunk as Buffer));
            out.push({ rows: [Buffer.concat(chunks).toString('utf8')] });
          } else {
            const writable = await sql.unsafe(step.sql).writable();
            await new Promise<void>((resolve, reject) => {
              writable.on('error', reject);
              writable.on('finish', resolve);
              writable.end(step.copy);
            });
            out.push({ command: 'COPY' });
          }
          continue;
        }
        const c = await client(step.as);
        const r = step.params
          ? await c.query({ text: step.sql, values: step.params as unknown[], name: step.name })
          : await c.query(step.sql);
        out.push({ command: `${r.command} ${r.rowCount ?? ''}`.trim(), rows: r.rows });
      } catch (e) {
        const err = e as { code?: string; message: string };
        out.push({ error: `${err.code ?? '?'} ${err.message}` });
      }
    }
  } finally {
    for (const c of clients.values()) await c.end().catch(() => {});
    for (const s of copiers.values()) await s.end().catch(() => {});
  }
  return out;
}

/** A login attempt's outcome: 'ok' or the SQLSTATE and message. */
async function login(host: string, port: number, user: string, password?: string): Promise<string> {
  const c = new pg.Client({ host, port, user, database: 'postgres', password });
  try {
    await c.connect();
    const r = await c.query('SELECT current_user, session_user');
    return `ok ${r.rows[0].current_user} ${r.rows[0].session_user}`;
  } catch (e) {
    const err = e as { code?: string; message: string };
    return `${err.code} ${err.message}`;
  } finally {
    await c.end().catch(() => {});
  }
}

describe('roles, privileges and row-level security', { skip: !postgresAvailable() && 'PostgreSQL 15 not installed' }, () => {
  let pgCluster: PgCluster;
  let tessera: TesseraServer;

  before(async () => {
    [pgCluster, tessera] = await Promise.all([startPostgres(), startTessera()]);
  });
  after(async () => {
    await Promise.all([pgCluster?.stop(), tessera?.stop()]);
  });

  test('the multi-tenant script gives PostgreSQL 15 results, step by step', async () => {
    const expected = await runScript(pgCluster.host, pgCluster.port);
    const actual = await runScript(tessera.host, tessera.port);
    for (let i = 0; i < SCRIPT.length; i++) {
      assert.deepEqual(actual[i], expected[i], `step ${i} as ${SCRIPT[i]!.as}: ${SCRIPT[i]!.sql}`);
    }
    // The script really isolates: alice's tenant-'b' reads came back empty, the owner saw everything.
    assert.ok(expected.some((o) => o.error?.startsWith('42501 new row violates row-level security policy')));
  });

  test('CONNECTION LIMIT: one more session than allowed fails with 53300', async () => {
    const results: string[][] = [];
    for (const server of [pgCluster, tessera]) {
      const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
      await c.connect();
      await c.query('CREATE ROLE limited LOGIN CONNECTION LIMIT 1');
      const first = new pg.Client({ host: server.host, port: server.port, user: 'limited', database: 'postgres' });
      await first.connect();
      const second = await login(server.host, server.port, 'limited');
      await first.end();
      await new Promise((r) => setTimeout(r, 200));
      const third = await login(server.host, server.port, 'limited');
      await c.end();
      results.push([second, third]);
    }
    assert.deepEqual(results[1], results[0]);
    assert.match(results[0]![0]!, /^53300 too many connections for role "limited"$/);
  });

  test('a NOLOGIN role cannot log in; a LOGIN role logs in as itself (trust)', async () => {
    for (const server of [pgCluster, tessera]) {
      const c = new pg.Client({ host: server.host, port: server.port, user: 'postgres', database: 'postgres' });
      await c.connect();
      await c.query('DROP ROLE IF EXISTS frank');
      await c.query('DROP ROLE IF EXISTS grace');
      await c.query('CREATE ROLE frank');
      await c.query('CREATE ROLE grace LOGIN');
      await c.end();
    }
    for (const user of ['frank', 'grace']) {
      assert.equal(await login(tessera.host, tessera.port, user), await login(pgCluster.host, pgCluster.port, user), user);
    }
  });
});

describe('row-level security on a partition-key table', () => {
  let tessera: TesseraServer;
  before(async () => {
    tessera = await startTessera();
  });
  after(async () => {
    await tessera?.stop();
  });

  test('the policy pins the scan to the tenant, like a WHERE tenant_id = ... of the query', async () => {
    const admin = new pg.Client({ host: tessera.host, port: tessera.port, user: 'postgres', database: 'postgres' });
    await admin.connect();
    for (const s of [
      'CREATE ROLE app LOGIN',
      'CREATE TABLE docs (id bigint PRIMARY KEY, tenant_id text NOT NULL, body text) PARTITION BY LIST (tenant_id)',
      "INSERT INTO docs SELECT g, 't' || (g % 10), 'b' || g FROM generate_series(1, 200) g",
      'GRANT SELECT, INSERT, UPDATE, DELETE ON docs TO app',
      'ALTER TABLE docs ENABLE ROW LEVEL SECURITY',
      "CREATE POLICY tenant ON docs USING (tenant_id = current_setting('app.tenant_id'))",
      'VACUUM',
    ]) await admin.query(s);
    const app = new pg.Client({ host: tessera.host, port: tessera.port, user: 'app', database: 'postgres' });
    await app.connect();
    try {
      await app.query("SET app.tenant_id = 't3'");
      const rows = (await app.query('SELECT DISTINCT tenant_id FROM docs')).rows;
      assert.deepEqual(rows, [{ tenant_id: 't3' }]);
      assert.deepEqual((await app.query('SELECT count(*)::int AS n FROM docs')).rows, [{ n: 20 }]);
      assert.deepEqual((await app.query('SELECT id FROM docs WHERE id = 4')).rows, []);
      assert.equal((await app.query("UPDATE docs SET body = 'x'")).rowCount, 20);
      assert.equal((await app.query('DELETE FROM docs WHERE id = 5')).rowCount, 0);
      const plan = (await app.query('EXPLAIN SELECT * FROM docs')).rows.map((r) => r['QUERY PLAN'] as string).join('\n');
      assert.match(plan, /Tenants: current_setting\('app\.tenant_id'::text\)/);
      // Vector top-k (exact and through the HNSW index) returns only the tenant's rows.
      for (const s of [
        'CREATE EXTENSION IF NOT EXISTS vector',
        'CREATE TABLE vecs (id int PRIMARY KEY, tenant_id text NOT NULL, e vector(2)) PARTITION BY LIST (tenant_id)',
        "INSERT INTO vecs SELECT g, 't' || (g % 3), ARRAY[g, g]::vector FROM generate_series(1, 300) g",
        'GRANT SELECT ON vecs TO app',
        'ALTER TABLE vecs ENABLE ROW LEVEL SECURITY',
        "CREATE POLICY tenant ON vecs USING (tenant_id = current_setting('app.tenant_id'))",
      ]) await admin.query(s);
      const topk = async (): Promise<string[]> => (await app.query("SELECT tenant_id FROM vecs ORDER BY e <-> '[150,150]' LIMIT 5")).rows.map((r) => r.tenant_id as string);
      assert.deepEqual(await topk(), []); // no vecs rows of tenant t3
      await app.query("SET app.tenant_id = 't1'");
      assert.deepEqual(await topk(), ['t1', 't1', 't1', 't1', 't1']);
      await admin.query('CREATE INDEX ON vecs USING hnsw (e vector_l2_ops)');
      await admin.query('VACUUM');
      assert.deepEqual(await topk(), ['t1', 't1', 't1', 't1', 't1']);
      await app.query("SET app.tenant_id = 't3'");
      assert.deepEqual((await admin.query("SELECT count(*)::int AS n FROM docs WHERE body = 'x'")).rows, [{ n: 20 }]);
      assert.deepEqual((await admin.query('SELECT count(*)::int AS n FROM docs')).rows, [{ n: 200 }]);
    } finally {
      await app.end();
      await admin.end();
    }
  });
});

describe('SCRAM login of CREATE ROLE ... PASSWORD roles', () => {
  let tessera: TesseraServer;
  before(async () => {
    process.env.PGPASSWORD = 'boot-pw'; // for the harness's readiness probe
    try {
      tessera = await startTessera({ args: ['--auth', 'scram-sha-256'], env: { TESSERA_PASSWORD: 'boot-pw' } });
    } finally {
      delete process.env.PGPASSWORD;
    }
  });
  after(async () => {
    await tessera?.stop();
  });

  test('right password logs in, wrong one or none fails with 28P01, NOLOGIN with 28000', async () => {
    const admin = new pg.Client({ host: tessera.host, port: tessera.port, user: 'postgres', database: 'postgres', password: 'boot-pw' });
    await admin.connect();
    await admin.query("CREATE ROLE app LOGIN PASSWORD 'app-pw'");
    await admin.query('CREATE ROLE nopw LOGIN');
    await admin.query("CREATE ROLE locked PASSWORD 'locked-pw'");
    // A verifier given as is is stored as is (here: the one PostgreSQL would make for app-pw's copy).
    const stored = (await admin.query("SELECT rolpassword FROM pg_authid WHERE rolname = 'app'")).rows[0].rolpassword as string;
    assert.match(stored, /^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    await admin.query(`CREATE ROLE twin LOGIN PASSWORD '${stored}'`);
    assert.equal((await admin.query("SELECT rolpassword FROM pg_authid WHERE rolname = 'twin'")).rows[0].rolpassword, stored);
    await admin.end();
    assert.equal(await login(tessera.host, tessera.port, 'app', 'app-pw'), 'ok app app');
    assert.equal(await login(tessera.host, tessera.port, 'twin', 'app-pw'), 'ok twin twin');
    assert.equal(await login(tessera.host, tessera.port, 'app', 'wrong'), '28P01 password authentication failed for user "app"');
    assert.equal(await login(tessera.host, tessera.port, 'nopw', 'anything'), '28P01 password authentication failed for user "nopw"');
    assert.equal(await login(tessera.host, tessera.port, 'locked', 'locked-pw'), '28000 role "locked" is not permitted to log in');
    assert.equal(await login(tessera.host, tessera.port, 'postgres', 'boot-pw'), 'ok postgres postgres');
  });
});
