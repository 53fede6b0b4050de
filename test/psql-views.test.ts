/**
 * psql's backslash commands on plain views (\d v, \d+ v with its "View definition:", \dv, \d
 * listing views, \dp), compared with the same commands against the PostgreSQL 15 oracle after
 * the same DDL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { postgresAvailable, startPostgres, type PgCluster } from './support/pg-cluster.ts';
import { psql, runStatements } from './support/psql.ts';
import { startTessera, type TesseraServer } from './support/tessera.ts';

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

const mask = (out: string): string => out.replace(/port "\d+"/g, 'port "N"');

describe('psql on views', { skip: !postgresAvailable() && 'PostgreSQL 15 not installed' }, () => {
  let tessera: TesseraServer;
  let postgres: PgCluster;

  before(async () => {
    [tessera, postgres] = await Promise.all([startTessera(), startPostgres()]);
    await Promise.all([runStatements(tessera.url, DDL), runStatements(postgres.url, DDL)]);
  });

  after(async () => {
    await Promise.all([tessera?.stop(), postgres?.stop()]);
  });

  for (const command of SAME_AS_POSTGRES) {
    test(`${command} prints what PostgreSQL prints`, () => {
      assert.equal(mask(psql(tessera.url, command)), mask(psql(postgres.url, command)));
    });
  }

  test('\\d+ shows the view definition', () => {
    assert.match(psql(tessera.url, '\\d+ cheap'), /^View definition:\n SELECT t\.id,\n    t\.name\n   FROM t\n  WHERE t\.price < 10::numeric;$/m);
  });
});
