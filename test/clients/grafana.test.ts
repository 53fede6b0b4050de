/**
 * Client test: Grafana's PostgreSQL datasource, replayed. Grafana's backend (Go, pgx / lib/pq)
 * sends panel queries and health checks in simple-query mode, replayed with node-pg without parameters (one
 * Query message per statement). Query texts are Grafana's own: the health checks (an empty
 * query, lib/pq's `;` ping, pgx's `-- ping`), the config page's version and TimescaleDB probes
 * (postgresMetaQuery.ts getVersion / getTimescaleDBVersion), the query editor's schema, table
 * and column pickers (showSchemas / showTables / getSchema with its search_path constraint over
 * generate_series, string_to_array, parse_ident and quote_ident), template-variable queries, and
 * panel queries as the backend's macro engine expands them ($__timeFilter, $__timeGroupAlias,
 * $__time, $__timeEpoch, $__unixEpochFilter, $__timeFrom/$__timeTo) plus the visual builder's
 * table-query shapes; its own backend test data (testdata/*.sql: types, multi-statement queries,
 * SET TIME ZONE -7); and the backend schema handler (schema.go), which pgx sends through the
 * extended protocol with parameters. Transcripts must equal PostgreSQL 15's; the vector part (a pgvector
 * column with an hnsw index in the pickers and a nearest-neighbour panel query) runs on Tessera
 * alone, checked against brute force and pgvector's catalog answers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { assertSameAsPostgres, makeVectors, nearestL2, plain, startServers, type Servers } from './support.ts';

/** Grafana's picker queries (postgresMetaQuery.ts), with its search_path schema constraint. */
const schemaConstraint = `
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )`;

const showSchemas = `SELECT schema_name AS "name"
    FROM information_schema.schemata
    WHERE schema_name NOT IN ('information_schema',
                              'pg_catalog',
                              'pg_toast',
                              '_timescaledb_cache',
                              '_timescaledb_catalog',
                              '_timescaledb_internal',
                              '_timescaledb_config',
                              'timescaledb_information',
                              'timescaledb_experimental')
    ORDER BY schema_name`;

const showTablesOf = (schema: string): string => `SELECT quote_ident(table_name) AS "table"
      FROM information_schema.tables
      WHERE quote_ident(table_schema) = '${schema.replace(/'/g, "''")}'
      ORDER BY 1`;

const showTables = `SELECT
    CASE WHEN ${schemaConstraint}
      THEN quote_ident(table_name)
      ELSE quote_ident(table_schema) || '.' || quote_ident(table_name)
    END AS "table"
    FROM information_schema.tables
    WHERE quote_ident(table_schema) NOT IN ('information_schema',
                             'pg_catalog',
                             '_timescaledb_cache',
                             '_timescaledb_catalog',
                             '_timescaledb_internal',
                             '_timescaledb_config',
                             'timescaledb_information',
                             'timescaledb_experimental')
    ORDER BY CASE WHEN ${schemaConstraint} THEN 0 ELSE 1 END, 1`;

const getSchema = (table: string): string => {
  const t = `'${table.replace(/'/g, "''")}'`;
  return `SELECT quote_ident(column_name) AS "column", data_type AS "type"
    FROM information_schema.columns
    WHERE
      CASE WHEN array_length(parse_ident(${t}),1) = 2
        THEN quote_ident(table_schema) = (parse_ident(${t}))[1]
          AND quote_ident(table_name) = (parse_ident(${t}))[2]
        ELSE quote_ident(table_name) = ${t}
          AND ${schemaConstraint}
      END`;
};

// The backend's macro expansions for a dashboard range 2026-01-01T00:00:00Z .. 2026-01-01T06:00:00Z.
const timeFilter = (col: string): string => `${col} BETWEEN '2026-01-01T00:00:00Z' AND '2026-01-01T06:00:00Z'`;
const timeGroupAlias = (col: string, seconds: number): string => `floor(extract(epoch from ${col})/${seconds})*${seconds} AS "time"`;
const unixEpochFilter = (col: string): string => `${col} >= 1767225600 AND ${col} <= 1767247200`;

const DDL = [
  `CREATE SCHEMA "sales-eu"`,
  `CREATE TABLE metrics (
     ts timestamptz NOT NULL,
     host varchar(32) NOT NULL,
     value double precision,
     cpu real,
     hits bigint,
     up boolean DEFAULT true,
     epoch_s integer,
     PRIMARY KEY (host, ts))`,
  `CREATE TABLE "sales-eu"."Orders" (id serial PRIMARY KEY, placed date NOT NULL, amount numeric(10,2), note text, region char(2))`,
  // A view: the table picker lists it (information_schema.tables, table_type VIEW) and panels query it.
  `CREATE VIEW host_load AS SELECT host, count(*) AS samples, avg(value) AS avg_value, max(ts) AS last_seen FROM metrics GROUP BY host`,
];

/** 3 hosts x 16 samples every 25 minutes from 2025-12-31T23:00Z (some outside the range), values deterministic. */
function metricRows(): string {
  const rows: string[] = [];
  const start = Date.parse('2025-12-31T23:00:00Z');
  ['db-1', 'web-1', 'web-2'].forEach((host, h) => {
    for (let i = 0; i < 16; i++) {
      const t = new Date(start + i * 25 * 60_000);
      const value = i % 7 === 3 ? 'NULL' : String((((i * 37 + h * 11) % 50) + 0.25 * h).toFixed(2));
      rows.push(`('${t.toISOString()}', '${host}', ${value}, ${(i % 5) * 0.5}, ${i * 1000 + h}, ${i % 4 !== 0}, ${Math.floor(t.getTime() / 1000)})`);
    }
  });
  return `INSERT INTO metrics (ts, host, value, cpu, hits, up, epoch_s) VALUES ${rows.join(', ')}`;
}

/** Each step: [label, sql]. Everything goes through the simple protocol (no parameters). */
const STEPS: [string, string][] = [
  ['health: empty query', ''],
  ['health: lib/pq ping', ';'],
  ['health: pgx ping', '-- ping'],
  ['health: SELECT 1', 'SELECT 1'],
  ['config: version', "SELECT current_setting('server_version_num')::int/100 as version"],
  ['config: timescaledb', "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'"],
  ['config: extensions', 'SELECT extname, extrelocatable FROM pg_extension ORDER BY 1'],
  ['variables: databases', 'SELECT datname FROM pg_database WHERE datistemplate = false ORDER BY 1'],
  ['variables: database encoding', "SELECT datname, pg_encoding_to_char(encoding) AS enc, datallowconn FROM pg_database WHERE datname = current_database()"],
  ['picker: schemas', showSchemas],
  ['picker: tables in search_path first', showTables],
  ['picker: tables of public', showTablesOf('public')],
  ['picker: tables of "sales-eu"', showTablesOf('"sales-eu"')],
  ['picker: columns of metrics', getSchema('metrics') + ' ORDER BY 1'],
  ['picker: columns of "sales-eu"."Orders"', getSchema('"sales-eu"."Orders"') + ' ORDER BY 1'],
  ['picker: columns of a missing table', getSchema('nope')],
  ['picker: columns of a view', getSchema('host_load') + ' ORDER BY 1'],
  ['panel: table from a view', `SELECT host, samples, round(avg_value::numeric, 2) AS avg, last_seen FROM host_load WHERE samples > 0 ORDER BY host`],
  ['picker: parse_ident', `SELECT parse_ident('"sales-eu"."Orders"') AS a, parse_ident('public.metrics') AS b, array_length(parse_ident('metrics'),1) AS n`],
  ['picker: parse_ident edge cases', `SELECT parse_ident('  "a""b" . C1$x ') AS a, parse_ident('Ab.c trailing', false) AS b, parse_ident('"Ünï".x') AS c`],
  ['picker: parse_ident error', `SELECT parse_ident('"unterminated')`],
  ['picker: parse_ident error before a dot', `SELECT parse_ident('.a')`],
  ['picker: parse_ident error after a dot', `SELECT parse_ident('a.')`],
  ['picker: parse_ident error empty quotes', `SELECT parse_ident('""')`],
  ['picker: parse_ident error trailing text', `SELECT parse_ident('a b')`],
  ['picker: quote_ident', `SELECT quote_ident('metrics') AS a, quote_ident('sales-eu') AS b, quote_ident('Orders') AS c, quote_ident('select') AS d, quote_ident('a"b') AS e`],
  ['picker: string_to_array of search_path', `SELECT string_to_array(current_setting('search_path'),',') AS s, array_lower(string_to_array(current_setting('search_path'),','),1) AS lo, array_upper(string_to_array(current_setting('search_path'),','),1) AS hi`],
  ['variables: hosts', 'SELECT DISTINCT host FROM metrics ORDER BY 1'],
  ['variables: __text/__value', 'SELECT host AS __text, upper(host) AS __value FROM metrics GROUP BY host ORDER BY 1'],
  ['variables: generate_series in FROM', `SELECT i AS __text FROM generate_series(1, 5) AS i`],
  ['variables: generate_series of timestamps', `SELECT ts FROM generate_series('2026-01-01T00:00:00Z'::timestamptz, '2026-01-01T02:00:00Z'::timestamptz, '30 minutes'::interval) AS ts`],
  ['variables: generate_series of timestamps, descending by months', `SELECT g FROM generate_series('2026-03-31 10:00'::timestamp, '2025-12-01'::timestamp, '-1 month'::interval) AS g`],
  ['variables: generate_series zero step', `SELECT * FROM generate_series('2026-01-01'::timestamp, '2026-01-02'::timestamp, '0 days'::interval)`],
  ['panel: time series $__timeGroupAlias', `SELECT
  ${timeGroupAlias('ts', 3600)},
  avg(value) AS "value"
FROM metrics
WHERE
  ${timeFilter('ts')}
GROUP BY 1
ORDER BY 1`],
  ['panel: time series per host (metric column)', `SELECT
  ${timeGroupAlias('ts', 1800)},
  host AS metric,
  max(value) AS "value"
FROM metrics
WHERE ${timeFilter('ts')}
GROUP BY 1, 2
ORDER BY 1, 2`],
  ['panel: $__time and $__timeEpoch', `SELECT ts AS "time", extract(epoch from ts) AS "epoch", value FROM metrics WHERE ${timeFilter('ts')} AND host = 'db-1' ORDER BY 1 LIMIT 5`],
  ['panel: date_trunc group', `SELECT date_trunc('hour', ts) AS "time", count(*) AS n, sum(hits) AS hits, avg(cpu) AS cpu FROM metrics WHERE ${timeFilter('ts')} GROUP BY 1 ORDER BY 1`],
  ['panel: extract(epoch) of date_trunc', `SELECT extract(epoch from date_trunc('hour', ts))::bigint AS "time", count(*) FROM metrics WHERE ${timeFilter('ts')} GROUP BY 1 ORDER BY 1`],
  ['panel: $__unixEpochFilter + group', `SELECT floor((epoch_s)/3600)*3600 AS "time", count(*) AS n FROM metrics WHERE ${unixEpochFilter('epoch_s')} GROUP BY 1 ORDER BY 1`],
  ['panel: $__timeEpoch, fractional $__timeFilter (RFC3339Nano)', `SELECT extract(epoch from ts) as "time", value FROM metrics WHERE ts BETWEEN '2026-01-01T00:00:00.5Z' AND '2026-01-01T01:15:00.000001Z' AND host = 'web-2' ORDER BY 1`],
  ['panel: $__unixEpochNanoFilter / $__unixEpochGroupAlias', `SELECT floor((epoch_s)/1800)*1800 AS "time", count(*) AS n, sum(hits) AS hits FROM metrics WHERE epoch_s::bigint * 1000000000 >= 1767225600000000000 AND epoch_s::bigint * 1000000000 <= 1767236400000000000 GROUP BY 1 ORDER BY 1`],
  ['panel: $__timeGroup inside a window ORDER BY', `SELECT floor(extract(epoch from ts)/3600)*3600 AS "time", host AS metric, sum(value) OVER (PARTITION BY host ORDER BY floor(extract(epoch from ts)/3600)*3600, ts) AS running FROM metrics WHERE ${timeFilter('ts')} ORDER BY 2, 1, 3 LIMIT 12`],
  ['panel: $__timeGroup of 1.5s', `SELECT floor(extract(epoch from ts)/1.5)*1.5 AS "time", count(*) FROM metrics WHERE ${timeFilter('ts')} GROUP BY 1 ORDER BY 1 LIMIT 3`],
  ['panel: $__timeFrom/$__timeTo', `SELECT '2026-01-01T00:00:00Z'::timestamptz AS "from", '2026-01-01T06:00:00Z'::timestamptz AS "to", '2026-01-01T06:00:00Z'::timestamptz - '2026-01-01T00:00:00Z'::timestamptz AS span`],
  ['panel: time filter on a date column', `SELECT placed AS "time", amount FROM "sales-eu"."Orders" WHERE placed BETWEEN '2026-01-01T00:00:00Z' AND '2026-01-03T00:00:00Z' ORDER BY 1`],
  ['builder: table query', 'SELECT host, value, up FROM metrics ORDER BY ts, host LIMIT 50'],
  ['builder: table query over a subquery', 'SELECT s.host, s.v AS value, s.ts FROM (SELECT host, value AS v, ts, 1 AS one FROM metrics) AS s ORDER BY s.ts, s.host LIMIT 5'],
  ['builder: aggregate', `SELECT AVG(value), host FROM metrics WHERE (${timeFilter('ts')}) GROUP BY host ORDER BY host DESC LIMIT 50`],
  ['builder: count with filter', `SELECT COUNT(hits), MIN(cpu), MAX(ts) FROM metrics WHERE host IN ('web-1','web-2') AND value IS NOT NULL LIMIT 50`],
  ['builder: string functions', `SELECT host, length(host) AS len, split_part(host, '-', 1) AS role FROM metrics GROUP BY host ORDER BY host LIMIT 50`],
  ['panel: error (missing column) leaves the connection usable', 'SELECT nope FROM metrics'],
  ['panel: after the error', 'SELECT count(*) FROM metrics'],
  ['panel: two statements in one query', 'SELECT 1 AS a; SELECT 2 AS b'],
];

/**
 * Grafana's own backend test data (pkg/tsdb/grafana-postgresql-datasource/testdata): each case's
 * setup and the query from its first line, macros expanded. Grafana creates TEMPORARY tables, which
 * Tessera refuses (0A000), so the replay uses a plain table dropped afterwards.
 */
const BACKEND_CASES: { name: string; setup: string; query: string }[] = [
  {
    name: 'table/types_numeric',
    setup: `CREATE TABLE tbl (i16 smallint, i16nn smallint NOT NULL, i32 integer, i32nn integer NOT NULL, i64 bigint, i64nn bigint NOT NULL,
      n numeric(7, 2), nnn numeric(7,2) NOT NULL, f32 real, f32nn real NOT NULL, f64 double precision, f64nn double precision NOT NULL);
    INSERT INTO tbl (i16, i16nn, i32, i32nn, i64, i64nn, n, nnn, f32, f32nn, f64, f64nn) VALUES
    (1, 2, 3, 4, 5, 6, 81.75, 7065.25, 30.75, 14.625, 21.5625, 14.25),
    (NULL, 22, NULL, 44, NULL, 66, NULL, 169.75, NULL, 77.125, NULL, 215.8125);`,
    query: 'SELECT * FROM tbl',
  },
  {
    name: 'table/types_char',
    setup: `CREATE TABLE tbl (cv character varying(10), cvnn character varying(10) NOT NULL, c character(10), cnn character(10) NOT NULL,
      bpc bpchar, bpcnn bpchar NOT NULL, t text, tnn text NOT NULL);
    INSERT INTO tbl (cv, cvnn, c, cnn, bpc, bpcnn,  t, tnn) VALUES
    ('one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'),
    (NULL, 'xtwo', NULL, 'xfour', NULL, 'xsix', NULL, 'xeight');`,
    query: 'SELECT * FROM tbl',
  },
  {
    name: 'table/types_datetime_pgx',
    setup: `CREATE TABLE tbl (ts timestamp, tsnn timestamp NOT NULL, tsz timestamp with time zone, tsznn timestamp with time zone NOT NULL,
      d date, dnn date NOT NULL, t time, tnn time NOT NULL, tz time with time zone, tznn time with time zone NOT NULL, i interval, inn interval NOT NULL);
    INSERT INTO tbl (ts, tsnn, tsz, tsznn, d, dnn, t, tnn, tz, tznn, i, inn) VALUES (
    '2023-11-15 05:06:07.123456', '2023-11-15 05:06:08.123456', '2021-07-22 13:22:33.654321 Europe/Berlin', '2021-07-22 13:22:34.654321 Europe/Berlin',
    '2023-12-20', '2023-12-21', '12:34:56.234567', '12:34:57.234567', '23:12:36.765432+1', '23:12:37.765432+1', '987654 microsecond', '887654 microsecond'
    ), (NULL, '2023-11-15 05:06:09.123456', NULL, '2021-07-22 13:22:35.654321 Europe/Berlin', NULL, '2023-12-22', NULL, '12:34:58.234567',
    NULL, '23:12:38.765432+1', NULL, '787654 microsecond');`,
    query: 'SELECT * FROM tbl',
  },
  {
    name: 'table/types_other',
    setup: `CREATE TABLE tbl (m money, mnn money NOT NULL, bt bytea, btnn bytea NOT NULL, bl boolean, blnn boolean NOT NULL);
    INSERT INTO tbl (m, mnn, bt, btnn, bl, blnn) VALUES
    (12.34, 23.45, '\\x41424344'::bytea, '\\x45464748'::bytea, TRUE, TRUE), (12.34, 23.45, '\\x51525354'::bytea, '\\x55565758'::bytea, FALSE, FALSE), (NULL, 34.56, NULL, '\\x61626364'::bytea, NULL, TRUE);`,
    query: 'SELECT * FROM tbl',
  },
  {
    name: 'table/types_other: money in the pickers and as numeric',
    setup: `CREATE TABLE tbl (m money, mnn money NOT NULL); INSERT INTO tbl VALUES (12.34, 23.45), (NULL, -34.56)`,
    query: "SELECT column_name, data_type, udt_name, numeric_precision FROM information_schema.columns WHERE table_name = 'tbl' ORDER BY ordinal_position; SELECT m::numeric AS m, sum(mnn) OVER () AS total, mnn / 2 AS half FROM tbl ORDER BY mnn",
  },
  {
    name: 'table/types_jsonb',
    setup: `CREATE TABLE tbl (id integer, simple_json jsonb, simple_json_nn jsonb NOT NULL, complex_json jsonb, array_json jsonb, nested_json jsonb,
      empty_json jsonb, null_json jsonb);
    INSERT INTO tbl (id, simple_json, simple_json_nn, complex_json, array_json, nested_json, empty_json, null_json) VALUES
    (1, '{"key": "value"}', '{"status": "active"}', '{"user": {"id": 123, "name": "John Doe"}, "metadata": {"created": "2023-01-01", "tags": ["user", "active"]}}', '[1, 2, 3, "test"]', '{"level1": {"level2": {"level3": {"data": "deep"}}}}', '{}', 'null'),
    (2, '{"number": 42, "boolean": true}', '{"status": "inactive"}', '{"product": {"id": "abc-123", "price": 99.99, "available": true}}', '[]', '{"config": {"database": {"port": 5432, "ssl": false}}}', '[]', NULL),
    (3, NULL, '{"status": "pending"}', NULL, '[{"id": 1, "name": "item1"}, {"id": 2, "name": "item2"}]', NULL, '{"empty": {}}', 'null'),
    (4, '{"special_chars": "test with spaces and symbols: !@#$%^&*()"}', '{"unicode": "测试 🚀 émojis"}', '{"error": {"code": 500, "details": {"timestamp": "2023-12-24T14:30:00Z"}}}', '[null, true, false, 0, "", {}]', '{"a": {"b": {"c": {"d": {"e": "very deep nesting"}}}}}', 'null', 'null');`,
    query: 'SELECT * FROM tbl',
  },
  {
    name: 'table/multi_stat1',
    setup: `CREATE TABLE tbl (t text); INSERT INTO tbl (t) VALUES ('one'),('two'),('three');`,
    query: "SELECT t FROM tbl WHERE t='one'; SELECT t FROM tbl WHERE t='three';",
  },
  {
    name: 'table/multi_stat2',
    setup: `CREATE TABLE tbl (d timestamp with time zone); INSERT INTO tbl (d) VALUES ('2024-04-03T12:43:25UTC')`,
    query: 'SET TIME ZONE -7; select * from tbl; SET TIME ZONE DEFAULT; select * from tbl;',
  },
  {
    name: 'table/multi_stat2, values as text (what lib/pq parses)',
    setup: `CREATE TABLE tbl (d timestamp with time zone); INSERT INTO tbl (d) VALUES ('2024-04-03T12:43:25UTC')`,
    query: "SET TIME ZONE -7; select d::text AS d, current_setting('TimeZone') AS tz from tbl; SET TIME ZONE DEFAULT; select d::text AS d from tbl;",
  },
  {
    name: 'table/timestamp_convert_bigint',
    setup: `CREATE TABLE tbl (reallyt timestamp with time zone, "time" bigint, n bigint, timeend bigint);
    INSERT INTO tbl (reallyt, "time", n, timeend) VALUES
    ('2023-12-24T14:21:27 UTC', 1703161287, 1703161287, 1703161312),
    ('2023-12-24T14:21:27.724 UTC', 1703161287724, 1703161287724, 1703161312522),
    ('2023-12-24T14:21:27.724919 UTC', 1703161287724919000, 1703161287724919000, 1703161312522186000),
    (NULL, NULL, NULL, NULL);`,
    query: 'SELECT * FROM tbl',
  },
  {
    name: 'table/timestamp_convert_real',
    setup: `CREATE TABLE tbl (reallyt timestamp with time zone, "time" real, n real, timeend bigint);
    INSERT INTO tbl (reallyt, "time", n, timeend) VALUES
    ('2023-12-21T12:22:24', 1703161344, 1703161344, 1703161372),
    ('2023-12-21T12:20:33.408', 1703161233408, 1703161233408, 1703161312522),
    ('2023-12-21T12:20:41.050022', 1703161241050021888, 1703161241050021888, 1703161312522186000),
    (NULL, NULL, NULL, NULL);`,
    query: 'SELECT * FROM tbl',
  },
  {
    name: 'time_series/fill_value ($__timeGroup("time",5m,27))',
    setup: `CREATE TABLE tbl ("time" timestamp with time zone, v double precision, c text);
    INSERT INTO tbl ("time", v, c) VALUES
    ('2023-12-24 14:21:03 UTC', 10, 'a'), ('2023-12-24 14:21:03 UTC', 110, 'b'), ('2023-12-24 14:23:03 UTC', 20, 'a'),
    ('2023-12-24 14:23:03 UTC', 120, 'b'), ('2023-12-24 14:39:03 UTC', 50, 'a'), ('2023-12-24 14:39:03 UTC', 150, 'b');`,
    query: 'SELECT floor(extract(epoch from "time")/300)*300,c,avg(v) AS "v" FROM tbl GROUP BY 1,2 ORDER BY 1,2',
  },
  {
    name: 'time_series/7x_compat_metric_label',
    setup: `CREATE TABLE tbl ("time" timestamp with time zone, v double precision, metric text);
    INSERT INTO tbl ("time", v, metric) VALUES
    ('2023-12-24 14:30:03 UTC', 10, 'a'), ('2023-12-24 14:30:03 UTC', 110, 'b'), ('2023-12-24 14:31:03 UTC', 20, 'a'),
    ('2023-12-24 14:31:03 UTC', 120, 'b'), ('2023-12-24 14:32:03 UTC', 30, 'a'), ('2023-12-24 14:32:03 UTC', 130, 'b');`,
    query: 'SELECT * FROM tbl',
  },
];

/** Each backend case on its own connection (multi-statement setup and query strings, as lib/pq and pgx send them). */
async function backendCases(url: string): Promise<Step[]> {
  const out: Step[] = [];
  for (const k of BACKEND_CASES) {
    const c = new pg.Client(url);
    await c.connect();
    try {
      await c.query(k.setup);
      try {
        out.push(describeResult(k.name, (await c.query(k.query)) as pg.QueryResult | pg.QueryResult[]));
      } catch (e) {
        const err = e as pg.DatabaseError;
        out.push({ label: k.name, error: [err.code, err.message] });
      }
      out.push(describeResult(`${k.name}: SHOW TimeZone after`, await c.query('SHOW TimeZone')));
      await c.query('DROP TABLE tbl');
    } finally {
      await c.end();
    }
  }
  return out;
}

/**
 * The backend's schema handler (schema.go: schemas, tables, columns, distinct column values for
 * Grafana SQL), which pgx sends through the extended protocol with parameters.
 */
async function schemaHandler(url: string): Promise<Step[]> {
  const out: Step[] = [];
  const c = new pg.Client(url);
  await c.connect();
  const run = async (label: string, text: string, values: unknown[] = []): Promise<void> => {
    try {
      out.push(describeResult(label, await c.query(text, values)));
    } catch (e) {
      const err = e as pg.DatabaseError;
      out.push({ label, error: [err.code, err.message] });
    }
  };
  const valuesQuery = (schema: string, table: string, cols: string[]): string => {
    const q = (x: string): string => `"${x.replace(/"/g, '""')}"`;
    return cols.map((col, i) => `SELECT '${col.replace(/'/g, "''")}' AS col_name, ${q(col)}::text AS val FROM (SELECT DISTINCT ${q(col)} FROM ${q(schema)}.${q(table)} WHERE ${q(col)} IS NOT NULL ORDER BY ${q(col)} LIMIT 100) sub_${i}`).join(' UNION ALL ');
  };
  try {
    await c.query(`SET TimeZone = 'UTC'`);
    await run('schemas', `SELECT schema_name FROM information_schema.schemata
		 WHERE schema_name NOT LIKE 'pg_%' AND schema_name != 'information_schema'
		 ORDER BY schema_name`);
    for (const schema of ['public', 'sales-eu', 'tessera']) {
      await run(`tables of ${schema}`, `SELECT table_name FROM information_schema.tables
		 WHERE table_schema = $1 AND table_type IN ('BASE TABLE', 'VIEW')
		 ORDER BY table_name`, [schema]);
    }
    for (const [schema, table] of [['public', 'metrics'], ['sales-eu', 'Orders'], ['public', 'nope']] as const) {
      await run(`columns of ${schema}.${table}`, `SELECT column_name, data_type, udt_name, numeric_precision, numeric_scale
		 FROM information_schema.columns
		 WHERE table_schema = $1 AND table_name = $2
		 ORDER BY ordinal_position`, [schema, table]);
    }
    await run('column values of metrics', valuesQuery('public', 'metrics', ['host', 'up', 'cpu', 'ts']));
    await run('column values of "sales-eu"."Orders"', valuesQuery('sales-eu', 'Orders', ['region', 'amount', 'placed', 'note']));
  } finally {
    await c.end();
  }
  return out;
}

interface Step {
  label: string;
  command?: string | null;
  fields?: unknown[];
  rows?: unknown;
  error?: unknown;
}

function describeResult(label: string, r: pg.QueryResult | pg.QueryResult[]): Step {
  if (Array.isArray(r)) return { label, rows: r.map((x) => describeResult(label, x)) };
  return {
    label,
    command: r.command ?? null,
    // The column's origin (RowDescription table OID and attnum): OIDs differ between servers, whether there is one does not.
    fields: r.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeModifier, f.tableID !== 0, f.columnID]),
    rows: plain(r.rows),
  };
}

async function scenario(url: string): Promise<Step[]> {
  const out: Step[] = [];
  const c = new pg.Client(url);
  await c.connect();
  try {
    await c.query(`SET TimeZone = 'UTC'`);
    // Tessera's own schema of system views (docs/clients.md): PostgreSQL gets an empty one of the same name.
    await c.query('CREATE SCHEMA IF NOT EXISTS tessera');
    for (const sql of DDL) await c.query(sql);
    await c.query(metricRows());
    await c.query(`INSERT INTO "sales-eu"."Orders" (placed, amount, note, region) VALUES ('2026-01-01', 10.50, 'first', 'FR'), ('2026-01-02', NULL, NULL, 'DE'), ('2026-01-05', 3.25, 'late', NULL)`);
    for (const [label, sql] of STEPS) {
      try {
        out.push(describeResult(label, (await c.query(sql)) as pg.QueryResult | pg.QueryResult[]));
      } catch (e) {
        const err = e as pg.DatabaseError;
        out.push({ label, error: [err.code, err.message, err.position ?? null] });
      }
    }
  } finally {
    await c.end();
  }
  return out;
}

describe('Grafana PostgreSQL datasource (replayed)', () => {
  let servers: Servers;
  before(async () => {
    servers = await startServers();
  });
  after(async () => {
    await servers?.stop();
  });

  test('health checks, pickers, variables and panel queries as on PostgreSQL 15', async (t) => {
    const got = await scenario(servers.tessera.url);
    assert.equal(got.length, STEPS.length);
    const version = got.find((s) => s.label === 'config: version');
    assert.deepEqual(version?.rows, [{ version: 1500 }], 'Grafana reads PostgreSQL 15');
    const tables = got.find((s) => s.label === 'picker: tables in search_path first');
    assert.deepEqual(tables?.rows, [{ table: 'host_load' }, { table: 'metrics' }, { table: '"sales-eu"."Orders"' }], 'the table picker lists the user tables and views');
    await assertSameAsPostgres(t, servers, got, scenario);
  });

  test('the backend schema handler (extended protocol, parameters) as on PostgreSQL 15', async (t) => {
    const got = await schemaHandler(servers.tessera.url);
    assert.equal(got.length, 9);
    const values = got.find((x) => x.label === 'column values of metrics');
    assert.equal((values?.rows as unknown[] | undefined)?.length, 3 + 2 + 5 + 16, 'distinct values of every column');
    await assertSameAsPostgres(t, servers, got, schemaHandler);
  });

  test("Grafana's own backend test data (types, multi-statement queries, SET TIME ZONE, $__timeGroup) as on PostgreSQL 15", async (t) => {
    const got = await backendCases(servers.tessera.url);
    assert.equal(got.length, BACKEND_CASES.length * 2);
    await assertSameAsPostgres(t, servers, got, backendCases);
  });

  test('a vector column with an hnsw index: pickers and a nearest-neighbour panel', async () => {
    const c = new pg.Client(servers.tessera.url);
    await c.connect();
    try {
      await c.query('CREATE EXTENSION IF NOT EXISTS vector');
      await c.query('CREATE TABLE docs (id int PRIMARY KEY, title text, embedding vector(3))');
      await c.query('CREATE INDEX docs_hnsw ON docs USING hnsw (embedding vector_l2_ops)');
      const rows = makeVectors(40, 3, 23).map((v, i) => ({ id: i + 1, v }));
      await c.query(`INSERT INTO docs VALUES ${rows.map((r) => `(${r.id}, 'doc ${r.id}', '[${r.v.join(',')}]')`).join(', ')}`);
      // pgvector on PostgreSQL reports a USER-DEFINED column; Grafana's picker shows that type.
      const cols = await c.query(getSchema('docs') + ' ORDER BY 1');
      assert.deepEqual(cols.rows, [
        { column: 'embedding', type: 'USER-DEFINED' },
        { column: 'id', type: 'integer' },
        { column: 'title', type: 'text' },
      ]);
      const udt = await c.query(`SELECT udt_schema, udt_name FROM information_schema.columns WHERE table_name = 'docs' AND column_name = 'embedding'`);
      assert.deepEqual(udt.rows, [{ udt_schema: 'public', udt_name: 'vector' }]);
      const q = [1.5, -2, 0.25];
      const panel = await c.query(`SELECT id, title, embedding <-> '[${q.join(',')}]' AS distance FROM docs ORDER BY embedding <-> '[${q.join(',')}]' LIMIT 5`);
      assert.deepEqual(panel.rows.map((r: { id: number }) => r.id), nearestL2(rows, q, 5));
      assert.equal(panel.fields[2]?.dataTypeID, 701, 'distance is float8');
    } finally {
      await c.end();
    }
  });
});
