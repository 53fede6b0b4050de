/**
 * Runs every conformance/<area>/<topic>.test file through the wire, one test() per file:
 * against the real PostgreSQL 15 oracle (proving the expectations are PostgreSQL's) and
 * against Tessera (a fresh server per file). Both must pass.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { findTestFiles, formatFileResult, runTestPath } from '../conformance/runner.ts';
import { createPostgresTarget, createTesseraTarget } from '../conformance/targets.ts';
import { postgresAvailable } from './support/pg-cluster.ts';
import { REPO_ROOT } from './support/tessera.ts';

const files = findTestFiles([path.join(REPO_ROOT, 'conformance')]);
const postgres = createPostgresTarget();
const tessera = createTesseraTarget();
const havePostgres = postgresAvailable();

describe('conformance', { concurrency: 2 }, () => {
  after(async () => {
    await postgres.close();
    await tessera.close();
  });

  for (const file of files) {
    test(path.relative(REPO_ROOT, file), async (t) => {
      const reports: string[] = [];
      // Sequential on purpose: the oracle's database and Tessera's process are per file anyway,
      // and reports stay in a stable order.
      if (havePostgres) {
        const oracle = await runTestPath(file, postgres);
        if (oracle.failed > 0) reports.push(formatFileResult(oracle, REPO_ROOT));
      } else {
        t.diagnostic('PostgreSQL 15 not installed: oracle run skipped');
      }
      const ours = await runTestPath(file, tessera);
      if (ours.failed > 0) reports.push(formatFileResult(ours, REPO_ROOT));
      assert.equal(reports.length, 0, '\n' + reports.join('\n'));
    });
  }
});
