/**
 * types/float-format.ts and the float4/float8 types against PostgreSQL 15: float8in/float4in
 * (syntax, specials, range errors) and float8out/float4out under several extra_float_digits
 * settings, for edge literals and for thousands of random bit patterns.
 */
import { after, before, describe, test } from 'node:test';
import { formatFloat4, formatFloat8, typeByName } from '../../src/types/index.ts';
import { postgresAvailable } from '../support/pg-cluster.ts';
import { assertNoProblems, compareLiterals, context, startOracle, type Oracle } from './oracle.ts';

const float8 = typeByName('double precision')!;
const float4 = typeByName('real')!;

const LITERALS = [
  '0', '-0', '1', '-1', '0.1', '0.5', '1.5', '2.5', '1e15', '1e14', '123456789012345', '1234567890123456', '1234567890123445',
  '1e16', '1e20', '1e21', '1e22', '1.5e-5', '1e-5', '0.0001', '0.00012345', '1e-4', '1e-7', '1.7976931348623157e308', '5e-324',
  '2.2250738585072014e-308', '4.9e-324', '3.4028235e38', '1.17549435e-38', '1e-45', '1.4e-45', '16777217', '0.30000000000000004',
  '100', '1000000', '123456', '1234567', '12345678', '0.000001', '3.14159265358979323846', '-2.718281828459045', '1e300', '1e-300',
  'NaN', 'nan', 'NAN', 'Infinity', '-Infinity', '+Infinity', 'inf', '-inf', '+inf', 'INF', 'infinity', ' 1.5 ', '\t2\n',
  '0x10', '0x1p-2', '0x1.8p1', '1e400', '-1e400', '1e-400', '3.5e38', '1e-46', '7e-46', '1e39', ' 1e400 ',
  '', ' ', 'abc', '1.5x', '1e', '1e+', '--1', '1 2', 'infinityx', 'nanx', '.', '.5', '5.', '+.5e1', '1_0',
];

const SETTINGS = [1, 0, 3, -4, -15];

describe('float4 / float8', { skip: !postgresAvailable() }, () => {
  let oracle: Oracle;
  before(async () => {
    oracle = await startOracle();
  });
  after(async () => {
    await oracle?.stop();
  });

  test('float8 and float4 literals agree with PostgreSQL under each extra_float_digits', async () => {
    const problems: string[] = [];
    for (const efd of SETTINGS) {
      await oracle.exec(`SET extra_float_digits = ${efd}`);
      const ctx = context({ extraFloatDigits: efd });
      problems.push(...(await compareLiterals(oracle, { sqlType: 'float8', type: float8, ctx }, LITERALS)).map((p) => `efd=${efd} ${p}`));
      problems.push(...(await compareLiterals(oracle, { sqlType: 'float4', type: float4, ctx }, LITERALS)).map((p) => `efd=${efd} ${p}`));
    }
    await oracle.exec('RESET extra_float_digits');
    assertNoProblems(problems);
  });

  test('random float8 bit patterns print like float8out', async () => {
    const values: number[] = [];
    const view = new DataView(new ArrayBuffer(8));
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    while (values.length < 3000) {
      view.setUint32(0, (rnd() << 1) ^ rnd());
      view.setUint32(4, (rnd() << 1) ^ rnd());
      const x = view.getFloat64(0);
      if (Number.isFinite(x)) values.push(x);
    }
    for (let k = 0; k < 300; k++) values.push(Math.round(rnd() / 7) * 10 ** ((k % 40) - 20));
    const problems: string[] = [];
    for (const efd of [1, 0, -3]) {
      await oracle.exec(`SET extra_float_digits = ${efd}`);
      const res = await oracle.client.query({ text: 'SELECT v::float8::text FROM unnest($1::text[]) AS v', values: [values.map((x) => x.toPrecision(17))], rowMode: 'array' });
      res.rows.forEach((row, i) => {
        const mine = formatFloat8(values[i]!, efd);
        if (row[0] !== mine) problems.push(`efd=${efd} ${values[i]!.toPrecision(17)}: PG ${row[0]} ours ${mine}`);
      });
    }
    await oracle.exec('RESET extra_float_digits');
    assertNoProblems(problems.slice(0, 30));
  });

  test('random float4 bit patterns print like float4out', async () => {
    const values: number[] = [];
    const view = new DataView(new ArrayBuffer(4));
    let seed = 777;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    while (values.length < 3000) {
      view.setUint32(0, (rnd() << 1) ^ rnd());
      const x = view.getFloat32(0);
      if (Number.isFinite(x)) values.push(x);
    }
    const problems: string[] = [];
    for (const efd of [1, 0, -2]) {
      await oracle.exec(`SET extra_float_digits = ${efd}`);
      const res = await oracle.client.query({ text: 'SELECT v::float4::text FROM unnest($1::text[]) AS v', values: [values.map((x) => x.toPrecision(9))], rowMode: 'array' });
      res.rows.forEach((row, i) => {
        const mine = formatFloat4(values[i]!, efd);
        if (row[0] !== mine) problems.push(`efd=${efd} ${values[i]!.toPrecision(9)}: PG ${row[0]} ours ${mine}`);
      });
    }
    await oracle.exec('RESET extra_float_digits');
    assertNoProblems(problems.slice(0, 30));
  });
});
