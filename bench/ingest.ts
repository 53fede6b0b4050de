/**
 * Bench: ingest rows/s into `(id bigint PRIMARY KEY, v <vec>, label text)` on Tessera
 * (`vector(128)`) and on a private real PostgreSQL 15 (`real[]`: no pgvector there), same
 * seeded data, both durable (Tessera fsyncs its WAL per commit; PostgreSQL runs with fsync,
 * synchronous_commit and full_page_writes on). Cases: COPY FROM STDIN (1 and 4 connections),
 * multi-row INSERT of 1,000 rows per statement, and prepared 1-row INSERT. Each run on a freshly
 * created table; prints medians and the Tessera/PostgreSQL ratio.
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
 * Time budget of the concurrent-COPY case over all servers: it runs only while its estimated time
 * (from the server's 1-connection COPY rate) fits the remaining budget; once skipped, skipped everywhere.
 */
interface ParallelBudget {
  remainingSeconds: number;
  skipped: string | null;
}

/** Runs every case `runs` times on one server; returns rows/s per run, keyed by case. Also checks counts. */
async function measure(t: Target, data: Data, list: readonly Case[], runs: number, budget: ParallelBudget, problems: string[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  for (const c of list) {
    if (c.key === 'copy-par') {
      const copyRate = medianOf(out.get('copy') ?? []);
      const estimate = copyRate === undefined ? 0 : (runs * c.rows) / copyRate;
      if (budget.skipped === null && estimate > budget.remainingSeconds) {
        budget.skipped = `skipped: ${t.name} estimated ${estimate.toFixed(0)} s for ${runs} runs at its 1-conn COPY rate, over the ${budget.remainingSeconds.toFixed(0)} s left of --parallel-budget`;
      }
      if (budget.skipped !== null) {
        console.error(`${t.name} ${c.key}: ${budget.skipped}`);
        continue;
      }
    }
    const caseStart = performance.now();
    const run = c.prepare(t, data);
    const rates: number[] = [];
    for (let r = 0; r < runs; r++) {
      // A fresh connection per run: Tessera keeps a prepared INSERT bound to the dropped table's
      // OID ("relation with OID n does not exist") where PostgreSQL re-plans after the DDL.
      const sql = connect(t.url);
      try {
        await recreateTable(sql, t);
        const seconds = await run(sql);
        const n = await countRows(sql);
        if (n !== c.rows) throw new Error(`count(*) = ${n}, expected ${c.rows}`);
        rates.push(c.rows / seconds);
        console.error(`${t.name} ${c.key} run ${r + 1}: ${fmt(c.rows / seconds)} rows/s (${seconds.toFixed(2)} s)`);
        if (c.key === 'copy' && r === runs - 1) await spotCheck(sql, t, data, c.rows, problems);
        if (r === runs - 1) await sql.unsafe('DROP TABLE IF EXISTS t');
      } catch (e) {
        const msg = `${t.name} ${c.key} run ${r + 1}: ${(e as Error).message.split('\n')[0]}`;
        problems.push(msg);
        console.error(msg);
      } finally {
        await sql.end({ timeout: 5 }).catch(() => undefined);
      }
    }
    out.set(c.key, rates);
    if (c.key === 'copy-par') budget.remainingSeconds -= (performance.now() - caseStart) / 1000;
  }
  return out;
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
  const budget: ParallelBudget = { remainingSeconds: Number(values['parallel-budget']), skipped: null };
  const results = new Map<string, Map<string, number[]>>();
  const info: { name: string; version: string; settings: string }[] = [];
  const columns: string[] = [];

  const bench = async (name: string, start: () => Promise<Server>): Promise<void> => {
    let server: Server;
    try {
      server = await start();
    } catch (e) {
      const msg = `${name} did not start: ${(e as Error).message.split('\n')[0]}`;
      problems.push(msg);
      console.error(msg);
      return;
    }
    try {
      const d = await describe(server.target);
      info.push({ name, ...d });
      results.set(name, await measure(server.target, data, list, runs, budget, problems));
    } catch (e) {
      const msg = `${name}: ${(e as Error).message.split('\n')[0]}`;
      problems.push(msg);
      console.error(msg);
    } finally {
      await server.stop().catch((e: Error) => { problems.push(`${name} stop: ${e.message.split('\n')[0]}`); });
    }
  };

  if (want('tessera')) {
    columns.push('tessera');
    await bench('tessera', async () => {
      // --fsync on explicitly (the default), so a TESSERA_FSYNC=off in the environment cannot leak in.
      const ts = await startTessera({ args: ['--fsync', 'on'] });
      return {
        target: { name: 'tessera', url: ts.url, vecType: `vector(${DIM})`, open: '[', close: ']', checkpoint: false },
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
      columns.push('postgres');
      await bench('postgres', async () => {
        const pg = await startDurablePostgres();
        return { target: { name: 'postgres', url: pg.url, vecType: 'real[]', open: '{', close: '}', checkpoint: true }, stop: pg.stop };
      });
      if (values['pg-nosync']) {
        columns.push('pg-nosync');
        await bench('pg-nosync', async () => {
          const pg = await startPostgres();
          return { target: { name: 'pg-nosync', url: pg.url, vecType: 'real[]', open: '{', close: '}', checkpoint: true }, stop: pg.stop };
        });
      }
    } else {
      console.error('PostgreSQL 15 not installed: skipping it');
    }
  }
  console.log(`\ningest — median rows/s of ${runs} runs, fresh table each run: (id bigint PRIMARY KEY, v <vec>, label text), ${DIM} dims, seeded data`);
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
    const meds = columns.map((name) => medianOf(results.get(name)?.get(c.key) ?? []));
    const row = [c.title, c.rows.toLocaleString('en-US'), ...meds.map(fmt)];
    if (ratioOf) {
      const p = meds[columns.indexOf('postgres')];
      const t = meds[columns.indexOf('tessera')];
      row.push(p !== undefined && t !== undefined ? (t / p).toFixed(2) : 'n/a');
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
