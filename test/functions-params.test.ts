/**
 * Differential test of the function library with bound parameters (extended protocol): each
 * query runs against a private PostgreSQL 15 and against Tessera through node-postgres, and
 * the results (values as text, result type OIDs) or the error SQLSTATEs must be identical.
 * This covers what the conformance files cannot: parameter type inference through
 * polymorphic (anyelement / anyarray / anycompatible) and variadic "any" functions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { postgresAvailable, startPostgres, type PgCluster } from './support/pg-cluster.ts';
import { startTessera, type TesseraServer } from './support/tessera.ts';

const RAW: pg.CustomTypesConfig = {
  getTypeParser: (() => (value: string) => value) as unknown as pg.CustomTypesConfig['getTypeParser'],
};

/** [sql, params] pairs; parameters travel as text, untyped unless the SQL casts them. */
const CASES: [string, unknown[]][] = [
  ['SELECT concat($1::text, $2::int, $3)', ['a', 1, 'z']],
  ['SELECT concat_ws($1, $2, $3)', ['-', 'x', null]],
  ["SELECT format('%s|%I|%L', $1::text, $2::text, $3::int)", ['v', 'My Col', 7]],
  ['SELECT lpad($1, $2, $3)', ['7', 3, '0']],
  ['SELECT substring($1 from $2 for $3)', ['abcdef', 2, 3]],
  ['SELECT split_part($1, $2, $3)', ['a,b,c', ',', -1]],
  ['SELECT $1 || $2', ['ab', 'cd']],
  ["SELECT $1 ~ 'b+'", ['abbb']],
  ['SELECT array_length($1::int[], 1), cardinality($1::int[])', ['{1,2,3}']],
  ['SELECT array_append($1, 4)', ['{1,2,3}']],
  ['SELECT array_prepend($1::int, ARRAY[2])', [1]],
  ['SELECT array_position(ARRAY[10, 20, 30], $1)', [20]],
  ['SELECT $1::int[] @> ARRAY[2]', ['{1,2}']],
  ['SELECT ARRAY[1, 2] || $1', ['{3,4}']],
  ['SELECT (ARRAY[10, 20, 30])[$1]', [2]],
  ["SELECT $1::jsonb -> 'a', $1::jsonb ->> 'b'", ['{"a": [1], "b": "x"}']],
  ['SELECT $1::jsonb @> $2', ['{"a": 1, "b": 2}', '{"a": 1}']],
  ["SELECT jsonb_set($1, '{a}', $2)", ['{"a": 1}', '[2]']],
  ['SELECT jsonb_build_object($1::text, $2::int)', ['k', 5]],
  ['SELECT jsonb_build_object($1, 1)', ['k']],
  ['SELECT to_jsonb($1::text)', ['q"uote']],
  ['SELECT round($1::numeric, $2), trunc($1::numeric, $2)', ['3.14159', 3]],
  ['SELECT power($1, $2), sqrt($1)', [2, 10]],
  ['SELECT mod($1, $2), div($1, $2)', [17, 5]],
  ['SELECT width_bucket($1, 0, 100, 10)', [55]],
  ["SELECT date_trunc('month', $1::timestamp), extract(year from $1::timestamp)", ['2024-05-17 10:00']],
  ['SELECT $1::date + $2', ['2024-02-28', 2]],
  ['SELECT $1::timestamp + $2::interval', ['2024-01-31 00:00', '1 month']],
  ["SELECT to_char($1::timestamp, 'YYYY-MM-DD HH24:MI')", ['2024-05-17 10:00']],
  ['SELECT make_date($1, $2, $3)', [2024, 2, 29]],
  ['SELECT age($1::timestamp, $2::timestamp)', ['2024-03-01', '2023-01-15']],
  ['SELECT num_nulls($1::int, $2::text)', [null, 'x']],
  ['SELECT coalesce($1::int, $2)', [null, 9]],
  ['SELECT greatest($1::int, $2, $3)', [3, 9, 4]],
  ['SELECT string_agg(x, $1 ORDER BY x DESC) FROM unnest(ARRAY[$2, $3]) AS x', [';', 'a', 'b']],
  ['SELECT array_agg(x) FILTER (WHERE x > $1) FROM unnest(ARRAY[1, 5, 9]) AS x', [4]],
  ["SELECT chr($1), ascii($2)", [65, 'A']],
  ['SELECT decode($1, $2)', ['68656c6c6f', 'hex']],
  ['SELECT length($1)', [null]],
];

interface Outcome {
  readonly rows?: string;
  readonly types?: number[];
  readonly code?: string;
}

async function runOn(url: string, sql: string, params: unknown[]): Promise<Outcome> {
  const c = new pg.Client({ connectionString: url, types: RAW });
  await c.connect();
  try {
    const r = await c.query({ text: sql, values: params.map((p) => (p === null ? null : String(p))) });
    return { rows: JSON.stringify(r.rows.map((row) => Object.values(row))), types: r.fields.map((f) => f.dataTypeID) };
  } catch (err) {
    return { code: (err as { code?: string }).code ?? String(err) };
  } finally {
    await c.end();
  }
}

describe('function calls with parameters match PostgreSQL 15', { skip: !postgresAvailable() && 'PostgreSQL 15 binaries not found' }, () => {
  let oracle: PgCluster;
  let tessera: TesseraServer;
  before(async () => {
    [oracle, tessera] = await Promise.all([startPostgres(), startTessera()]);
  });
  after(async () => {
    await Promise.all([oracle?.stop(), tessera?.stop()]);
  });
  for (const [sql, params] of CASES) {
    test(sql, async () => {
      const expected = await runOn(oracle.url, sql, params);
      const actual = await runOn(tessera.url, sql, params);
      assert.deepEqual(actual, expected);
    });
  }
});
