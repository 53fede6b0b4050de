/**
 * types/array.ts against PostgreSQL 15: array_in/array_out quoting and escaping, NULLs,
 * multi-dimensional and lower-bound arrays, malformed-literal errors, array_send/array_recv
 * for many element types, and array_recv's errors for malformed binary input.
 */
import { after, before, describe, test } from 'node:test';
import { BinaryWriter, defaultFormatContext as ctx, parseTypeName, typeByName } from '../../src/types/index.ts';
import { postgresAvailable } from '../support/pg-cluster.ts';
import { assertNoProblems, compareLiterals, ours, sameOutcome, show, startOracle, type Oracle } from './oracle.ts';

const TEXT_ARRAYS = [
  '{}', '{a,b,c}', '{"a b",c}', '{ a b , "c d" , e\\ f }', '{NULL,"NULL",null,nULl,"null"}', '{""}', '{"",""}', '{"\\"","\\\\"}',
  '{a\\,b}', '{"{}"}', '{"a,b"}', '{" "}', '{\\ }', '{{a,b},{c,d}}', '{{{1}},{{2}}}', '[0:1]={a,b}', '[2:3]={a,b}', ' [0:1] = {1,2} ',
  '[1:2][3:4]={{a,b},{c,d}}', '[1:1]={x}', '[-5:-4]={x,y}', '{ }', '  {a}  ', '{ünï,"😀"}', '{"tab\there"}', '{a"b"}', '{"a"b}',
  ' {1,2', '{1,2}x', '{{1,2},{3}}', '[2:3]={1}', '[3:2]={1}', '[2:3]{1,2}', '1,2', '{1,,2}', '{{1},2}', '{1,{2}}', '{{}}', '[a]={1}',
  '[1:]={1}', '[1:2={1,2}', '{a}}', '{{a},{b}}}', '', '{"abc}', '{a\\', '{{{{{{{1}}}}}}}', '{{{{{{1}}}}}}', 'NULL', '{NULL}', '{{NULL,NULL},{a,NULL}}',
];

const ELEMENT_ARRAYS: [string, string[]][] = [
  ['int4[]', ['{1,2,3}', '{-2147483648,2147483647}', '{1,NULL,3}', '{{1,2},{3,4}}', '[0:2]={7,8,9}', '{1,abc}', '{99999999999}', '{ 1 , 2 }', '{}']],
  ['int2[]', ['{1,-32768}', '{32768}']],
  ['int8[]', ['{9223372036854775807,-1}']],
  ['float8[]', ['{1.5,NaN,Infinity,-Infinity,-0,1e300,0.1}', '{1e400}']],
  ['float4[]', ['{1.5,NaN,3.4028235e38}']],
  ['numeric[]', ['{1.50,NaN,-0.001,1e20,Infinity}', '{abc}']],
  ['bool[]', ['{t,f,NULL,yes,off}', '{maybe}']],
  ['date[]', ['{2024-01-02,infinity,"4714-11-24 BC",-infinity}']],
  ['timestamp[]', ['{"2024-01-02 03:04:05.5","0044-03-15 12:00 BC",infinity}']],
  ['timestamptz[]', ['{"2024-01-02 03:04:05+02","2024-07-01 00:00:00 America/New_York"}']],
  ['time[]', ['{04:05:06.789,24:00:00}']],
  ['interval[]', ['{"1 day","-1 year 2 mons 03:04:05.5",P1Y}']],
  ['uuid[]', ['{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}']],
  ['bytea[]', ['{"\\\\x00ff","\\\\001abc"}', '{"\\\\xzz"}']],
  ['jsonb[]', ['{"{\\"b\\":1,\\"a\\":2}","[1, 2]",null,"\\"s\\""}']],
  ['json[]', ['{"{\\"b\\":1,\\"a\\":2}","[1,2"}']],
  ['varchar[]', ['{abc,"d e"}']],
  ['bpchar[]', ['{"ab  ",c}']],
  ['name[]', ['{abc,def}']],
  ['"char"[]', ['{a,b,"\\\\377"}']],
  ['oid[]', ['{1,4294967295,-1}']],
];

describe('arrays', { skip: !postgresAvailable() }, () => {
  let oracle: Oracle;
  before(async () => {
    oracle = await startOracle();
  });
  after(async () => {
    await oracle?.stop();
  });

  test('text[] literals: quoting, NULLs, dimensions and errors agree with PostgreSQL', async () => {
    assertNoProblems(await compareLiterals(oracle, { sqlType: 'text[]', type: typeByName('text[]')! }, TEXT_ARRAYS));
  });

  test('arrays of every element type agree with PostgreSQL', async () => {
    const problems: string[] = [];
    for (const [sqlType, literals] of ELEMENT_ARRAYS) problems.push(...(await compareLiterals(oracle, { sqlType, type: typeByName(sqlType)! }, literals)));
    const { typmod } = parseTypeName('varchar(2)[]')!;
    problems.push(...(await compareLiterals(oracle, { sqlType: 'varchar(2)[]', type: typeByName('varchar[]')!, castTypmod: typmod }, ['{abc,d,NULL}'])));
    const num = parseTypeName('numeric(4,1)[]')!;
    problems.push(...(await compareLiterals(oracle, { sqlType: 'numeric(4,1)[]', type: typeByName('numeric[]')!, castTypmod: num.typmod }, ['{1.25,-3.35,NULL}', '{12345}'])));
    assertNoProblems(problems);
  });

  test('array_recv rejects malformed binary input with PostgreSQL\'s errors', async () => {
    const int4arr = typeByName('int4[]')!;
    const header = (ndim: number, flags: number, elem: number, dims: [number, number][]): BinaryWriter => {
      const w = new BinaryWriter().int32(ndim).int32(flags).uint32(elem);
      for (const [d, lb] of dims) w.int32(d).int32(lb);
      return w;
    };
    const cases: [string, Uint8Array][] = [
      ['negative ndim', header(-1, 0, 23, []).finish()],
      ['too many dims', header(7, 0, 23, []).finish()],
      ['bad flags', header(1, 2, 23, [[1, 1]]).int32(4).int32(5).finish()],
      ['wrong element type', header(1, 0, 25, [[1, 1]]).int32(4).int32(5).finish()],
      ['truncated element', header(1, 0, 23, [[2, 1]]).int32(4).int32(5).finish()],
      ['element too long', header(1, 0, 23, [[1, 1]]).int32(8).int32(5).int32(6).finish()],
      ['element length beyond data', header(1, 0, 23, [[1, 1]]).int32(40).int32(5).finish()],
      ['null element', header(1, 1, 23, [[2, 1]]).int32(-1).int32(4).int32(5).finish()],
      ['empty with zero dim', header(1, 0, 23, [[0, 1]]).finish()],
      ['zero dims', header(0, 0, 23, []).finish()],
      ['lower bound 5', header(1, 0, 23, [[1, 5]]).int32(4).int32(9).finish()],
      ['trailing bytes', header(1, 0, 23, [[1, 1]]).int32(4).int32(5).int32(0).finish()],
      ['short header', new BinaryWriter().int32(1).finish()],
    ];
    const problems: string[] = [];
    for (const [label, bytes] of cases) {
      const pg = await oracle.text('SELECT $1::int4[]', [Buffer.from(bytes)]);
      const mine = ours(() => int4arr.textOut(int4arr.binaryIn(bytes, -1, ctx), ctx));
      const pgNoContext = pg.ok ? pg : { ...pg, message: pg.message.replace(/ in bind parameter 1$/, '') };
      if (!sameOutcome(pgNoContext, mine)) problems.push(`${label}: PG ${show(pg)} ours ${show(mine)}`);
    }
    assertNoProblems(problems);
  });
});
