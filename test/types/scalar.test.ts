/**
 * types/ scalar types against PostgreSQL 15: bool, int2/int4/int8, oid, text, varchar(n),
 * bpchar(n), name, "char", bytea, uuid, json, jsonb, void and record — text and binary
 * formats, length typmods (explicit casts and assignments) and error messages.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultFormatContext as ctx, formatRecord, Numeric, parseTypeName, typeByName } from '../../src/types/index.ts';
import { postgresAvailable } from '../support/pg-cluster.ts';
import { assertNoProblems, compareLiterals, ours, sameOutcome, show, startOracle, type Oracle } from './oracle.ts';

const CASES: [string, string[]][] = [
  ['bool', ['t', 'f', 'true', 'TRUE', 'tr', 'yes', 'y', 'no', 'n', 'on', 'off', 'of', 'o', '1', '0', ' true ', 'truex', '2', '', 'falsee', 'YeS', 'of ']],
  ['int2', ['0', '-0', '32767', '-32768', '32768', '-32769', '99999', ' 42 ', '+7', '1.0', 'abc', '', ' ', '1e3', '0x10', '--1', '12 3', '0032767']],
  ['int4', ['0', '2147483647', '-2147483648', '2147483648', '-2147483649', ' -12 ', '+', '-', '1_000', '99999999999999999999x', '007']],
  ['int8', ['0', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '-9223372036854775809', ' 1 ', 'abc', '123456789012']],
  ['oid', ['0', '4294967295', '4294967296', '-1', '-2147483648', '-2147483649', ' 12 ', '', 'abc', '1.5', '+5']],
  ['text', ['', 'hello', ' spaced ', 'quote\'s', 'back\\slash', 'ünïcødé ✓', '😀 emoji', 'tab\tnew\nline']],
  ['varchar', ['', 'abc', 'ünï', ' x ']],
  ['bpchar', ['', 'abc', 'abc   ', ' x ']],
  ['name', ['abc', 'a'.repeat(63), 'a'.repeat(64), 'é'.repeat(40), 'Mixed Case']],
  ['"char"', ['a', 'abc', '', 'é', '\\101', '\\377', '\\400', '\\12', 'Z']],
  ['bytea', ['\\x', '\\x00ff', '\\xDEADbeef', '\\x 01 02', '\\x0', '\\xzz', '\\x0g', 'abc', 'a\\\\b', 'a\\001b', '\\000', '\\', 'a\\b', '\\400', 'ünï', '\\x01 2']],
  ['uuid', ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', 'a0eebc999c0b4ef8bb6d6bb9bd380a11',
    'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11', '{a0eebc999c0b4ef8bb6d6bb9bd380a11}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111',
    ' a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '']],
  ['json', ['{"a":1}', ' [1, 2, {"b": null}] ', '"str"', '1', '-0', '1.5e10', 'true', 'null', '{"a":1,"a":2}', '"\\u0000"', '"\\ud800"', '{"a":1,}',
    '[1,2', 'abc', '{"a" 1}', '01', '1.', '.5', '-', '"\\q"', '"\\u00zz"', '{"a":1}x', '[1 2]', '{1:2}', 'nul', '"abc', '1e', 'true false',
    '', '  ', '"a\tb"', '{"a":[1,{"b":[}]}', '{"x": "' + 'y'.repeat(60) + '" z}', '[1,\n2,\n}', '"é\\u00e9"']],
  ['jsonb', ['{"b":1,"a":2}', '{"a":1,"a":2}', '{"aa":1,"b":2,"c":{"z":1,"y":[3,2,1]}}', '[1, 2.50, 1e2, -0, 1E-2, 0.000, 12345678901234567890]',
    '"str\\n\\t\\"\\\\\\/\\u00e9\\ud83d\\ude00"', 'null', 'true', ' false ', '{}', '[]', '{"":1, " ":2}', '[[[]]]', '{"é":1,"z":2,"aa":3}',
    '"\\u0001\\u001f"', '"\\u0000"', '"\\ud800"', '"\\ud800\\u0041"', '"\\udc00"', '"\\ud800\\ud800"', '{"a":1,}', 'abc', '', '1.5e400',
    '{"a": {"a": 1, "a": [1, {"b": 2, "b": 3}]}}', '[1,\n2,\n}']],
];

describe('scalar types', { skip: !postgresAvailable() }, () => {
  let oracle: Oracle;
  before(async () => {
    oracle = await startOracle();
  });
  after(async () => {
    await oracle?.stop();
  });

  test('text and binary formats agree with PostgreSQL', async () => {
    const problems: string[] = [];
    for (const [sqlType, literals] of CASES) {
      problems.push(...(await compareLiterals(oracle, { sqlType, type: typeByName(sqlType)! }, literals)));
    }
    assertNoProblems(problems);
  });

  test('json and jsonb errors carry PostgreSQL\'s detail and context', async () => {
    const problems: string[] = [];
    for (const [sqlType, lit] of [['json', '{"a":1,}'], ['json', '[1,\n2,\n}'], ['jsonb', '"\\u0000"'], ['json', '{"x": "' + 'y'.repeat(60) + '" z}'], ['json', '.5'], ['jsonb', '[1,2']] as const) {
      let where: string | undefined;
      try {
        await oracle.client.query(`SELECT $1::${sqlType}`, [lit]);
      } catch (e) {
        where = (e as { where?: string }).where?.split('\n')[0];
      }
      try {
        typeByName(sqlType)!.textIn(lit, -1, ctx);
        problems.push(`${lit}: no error`);
      } catch (e) {
        if ((e as { where?: string }).where !== where) problems.push(`${JSON.stringify(lit)}: CONTEXT PG ${JSON.stringify(where)} ours ${JSON.stringify((e as { where?: string }).where)}`);
      }
    }
    assertNoProblems(problems);
  });

  test('varchar(n) / char(n) length typmods: explicit casts truncate, assignments fail', async () => {
    const problems: string[] = [];
    const literals = ['', 'ab', 'abc', 'abcd', 'abc   ', 'ab  d', 'ünïc', '😀😀😀😀', 'a b c'];
    for (const sqlType of ['varchar(3)', 'character(3)', 'char', 'character varying(1)', 'char(5)']) {
      const { oid, typmod } = parseTypeName(sqlType)!;
      const type = typeByName(oid === 1043 ? 'varchar' : 'bpchar')!;
      problems.push(...(await compareLiterals(oracle, { sqlType, type, castTypmod: typmod }, literals)));
      await oracle.exec(`DROP TABLE IF EXISTS t; CREATE TEMP TABLE t (c ${sqlType})`);
      for (const lit of literals) {
        const pg = await oracle.text('INSERT INTO t VALUES ($1::text) RETURNING c', [lit]);
        const mine = ours(() => type.textOut(type.applyTypmod!(type.textIn(lit, -1, ctx), typmod, false), ctx));
        if (!sameOutcome(pg, mine)) problems.push(`assign ${sqlType} ${JSON.stringify(lit)}: PG ${show(pg)} ours ${show(mine)}`);
        const pgIn = await oracle.text(`SELECT $1::text::${sqlType}`, [lit]);
        const myIn = ours(() => type.textOut(type.textIn(lit, typmod, ctx), ctx));
        if (!pgIn.ok || !myIn.ok) continue;
        const pgAssign = await oracle.text(`INSERT INTO t VALUES ($1::${sqlType}) RETURNING c`, [lit]);
        if (pgAssign.ok && myIn.ok && pgAssign.value !== myIn.value) problems.push(`input typmod ${sqlType} ${JSON.stringify(lit)}: PG ${show(pgAssign)} ours ${show(myIn)}`);
      }
    }
    assertNoProblems(problems);
  });

  test('record output matches record_out and record_send', async () => {
    const int4 = typeByName('int4')!;
    const text = typeByName('text')!;
    const numeric = typeByName('numeric')!;
    const rows: [string, unknown[], string][] = [
      ['ROW(1, $1::text, NULL::int4, 2.50::numeric)', [1, 'a b', null, Numeric.parse('2.50')], 'a b'],
      ['ROW(1, $1::text, NULL::int4, 2.50::numeric)', [1, '', null, Numeric.parse('2.50')], ''],
      ['ROW(1, $1::text, NULL::int4, 2.50::numeric)', [1, 'x"y\\z(,)', null, Numeric.parse('2.50')], 'x"y\\z(,)'],
      ['ROW(1, $1::text, NULL::int4, 2.50::numeric)', [1, 'plain', null, Numeric.parse('2.50')], 'plain'],
    ];
    for (const [expr, values, param] of rows) {
      const rec = [int4, text, int4, numeric].map((type, i) => ({ type, value: values[i] }));
      const pg = await oracle.text(`SELECT ${expr}::text`, [param]);
      assert.ok(pg.ok && pg.value === formatRecord(rec, ctx), `${show(pg)} vs ${formatRecord(rec, ctx)}`);
      const pgBin = await oracle.text(`SELECT encode(record_send(${expr}), 'hex')`, [param]);
      const mine = Buffer.from(typeByName('record')!.binaryOut(rec, ctx)).toString('hex');
      assert.ok(pgBin.ok && pgBin.value === mine, `${show(pgBin)} vs ${mine}`);
    }
  });

  test('void outputs an empty string', async () => {
    const pg = await oracle.text("SELECT pg_sleep(0)::text");
    assert.ok(pg.ok);
    assert.equal(typeByName('void')!.textOut(null, ctx), pg.value);
  });
});
