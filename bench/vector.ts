/**
 * bench/vector.ts — vector search through the wire vs raw hnswlib-node in-process.
 *
 *   npx tsx bench/vector.ts [--rows 100000] [--queries 200] [--data DIR] [--m 16] [--ef-construction 64] [--seconds 5]
 *                           [--efs 40,100,200,400] [--url postgres://… [--query-only]] [--skip-raw]
 *                           [--table-with "segment_rows = 500000, segment_size = '300MB'"] [--build-workers 2]
 *                           [--skip-pg] [--raw-cache FILE (raw graph read from FILE, else built and written there)]
 *                           [--warmup SECONDS (one client's queries before measuring: a restarted server loads its graphs)]
 *
 * Data: DIR/base_1m.fvecs (or base_100k.fvecs) + query.fvecs from shared/tools/gen-vectors.mjs
 * when --data is given; otherwise the same recipe (1,000 clustered Gaussian centers, 128 dims)
 * generated in-process (test/vector-support.ts). Ground truth: exact L2 top-10 in float64.
 * Prints: COPY rows/s, index build time (CREATE INDEX, graphs built in worker threads), then for
 * hnsw.ef_search 40/100/200/400: QPS with 1 and 4 clients (prepared statements over the wire,
 * postgres.js), p50/p99 latency, recall@10 — beside raw hnswlib-node on the same data and
 * parameters (one graph over all rows, in-process, no conversions counted out) and the ratio;
 * the wire's floor (a one-row query with the same parameter, no search) on Tessera and on
 * PostgreSQL 15, and from it the bound on the one-client ratio that the wire leaves; and
 * SELECT 1 latency on a fifth connection during the 4-client storm.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import hnswlib from 'hnswlib-node';
import postgres from 'postgres';
import { postgresAvailable, startPostgres } from '../test/support/pg-cluster.ts';
import { startTessera } from '../test/support/tessera.ts';
import { binaryCopy, clusteredVectors, exactTopK, recallAt, vectorText, type CopyField } from '../test/vector-support.ts';
import { copyIn, readFvecs, readIvecs } from './data.ts';
import { fmt, median } from './stats.ts';

const { values: opts } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    queries: { type: 'string', default: '200' },
    data: { type: 'string' },
    m: { type: 'string', default: '16' },
    'ef-construction': { type: 'string', default: '64' },
    seconds: { type: 'string', default: '5' },
    efs: { type: 'string', default: '40,100,200,400' },
    url: { type: 'string' },
    'table-with': { type: 'string' },
    'build-workers': { type: 'string' },
    'skip-raw': { type: 'boolean', default: false },
    'query-only': { type: 'boolean', default: false },
    'skip-pg': { type: 'boolean', default: false },
    'raw-cache': { type: 'string' },
    warmup: { type: 'string', default: '0' },
  },
});
const N = Number(opts.rows);
const NQ = Number(opts.queries);
const M = Number(opts.m);
const EFC = Number(opts['ef-construction']);
const SECONDS = Number(opts.seconds);
const EFS = opts.efs!.split(',').map(Number);
const DIM = 128;

function loadData(): { base: Float32Array; queries: Float32Array } {
  if (opts.data !== undefined) {
    const baseFile = fs.existsSync(path.join(opts.data, 'base_1m.fvecs')) ? 'base_1m.fvecs' : 'base_100k.fvecs';
    return { base: readFvecs(path.join(opts.data, baseFile), N), queries: readFvecs(path.join(opts.data, 'query.fvecs'), NQ) };
  }
  return clusteredVectors(N, DIM, { seed: 0x5eed1234, clusters: 1000, queries: NQ });
}

/** Worker code: SELECT 1 every 5 ms on its own connection until told to stop; posts the latencies (ms). */
const PROBER = `
const { parentPort, workerData } = require('node:worker_threads');
const pg = require('pg');
(async () => {
  const c = new pg.Client({ connectionString: workerData.url });
  await c.connect();
  await c.query({ name: 'one', text: 'SELECT 1' });
  let stop = false;
  parentPort.once('message', () => { stop = true; });
  parentPort.postMessage('ready');
  const lat = [];
  while (!stop) {
    const s = performance.now();
    await c.query({ name: 'one', text: 'SELECT 1' });
    lat.push(performance.now() - s);
    await new Promise((r) => setTimeout(r, 5));
  }
  await c.end();
  parentPort.postMessage(lat);
})();
`;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** Round trips/s of a prepared one-row query carrying one vector text parameter, one postgres.js client. */
async function wireFloor(url: string, qText: readonly string[]): Promise<number> {
  const c = postgres(url, { max: 1, fetch_types: false, onnotice: () => {} });
  try {
    await c.unsafe('SELECT $1::text IS NULL AS n', [qText[0]!], { prepare: true });
    const ts = performance.now();
    let n = 0;
    while (performance.now() - ts < SECONDS * 1000) {
      await c.unsafe('SELECT $1::text IS NULL AS n', [qText[n % qText.length]!], { prepare: true });
      n++;
    }
    return n / ((performance.now() - ts) / 1000);
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const { base, queries } = loadData();
  const q = (i: number): Float32Array => queries.subarray(i * DIM, (i + 1) * DIM);
  const qText = Array.from({ length: NQ }, (_v, i) => vectorText(queries, DIM, i));
  console.log(`data: ${fmt(N)} × ${DIM} (${opts.data ?? 'generated, 1,000 clusters'}), ${NQ} queries (${Math.round(performance.now() - t0)} ms)`);
  const t1 = performance.now();
  const gtFile = opts.data === undefined ? null : path.join(opts.data, N === 1_000_000 ? 'gt_1m.ivecs' : N === 100_000 ? 'gt_100k.ivecs' : '-');
  const truth = gtFile !== null && fs.existsSync(gtFile)
    ? readIvecs(gtFile, NQ)
    : Array.from({ length: NQ }, (_v, i) => exactTopK(base, DIM, q(i), 10));
  console.log(`ground truth (exact, float64${gtFile !== null && fs.existsSync(gtFile) ? `, from ${path.basename(gtFile)}` : ''}): ${Math.round(performance.now() - t1)} ms`);

  // --url: a server started elsewhere (e.g. `node --cpu-prof --import tsx src/main.ts ...` to profile it).
  const server = opts.url !== undefined ? { url: opts.url, stop: async () => {} } : await startTessera({
    args: ['--fsync', 'off'],
    env: opts['build-workers'] === undefined ? {} : { TESSERA_INDEX_BUILD_WORKERS: opts['build-workers'] },
  });
  const sql = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
  try {
    // --query-only (with --url): the server already holds this table, loaded and indexed by an earlier run.
    if (!opts['query-only']) {
      await sql.unsafe(`CREATE TABLE items (id int8, embedding vector(128))${opts['table-with'] === undefined ? '' : ` WITH (${opts['table-with']})`}`);
      // COPY binary: the engine's ingest rate (vector_in's text parsing is measured separately below).
      const tc = performance.now();
      const bin = binaryCopy((function* () {
        for (let i = 0; i < N; i++) yield [{ int8: i }, { vector: base.subarray(i * DIM, (i + 1) * DIM) }] as CopyField[];
      })());
      await copyIn(sql, 'COPY items FROM STDIN (FORMAT binary)', bin);
      const copyS = (performance.now() - tc) / 1000;
      console.log(`COPY (binary): ${fmt(N / copyS)} rows/s (${copyS.toFixed(1)} s)`);
      {
        const nText = Math.min(N, 2_000);
        await sql.unsafe('CREATE TABLE items_text (id int8, embedding vector(128))');
        // The text is made before the clock starts: the figure is the server's parse and ingest.
        let buf = '';
        for (let i = 0; i < nText; i++) buf += `${i}\t${vectorText(base, DIM, i)}\n`;
        const tt = performance.now();
        const wt = await sql.unsafe('COPY items_text FROM STDIN').writable();
        await new Promise<void>((resolve, reject) => {
          wt.on('error', reject);
          wt.on('finish', resolve);
          wt.end(buf);
        });
        const s = (performance.now() - tt) / 1000;
        console.log(`COPY (text, shortest float32 digits, first ${fmt(nText)} rows): ${fmt(nText / s)} rows/s`);
        await sql.unsafe('DROP TABLE items_text');
      }
      await sql.unsafe('VACUUM');
      const tb = performance.now();
      await sql.unsafe(`CREATE INDEX ON items USING hnsw (embedding vector_l2_ops) WITH (m = ${M}, ef_construction = ${EFC})`);
      const buildS = (performance.now() - tb) / 1000;
      const files = await sql.unsafe("SELECT count(*)::int AS n FROM tessera.table_files WHERE table_name = 'items' AND file_type = 3");
      const sizes = await sql.unsafe("SELECT row_count::int AS n FROM tessera.table_files WHERE table_name = 'items' AND file_type = 3 ORDER BY segment_id");
      console.log(`CREATE INDEX (hnsw m=${M} ef_construction=${EFC}): ${buildS.toFixed(1)} s, ${files[0]!.n} segment graph(s) of ${sizes.map((r) => fmt(r.n)).join(' + ')} rows, build workers=${opts['build-workers'] ?? process.env.TESSERA_INDEX_BUILD_WORKERS ?? 'default'}, table WITH (${opts['table-with'] ?? 'defaults'})`);
    }

    // Raw hnswlib-node, in-process, same data and parameters (one graph); --skip-raw leaves it out.
    const raw = opts['skip-raw'] ? null : new hnswlib.HierarchicalNSW('l2', DIM);
    const rawCache = opts['raw-cache'];
    if (raw !== null && rawCache !== undefined && fs.existsSync(rawCache)) {
      raw.readIndexSync(rawCache);
      console.log(`raw hnswlib: graph read from ${rawCache} (built earlier by this bench on the same data and parameters)`);
    } else if (raw !== null) {
      const tr = performance.now();
      raw.initIndex(N, M, EFC, 100);
      const point = new Array<number>(DIM);
      for (let i = 0; i < N; i++) {
        for (let d = 0; d < DIM; d++) point[d] = base[i * DIM + d]!;
        raw.addPoint(point, i);
      }
      console.log(`raw hnswlib build (1 thread): ${((performance.now() - tr) / 1000).toFixed(1)} s`);
      if (rawCache !== undefined) raw.writeIndexSync(rawCache);
    }
    const qArrays = Array.from({ length: NQ }, (_v, i) => Array.from(q(i)));

    if (Number(opts.warmup) > 0) {
      // A restarted server loads a segment's graph (and column) on the first queries: not measured.
      const tw = performance.now();
      let n = 0;
      while (performance.now() - tw < Number(opts.warmup) * 1000) {
        await sql.unsafe('SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10', [qText[n++ % NQ]!], { prepare: true });
      }
      console.log(`warm-up: ${fmt(n)} queries in ${opts.warmup} s`);
    }

    // The wire's floor: the same client sends the same parameter (a query's vector text) and
    // gets a one-row answer, with no search — on Tessera and on PostgreSQL 15 (a private
    // cluster, stopped before the searches), three alternating runs each, medians. A server with
    // PostgreSQL's round trip and raw hnswlib's search and nothing else would give one client
    // 1 / (1 / floor + 1 / raw) QPS: the "bound" column below.
    const floors: { tessera: number[]; pg: number[] } = { tessera: [], pg: [] };
    const pgServer = !opts['skip-pg'] && postgresAvailable() ? await startPostgres() : null;
    try {
      for (let r = 0; r < 3; r++) {
        floors.tessera.push(await wireFloor(server.url, qText));
        if (pgServer !== null) floors.pg.push(await wireFloor(pgServer.url, qText));
      }
    } finally {
      await pgServer?.stop();
    }
    const tesseraFloor = median(floors.tessera);
    const pgFloor = pgServer === null ? NaN : median(floors.pg);
    console.log(`wire floor (prepared SELECT $1::text IS NULL with a query's vector text, 1 client): Tessera ${fmt(tesseraFloor)} QPS, PostgreSQL 15 ${Number.isNaN(pgFloor) ? 'not measured' : `${fmt(pgFloor)} QPS`}`);
    {
      // The prober alone (no search running): the machine's own SELECT 1 latency, baseline for the storm column.
      const prober = new Worker(PROBER, { eval: true, workerData: { url: server.url } });
      await new Promise((resolve) => prober.once('message', resolve));
      const probing = new Promise<number[]>((resolve) => prober.once('message', resolve));
      await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
      prober.postMessage('stop');
      const probes = await probing;
      await prober.terminate();
      console.log(`SELECT 1 every 5 ms, no search running: median ${median(probes).toFixed(2)} / p99 ${pct(probes, 99).toFixed(1)} / max ${Math.max(...probes).toFixed(1)} ms`);
    }
    console.log('\n| ef_search | recall@10 | 1 client QPS | p50 ms | p99 ms | 4 clients QPS | SELECT 1 max ms (during 4) | raw hnswlib QPS | raw recall | 1 client / raw | bound: 1 client / raw over PostgreSQL\'s wire | 4 clients / raw |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const ef of EFS) {
      // raw
      raw?.setEf(ef);
      let rawRecall = 0;
      const trs = performance.now();
      let rawN = 0;
      while (raw !== null && performance.now() - trs < SECONDS * 1000) {
        const i = rawN % NQ;
        const r = raw.searchKnn(qArrays[i]!, 10);
        if (rawN < NQ) rawRecall += recallAt(r.neighbors, truth[i]!);
        rawN++;
      }
      const rawQps = rawN / ((performance.now() - trs) / 1000);
      rawRecall /= Math.min(rawN, NQ);
      if (raw === null) rawRecall = NaN;

      // Tessera, 1 client
      const one = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {}, connection: { 'hnsw.ef_search': String(ef) } as Record<string, string> });
      await one.unsafe(`SET hnsw.ef_search = ${ef}`);
      let recall = 0;
      for (let i = 0; i < NQ; i++) {
        const rows = await one.unsafe('SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10', [qText[i]!], { prepare: true });
        recall += recallAt(rows.map((r) => Number(r.id)), truth[i]!);
      }
      recall /= NQ;
      const lat: number[] = [];
      const ts = performance.now();
      for (let n = 0; performance.now() - ts < SECONDS * 1000; n++) {
        const s = performance.now();
        await one.unsafe('SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10', [qText[n % NQ]!], { prepare: true });
        lat.push(performance.now() - s);
      }
      const qps1 = lat.length / ((performance.now() - ts) / 1000);
      await one.end();

      // Tessera, 4 clients + a SELECT 1 prober
      const clients = await Promise.all([0, 1, 2, 3].map(async () => {
        const c = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
        await c.unsafe(`SET hnsw.ef_search = ${ef}`);
        return c;
      }));
      // The SELECT 1 prober runs in its own thread: its latency must not include this
      // process's event loop, busy with the four clients.
      const prober = new Worker(PROBER, { eval: true, workerData: { url: server.url } });
      await new Promise((resolve) => prober.once('message', resolve));
      let total = 0;
      const t4 = performance.now();
      const probing = new Promise<number[]>((resolve) => prober.once('message', resolve));
      await Promise.all(clients.map(async (c, ci) => {
        for (let n = ci; performance.now() - t4 < SECONDS * 1000; n += 4) {
          await c.unsafe('SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10', [qText[n % NQ]!], { prepare: true });
          total++;
        }
      }));
      const qps4 = total / ((performance.now() - t4) / 1000);
      prober.postMessage('stop');
      const probes = await probing;
      await prober.terminate();
      await Promise.all(clients.map((c) => c.end()));
      console.log(`| ${ef} | ${recall.toFixed(3)} | ${fmt(qps1)} | ${pct(lat, 50).toFixed(2)} | ${pct(lat, 99).toFixed(2)} | ${fmt(qps4)} | ${Math.max(...probes).toFixed(1)} (p99 ${pct(probes, 99).toFixed(1)}, median ${median(probes).toFixed(2)}) | ${fmt(rawQps)} | ${rawRecall.toFixed(3)} | ${(qps1 / rawQps).toFixed(2)} | ${Number.isNaN(pgFloor) ? '—' : (pgFloor / (pgFloor + rawQps)).toFixed(2)} | ${(qps4 / rawQps).toFixed(2)} |`);
    }
  } finally {
    await sql.end();
    await server.stop();
  }
}

await main();
