/**
 * pg_stat_progress_create_index over the wire: while CREATE INDEX builds segment graphs on one
 * connection, a second connection reads the view (PostgreSQL 15's columns and types; blocks =
 * segments, tuples = rows; phase; relid / index_relid as regclass OIDs; pid = the backend
 * running CREATE INDEX); the view is empty before and after, and the build sends no NOTICE.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import postgres from 'postgres';
import { startTessera, type TesseraServer } from './support/tessera.ts';
import { binaryCopy, clusteredVectors, type CopyField } from './vector-support.ts';

const DIM = 64;
const SEGMENT_ROWS = 10_000;
const SEGMENTS = 3;

let server: TesseraServer;

before(async () => {
  server = await startTessera({ env: { TESSERA_INDEX_BUILD_WORKERS: '1' } });
  const sql = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
  try {
    await sql.unsafe(`CREATE TABLE items (id int8, embedding vector(${DIM})) WITH (segment_rows = ${SEGMENT_ROWS})`);
    const n = SEGMENT_ROWS * SEGMENTS;
    const { base } = clusteredVectors(n, DIM, { seed: 77, clusters: 50, queries: 0 });
    const data = binaryCopy((function* () {
      for (let i = 0; i < n; i++) yield [{ int8: i }, { vector: base.subarray(i * DIM, (i + 1) * DIM) }] as CopyField[];
    })());
    const w = await sql.unsafe('COPY items FROM STDIN (FORMAT binary)').writable();
    await new Promise<void>((resolve, reject) => {
      w.on('error', reject);
      w.on('finish', resolve);
      w.end(data);
    });
    await sql.unsafe('VACUUM');
  } finally {
    await sql.end();
  }
});

after(async () => {
  await server?.stop();
});

// PostgreSQL 15's pg_stat_progress_create_index (name, type OID).
const PG15_COLUMNS: [string, number][] = [
  ['pid', 23], ['datid', 26], ['datname', 19], ['relid', 26], ['index_relid', 26], ['command', 25], ['phase', 25],
  ['lockers_total', 20], ['lockers_done', 20], ['current_locker_pid', 20], ['blocks_total', 20], ['blocks_done', 20],
  ['tuples_total', 20], ['tuples_done', 20], ['partitions_total', 20], ['partitions_done', 20],
];

test('pg_stat_progress_create_index shows a running build from another connection', async () => {
  const a = new pg.Client({ connectionString: server.url });
  const b = new pg.Client({ connectionString: server.url });
  await a.connect();
  await b.connect();
  const notices: string[] = [];
  a.on('notice', (n) => notices.push(n.message ?? ''));
  try {
    const idle = await b.query('SELECT * FROM pg_stat_progress_create_index');
    assert.deepEqual(idle.fields.map((f) => [f.name, f.dataTypeID]), PG15_COLUMNS);
    assert.equal(idle.rows.length, 0);

    // The sealed data files the build covers (merges may have combined the sealed segments).
    const files = await b.query("SELECT file_type, state, row_count::int AS n FROM tessera.table_files WHERE table_name = 'items'");
    const raw = files.rows.filter((f) => f.state === 'RAW');
    assert.ok(raw.length >= 1, JSON.stringify(files.rows));
    const rawRows = raw.reduce((s, f) => s + (f.n as number), 0);
    let done = false;
    const building = a.query('CREATE INDEX items_idx ON items USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 200)').finally(() => {
      done = true;
    });
    const seen: Record<string, unknown>[] = [];
    while (!done) {
      const r = await b.query(`SELECT pid, relid = 'items'::regclass::oid AS rel_ok, index_relid, datname, command, phase,
        blocks_total::int, blocks_done::int, tuples_total::int, tuples_done::int, lockers_total::int, partitions_total::int
        FROM pg_stat_progress_create_index`);
      if (r.rows.length > 0) seen.push(r.rows[0]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await building;
    assert.ok(seen.length > 0, 'the view showed the build at least once');
    const idxOid = (await b.query("SELECT 'items_idx'::regclass::oid AS o")).rows[0].o;
    let lastTuples = 0;
    for (const row of seen) {
      assert.equal(row.pid, (a as unknown as { processID: number }).processID, 'pid: the backend running CREATE INDEX');
      assert.equal(row.rel_ok, true);
      assert.equal(row.index_relid, idxOid);
      assert.equal(row.datname, 'postgres');
      assert.equal(row.command, 'CREATE INDEX');
      assert.ok(['initializing', 'building index: loading tuples'].includes(row.phase as string), String(row.phase));
      assert.equal(row.blocks_total, raw.length);
      assert.equal(row.tuples_total, rawRows);
      assert.ok((row.blocks_done as number) >= 0 && (row.blocks_done as number) <= raw.length);
      assert.ok((row.tuples_done as number) >= lastTuples, 'tuples_done never goes back');
      lastTuples = row.tuples_done as number;
      assert.equal(row.lockers_total, 0);
      assert.equal(row.partitions_total, 0);
    }
    assert.ok(seen.some((r) => (r.blocks_done as number) < raw.length), 'seen before the last segment was done');
    assert.equal(rawRows, SEGMENTS * SEGMENT_ROWS);
    const afterBuild = await b.query('SELECT count(*)::int AS n FROM pg_stat_progress_create_index');
    assert.equal(afterBuild.rows[0].n, 0);
    assert.deepEqual(notices, [], 'CREATE INDEX sends no NOTICE');
  } finally {
    await a.end();
    await b.end();
  }
});
