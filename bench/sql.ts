/**
 * Bench: everyday SQL on a 1,000,000-row table, Tessera beside a private PostgreSQL 15 with
 * the same seeded rows — a filtered count, a GROUP BY over a low-cardinality column, a point
 * lookup by primary key, and a top-10 ORDER BY on a column. Every query is a prepared
 * statement over the wire (postgres.js), run `--reps` times after as many warm-up runs;
 * prints each median latency, p99 and the Tessera/PostgreSQL ratio (> 1 = Tessera slower).
 * Results are compared between the two servers first (the bench refuses to time wrong answers).
 * Usage: npx tsx bench/sql.ts [--rows 1000000] [--reps 30] [--only postgres|tessera]
 */
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { postgresAvailable, startPostgres } from '../test/support/pg-cluster.ts';
import { startTessera } from '../test/support/tessera.ts';
import { fmt, median } from './stats.ts';
import { mulberry32 } from '../test/support/prng.ts';

const { values: args } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, reps: { type: 'string', default: '30' }, only: { type: 'string' } },
});
const ROWS = Number(args.rows);
const REPS = Number(args.reps);
const CATEGORIES = 16;

/** COPY text lines for the seeded rows: id, cat (0..15), val, name. */
function* copyChunks(): Generator<string> {
  const rnd = mulberry32(42);
  let buf = '';
  for (let i = 1; i <= ROWS; i++) {
    const cat = Math.floor(rnd() * CATEGORIES);
    const val = Math.round(rnd() * 1e6) / 100;
    buf += `${i}\t${cat}\t${val}\tname-${(i * 7919) % 100003}\n`;
    if (buf.length > 1 << 20) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

interface Query {
  readonly name: string;
  readonly sql: string;
  readonly params: (i: number) => (string | number)[];
}

const QUERIES: readonly Query[] = [
  { name: 'filtered count (cat = $1)', sql: 'SELECT count(*) FROM bench_rows WHERE cat = $1', params: (i) => [i % CATEGORIES] },
  { name: 'GROUP BY cat (16 groups)', sql: 'SELECT cat, count(*), avg(val) FROM bench_rows GROUP BY cat ORDER BY cat', params: () => [] },
  { name: 'point lookup by PK', sql: 'SELECT id, cat, val, name FROM bench_rows WHERE id = $1', params: (i) => [1 + ((i * 104729) % ROWS)] },
  { name: 'top-10 ORDER BY val', sql: 'SELECT id, val FROM bench_rows ORDER BY val DESC, id LIMIT 10', params: () => [] },
];

async function load(sql: postgres.Sql): Promise<number> {
  await sql.unsafe('DROP TABLE IF EXISTS bench_rows');
  await sql.unsafe('CREATE TABLE bench_rows (id bigint PRIMARY KEY, cat integer NOT NULL, val double precision, name text)');
  const started = performance.now();
  const stream = await sql.unsafe('COPY bench_rows FROM STDIN').writable();
  for (const chunk of copyChunks()) {
    if (!stream.write(chunk)) await new Promise((r) => stream.once('drain', r));
  }
  await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return performance.now() - started;
}

async function time(sql: postgres.Sql, q: Query): Promise<{ ms: number[]; first: unknown }> {
  const ms: number[] = [];
  let first: unknown;
  // Warm-up as long as the timed runs: JIT, first touch of each segment's columns, plan caches.
  for (let i = -REPS; i < REPS; i++) {
    const t0 = performance.now();
    const rows = await sql.unsafe(q.sql, q.params(i < 0 ? REPS - i : i), { prepare: true });
    const dt = performance.now() - t0;
    if (i === 0) first = rows.map((r) => ({ ...r }));
    if (i >= 0) ms.push(dt);
  }
  return { ms, first };
}

/**
 * Equal results, floats within 1e-12 relative: a float sum depends on the order rows are
 * added in (PostgreSQL's parallel aggregation and Tessera's segment order both vary it).
 */
function sameResult(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameResult(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => sameResult((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
  }
  return a === b;
}

const p99 = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;

async function runTarget(name: string, url: string): Promise<Map<string, { ms: number[]; first: unknown }>> {
  const sql = postgres(url, { max: 1, onnotice: () => {}, fetch_types: false });
  try {
    const loadMs = await load(sql);
    console.log(`${name}: loaded ${fmt(ROWS)} rows by COPY in ${(loadMs / 1000).toFixed(1)} s (${fmt(ROWS / (loadMs / 1000))} rows/s)`);
    if (name === 'postgres') await sql.unsafe('VACUUM ANALYZE bench_rows');
    else await sql.unsafe('VACUUM bench_rows');
    const out = new Map<string, { ms: number[]; first: unknown }>();
    for (const q of QUERIES) out.set(q.name, await time(sql, q));
    return out;
  } finally {
    await sql.end();
  }
}

async function main(): Promise<number> {
  const results = new Map<string, Map<string, { ms: number[]; first: unknown }>>();
  if (args.only !== 'postgres') {
    const ts = await startTessera({ args: ['--fsync', 'off'] });
    try {
      results.set('tessera', await runTarget('tessera', ts.url));
    } finally {
      await ts.stop();
    }
  }
  if (args.only !== 'tessera' && postgresAvailable()) {
    const pg = await startPostgres();
    try {
      results.set('postgres', await runTarget('postgres', pg.url));
    } finally {
      await pg.stop();
    }
  }
  const ts = results.get('tessera');
  const pg = results.get('postgres');
  let wrong = 0;
  console.log(`\n${fmt(ROWS)} rows, ${REPS} timed runs per query (prepared, 1 connection); latency in ms`);
  console.log('query'.padEnd(30) + 'tessera p50   p99'.padStart(20) + 'postgres p50   p99'.padStart(22) + 'ratio'.padStart(9));
  for (const q of QUERIES) {
    const t = ts?.get(q.name);
    const p = pg?.get(q.name);
    if (t && p && !sameResult(t.first, p.first)) {
      wrong++;
      console.log(`  ${q.name}: results differ!\n    tessera:  ${JSON.stringify(t.first)}\n    postgres: ${JSON.stringify(p.first)}`);
    }
    const f = (x: number | undefined): string => (x === undefined ? 'n/a' : x.toFixed(2));
    const tm = t ? median(t.ms) : undefined;
    const pm = p ? median(p.ms) : undefined;
    console.log(
      q.name.padEnd(30) +
        `${f(tm)} ${f(t ? p99(t.ms) : undefined)}`.padStart(20) +
        `${f(pm)} ${f(p ? p99(p.ms) : undefined)}`.padStart(22) +
        (tm !== undefined && pm !== undefined ? (tm / pm).toFixed(2) : 'n/a').padStart(9),
    );
  }
  return wrong === 0 ? 0 : 1;
}

process.exitCode = await main();
