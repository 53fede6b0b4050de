/**
 * Loaded graphs count against the memory budget (--memory-budget, shared with decoded
 * columns): with a budget smaller than the table's graphs, the least recently used graphs are
 * evicted and reloaded — cold segments ranked by their sketches meanwhile — and every answer
 * still equals exact search over the same data, computed here.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startTessera, type TesseraServer } from './support/tessera.ts';
import { clusteredVectors, exactTopK, vectorText } from './vector-support.ts';

const DIM = 32;
const N = 12_000;
let server: TesseraServer;
let c: pg.Client;
const { base, queries } = clusteredVectors(N, DIM, { seed: 99, clusters: 40, queries: 30 });

before(async () => {
  server = await startTessera({ args: ['--memory-budget', '1MB', '--log-level', 'debug', '--fsync', 'off'] });
  c = new pg.Client({ connectionString: server.url });
  await c.connect();
  await c.query(`CREATE TABLE m (id int8, e vector(${DIM})) WITH (segment_rows = 3000)`);
  for (let lo = 0; lo < N; lo += 1000) {
    await c.query(`INSERT INTO m VALUES ${Array.from({ length: 1000 }, (_v, j) => `(${lo + j}, '${vectorText(base, DIM, lo + j)}')`).join(', ')}`);
  }
  await c.query('CREATE INDEX ON m USING hnsw (e vector_l2_ops)');
  await c.query('VACUUM');
});

after(async () => {
  await c?.end();
  await server?.stop();
});

test('graphs over the memory budget are evicted and reloaded; answers stay exact', async () => {
  const graphs = await c.query("SELECT count(*)::int AS n FROM tessera.table_files WHERE table_name = 'm' AND file_type = 3");
  assert.ok(graphs.rows[0].n >= 3, `graph files: ${graphs.rows[0].n}`);
  for (let round = 0; round < 3; round++) {
    for (let qi = 0; qi < queries.length / DIM; qi++) {
      const r = await c.query('SELECT id FROM m ORDER BY e <-> $1 LIMIT 10', [vectorText(queries, DIM, qi)]);
      assert.deepEqual(r.rows.map((x) => Number(x.id)), exactTopK(base, DIM, queries.subarray(qi * DIM, (qi + 1) * DIM), 10), `round ${round} query ${qi}`);
    }
    await new Promise((r) => setTimeout(r, 300)); // background graph loads
  }
  assert.match(server.output(), /evicted a graph from memory/);
});
