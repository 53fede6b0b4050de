/**
 * psql's backslash commands on plain views (\d v, \d+ v with its "View definition:", \dv, \d
 * listing views, \dp), compared with the same commands against the PostgreSQL 15 oracle after
 * the same DDL.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { postgresAvailable } from './support/pg-cluster.ts';
import { psql, psqlParity } from './support/psql.ts';

const DDL = [
  `CREATE TABLE t (id int PRIMARY KEY, name varchar(20) NOT NULL, price numeric(10,2))`,
  `CREATE TABLE u (id int, note text)`,
  `CREATE VIEW cheap AS SELECT id, name FROM t WHERE price < 10`,
  `CREATE VIEW joined (ident, label, note) AS SELECT t.id, t.name, u.note FROM t LEFT JOIN u ON u.id = t.id ORDER BY t.id`,
  `CREATE SCHEMA app`,
  `CREATE VIEW app.totals AS SELECT name, sum(price) AS total, count(*) AS n FROM public.t GROUP BY name`,
  `COMMENT ON VIEW cheap IS 'items under 10'`,
  `CREATE ROLE viewer`,
  `GRANT SELECT ON cheap TO viewer`,
];

const SAME_AS_POSTGRES = [
  '\\d cheap', '\\d+ cheap', '\\d joined', '\\d+ joined', '\\d app.totals', '\\d+ app.totals', '\\dv', '\\dv app.*', '\\dv+', '\\d',
  '\\dt', '\\dp cheap',
];

describe('psql on views', { skip: !postgresAvailable() && 'PostgreSQL 15 not installed' }, () => {
  const servers = psqlParity(DDL, SAME_AS_POSTGRES);

  test('\\d+ shows the view definition', () => {
    assert.match(psql(servers.tessera.url, '\\d+ cheap'), /^View definition:\n SELECT t\.id,\n    t\.name\n   FROM t\n  WHERE t\.price < 10::numeric;$/m);
  });
});
