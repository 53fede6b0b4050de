/**
 * psql's backslash commands against Tessera, compared with the same commands against the
 * PostgreSQL 15 oracle after the same DDL: psql builds its catalog queries from the
 * server_version Tessera reports, so this exercises pg_catalog relations, joins over them and
 * the catalog functions (format_type, pg_get_expr, pg_get_constraintdef, pg_get_indexdef...).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { postgresAvailable } from './support/pg-cluster.ts';
import { psql, psqlParity, runStatements } from './support/psql.ts';

const DDL = [
  `CREATE TABLE t (id serial PRIMARY KEY, name varchar(20) NOT NULL DEFAULT 'x', price numeric(10,2) CHECK (price > 0), u text UNIQUE, at timestamptz DEFAULT now())`,
  `CREATE TABLE pairs (a int, b int, note text, CONSTRAINT pairs_ab UNIQUE (a, b), CONSTRAINT b_range CHECK (b BETWEEN 1 AND 9))`,
  `CREATE SCHEMA app`,
  `CREATE TABLE app.things (k bigint PRIMARY KEY, v double precision NOT NULL, n serial)`,
  `CREATE INDEX pairs_note_idx ON pairs (note)`,
  `CREATE INDEX things_v_idx ON app.things (v DESC)`,
];

/**
 * Commands whose output must equal PostgreSQL's exactly (after the port is masked). Not here:
 * \dC and \dF (PostgreSQL lists its built-in casts and text search configurations), \dL and
 * \dd (they read the tableoid system column, which the planner does not provide yet), \dt+
 * and \di+ (sizes differ by storage engine), \dconfig (settings' sources).
 */
const SAME_AS_POSTGRES = [
  '\\d t', '\\d+ t', '\\d pairs', '\\dt', '\\dt app.*', '\\d app.things', '\\di', '\\d', '\\ds', '\\dv', '\\dT', '\\d t_pkey',
  '\\d pairs_ab', '\\d t_id_seq', '\\l', '\\dx', '\\conninfo', '\\dA', '\\dp', '\\da', '\\dD', '\\dy', '\\dE', '\\dm', '\\dRp',
  '\\dT+', '\\db', '\\dP', '\\dg', '\\du', '\\do', '\\dX', '\\des', '\\dc', '\\dO', '\\drds', '\\dl',
];

describe('psql backslash commands', { skip: !postgresAvailable() && 'PostgreSQL 15 not installed' }, () => {
  const servers = psqlParity(DDL, SAME_AS_POSTGRES);

  test('\\dn lists public as PostgreSQL does, plus Tessera\'s own schemas', () => {
    const ours = psql(servers.tessera.url, '\\dn');
    assert.match(ours, /^ public +\| pg_database_owner$/m);
    assert.match(ours, /^ app +\| postgres$/m);
    assert.match(ours, /^ tessera +\| postgres$/m);
  });

  test('\\d of a table with a vector column and an hnsw index', async () => {
    await runStatements(servers.tessera.url, [
      'CREATE EXTENSION IF NOT EXISTS vector',
      'CREATE TABLE docs (id int PRIMARY KEY, embedding vector(3))',
      'CREATE INDEX docs_embedding_idx ON docs USING hnsw (embedding vector_cosine_ops) WITH (m = 8)',
    ]);
    const out = psql(servers.tessera.url, '\\d docs');
    assert.match(out, /^ embedding \| vector\(3\) \|/m);
    assert.match(out, /^ {4}"docs_pkey" PRIMARY KEY, btree \(id\)$/m);
    assert.match(out, /^ {4}"docs_embedding_idx" hnsw \(embedding vector_cosine_ops\) WITH \(m='?8'?\)$/m);
    assert.match(psql(servers.tessera.url, '\\dx'), /^ vector +\| /m);
    assert.match(psql(servers.tessera.url, '\\dT'), /^ public \| vector +\|/m);
  });
});
