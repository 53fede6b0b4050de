/**
 * No 2,000-dimension cap (pgvector refuses hnsw above it with 54000): 4,096- and 16,000-
 * dimension columns get per-segment graphs and answer top-k identically to the exact oracle.
 * Also: a corrupted graph file (its graph or its sketch section) is refused with XX001, never served.
 * The server sketches cold local files as it does remote ones (TESSERA_SKETCH_LOCAL=1), so the
 * sketch section is read here without S3.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { startTessera, type TesseraServer } from './support/tessera.ts';
import { clusteredVectors, exactTopK, vectorText } from './vector-support.ts';

let server: TesseraServer;
let client: pg.Client;

before(async () => {
  server = await startTessera({ env: { TESSERA_SKETCH_LOCAL: '1' } });
  client = new pg.Client({ connectionString: server.url });
  await client.connect();
});

after(async () => {
  await client?.end();
  await server?.stop();
});

for (const dim of [4096, 16000]) {
  test(`vector(${dim}): hnsw graphs and exact top-k agree with the oracle`, async () => {
    const n = 60;
    const { base, queries } = clusteredVectors(n, dim, { seed: dim, clusters: 5, queries: 3 });
    await client.query(`CREATE TABLE v${dim} (id int, e vector(${dim})) WITH (segment_rows = 25)`);
    for (let i = 0; i < n; i++) await client.query(`INSERT INTO v${dim} VALUES ($1, $2)`, [i, vectorText(base, dim, i)]);
    await client.query('VACUUM');
    await client.query(`CREATE INDEX ON v${dim} USING hnsw (e vector_l2_ops)`);
    const files = await client.query(`SELECT count(*)::int AS n FROM tessera.table_files WHERE table_name = 'v${dim}' AND file_type = 3`);
    assert.ok(files.rows[0].n >= 1, 'at least one graph file');
    for (let qi = 0; qi < 3; qi++) {
      const r = await client.query(`SELECT id FROM v${dim} ORDER BY e <-> $1 LIMIT 5`, [vectorText(queries, dim, qi)]);
      assert.deepEqual(r.rows.map((x: { id: number }) => x.id), exactTopK(base, dim, queries.subarray(qi * dim, (qi + 1) * dim), 5));
    }
  });
}

for (const [section, at] of [['sketch', (len: number) => len - 100], ['graph', () => 64 + 1000]] as const) {
  test(`a flipped byte in a graph file's ${section} is XX001 after a restart, never a wrong answer`, async () => {
    const files = await client.query("SELECT location FROM tessera.table_files WHERE table_name = 'v4096' AND file_type = 3 ORDER BY 1 LIMIT 1");
    const file = path.join(server.dataDir, 'objects', files.rows[0].location as string);
    await client.end();
    await server.kill('SIGTERM');
    const good = fs.readFileSync(file);
    const bytes = Buffer.from(good);
    bytes[at(bytes.length)] ^= 0xff;
    fs.writeFileSync(file, bytes);
    await server.restart();
    client = new pg.Client({ connectionString: server.url });
    await client.connect();
    // A cold segment's first query may be answered through its (intact) sketch while the graph
    // loads; the corrupt section is reported by the query that needs it, or the next one.
    const q = `[${new Array(4096).fill(0).join(',')}]`;
    let error: { code: string; message: string } | undefined;
    for (let i = 0; i < 5 && error === undefined; i++) {
      error = await client.query('SELECT id FROM v4096 ORDER BY e <-> $1 LIMIT 5', [q]).then(() => undefined, (e: { code: string; message: string }) => e);
      if (error === undefined) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(error?.code, 'XX001');
    assert.match(error.message, /invalid index file/);
    fs.writeFileSync(file, good);
  });
}
