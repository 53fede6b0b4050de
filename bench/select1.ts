/**
 * Bench: round trips per second of a prepared `SELECT 1` (pg named statement, sequential awaits
 * per connection) against a private real PostgreSQL 15 and against Tessera, on 1 and on 8
 * concurrent connections. Prints medians of timed runs and the Tessera/PostgreSQL ratio.
 * Usage: npm run bench:select1 -- [--seconds 2] [--runs 5] [--warmup 1] [--concurrency 8] [--only postgres|tessera]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { postgresAvailable, startPostgres, type PgCluster } from '../test/support/pg-cluster.ts';
import { startTessera, type TesseraServer } from '../test/support/tessera.ts';
import { fmt, median } from './stats.ts';

const ONE: pg.QueryConfig = { name: 'one', text: 'SELECT 1' };

/** Round trips/s for each timed run. */
type RunRates = number[];

/** Measures `runs` timed runs of `seconds` each on `connections` clients, after a warm-up. */
async function measure(url: string, connections: number, runs: number, seconds: number, warmupSeconds: number): Promise<RunRates> {
  const clients = await Promise.all(Array.from({ length: connections }, async () => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(ONE); // Parse once; later calls only Bind/Execute.
    return c;
  }));
  try {
    const loop = async (c: pg.Client, deadline: number): Promise<number> => {
      let n = 0;
      while (performance.now() < deadline) {
        await c.query(ONE);
        n++;
      }
      return n;
    };
    const timed = async (durationSeconds: number): Promise<number> => {
      const start = performance.now();
      const deadline = start + durationSeconds * 1000;
      const counts = await Promise.all(clients.map((c) => loop(c, deadline)));
      const elapsedSeconds = (performance.now() - start) / 1000;
      return counts.reduce((a, b) => a + b, 0) / elapsedSeconds;
    };
    if (warmupSeconds > 0) await timed(warmupSeconds);
    const rates: RunRates = [];
    for (let i = 0; i < runs; i++) rates.push(await timed(seconds));
    return rates;
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '2' },
      runs: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      concurrency: { type: 'string', default: '8' },
      only: { type: 'string' },
    },
  });
  const seconds = Number(values.seconds);
  const runs = Number(values.runs);
  const warmup = Number(values.warmup);
  const concurrency = Number(values.concurrency);
  if (!(seconds > 0) || !(runs >= 1) || !(warmup >= 0) || !(concurrency >= 1)) {
    console.error('--seconds, --runs and --concurrency must be positive, --warmup non-negative');
    return 2;
  }
  const want = (name: string): boolean => values.only === undefined || values.only === name;

  let cluster: PgCluster | null = null;
  let tessera: TesseraServer | null = null;
  const servers: { name: string; url: string }[] = [];
  try {
    if (want('postgres')) {
      if (postgresAvailable()) {
        cluster = await startPostgres();
        servers.push({ name: 'postgres', url: cluster.url });
      } else {
        console.error('PostgreSQL 15 not installed: skipping it');
      }
    }
    if (want('tessera')) {
      try {
        tessera = await startTessera();
        servers.push({ name: 'tessera', url: tessera.url });
      } catch (e) {
        console.error(`Tessera did not start: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    const levels = concurrency === 1 ? [1] : [1, concurrency];
    const medians = new Map<string, number>();
    for (const level of levels) {
      for (const s of servers) {
        const rates = await measure(s.url, level, runs, seconds, warmup);
        medians.set(`${s.name}/${level}`, median(rates));
        console.error(`${s.name} × ${level}: ${rates.map((r) => fmt(r)).join(', ')} round trips/s`);
      }
    }

    console.log(`\nprepared SELECT 1 — median round trips/s of ${runs} runs × ${seconds} s (after ${warmup} s warm-up)\n`);
    const rows = [['connections', 'postgres', 'tessera', 'tessera/postgres']];
    for (const level of levels) {
      const p = medians.get(`postgres/${level}`);
      const t = medians.get(`tessera/${level}`);
      rows.push([String(level), fmt(p), fmt(t), p !== undefined && t !== undefined ? (t / p).toFixed(2) : 'n/a']);
    }
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('   '));
    return servers.length > 0 ? 0 : 1;
  } finally {
    if (tessera) await tessera.stop().catch((e: Error) => console.error(e.message));
    if (cluster) await cluster.stop();
  }
}

process.exitCode = await main();
