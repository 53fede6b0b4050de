/**
 * bench/tiering.ts — tiered storage on S3 (s3rver on loopback, in this process).
 *
 *   npx tsx bench/tiering.ts [--rows 100000] [--segment-rows 100000] [--cache-pct 10] [--index on|off]
 *                           [--cold-runs 5] [--hot-queries 200]
 *
 * Loads rows × 128-dim clustered vectors (COPY binary) into a table with segments of
 * --segment-rows, optionally builds an hnsw index, waits until every file is uploaded, and
 * stops the server (SIGTERM: seal, upload, catalog snapshot). Then, --cold-runs times: starts
 * a server on an EMPTY data directory (restore from the bucket, everything cold) and times the
 * start-up and the first top-10 query (cold first-touch: fetches from S3), waits until the
 * background loads it started are done, then --hot-queries top-10 queries (hot: p50/p99). Also: start-up on the original data directory (catalog
 * local) and of a server without S3, and the local disk / RSS used with a cache budget of
 * --cache-pct % of the data.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { startS3 } from '../test/support/s3.ts';
import { startTessera, type TesseraServer } from '../test/support/tessera.ts';
import { binaryCopy, clusteredVectors, vectorText, type CopyField } from '../test/vector-support.ts';
import { copyIn } from './data.ts';
import { fmt, median } from './stats.ts';

const { values: opts } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    'segment-rows': { type: 'string', default: '100000' },
    'cache-pct': { type: 'string', default: '10' },
    index: { type: 'string', default: 'on' },
    'cold-runs': { type: 'string', default: '5' },
    'hot-queries': { type: 'string', default: '200' },
  },
});
const N = Number(opts.rows);
const SEG = Number(opts['segment-rows']);
const DIM = 128;
const COLD_RUNS = Number(opts['cold-runs']);
const HOT = Number(opts['hot-queries']);

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const ms = (x: number): string => `${x.toFixed(1)} ms`;

function dirBytes(dir: string): number {
  let total = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return total;
}

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** "database open" ms from the server's log (catalog, restore, storage engine, PK index). */
function openMs(server: TesseraServer): number {
  const lines = server.output().split('\n').filter((l) => l.includes('"msg":"database open"'));
  const m = /"ms":(\d+)/.exec(lines.at(-1) ?? '');
  return m ? Number(m[1]) : NaN;
}

/** Waits until the server's downloads stop (no new bytes over four 500 ms polls; at most 120 s). */
async function settled(sql: postgres.Sql): Promise<void> {
  let last = -1;
  let still = 0;
  for (const deadline = Date.now() + 120_000; Date.now() < deadline && still < 4;) {
    await new Promise((res) => setTimeout(res, 500));
    const [s] = await sql.unsafe('SELECT (download_bytes + range_bytes)::int8::text AS b FROM tessera.cache_stats');
    const b = Number(s!.b);
    still = b === last ? still + 1 : 0;
    last = b;
  }
}

async function timedStart(args: string[], dataDir?: string): Promise<{ server: TesseraServer; wallMs: number }> {
  const t = performance.now();
  const server = await startTessera({ args, dataDir });
  return { server, wallMs: performance.now() - t };
}

async function main(): Promise<void> {
  const { base, queries } = clusteredVectors(N, DIM, { seed: 0x7e55e7a, clusters: 1000, queries: Math.max(HOT, 10) });
  const qText = Array.from({ length: Math.max(HOT, 10) }, (_v, i) => vectorText(queries, DIM, i));
  const dataBytes = N * (DIM * 4 + 4 + 8);
  const cacheBytes = Math.round((dataBytes * Number(opts['cache-pct'])) / 100);
  const s3 = await startS3('bench');
  const s3args = ['--s3-endpoint', s3.endpoint, '--s3-bucket', 'bench', '--s3-prefix', 'b1', '--cache-size', String(cacheBytes), '--fsync', 'off'];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-tiering-'));
  console.log(`data: ${fmt(N)} × ${DIM} float32 (~${(dataBytes / 2 ** 20).toFixed(1)} MiB raw), segments of ${fmt(SEG)} rows, cache budget ${(cacheBytes / 2 ** 20).toFixed(1)} MiB (${opts['cache-pct']}%), s3rver ${s3.endpoint}`);
  try {
    // ---- load ----
    let server = (await timedStart(s3args, dataDir)).server;
    let sql = postgres(server.url, { max: 1, fetch_types: false, onnotice: () => {} });
    // segment_size just under a full segment's bytes: full segments are not merged with each other.
    const segSize = Math.floor((SEG * (DIM * 4 + 8) * 0.98) / 1024);
    await sql.unsafe(`CREATE TABLE items (id int8, embedding vector(${DIM})) WITH (segment_rows = ${SEG}, segment_size = '${segSize}kB')`);
    const tc = performance.now();
    const bin = binaryCopy((function* () {
      for (let i = 0; i < N; i++) yield [{ int8: i }, { vector: base.subarray(i * DIM, (i + 1) * DIM) }] as CopyField[];
    })());
    await copyIn(sql, 'COPY items FROM STDIN (FORMAT binary)', bin);
    console.log(`COPY: ${((performance.now() - tc) / 1000).toFixed(1)} s`);
    if (opts.index === 'on') {
      const tb = performance.now();
      await sql.unsafe('CREATE INDEX ON items USING hnsw (embedding vector_l2_ops)');
      for (;;) {
        const [f] = await sql.unsafe("SELECT count(*) FILTER (WHERE file_type = 3)::int AS idx, count(*) FILTER (WHERE file_type IN (1, 2, 7))::int AS raw FROM tessera.table_files WHERE table_name = 'items'");
        if (f!.raw > 0 && f!.idx >= f!.raw) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      console.log(`CREATE INDEX hnsw (graphs built): ${((performance.now() - tb) / 1000).toFixed(1)} s`);
    }
    const tu = performance.now();
    for (;;) {
      const [s] = await sql.unsafe('SELECT pending_uploads::int AS p, uploads::int AS u, upload_bytes::int8 AS b FROM tessera.cache_stats');
      if (s!.p === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    console.log(`uploads drained ${ms(performance.now() - tu)} after load`);
    await sql.end();
    const ts = performance.now();
    await server.stop();
    console.log(`clean shutdown (seal, upload, catalog snapshot): ${ms(performance.now() - ts)}`);
    const bucketBytes = dirBytes(path.join(s3.dir, 'bench'));

    // ---- start-up: catalog local vs restore into an empty dir vs no S3 at all ----
    const local = await timedStart(s3args, dataDir);
    sql = postgres(local.server.url, { max: 1, fetch_types: false, onnotice: () => {} });
    const [files] = await sql.unsafe("SELECT count(*)::int AS segs FROM tessera.tiering WHERE kind = 'segment'");
    const [idx] = await sql.unsafe("SELECT count(*)::int AS n FROM tessera.tiering WHERE kind = 'index'");
    await sql.end();
    console.log(`segments in the bucket: ${files!.segs}, index files: ${idx!.n}; bucket holds ${(bucketBytes / 2 ** 20).toFixed(1)} MiB`);
    console.log(`start-up, existing data dir (catalog local): ${ms(local.wallMs)} to first SELECT 1 (database open ${ms(openMs(local.server))})`);
    await local.server.stop();
    const bare = await timedStart(['--fsync', 'off']);
    console.log(`start-up, no S3, empty database (process baseline): ${ms(bare.wallMs)} (database open ${ms(openMs(bare.server))})`);
    await bare.server.stop();

    // ---- cold first touch / hot, each run on an empty data dir ----
    const cold: number[] = [];
    const hot: number[] = [];
    const starts: number[] = [];
    const opens: number[] = [];
    let lastDisk = 0;
    let lastRss = 0;
    let lastStats: Record<string, unknown> = {};
    for (let run = 0; run < COLD_RUNS; run++) {
      const r = await timedStart(s3args);
      starts.push(r.wallMs);
      opens.push(openMs(r.server));
      sql = postgres(r.server.url, { max: 1, fetch_types: false, onnotice: () => {} });
      const q = (i: number): Promise<unknown> => sql.unsafe('SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10', [qText[i % qText.length]!], { prepare: true });
      const t = performance.now();
      await q(run);
      cold.push(performance.now() - t);
      // The first touch leaves the graphs and columns loading in the background: hot means after.
      await settled(sql);
      for (let i = 0; i < HOT; i++) {
        const th = performance.now();
        await q(i);
        hot.push(performance.now() - th);
      }
      if (run === COLD_RUNS - 1) {
        const fetches = r.server.output().split('\n').filter((l) => /"msg":"(downloaded object|read range of a cold object)"/.test(l)).map((l) => JSON.parse(l) as { key: string; bytes: number; ms: number; msg: string });
        for (const f of fetches) console.log(`  last cold run: ${f.msg === 'downloaded object' ? 'GET  ' : 'RANGE'} ${f.key} ${(f.bytes / 2 ** 20).toFixed(1)} MiB in ${f.ms} ms`);
      }
      lastDisk = dirBytes(path.join(r.server.dataDir, 'objects'));
      lastRss = rssBytes(r.server.pid);
      [lastStats] = (await sql.unsafe('SELECT * FROM tessera.cache_stats')) as unknown as Record<string, unknown>[];
      await sql.end();
      await r.server.stop();
    }
    const segs = Math.max(1, files!.segs);
    console.log(`start-up, empty data dir (catalog restored from the bucket, all data cold): p50 ${ms(median(starts))} to first SELECT 1 (database open p50 ${ms(median(opens))})`);
    console.log(`top-10, cold first touch (${COLD_RUNS} runs): p50 ${ms(median(cold))}, max ${ms(Math.max(...cold))}; ${segs} segments; per 100,000 vectors p50 ${ms(median(cold) / (N / 100_000))}`);
    console.log(`top-10, hot (${fmt(hot.length)} queries): p50 ${ms(pct(hot, 50))}, p99 ${ms(pct(hot, 99))}`);
    console.log(`local objects/ after the runs: ${(lastDisk / 2 ** 20).toFixed(1)} MiB (budget ${(cacheBytes / 2 ** 20).toFixed(1)} MiB); server RSS ${(lastRss / 2 ** 20).toFixed(0)} MiB`);
    console.log(`cache_stats of the last run: ${JSON.stringify(lastStats)}`);
  } finally {
    if (process.env.TESSERA_BENCH_KEEP === '1') {
      await s3.stop();
      console.log(`kept: data dir ${dataDir}, bucket dir ${s3.dir} (TESSERA_BENCH_KEEP=1)`);
    } else {
      fs.rmSync(dataDir, { recursive: true, force: true });
      await s3.dispose();
    }
  }
}

await main();
