/**
 * Bench: ingest rows/s into `(id bigint PRIMARY KEY, v <vec>, label text)` on Tessera
 * (`vector(128)`) and on a private real PostgreSQL 15 (`real[]`: no pgvector there), same
 * seeded data, both durable (Tessera fsyncs its WAL per commit; PostgreSQL runs with fsync,
 * synchronous_commit and full_page_writes on). Cases: COPY FROM STDIN (1 and 4 connections),
 * multi-row INSERT of 1,000 rows per statement, and prepared 1-row INSERT. Each run on a freshly
 * created table. The servers run side by side and take turns run by run (order alternating;
 * each waits until Tessera's background work after a run is done), so a machine whose speed
 * drifts affects both alike; prints medians and the median of the paired Tessera/PostgreSQL
 * ratios.
 * Usage: npm run bench:ingest -- [--runs 3] [--copy-rows 200000] [--batch-rows 50000] [--batch-size 1000]
 *          [--single-rows 5000] [--parallel-rows 50000] [--parallel 4] [--only postgres|tessera] [--pg-nosync]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { freePort } from '../test/support/free-port.ts';
import { postgresAvailable, startPostgres } from '../test/support/pg-cluster.ts';
import { startTessera } from '../test/support/tessera.ts';
import { fmt, median } from './stats.ts';
import { mulberry32 } from '../test/support/prng.ts';

const DIM = 128;
const SEED = 0x7e55e4a;
let chunkBytes = 1 << 20;
/** A COPY or statement that has not finished after this long is reported as hung. */
const OP_TIMEOUT_MS = 300_000;
const PG_BIN = process.env.TESSERA_PG_BIN ?? '/usr/lib/postgresql/15/bin';

/** One server under test: how to spell the vector column and its literals, and its connection string. */
interface Target {
  readonly name: string;
  readonly url: string;
  readonly vecType: string;
  readonly open: string;
  readonly close: string;
  /** Run `CHECKPOINT` (untimed) before each run, so every run starts from the same WAL state. */
  readonly checkpoint: boolean;
}

interface Server {
  readonly target: Target;
  stop(): Promise<void>;
  /** Resolves once the server has no background work left from the last run (its CPU idle). */
  quiet(): Promise<void>;
}

/** The data set: `vecs[i]` is row i's vector as comma-separated 6-significant-digit floats (no brackets). */
interface Data {
  readonly vecs: string[];
  readonly labels: string[];
}

function makeData(rows: number): Data {
  const rnd = mulberry32(SEED);
  const vecs: string[] = new Array(rows);
  const labels: string[] = new Array(rows);
  const parts: string[] = new Array(DIM);
  for (let i = 0; i < rows; i++) {
    for (let d = 0; d < DIM; d++) parts[d] = String(Number((rnd() * 2 - 1).toPrecision(6)));
    vecs[i] = parts.join(',');
    labels[i] = `doc ${i} ${Math.floor(rnd() * 1e9).toString(36)}`;
  }
  return { vecs, labels };
}

/** COPY text-format payload for rows [from, to), cut at row boundaries into chunks of ~1 MB. */
function copyChunks(t: Target, data: Data, from: number, to: number): Buffer[] {
  const chunks: Buffer[] = [];
  let buf: string[] = [];
  let size = 0;
  for (let i = from; i < to; i++) {
    const line = `${i}\t${t.open}${data.vecs[i]}${t.close}\t${data.labels[i]}\n`;
    buf.push(line);
    size += line.length;
    if (size >= chunkBytes) {
      chunks.push(Buffer.from(buf.join(''), 'utf8'));
      buf = [];
      size = 0;
    }
  }
  if (buf.length > 0) chunks.push(Buffer.from(buf.join(''), 'utf8'));
  return chunks;
}

/** Multi-row INSERT statements of `batch` rows each covering rows [0, rows). */
function insertStatements(t: Target, data: Data, rows: number, batch: number): string[] {
  const out: string[] = [];
  for (let start = 0; start < rows; start += batch) {
    const values: string[] = [];
    for (let i = start; i < Math.min(rows, start + batch); i++) values.push(`(${i},'${t.open}${data.vecs[i]}${t.close}','${data.labels[i]}')`);
    out.push(`INSERT INTO t (id, v, label) VALUES ${values.join(',')}`);
  }
  return out;
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${OP_TIMEOUT_MS / 1000} s`)), OP_TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Writes the chunks honouring backpressure, ends the stream and resolves on 'finish' (CommandComplete). */
function writeAll(w: Writable, chunks: readonly Buffer[]): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let i = 0;
    w.once('error', reject);
    w.once('finish', () => resolve());
    const pump = (): void => {
      while (i < chunks.length) {
        if (!w.write(chunks[i++]!)) {
          w.once('drain', pump);
          return;
        }
      }
      w.end();
    };
    pump();
  });
}

/**
 * fetch_types: false on both sides: postgres.js otherwise runs a pg_type self-JOIN at connect,
 * which Tessera rejects ("FROM item JoinExpr is not supported yet"); no array types are needed here.
 */
function connect(url: string): postgres.Sql {
  return postgres(url, { max: 1, fetch_types: false, onnotice: () => undefined, idle_timeout: 0, connect_timeout: 30 });
}

async function recreateTable(sql: postgres.Sql, t: Target): Promise<void> {
  await sql.unsafe('DROP TABLE IF EXISTS t');
  await sql.unsafe(`CREATE TABLE t (id bigint PRIMARY KEY, v ${t.vecType}, label text)`);
  if (t.checkpoint) await sql.unsafe('CHECKPOINT');
}

async function countRows(sql: postgres.Sql): Promise<number> {
  const [row] = await sql.unsafe<{ n: string }[]>('SELECT count(*) AS n FROM t');
  return Number(row!.n);
}

interface Case {
  readonly key: string;
  readonly title: string;
  readonly rows: number;
  /** Untimed preparation for one server (payloads); the returned function does one run and returns its timed seconds. */
  prepare(t: Target, data: Data): (sql: postgres.Sql) => Promise<number>;
}

function cases(o: { copyRows: number; batchRows: number; batchSize: number; singleRows: number; parallelRows: number; parallel: number }): Case[] {
  const list: Case[] = [];
  if (o.copyRows > 0) list.push({
    key: 'copy', title: `COPY FROM STDIN, 1 conn`, rows: o.copyRows,
    prepare(t, data) {
      const chunks = copyChunks(t, data, 0, o.copyRows);
      return async (sql) => {
        const start = performance.now();
        const w = await sql`COPY t (id, v, label) FROM STDIN`.writable();
        await withTimeout(writeAll(w, chunks), 'COPY');
        return (performance.now() - start) / 1000;
      };
    },
  });
  if (o.parallelRows > 0 && o.parallel > 1) list.push({
    key: 'copy-par', title: `COPY FROM STDIN, ${o.parallel} conns`, rows: o.parallelRows * o.parallel,
    prepare(t, data) {
      const parts = Array.from({ length: o.parallel }, (_, k) => copyChunks(t, data, k * o.parallelRows, (k + 1) * o.parallelRows));
      return async () => {
        const conns = parts.map(() => connect(t.url));
        try {
          // Connect all first so connection setup is not timed against the slower side.
          await Promise.all(conns.map((c) => c.unsafe('SELECT 1')));
          const start = performance.now();
          await Promise.all(conns.map(async (c, k) => {
            const w = await c`COPY t (id, v, label) FROM STDIN`.writable();
            await withTimeout(writeAll(w, parts[k]!), `COPY (conn ${k + 1})`);
          }));
          return (performance.now() - start) / 1000;
        } finally {
          await Promise.all(conns.map((c) => c.end({ timeout: 5 }).catch(() => undefined)));
        }
      };
    },
  });
  if (o.batchRows > 0) list.push({
    key: 'insert-batch', title: `INSERT ${o.batchSize.toLocaleString('en-US')} rows/stmt`, rows: o.batchRows,
    prepare(t, data) {
      const stmts = insertStatements(t, data, o.batchRows, o.batchSize);
      return async (sql) => {
        const start = performance.now();
        for (const s of stmts) await withTimeout(sql.unsafe(s), 'INSERT batch');
        return (performance.now() - start) / 1000;
      };
    },
  });
  if (o.singleRows > 0) list.push({
    key: 'insert-1', title: 'INSERT 1 row/stmt, prepared', rows: o.singleRows,
    prepare(t, data) {
      const params = Array.from({ length: o.singleRows }, (_, i) => [String(i), `${t.open}${data.vecs[i]}${t.close}`, data.labels[i]!]);
      return async (sql) => {
        const start = performance.now();
        for (const p of params) await withTimeout(sql.unsafe('INSERT INTO t (id, v, label) VALUES ($1, $2, $3)', p, { prepare: true }), 'INSERT');
        return (performance.now() - start) / 1000;
      };
    },
  });
  return list;
}

/**
 * Time budget of the concurrent-COPY case over all servers: it runs only when its estimated time
 * (from each server's 1-connection COPY rate) fits the budget, on every server or none.
 */
interface ParallelBudget {
  seconds: number;
  skipped: string | null;
}

/** One timed run of a case on one server, on a fresh table; its rows/s, or undefined (recorded in `problems`) when it failed. */
async function runOnce(t: Target, c: Case, run: (sql: postgres.Sql) => Promise<number>, r: number, last: boolean, data: Data, problems: string[]): Promise<number | undefined> {
  // A fresh connection per run: Tessera keeps a prepared INSERT bound to the dropped table's
  // OID ("relation with OID n does not exist") where PostgreSQL re-plans after the DDL.
  const sql = connect(t.url);
  try {
    await recreateTable(sql, t);
    const seconds = await run(sql);
    const n = await countRows(sql);
    if (n !== c.rows) throw new Error(`count(*) = ${n}, expected ${c.rows}`);
    console.error(`${t.name} ${c.key} run ${r + 1}: ${fmt(c.rows / seconds)} rows/s (${seconds.toFixed(2)} s)`);
    if (c.key === 'copy' && last) await spotCheck(sql, t, data, c.rows, problems);
    if (last) await sql.unsafe('DROP TABLE IF EXISTS t');
    return c.rows / seconds;
  } catch (e) {
    const msg = `${t.name} ${c.key} run ${r + 1}: ${(e as Error).message.split('\n')[0]}`;
    problems.push(msg);
    console.error(msg);
    return undefined;
  } finally {
    await sql.end({ timeout: 5 }).catch(() => undefined);
  }
}

/**
 * Runs every case `runs` times on every server, the servers taking turns run by run (the
 * order alternates), each left quiet before the next run. Returns rows/s per server, case and
 * run (NaN for a failed run), so runs pair up across servers.
 */
async function measure(servers: readonly Server[], data: Data, list: readonly Case[], runs: number, budget: ParallelBudget, problems: string[]): Promise<Map<string, Map<string, number[]>>> {
  const out = new Map(servers.map((s) => [s.target.name, new Map<string, number[]>()]));
  for (const c of list) {
    if (c.key === 'copy-par') {
      let estimate = 0;
      for (const s of servers) {
        const copyRate = medianOf((out.get(s.target.name)!.get('copy') ?? []).filter((x) => x === x));
        if (copyRate !== undefined) estimate += (runs * c.rows) / copyRate;
      }
      if (estimate > budget.seconds) {
        budget.skipped = `skipped: estimated ${estimate.toFixed(0)} s for ${runs} runs on all servers at their 1-conn COPY rates, over the --parallel-budget of ${budget.seconds.toFixed(0)} s`;
        console.error(`${c.key}: ${budget.skipped}`);
        continue;
      }
    }
    const runners = servers.map((s) => c.prepare(s.target, data));
    for (const s of servers) out.get(s.target.name)!.set(c.key, []);
    for (let r = 0; r < runs; r++) {
      const order = servers.map((_, i) => i);
      if (r % 2 === 1) order.reverse();
      for (const i of order) {
        const s = servers[i]!;
        await s.quiet();
        const rate = await runOnce(s.target, c, runners[i]!, r, r === runs - 1, data, problems);
        out.get(s.target.name)!.get(c.key)!.push(rate ?? NaN);
      }
    }
  }
  return out;
}

/** Waits (up to `limitMs`) until process `pid` uses under 5% of a core over 200 ms. */
async function cpuQuiet(pid: number, limitMs = 15_000): Promise<void> {
  const ticks = (): number => {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]);
  };
  const deadline = Date.now() + limitMs;
  try {
    for (let before = ticks(); Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 200));
      const now = ticks();
      if (now - before <= 1) return; // ≤ 10 ms of CPU (100 ticks/s) in 200 ms
      before = now;
    }
  } catch {
    // no /proc (not Linux): no wait
  }
}

/** After the COPY runs: a few stored vectors read back must equal what the other server stores. */
async function spotCheck(sql: postgres.Sql, t: Target, data: Data, rows: number, problems: string[]): Promise<void> {
  for (const id of [0, Math.floor(rows / 2), rows - 1]) {
    const got = await sql.unsafe<{ v: string; label: string }[]>(`SELECT v::text AS v, label FROM t WHERE id = ${id}`);
    const want = data.vecs[id]!.split(',').map(Number);
    const back = got[0]?.v.slice(1, -1).split(',').map(Number);
    const ok = back !== undefined && back.length === DIM && back.every((x, d) => Math.fround(x) === Math.fround(want[d]!)) && got[0]!.label === data.labels[id];
    if (!ok) problems.push(`${t.name}: row ${id} read back differs from what was sent: ${JSON.stringify(got[0])?.slice(0, 120)}`);
  }
}

/** Version string and the durability settings a server reports (or why it could not). */
async function describe(t: Target): Promise<{ version: string; settings: string }> {
  const sql = connect(t.url);
  try {
    const [v] = await sql.unsafe<{ version: string }[]>('SELECT version() AS version');
    const settings: string[] = [];
    for (const name of ['fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method']) {
      try {
        const [row] = await sql.unsafe<Record<string, string>[]>(`SHOW ${name}`);
        settings.push(`${name}=${Object.values(row!)[0]}`);
      } catch (e) {
        settings.push(`${name}=? (${(e as Error).message.split('\n')[0].replace(/ ".*"$/, '')})`);
      }
    }
    return { version: v!.version, settings: settings.join(', ') };
  } finally {
    await sql.end({ timeout: 5 }).catch(() => undefined);
  }
}

// --- a private PostgreSQL cluster with durability on (as test/support/pg-cluster.ts, minus fsync=off) ---

function asPgUser(): string[] {
  return process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
}

function runPg(argv: string[]): void {
  const full = [...asPgUser(), ...argv];
  const res = spawnSync(full[0]!, full.slice(1), { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`${argv.join(' ')} failed: ${res.stderr || res.stdout}`);
}

async function startDurablePostgres(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-pg-'));
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
  const dataDir = path.join(dir, 'data');
  try {
    runPg([path.join(PG_BIN, 'initdb'), '-D', dataDir, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C']);
    const port = await freePort();
    const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c TimeZone=UTC -c max_connections=100`;
    runPg([path.join(PG_BIN, 'pg_ctl'), '-D', dataDir, '-o', opts, '-l', path.join(dir, 'log'), '-w', 'start']);
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      async stop() {
        try {
          runPg([path.join(PG_BIN, 'pg_ctl'), '-D', dataDir, '-m', 'fast', '-w', 'stop']);
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** Median of the runs, or undefined when a case did not run. */
function medianOf(xs: readonly number[]): number | undefined {
  return xs.length === 0 ? undefined : median(xs);
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      'copy-rows': { type: 'string', default: '200000' },
      'batch-rows': { type: 'string', default: '50000' },
      'batch-size': { type: 'string', default: '1000' },
      'single-rows': { type: 'string', default: '5000' },
      'parallel-rows': { type: 'string', default: '50000' },
      parallel: { type: 'string', default: '4' },
      'parallel-budget': { type: 'string', default: '60' },
      'chunk-kb': { type: 'string', default: '1024' },
      only: { type: 'string' },
      'pg-nosync': { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  chunkBytes = Number(values['chunk-kb']) * 1024;
  const o = {
    copyRows: Number(values['copy-rows']),
    batchRows: Number(values['batch-rows']),
    batchSize: Number(values['batch-size']),
    singleRows: Number(values['single-rows']),
    parallelRows: Number(values['parallel-rows']),
    parallel: Number(values.parallel),
  };
  if (!(runs >= 1) || !(o.batchSize >= 1) || !(o.parallel >= 1) || ![o.copyRows, o.batchRows, o.singleRows, o.parallelRows].every((n) => Number.isInteger(n) && n >= 0)) {
    console.error('--runs, --batch-size and --parallel must be positive, row counts non-negative integers');
    return 2;
  }
  const want = (name: string): boolean => values.only === undefined || values.only === name;
  const list = cases(o);
  const totalRows = Math.max(o.copyRows, o.batchRows, o.singleRows, o.parallelRows * o.parallel);

  const t0 = performance.now();
  const data = makeData(totalRows);
  console.error(`data: ${totalRows.toLocaleString('en-US')} rows × ${DIM} floats generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const problems: string[] = [];
  const budget: ParallelBudget = { seconds: Number(values['parallel-budget']), skipped: null };
  const results = new Map<string, Map<string, number[]>>();
  const info: { name: string; version: string; settings: string }[] = [];
  const columns: string[] = [];

  const servers: Server[] = [];
  const start = async (name: string, launch: () => Promise<Server>): Promise<void> => {
    try {
      const server = await launch();
      servers.push(server); // stopped at the end even if describe() fails
      const d = await describe(server.target);
      info.push({ name, ...d });
      columns.push(name);
    } catch (e) {
      const msg = `${name} did not start: ${(e as Error).message.split('\n')[0]}`;
      problems.push(msg);
      console.error(msg);
    }
  };

  if (want('tessera')) {
    await start('tessera', async () => {
      // --fsync on explicitly (the default), so a TESSERA_FSYNC=off in the environment cannot leak in.
      const ts = await startTessera({ args: ['--fsync', 'on'] });
      return {
        target: { name: 'tessera', url: ts.url, vecType: `vector(${DIM})`, open: '[', close: ']', checkpoint: false },
        // The seal of the rows just written and the key index's flush run after a COPY's commit.
        quiet: () => cpuQuiet(ts.pid),
        stop: async () => {
          await ts.stop();
          const out = ts.output();
          const bad = out.split('\n').filter((l) => /"level":(50|60)|\bERROR\b|\bFATAL\b|Unhandled|uncaught/i.test(l));
          if (bad.length > 0) problems.push(`tessera logged ${bad.length} error line(s), first: ${bad[0]!.slice(0, 300)}`);
        },
      };
    });
  }

  if (want('postgres')) {
    if (postgresAvailable()) {
      // PostgreSQL's own background work is a CHECKPOINT, run (untimed) before each of its runs.
      await start('postgres', async () => {
        const pg = await startDurablePostgres();
        return { target: { name: 'postgres', url: pg.url, vecType: 'real[]', open: '{', close: '}', checkpoint: true }, stop: pg.stop, quiet: async () => {} };
      });
      if (values['pg-nosync']) {
        await start('pg-nosync', async () => {
          const pg = await startPostgres();
          return { target: { name: 'pg-nosync', url: pg.url, vecType: 'real[]', open: '{', close: '}', checkpoint: true }, stop: pg.stop, quiet: async () => {} };
        });
      }
    } else {
      console.error('PostgreSQL 15 not installed: skipping it');
    }
  }
  try {
    for (const [name, byCase] of await measure(servers, data, list, runs, budget, problems)) results.set(name, byCase);
  } catch (e) {
    const msg = `measure: ${(e as Error).message.split('\n')[0]}`;
    problems.push(msg);
    console.error(msg);
  } finally {
    for (const s of servers) await s.stop().catch((e: Error) => { problems.push(`${s.target.name} stop: ${e.message.split('\n')[0]}`); });
  }
  console.log(`\ningest — median rows/s of ${runs} runs, fresh table each run: (id bigint PRIMARY KEY, v <vec>, label text), ${DIM} dims, seeded data`);
  console.log('  the servers take turns run by run (order alternating); tessera/postgres is the median of the paired runs\' ratios (each run\'s in brackets)');
  console.log(`  <vec> is vector(${DIM}) on Tessera ('[..]' text) and real[] on PostgreSQL ('{..}' text; no pgvector on this machine)`);
  console.log(`  node ${process.version}; ${os.cpus().length} cores`);
  for (const i of info) {
    console.log(`  ${i.name}: ${i.version}\n    ${i.settings}`);
    if (i.name === 'tessera') console.log('    (started with --fsync on: COMMIT is acknowledged only after the WAL fsync)');
  }
  if (columns.includes('postgres')) console.log('  PostgreSQL: own initdb cluster, defaults + fsync/synchronous_commit/full_page_writes on; CHECKPOINT (untimed) before each run');
  console.log('');

  columns.sort((a, b) => ['postgres', 'pg-nosync', 'tessera'].indexOf(a) - ['postgres', 'pg-nosync', 'tessera'].indexOf(b));
  const ratioOf = columns.includes('postgres') && columns.includes('tessera');
  const header = ['case', 'rows', ...columns, ...(ratioOf ? ['tessera/postgres'] : [])];
  const rows = [header];
  for (const c of list) {
    const meds = columns.map((name) => medianOf((results.get(name)?.get(c.key) ?? []).filter((x) => x === x)));
    const row = [c.title, c.rows.toLocaleString('en-US'), ...meds.map(fmt)];
    if (ratioOf) {
      const p = results.get('postgres')?.get(c.key) ?? [];
      const t = results.get('tessera')?.get(c.key) ?? [];
      const paired = t.map((x, i) => x / p[i]!).filter((x) => x === x);
      row.push(paired.length === 0 ? 'n/a' : `${median(paired).toFixed(2)} [${paired.map((x) => x.toFixed(2)).join(' ')}]`);
    }
    rows.push(row);
  }
  const skippedNote = budget.skipped !== null && list.some((c) => c.key === 'copy-par') ? `\n(${list.find((c) => c.key === 'copy-par')!.title}: ${budget.skipped}; force it with --parallel-budget 1e9)` : '';
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   '));
  if (skippedNote) console.log(skippedNote);
  console.log(`\ntotal ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  if (problems.length > 0) {
    console.log('\nproblems:');
    for (const p of problems) console.log(`  - ${p}`);
  }
  return problems.length === 0 ? 0 : 1;
}

process.exitCode = await main();
// The Tessera child's stdio handles can keep the event loop alive for ~10 s after stop(); don't wait for them.
process.exit();
