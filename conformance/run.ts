/**
 * Conformance CLI: `tsx conformance/run.ts [--against tessera|postgres] [--rewrite] [paths…]`.
 * Checks `.test` files against Tessera (default) or the real PostgreSQL oracle, or rewrites
 * their expectations from the oracle. Prints per-file PASS/FAIL with file:line diffs and ends
 * with exactly `N passed, N failed`; exits 1 on any failure, 2 on bad usage.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { findTestFiles, formatFileResult, runTestPath } from './runner.ts';
import { createPostgresTarget, createTesseraTarget, type Target } from './targets.ts';

const USAGE = `usage: tsx conformance/run.ts [options] [file.test | dir]...

  --against tessera|postgres   server to check (default tessera)
  --rewrite                    regenerate expected blocks, type codes and SQLSTATEs in place
                               from the real PostgreSQL (implies --against postgres)
  --pg-url URL                 use this PostgreSQL instead of a private throw-away cluster
  --server-arg ARG             extra flag for the Tessera server (repeatable)
  --timeout MS                 per-record timeout (default 30000)
  --jobs N                     run N files at once (default 1); output stays in file order
  -h, --help

With no paths, runs every .test file under conformance/.`;

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        against: { type: 'string', default: 'tessera' },
        rewrite: { type: 'boolean', default: false },
        'pg-url': { type: 'string' },
        'server-arg': { type: 'string', multiple: true, default: [] },
        timeout: { type: 'string' },
        jobs: { type: 'string', default: '1' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    console.error(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) { console.log(USAGE); return 0; }
  let against = values.against;
  if (values.rewrite) {
    if (process.argv.includes('--against') && against !== 'postgres') {
      console.error('--rewrite only works against the PostgreSQL oracle');
      return 2;
    }
    against = 'postgres';
  }
  if (against !== 'tessera' && against !== 'postgres') {
    console.error(`--against must be tessera or postgres, not "${against}"`);
    return 2;
  }
  const recordTimeoutMs = values.timeout !== undefined ? Number(values.timeout) : undefined;
  if (recordTimeoutMs !== undefined && !(recordTimeoutMs > 0)) {
    console.error('--timeout must be a positive number of milliseconds');
    return 2;
  }

  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    console.error('--jobs must be a positive integer');
    return 2;
  }

  const defaultDir = path.dirname(fileURLToPath(import.meta.url));
  let files: string[];
  try {
    files = findTestFiles(positionals.length > 0 ? positionals : [defaultDir]);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  if (files.length === 0) {
    console.error('no .test files found');
    return 2;
  }

  const target: Target = against === 'postgres'
    ? createPostgresTarget({ url: values['pg-url'] })
    : createTesseraTarget({ args: values['server-arg'] });

  let passed = 0;
  let failed = 0;
  let rewritten = 0;
  try {
    // Up to `jobs` files run at once; results are printed in file order.
    const limit = limiter(jobs);
    const results = files.map((file) => limit(() => runTestPath(file, target, { rewrite: values.rewrite, recordTimeoutMs })));
    for (const r of results) r.catch(() => undefined); // awaited below, in order
    for (const r of results) {
      const result = await r;
      passed += result.passed;
      failed += result.failed;
      rewritten += result.rewritten;
      console.log(formatFileResult(result));
    }
  } finally {
    await target.close();
  }
  if (values.rewrite) console.log(`${rewritten} records rewritten from PostgreSQL; review with git diff`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

/** Runs at most `n` of the given tasks at a time, in call order. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (task) => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const next = queue.shift();
      if (next) next(); // hand the slot over directly
      else active--;
    }
  };
}

process.exitCode = await main();
