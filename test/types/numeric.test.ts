/**
 * types/numeric.ts against PostgreSQL 15: numeric_in/out/send/recv for edge-case literals,
 * typmod rounding and overflow errors, and arithmetic (+ - * / %, round, trunc, int and
 * float conversions) whose expected results come from the server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Numeric, encodeNumericTypmod, typeByName, type IntKind } from '../../src/types/index.ts';
import { postgresAvailable } from '../support/pg-cluster.ts';
import { assertNoProblems, compareLiterals, ours, sameOutcome, show, startOracle, type Oracle } from './oracle.ts';

const numeric = typeByName('numeric')!;

const LITERALS = [
  '0', '-0', '0.000', '-0.00', '1', '-1', '1.50', '15.0', '.5', '5.', '+.5', '-.5e1', ' 1.50e+1 ', '1e-3', '1E3', '1.23e1',
  '1e 5', '123456789012345678901234567890.123456789012345678901234567890', '-99999999999999999999.99999999999999999999',
  '0.00000000000000000000000000001', '1e100', '1e-100', '9999', '10000', '10000.0001', '0.0001', '0.00001', '12345678.87654321',
  'NaN', 'nan', ' NaN ', 'Infinity', '-Infinity', '+inf', '-inf', 'inf', 'infinity', '1e1000', '1e-1000',
  'abc', '', ' ', '1.2.3', '1e', '1e+', '--1', '1 2', 'NaNx', '.', '-', 'e5', '1_000', '0x10', '1e2147483647', '1e-2147483647',
];

const TYPMODS: [string, number][] = [
  ['numeric(5,2)', encodeNumericTypmod(5, 2)],
  ['numeric(3)', encodeNumericTypmod(3, 0)],
  ['numeric(3,-1)', encodeNumericTypmod(3, -1)],
  ['numeric(1,1)', encodeNumericTypmod(1, 1)],
  ['numeric(4,6)', encodeNumericTypmod(4, 6)],
];
const TYPMOD_LITERALS = ['1.005', '-1.005', '999.994', '999.995', '-999.995', '0.5', '0.05', '0.0005', '12345', '1234.5', '15', '-15', '994', '995', 'NaN', 'Infinity', '-Infinity', '0', '0.009', '0.0099999'];

const OPERANDS = [
  '0', '1', '-1', '3', '7', '-7.5', '2', '0.1', '0.3', '10', '1.000', '123456789.123456789', '-0.000001', '1e20', '99999999999999999999',
  '0.0000000000000000001', '3.14159265358979', 'NaN', 'Infinity', '-Infinity', '2.50', '1e-30', '9999.9999',
];

describe('numeric', { skip: !postgresAvailable() }, () => {
  let oracle: Oracle;
  before(async () => {
    oracle = await startOracle();
  });
  after(async () => {
    await oracle?.stop();
  });

  test('numeric_in / numeric_out / send / recv agree with PostgreSQL', async () => {
    assertNoProblems(await compareLiterals(oracle, { sqlType: 'numeric', type: numeric }, LITERALS));
  });

  test('numeric(p,s) typmods round half away from zero and overflow like PostgreSQL', async () => {
    const problems: string[] = [];
    for (const [sqlType, typmod] of TYPMODS) {
      problems.push(...(await compareLiterals(oracle, { sqlType, type: numeric, castTypmod: typmod }, TYPMOD_LITERALS)));
      // as the input function's typmod (numeric_in applies it the same way)
      for (const lit of TYPMOD_LITERALS) {
        const pg = await oracle.text(`SELECT $1::${sqlType}`, [lit]);
        const mine = ours(() => numeric.textOut(numeric.textIn(lit, typmod, ctx0), ctx0));
        if (!sameOutcome(pg, mine)) problems.push(`textIn typmod ${sqlType} ${lit}: PG ${show(pg)} vs ours ${show(mine)}`);
      }
    }
    assertNoProblems(problems);
  });

  test('arithmetic matches PostgreSQL (+ - * / % and comparisons)', async () => {
    const pairs: [string, string][] = [];
    for (const a of OPERANDS) for (const b of OPERANDS) pairs.push([a, b]);
    const rows = await oracle.client.query({
      text: `SELECT a, b,
          (SELECT (a::numeric + b::numeric)::text), (SELECT (a::numeric - b::numeric)::text), (SELECT (a::numeric * b::numeric)::text),
          CASE WHEN b::numeric = 0 AND a <> 'NaN' THEN 'ERR' ELSE (a::numeric / b::numeric)::text END,
          CASE WHEN b::numeric = 0 AND a <> 'NaN' THEN 'ERR' ELSE (a::numeric % b::numeric)::text END,
          CASE WHEN a::numeric < b::numeric THEN -1 WHEN a::numeric > b::numeric THEN 1 ELSE 0 END, (a::numeric = b::numeric)
        FROM unnest($1::text[], $2::text[]) AS t(a, b)`,
      values: [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
      rowMode: 'array',
    });
    const problems: string[] = [];
    const fmt = (f: () => Numeric): string => {
      try {
        return f().toString();
      } catch {
        return 'ERR';
      }
    };
    for (const row of rows.rows as string[][]) {
      const [a, b, sum, diff, prod, quot, mod, cmp] = row as [string, string, string, string, string, string, string, number];
      const x = Numeric.parse(a);
      const y = Numeric.parse(b);
      const got = [fmt(() => x.add(y)), fmt(() => x.sub(y)), fmt(() => x.mul(y)), fmt(() => x.div(y)), fmt(() => x.mod(y))];
      const want = [sum, diff, prod, quot, mod];
      for (let i = 0; i < 5; i++) if (got[i] !== want[i]) problems.push(`${a} ${['+', '-', '*', '/', '%'][i]} ${b}: PG ${want[i]} ours ${got[i]}`);
      const sortCmp = Math.sign(x.compare(y));
      const pgCmp = Number(cmp);
      if (sortCmp !== pgCmp) problems.push(`compare(${a}, ${b}): PG ${pgCmp} ours ${sortCmp}`);
    }
    assertNoProblems(problems);
  });

  test('division by zero raises 22012 like PostgreSQL', async () => {
    for (const [a, b] of [['1', '0'], ['Infinity', '0'], ['0', '0.00']]) {
      const pg = await oracle.text('SELECT $1::numeric / $2::numeric', [a, b]);
      const mine = ours(() => Numeric.parse(a!).div(Numeric.parse(b!)).toString());
      assert.ok(sameOutcome(pg, mine), `${a}/${b}: PG ${show(pg)} ours ${show(mine)}`);
      const pgMod = await oracle.text('SELECT $1::numeric % $2::numeric', [a, b]);
      const myMod = ours(() => Numeric.parse(a!).mod(Numeric.parse(b!)).toString());
      assert.ok(sameOutcome(pgMod, myMod), `${a}%${b}: PG ${show(pgMod)} ours ${show(myMod)}`);
    }
  });

  test('round, trunc, abs, negate match PostgreSQL', async () => {
    const values = ['1.5', '-1.5', '2.5', '1234.5678', '-1234.5678', '0.0005', '-0.0005', '99.995', 'NaN', 'Infinity', '0', '1e-20'];
    const scales = [-3, -1, 0, 1, 2, 3, 5];
    const problems: string[] = [];
    for (const v of values) {
      for (const s of scales) {
        const pg = await oracle.text('SELECT round($1::numeric, $2)::text || \'|\' || trunc($1::numeric, $2)::text', [v, String(s)]);
        const n = Numeric.parse(v);
        const mine = `${n.round(s).toString()}|${n.trunc(s).toString()}`;
        if (!pg.ok || pg.value !== mine) problems.push(`round/trunc(${v}, ${s}): PG ${show(pg)} ours ${mine}`);
      }
      const pg = await oracle.text("SELECT abs($1::numeric)::text || '|' || (-$1::numeric)::text", [v]);
      const n = Numeric.parse(v);
      const mine = `${n.abs().toString()}|${n.negate().toString()}`;
      if (!pg.ok || pg.value !== mine) problems.push(`abs/neg(${v}): PG ${show(pg)} ours ${mine}`);
    }
    assertNoProblems(problems);
  });

  test('numeric to int2/int4/int8 and float8 casts match PostgreSQL', async () => {
    const values = ['0.5', '-0.5', '1.5', '2.5', '-2.5', '32767.4', '32767.5', '-32768.5', '2147483647.49', '2147483647.5', '-2147483648.5',
      '9223372036854775807', '9223372036854775807.5', '-9223372036854775808.4', 'NaN', 'Infinity', '-Infinity', '0.1', '1e-400', '123456789.987654321'];
    const kinds: [IntKind, string][] = [['smallint', 'int2'], ['integer', 'int4'], ['bigint', 'int8']];
    const problems: string[] = [];
    for (const v of values) {
      for (const [kind, sql] of kinds) {
        const pg = await oracle.text(`SELECT $1::numeric::${sql}`, [v]);
        const mine = ours(() => Numeric.parse(v).toBigInt(kind).toString());
        if (!sameOutcome(pg, mine)) problems.push(`${v}::${sql}: PG ${show(pg)} ours ${show(mine)}`);
      }
      const pg = await oracle.text('SELECT $1::numeric::float8', [v]);
      const mine = ours(() => String(typeByName('float8')!.textOut(Numeric.parse(v).toNumber(), ctx0)));
      if (!sameOutcome(pg, mine)) problems.push(`${v}::float8: PG ${show(pg)} ours ${show(mine)}`);
    }
    for (const f of ['0.1', '1e300', '-1.5e-7', '123456789.123456789', 'NaN', 'Infinity', '-Infinity', '1e22', '0.30000000000000004', '-0']) {
      const pg8 = await oracle.text('SELECT $1::float8::numeric', [f]);
      const mine8 = ours(() => Numeric.fromNumber(Number(f)).toString());
      if (!sameOutcome(pg8, mine8)) problems.push(`${f}::float8::numeric: PG ${show(pg8)} ours ${show(mine8)}`);
      const pg4 = await oracle.text('SELECT $1::float4::numeric', [f.includes('300') ? '1e30' : f]);
      const mine4 = ours(() => Numeric.fromNumber(Math.fround(Number(f.includes('300') ? '1e30' : f)), 6).toString());
      if (!sameOutcome(pg4, mine4)) problems.push(`${f}::float4::numeric: PG ${show(pg4)} ours ${show(mine4)}`);
    }
    assertNoProblems(problems);
  });
});

const ctx0 = { timeZone: 'UTC', extraFloatDigits: 1, dateStyle: 'ISO, MDY', intervalStyle: 'postgres' };
