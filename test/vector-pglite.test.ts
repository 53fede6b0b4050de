/**
 * Vector DDL, settings and distance ordering checked against PGlite + pgvector 0.8 (the oracle):
 * every statement runs on both; results (as text) and errors (SQLSTATE + message) must be
 * identical. Tessera-only statements (segment options, VACUUM to seal segments so graphs get
 * built) run on Tessera alone. PGlite answers the ordering SELECTs without its indexes, i.e. exactly;
 * Tessera answers them through its top-k node — with HNSW graphs over sealed segments, exact
 * scans over the growing one — and must return the same ids and distances.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import pg from 'pg';
import { startTessera, type TesseraServer } from './support/tessera.ts';
import { rng } from './vector-support.ts';

let server: TesseraServer;
let client: pg.Client;
let lite: PGlite;

type Outcome = { rows: string[][] } | { code: string; message: string };

const asText = { getTypeParser: () => (v: unknown) => v } as unknown as pg.CustomTypesConfig;

async function onTessera(sql: string): Promise<Outcome> {
  try {
    const r = await client.query({ text: sql, rowMode: 'array', types: asText });
    return { rows: (r.rows as unknown[][]).map((row) => row.map((v) => (v === null ? 'NULL' : String(v)))) };
  } catch (e) {
    const err = e as { code: string; message: string };
    return { code: err.code, message: err.message };
  }
}

async function onPglite(sql: string): Promise<Outcome> {
  try {
    const r = await lite.query<unknown[]>(sql, [], { rowMode: 'array', parsers: new Proxy({}, { get: () => (v: string) => v }) });
    return { rows: r.rows.map((row) => row.map((v) => (v === null ? 'NULL' : String(v)))) };
  } catch (e) {
    const err = e as { code: string; message: string };
    return { code: err.code, message: err.message };
  }
}

async function both(sql: string): Promise<void> {
  const [want, got] = [await onPglite(sql), await onTessera(sql)];
  assert.deepEqual(got, want, sql);
}

/**
 * Like both(), but the oracle answers exactly: pgvector's planner picks its (approximate,
 * post-filtered) index scan even with enable_indexscan off, so PGlite runs the query in a
 * transaction that drops the table's indexes first and is rolled back.
 */
async function bothExact(sql: string, inTransaction = false): Promise<void> {
  await lite.exec(inTransaction ? 'SAVEPOINT oracle' : 'BEGIN');
  const ixs = await lite.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename = 'items'");
  for (const ix of ixs.rows) await lite.exec(`DROP INDEX ${ix.indexname}`);
  const want = await onPglite(sql);
  await lite.exec(inTransaction ? 'ROLLBACK TO SAVEPOINT oracle' : 'ROLLBACK');
  const got = await onTessera(sql);
  assert.deepEqual(got, want, sql);
}

const DIM = 4;
const ROWS = 600;
const r = rng(7);
const vec = (): string => `[${Array.from({ length: DIM }, () => (Math.round(r.gauss() * 1000) / 100).toString()).join(',')}]`;
const bits = (): string => Array.from({ length: 8 }, () => (r.uni() < 0.5 ? '0' : '1')).join('');
const data = Array.from({ length: ROWS }, (_v, i) => ({ id: i + 1, v: i % 97 === 5 ? null : vec(), b: bits(), cat: i % 10 }));
const inserts = (from: number, to: number): string =>
  `INSERT INTO items (id, cat, v, h, b) VALUES ${data.slice(from, to).map((d) => `(${d.id}, ${d.cat}, ${d.v === null ? 'NULL' : `'${d.v}'`}, ${d.v === null ? 'NULL' : `'${d.v}'`}, '${d.b}'::bit(8))`).join(', ')}`;
const Q = vec();

before(async () => {
  lite = await PGlite.create({ extensions: { vector } });
  await lite.exec('CREATE EXTENSION vector; SET enable_indexscan = off; SET enable_bitmapscan = off;');
  server = await startTessera();
  client = new pg.Client({ connectionString: server.url });
  await client.connect();
  const ddl = 'CREATE TABLE items (id int4, cat int4, v vector(4), h halfvec(4), b bit(8), u vector, name text)';
  await lite.exec(ddl);
  await client.query(`${ddl} WITH (segment_rows = 200)`);
  for (const [from, to] of [[0, 200], [200, 400], [400, 600]]) {
    await lite.exec(inserts(from!, to!));
    await client.query(inserts(from!, to!));
  }
  await client.query('VACUUM'); // seal: two 200-row files (the third stays growing until the next VACUUM)
});

after(async () => {
  await client?.end();
  await server?.stop();
  await lite?.close();
});

test('CREATE INDEX errors and default names as pgvector', async () => {
  for (const sql of [
    'CREATE INDEX ON items USING hnsw (v)',
    'CREATE INDEX ON items USING hnsw (h vector_l2_ops)',
    'CREATE INDEX ON items USING hnsw (v foo_ops)',
    'CREATE INDEX ON items USING foo (v)',
    'CREATE INDEX ON items USING hnsw (u vector_l2_ops)',
    'CREATE INDEX ON items USING hnsw (nope vector_l2_ops)',
    'CREATE INDEX ON items USING hnsw (v vector_l2_ops) WITH (m = 1)',
    'CREATE INDEX ON items USING hnsw (v vector_l2_ops) WITH (m = 16, ef_construction = 16)',
    'CREATE INDEX ON items USING hnsw (v vector_l2_ops) WITH (foo = 1)',
    'CREATE INDEX ON items USING hnsw (v vector_l2_ops) WITH (ef_construction = 2000)',
    'CREATE INDEX ON items USING hnsw (v vector_l2_ops) WITH (m = x)',
    'CREATE INDEX ON items USING hnsw (v vector_l2_ops, h halfvec_l2_ops)',
    'CREATE INDEX ON items USING ivfflat (v vector_l2_ops) WITH (lists = 0)',
    'CREATE UNIQUE INDEX ON items USING hnsw (v vector_l2_ops)',
    'CREATE INDEX ON items USING hnsw (v vector_l2_ops)',
    'CREATE INDEX ON items USING hnsw (v vector_ip_ops) WITH (m = 8, ef_construction = 32)',
    'CREATE INDEX ON items USING hnsw (v vector_cosine_ops)',
    'CREATE INDEX ON items USING hnsw (h halfvec_l2_ops)',
    'CREATE INDEX ON items USING hnsw (v vector_l1_ops)',
    'CREATE INDEX ON items USING hnsw (b bit_hamming_ops)',
    'CREATE INDEX ON items USING ivfflat (v)',
    'CREATE INDEX ON items (name)',
    'CREATE INDEX ON items (name)',
    'CREATE INDEX items ON items (name)',
    'CREATE INDEX IF NOT EXISTS items_name_idx ON items (name)',
    'CREATE INDEX ON items (id, name)',
    'DROP INDEX nope',
    'DROP INDEX IF EXISTS nope',
    'DROP INDEX items',
    'DROP INDEX items_name_idx1, nope',
    'DROP INDEX items_name_idx1',
    'REINDEX INDEX nope',
    'REINDEX INDEX items_v_idx',
  ]) await both(sql);
});

test('hnsw.* and ivfflat.* settings as pgvector', async () => {
  for (const sql of [
    'SHOW hnsw.ef_search', 'SET hnsw.ef_search = 0', 'SET hnsw.ef_search = 1001', 'SET hnsw.ef_search = 100', 'SHOW hnsw.ef_search',
    'SHOW hnsw.iterative_scan', 'SET hnsw.iterative_scan = foo', 'SET hnsw.iterative_scan = relaxed_order', 'SHOW hnsw.iterative_scan',
    'SHOW hnsw.max_scan_tuples', 'SET hnsw.max_scan_tuples = 0', 'SHOW ivfflat.probes', 'SET ivfflat.probes = 0', 'SET ivfflat.probes = 10',
    'RESET hnsw.ef_search', 'RESET hnsw.iterative_scan',
  ]) await both(sql);
});

test('ORDER BY distance LIMIT k: same ids and distances as pgvector (graphs on sealed segments, exact on the growing one)', async () => {
  await client.query('VACUUM');
  for (const op of ['<->', '<#>', '<=>', '<+>']) {
    await bothExact(`SELECT id, v ${op} '${Q}' FROM items ORDER BY v ${op} '${Q}' LIMIT 10`);
    await bothExact(`SELECT id FROM items ORDER BY v ${op} '${Q}' LIMIT 7 OFFSET 5`);
    await bothExact(`SELECT id, h ${op} '${Q}' FROM items ORDER BY h ${op} '${Q}' LIMIT 10`);
    await bothExact(`SELECT id, cat FROM items WHERE cat = 3 ORDER BY v ${op} '${Q}', id LIMIT 10`);
    await bothExact(`SELECT id FROM items WHERE cat < 5 AND id > 100 ORDER BY v ${op} '${Q}' LIMIT 10`);
  }
  await bothExact(`SELECT id, b <~> '10101010'::bit(8) FROM items ORDER BY b <~> '10101010'::bit(8), id LIMIT 10`);
  await bothExact(`SELECT id, b <%> '10101010'::bit(8) FROM items ORDER BY b <%> '10101010'::bit(8), id LIMIT 10`);
  await bothExact(`SELECT id, v FROM items ORDER BY v <-> '${Q}', id LIMIT 700`);
  await bothExact(`SELECT id FROM items ORDER BY v <-> NULL, id LIMIT 3`);
  await bothExact(`SELECT id FROM items ORDER BY v <-> '[1,2,3]' LIMIT 3`);
  await bothExact(`SELECT id FROM items WHERE cat = 99 ORDER BY v <-> '${Q}' LIMIT 3`);
  await bothExact(`SELECT id FROM items ORDER BY v <-> '${Q}' LIMIT 0`);
  await bothExact(`SELECT id FROM items ORDER BY v <-> '${Q}' LIMIT -1`);
  await bothExact(`SELECT count(*) FROM (SELECT id FROM items ORDER BY v <-> '${Q}' LIMIT 50) s`);
});

test('deleted rows and the transaction\'s own writes are respected', async () => {
  for (const sql of ['DELETE FROM items WHERE id % 3 = 0', 'BEGIN', "INSERT INTO items (id, cat, v) VALUES (1001, 1, '[0,0,0,0]'), (1002, 1, '[100,100,100,100]')",
    'DELETE FROM items WHERE id = 2']) await both(sql);
  await bothExact(`SELECT id, v <-> '${Q}' FROM items ORDER BY v <-> '${Q}' LIMIT 10`, true);
  await bothExact(`SELECT id FROM items ORDER BY v <-> '[0,0,0,0]' LIMIT 3`, true);
  await both('ROLLBACK');
  await bothExact(`SELECT id FROM items ORDER BY v <-> '[0,0,0,0]' LIMIT 3`);
});

test('DROP INDEX returns the files to RAW; searches stay exact', async () => {
  const before = await client.query("SELECT file_type, count(*)::int AS n FROM tessera.table_files WHERE table_name = 'items' GROUP BY 1 ORDER BY 1");
  assert.ok(before.rows.some((x: { file_type: number }) => Number(x.file_type) === 3), JSON.stringify(before.rows));
  for (const ix of ['items_v_idx', 'items_v_idx1', 'items_v_idx2', 'items_h_idx', 'items_v_idx3', 'items_b_idx', 'items_v_idx4']) await both(`DROP INDEX ${ix}`);
  const afterDrop = await client.query("SELECT file_type, count(*)::int AS n FROM tessera.table_files WHERE table_name = 'items' AND file_type <> 4 GROUP BY 1 ORDER BY 1");
  assert.deepEqual(afterDrop.rows.map((x: { file_type: number }) => Number(x.file_type)), [1]);
  await bothExact(`SELECT id, v <-> '${Q}' FROM items ORDER BY v <-> '${Q}' LIMIT 10`);
});
