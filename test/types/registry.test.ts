/**
 * types/registry.ts against PostgreSQL 15's catalog: every type's OID, typname, typlen,
 * typcategory, typarray and typelem match pg_type; format_type spellings; SQL type names
 * with modifiers resolve to the (oid, typmod) PostgreSQL stores; typmod errors match.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModule, parseSync } from 'libpg-query';
import { formatType, parseTypeName, resolveTypeName, scalarTypes, typeByName, typeByOid, arrayTypeOf, Oid } from '../../src/types/index.ts';
import { postgresAvailable } from '../support/pg-cluster.ts';
import { assertNoProblems, startOracle, type Oracle } from './oracle.ts';

const SPELLINGS = [
  'integer', 'int', 'int4', 'bigint', 'smallint', 'real', 'double precision', 'float', 'float(10)', 'float(24)', 'float(25)', 'float(53)',
  'decimal', 'decimal(10,2)', 'numeric(5)', 'numeric(3,-1)', 'numeric(1000,1000)', 'boolean', 'bool', 'text', 'character varying',
  'varchar(10)', 'character varying(1)', 'character', 'char', 'char(5)', 'character(3)', 'bpchar', '"char"', 'name', 'bytea', 'uuid',
  'json', 'jsonb', 'date', 'time', 'time(3)', 'time without time zone', 'timestamp', 'timestamp(0)', 'timestamp without time zone',
  'timestamp(6) without time zone', 'timestamptz', 'timestamp with time zone', 'timestamp(2) with time zone', 'interval', 'interval(3)',
  'interval year', 'interval month', 'interval day to second', 'interval hour to minute', 'interval minute to second(2)', 'interval year to month',
  'oid', 'text[]', 'integer[]', 'int[][]', 'varchar(5)[]', 'numeric(10,2)[]', 'timestamptz[]', 'character(2)[]', '_int4', '_text',
];

const BAD_SPELLINGS = ['varchar(0)', 'numeric(0)', 'numeric(1001)', 'numeric(5,1001)', 'numeric(1,2,3)', 'char(10485761)', 'text(5)', 'int4(2)', '"interval"(5)', '"varchar"(1,2)'];

async function parseTypeNode(spelling: string): Promise<{ names: string[]; typmods: number[]; arrayDims: number }> {
  const tree = parseSync(`SELECT NULL::${spelling}`) as unknown as {
    stmts: { stmt: { SelectStmt: { targetList: { ResTarget: { val: { TypeCast: { typeName: {
      names: { String: { sval: string } }[]; typmods?: { A_Const: { ival: { ival?: number } } }[]; arrayBounds?: unknown[];
    } } } } }[] } } }[];
  };
  const t = tree.stmts[0]!.stmt.SelectStmt.targetList[0]!.ResTarget.val.TypeCast.typeName;
  return { names: t.names.map((n) => n.String.sval), typmods: (t.typmods ?? []).map((m) => m.A_Const.ival.ival ?? 0), arrayDims: (t.arrayBounds ?? []).length };
}

describe('type registry', { skip: !postgresAvailable() }, () => {
  let oracle: Oracle;
  before(async () => {
    await loadModule();
    oracle = await startOracle();
  });
  after(async () => {
    await oracle?.stop();
  });

  test('identity of every type matches pg_type', async () => {
    const problems: string[] = [];
    const all = [...scalarTypes, ...scalarTypes.map((t) => arrayTypeOf(t.oid)).filter((t) => t !== undefined)];
    for (const t of all) {
      const res = await oracle.client.query({
        text: 'SELECT typname, typlen, typcategory, typarray::int, typelem::int, format_type(oid, NULL) FROM pg_type WHERE oid = $1',
        values: [t.oid],
        rowMode: 'array',
      });
      const row = res.rows[0] as [string, number, string, number, number, string] | undefined;
      if (!row) {
        problems.push(`${t.name}: no pg_type row for ${t.oid}`);
        continue;
      }
      // pg_type.typelem of name is 18 ("char"), but in our contract elemOid marks array types only
      const ours = [t.name, t.typlen, t.category, t.arrayOid, t.name === 'name' ? 18 : t.elemOid, t.displayName];
      if (JSON.stringify(ours) !== JSON.stringify(row)) problems.push(`${t.name}: pg_type ${JSON.stringify(row)} ours ${JSON.stringify(ours)}`);
      if (typeByOid(t.oid) !== t) problems.push(`typeByOid(${t.oid}) is not ${t.name}`);
    }
    assertNoProblems(problems);
  });

  test('SQL spellings resolve to the (oid, typmod) and format_type PostgreSQL stores', async () => {
    const problems: string[] = [];
    for (const [i, spelling] of SPELLINGS.entries()) {
      await oracle.exec(`CREATE TEMP TABLE r${i} (c ${spelling})`);
      const res = await oracle.client.query({
        text: `SELECT atttypid::int, atttypmod, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'r${i}'::regclass AND attname = 'c'`,
        rowMode: 'array',
      });
      const [oid, typmod, formatted] = res.rows[0] as [number, number, string];
      const parsed = parseTypeName(spelling);
      if (parsed?.oid !== oid || parsed.typmod !== typmod) problems.push(`parseTypeName(${spelling}): PG ${oid}/${typmod} ours ${JSON.stringify(parsed)}`);
      const node = await parseTypeNode(spelling);
      const resolved = resolveTypeName(node.names, node.typmods, node.arrayDims);
      if (resolved?.oid !== oid || resolved.typmod !== typmod) problems.push(`resolveTypeName(${JSON.stringify(node)}): PG ${oid}/${typmod} ours ${JSON.stringify(resolved)}`);
      if (formatType(oid, typmod) !== formatted) problems.push(`formatType(${oid}, ${typmod}): PG ${formatted} ours ${formatType(oid, typmod)}`);
    }
    assertNoProblems(problems);
  });

  test('invalid type modifiers fail like PostgreSQL', async () => {
    const problems: string[] = [];
    for (const spelling of BAD_SPELLINGS) {
      let pg: { code?: string; message?: string } = {};
      try {
        await oracle.client.query(`SELECT NULL::${spelling}`);
      } catch (e) {
        pg = e as { code?: string; message?: string };
      }
      let mine: { code?: string; message?: string } = {};
      try {
        const node = await parseTypeNode(spelling);
        resolveTypeName(node.names, node.typmods, node.arrayDims);
      } catch (e) {
        mine = e as { code?: string; message?: string };
      }
      if (pg.code !== mine.code || pg.message !== mine.message) problems.push(`${spelling}: PG ${pg.code} ${pg.message} ours ${mine.code} ${mine.message}`);
    }
    for (const spelling of ['float(0)', 'float(54)']) {
      let pg: { code?: string; message?: string } = {};
      try {
        await oracle.client.query(`SELECT NULL::${spelling}`);
      } catch (e) {
        pg = e as { code?: string; message?: string };
      }
      let mine: { code?: string; message?: string } = {};
      try {
        parseTypeName(spelling);
      } catch (e) {
        mine = e as { code?: string; message?: string };
      }
      if (pg.code !== mine.code || pg.message !== mine.message) problems.push(`${spelling}: PG ${pg.code} ${pg.message} ours ${mine.code} ${mine.message}`);
    }
    assertNoProblems(problems);
  });

  test('typeByName accepts SQL spellings and aliases', () => {
    const expect: [string, number][] = [
      ['integer', Oid.int4], ['INT', Oid.int4], ['bigint', Oid.int8], ['smallint', Oid.int2], ['real', Oid.float4], ['double  precision', Oid.float8],
      ['float', Oid.float8], ['decimal', Oid.numeric], ['boolean', Oid.bool], ['character varying', Oid.varchar], ['varchar', Oid.varchar],
      ['character', Oid.bpchar], ['char', Oid.bpchar], ['"char"', Oid.char], ['timestamp with time zone', Oid.timestamptz],
      ['timestamp without time zone', Oid.timestamp], ['time without time zone', Oid.time], ['timestamptz', Oid.timestamptz],
      ['pg_catalog.int4', Oid.int4], ['text[]', 1009], ['_text', 1009], ['integer[]', 1007], ['character varying[]', 1015], ['jsonb[]', 3807],
    ];
    for (const [name, oid] of expect) assert.equal(typeByName(name)?.oid, oid, name);
    assert.equal(typeByName('nosuchtype'), undefined);
    assert.equal(resolveTypeName(['public', 'int4']), undefined);
    assert.equal(resolveTypeName(['integer']), undefined);
    assert.equal(arrayTypeOf(Oid.void), undefined);
  });
});
