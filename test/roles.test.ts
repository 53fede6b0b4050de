/**
 * psql's views of roles, privileges and policies — \du, \dg, \dp, \z, \d of a table with
 * row-level security policies, \dn+ — against Tessera and the PostgreSQL 15 oracle after the
 * same roles, grants and policies: the output must be identical. Also the session identity
 * settings (SHOW role / session_authorization / is_superuser) and SET ROLE errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { postgresAvailable, startPostgres, type PgCluster } from './support/pg-cluster.ts';
import { psql } from './support/psql.ts';
import { startTessera, type TesseraServer } from './support/tessera.ts';

const SETUP = [
  "CREATE ROLE app_admin LOGIN CREATEROLE PASSWORD 'x'",
  'CREATE ROLE tenant_app LOGIN',
  'CREATE ROLE readers NOLOGIN',
  'CREATE ROLE auditor BYPASSRLS CONNECTION LIMIT 5',
  "CREATE ROLE temp_r VALID UNTIL '2030-01-01 12:00:00+00'",
  'CREATE GROUP grp',
  'ALTER GROUP grp ADD USER temp_r, auditor',
  'ALTER GROUP grp DROP USER auditor',
  'GRANT readers TO tenant_app',
  'CREATE TABLE memories (id bigint PRIMARY KEY, tenant_id text NOT NULL, body text)',
  'CREATE TABLE notes (id int, owner name)',
  'ALTER TABLE memories ENABLE ROW LEVEL SECURITY',
  'ALTER TABLE memories FORCE ROW LEVEL SECURITY',
  "CREATE POLICY tenant_isolation ON memories USING (tenant_id = current_setting('app.tenant_id'))",
  'CREATE POLICY by_user ON memories AS RESTRICTIVE FOR UPDATE TO tenant_app, readers USING (tenant_id = current_user) WITH CHECK (body IS NOT NULL)',
  "CREATE POLICY ins ON memories FOR INSERT WITH CHECK (tenant_id <> '')",
  'GRANT SELECT, INSERT, UPDATE, DELETE ON memories TO tenant_app',
  'GRANT SELECT ON memories TO PUBLIC',
  'GRANT ALL ON notes TO readers',
  'REVOKE DELETE ON notes FROM readers',
  'ALTER TABLE notes OWNER TO app_admin',
  'CREATE SCHEMA tenant_data',
  'CREATE TABLE tenant_data.t (x int)',
  'GRANT USAGE ON SCHEMA tenant_data TO tenant_app',
  'GRANT CREATE ON SCHEMA public TO app_admin',
];

const COMMANDS = ['\\du', '\\dg', '\\dp', '\\z memories', '\\d memories', '\\d notes', '\\dp notes', '\\dn+ public', '\\dn+ tenant_data'];

async function run(url: string, statements: readonly string[]): Promise<unknown[]> {
  const c = new pg.Client(url);
  await c.connect();
  const out: unknown[] = [];
  try {
    for (const s of statements) {
      try {
        const r = await c.query(s);
        out.push(r.rows);
      } catch (e) {
        const err = e as { code?: string; message: string };
        out.push(`${err.code} ${err.message}`);
      }
    }
  } finally {
    await c.end();
  }
  return out;
}

describe('psql shows roles, privileges and policies as PostgreSQL 15', { skip: !postgresAvailable() && 'PostgreSQL 15 not installed' }, () => {
  let tessera: TesseraServer;
  let postgres: PgCluster;

  before(async () => {
    [tessera, postgres] = await Promise.all([startTessera(), startPostgres()]);
    const [a, b] = await Promise.all([run(tessera.url, SETUP), run(postgres.url, SETUP)]);
    assert.deepEqual(a, b);
  });
  after(async () => {
    await Promise.all([tessera?.stop(), postgres?.stop()]);
  });

  for (const command of COMMANDS) {
    test(`${command} prints what PostgreSQL prints`, () => {
      assert.equal(psql(tessera.url, command), psql(postgres.url, command));
    });
  }

  test('session identity settings follow SET ROLE and SET SESSION AUTHORIZATION', async () => {
    const script = [
      'SHOW role', 'SHOW session_authorization', 'SHOW is_superuser',
      'SET ROLE tenant_app', 'SHOW role', 'SHOW is_superuser', 'SELECT current_user, session_user',
      'SET ROLE readers', 'SELECT current_user', 'SET ROLE NONE', 'SELECT current_user',
      'SET SESSION AUTHORIZATION tenant_app', 'SELECT current_user, session_user', 'SHOW session_authorization', 'SHOW is_superuser',
      'SET ROLE readers', 'SELECT current_user', 'SET ROLE app_admin', 'RESET SESSION AUTHORIZATION', 'SELECT current_user, session_user',
      'BEGIN', 'SET LOCAL ROLE tenant_app', 'SELECT current_user', 'COMMIT', 'SELECT current_user',
      'BEGIN', 'SET ROLE tenant_app', 'ROLLBACK', 'SELECT current_user',
      'SET ROLE tenant_app', 'CREATE ROLE nope', 'CREATE TABLE t2 (x int)', 'SELECT count(*) FROM notes', 'RESET ROLE',
      'SET ROLE app_admin', 'CREATE ROLE sub1', 'CREATE ROLE sub2 SUPERUSER', 'CREATE ROLE sub3 BYPASSRLS', 'ALTER ROLE sub1 LOGIN',
      'ALTER ROLE tenant_app SUPERUSER', 'DROP ROLE sub1', 'RESET ROLE',
      'DROP ROLE app_admin', 'DROP ROLE readers', 'CREATE ROLE tenant_app', 'ALTER ROLE nobody LOGIN', 'DROP ROLE nobody',
      'GRANT nobody TO tenant_app', 'GRANT readers TO tenant_app', 'GRANT tenant_app TO readers', 'REVOKE readers FROM app_admin',
      'GRANT USAGE ON memories TO tenant_app', 'GRANT SELECT ON nothing TO tenant_app', 'GRANT SELECT ON memories TO nobody',
      "SELECT grantee, privilege_type FROM information_schema.table_privileges WHERE table_name = 'memories' AND grantee <> 'postgres' ORDER BY 1, 2",
      'SET ROLE tenant_app', 'SELECT * FROM tenant_data.t', 'CREATE TABLE public.x (a int)', 'RESET ROLE',
      'SET ROLE app_admin', 'SELECT * FROM tenant_data.t', 'CREATE TABLE public.y (a int)', 'CREATE SCHEMA s2', 'DROP TABLE memories', 'RESET ROLE',
      "SELECT nspname, nspowner::regrole::text, nspacl::text FROM pg_namespace WHERE nspname IN ('public', 'tenant_data') ORDER BY 1",
      "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
      "SELECT has_schema_privilege('tenant_app', 'tenant_data', 'USAGE'), has_schema_privilege('tenant_app', 'public', 'CREATE'), has_schema_privilege('app_admin', 'public', 'CREATE')",
      "SELECT has_table_privilege('tenant_app', 'memories', 'UPDATE'), has_table_privilege('readers', 'notes', 'DELETE'), has_table_privilege('tenant_app', 'notes', 'INSERT')",
      "SELECT has_table_privilege('nobody', 'memories', 'SELECT')",
      "SELECT rolname, rolvaliduntil FROM pg_roles WHERE rolname = 'temp_r'",
      'SET ROLE tenant_app', 'DROP SCHEMA tenant_data CASCADE', 'RESET ROLE',
      'CREATE TABLE serials (id serial, v int)', 'GRANT USAGE ON SEQUENCE serials_id_seq TO tenant_app', 'ALTER TABLE serials OWNER TO app_admin',
      "SELECT relname, relowner::regrole::text, relacl::text FROM pg_class WHERE relname LIKE 'serials%' ORDER BY 1",
      'CREATE ROLE leaver', 'GRANT SELECT, UPDATE ON memories TO leaver', 'CREATE POLICY for_leaver ON memories TO leaver, tenant_app USING (true)',
      'CREATE POLICY only_leaver ON memories TO leaver USING (true)', 'GRANT CREATE ON SCHEMA public TO leaver', 'SET ROLE leaver', 'CREATE TABLE leavers (x int)', 'RESET ROLE',
      'GRANT SELECT ON leavers TO tenant_app',
      'DROP ROLE leaver', 'REASSIGN OWNED BY leaver TO app_admin',
      "SELECT tableowner FROM pg_tables WHERE tablename = 'leavers'", "SELECT relacl::text FROM pg_class WHERE relname = 'leavers'",
      'DROP OWNED BY leaver', 'DROP ROLE leaver',
      "SELECT policyname, roles::text FROM pg_policies WHERE tablename = 'memories' ORDER BY 1",
      "SELECT relacl::text FROM pg_class WHERE relname = 'memories'",
      'RESET ALL', 'SELECT current_user',
    ];
    const [a, b] = await Promise.all([run(tessera.url, script), run(postgres.url, script)]);
    for (let i = 0; i < script.length; i++) assert.deepEqual(a[i], b[i], script[i]);
  });
});
