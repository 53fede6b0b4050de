/**
 * types/ vector, halfvec, sparsevec, bit and varbit against PGlite + pgvector 0.8.0: text
 * input/output and every input error (SQLSTATE, message, detail), the binary send format
 * both ways, typmods (type names, format_type, dimension errors) and the cast functions.
 */
import { after, before, describe, test } from 'node:test';
import {
  arrayTypeOf, defaultFormatContext, findVectorCast, formatType, Oid, parseTypeName, typeByName, type PgType,
} from '../../src/types/index.ts';
import { assertNoProblems, ours, sameOutcome, show } from './oracle.ts';
import { startVectorOracle, type VectorOracle } from './vector-oracle.ts';

const ctx = defaultFormatContext;
const many = (n: number, x: string): string => `[${Array(n).fill(x).join(',')}]`;

const DENSE = [
  '[1,2,3]', '[1.5]', ' [ 1 , 2 ] ', '[\t1\n]', '[1e-45]', '[1e-46]', '[7e-46]', '[1.4e-45]', '[-0]', '[0x1p3]', '[0x1.8p1]', '[0x]',
  '[1e38, -3.4e38]', '[3.4028235e38]', '[3.40282357e38]', '[3.4028235677973366e38]', '[3.4028235677973362e38]', '[1e39]', '[-1e39]',
  '[inf]', '[-Infinity]', '[nan]', '[NaN]', '[nan(1)]', '[]', '[ ]', '', ' ', 'x', '[1,2', '[1,,2]', '[1 2]', '[1,2] x', '[1,2]x',
  '[1,2] ', '1,2', '[,]', '[1,]', '[+1, -.5, 5., .5e1]', '[1e]', '[1e+]', '[1_0]', '["1"]', '[1.17549435e-38]', '[0.1,0.2,0.3]',
  '[123456789]', '[16777217]', '[1.000000059604644775390625]', '[1.000000059604644775390626]', '[1.000000059604644775390624]',
  '[1.0000001788139343]', '[1.00000017881393432617187500001]', '[65504]', '[65519]', '[65520]', '[70000]', '[1e-8]', '[6e-8]',
  '[2.9802322387695312e-8]', '[2.98023223876953126e-8]', '[1.0009765625]', '[1.00048828125]', '[1.000732421875]', '[-65504, 0.1]',
  '[1e5]', '[3e-5,6.1e-5]', '[1,2,3', '[1;2]', '[[1]]', '[1e-400]', '[1e400]', '[-1e-400]',
  many(16000, '1'), many(16001, '1'), many(16000, '-0.25'),
  // parseVector's one-pass path (plain decimals, no spaces) and where it hands over to the general parser.
  '[-0.0]', '[.5,-.25]', '[1.,2.]', '[-]', '[-.]', '[.]', '[1,-]', '[1,2]]', '[1,2],', '[0.1,-0.2,0.30000001192092896]',
  '[100000000000000]', '[999999999999999]', '[1234567890123456]', '[0.000000000000001]', '[0.0000000000000000000001]',
  '[0.00000000000000000000001]', '[16777217,16777219]', '[0.000000059604644775390625]', '[3.4028235677973366]',
  '[340282356779733661637539395458142568448]', '[1,2,3]x', '[1,2,3] ', '[01,002.50]',
];

const SPARSE = [
  '{1:1.5,3:2}/5', '{1:0,2:1.5, 3 : 2 }/5', '{}/5', ' { } / 5 ', '{}/0', '{}/-1', '{5:1}/3', '{2:1,1:1}/3', '{1:1,1:2}/3', '{1:1}',
  '{1:1}/3x', '{1:1}/99999999999', '{1:1}/1000000000', '{1:1}/1000000001', '{0:1}/3', '{-5:1}/3', '{1:1,}/3', '{1}/3', '[1,2]',
  '{1:1e-50}/3', '{1:1e-40}/3', '{1:1e39}/3', '{1:inf}/3', '{1:nan}/3', '{1:-0}/3', '{1:1,2:2,3:3}/2', '{99999999999:1}/3',
  '{1:1}/ 3 ', '{1:1} /3', '{ 1 :1}/3', '{1:}/3', '{:1}/3', '{1:1}/', '{1:1}/x', '', 'x', '{1:0x10}/3', '{+2:1}/3', '{1:1}/+3',
  `{${Array.from({ length: 16001 }, (_, i) => `${i + 1}:1`).join(',')}}/20000`,
  `{${Array.from({ length: 16000 }, (_, i) => `${i + 1}:${(i % 7) - 3}`).join(',')}}/20000`,
];

const BITS = ['101', '', 'b101', 'B101', 'x1F', 'X1f', 'xA', '102', 'xg', 'b', 'x', '0'.repeat(100), '1 0', '1'.repeat(9), 'é', 'b1é'];

interface TypeCase {
  readonly sql: string;
  readonly type: PgType<any>;
  readonly typmod: number;
  readonly send: string;
  readonly literals: readonly string[];
}

const CASES: TypeCase[] = [
  { sql: 'vector', type: typeByName('vector')!, typmod: -1, send: 'vector_send', literals: DENSE },
  { sql: 'vector(3)', type: typeByName('vector')!, typmod: 3, send: 'vector_send', literals: ['[1,2,3]', '[1,2]', '[1,2,3,4]', 'x'] },
  { sql: 'halfvec', type: typeByName('halfvec')!, typmod: -1, send: 'halfvec_send', literals: DENSE },
  { sql: 'halfvec(2)', type: typeByName('halfvec')!, typmod: 2, send: 'halfvec_send', literals: ['[1,2]', '[1]', '[70000]'] },
  { sql: 'sparsevec', type: typeByName('sparsevec')!, typmod: -1, send: 'sparsevec_send', literals: SPARSE },
  { sql: 'sparsevec(5)', type: typeByName('sparsevec')!, typmod: 5, send: 'sparsevec_send', literals: ['{1:1}/5', '{1:1}/4', '{9:1}/4'] },
  { sql: 'bit varying', type: typeByName('varbit')!, typmod: -1, send: 'varbit_send', literals: BITS },
  { sql: '"bit"', type: typeByName('bit')!, typmod: -1, send: 'bit_send', literals: BITS },
  { sql: 'bit(3)', type: typeByName('bit')!, typmod: 3, send: 'bit_send', literals: ['101', '10', '1011', 'x1', '10x'] },
  { sql: 'bit varying(3)', type: typeByName('varbit')!, typmod: 3, send: 'varbit_send', literals: ['101', '10', '1011', 'x1', 'x'] },
];

describe('pgvector types: text and binary formats', () => {
  let oracle: VectorOracle;
  before(async () => {
    oracle = await startVectorOracle();
  });
  after(async () => {
    await oracle?.close();
  });

  test('text input, output and errors; binary send and receive', async () => {
    const problems: string[] = [];
    for (const c of CASES) {
      for (const lit of c.literals) {
        const label = `${c.sql} ${JSON.stringify(lit.length > 60 ? `${lit.slice(0, 60)}…(${lit.length})` : lit)}`;
        const pgText = await oracle.text(`SELECT $1::${c.sql}::text`, [lit]);
        // `$1::t(n)`: the input function sees typmod -1, then the explicit length coercion runs.
        const parse = (): unknown => {
          const v = c.type.textIn(lit, -1, ctx);
          return c.type.applyTypmod ? c.type.applyTypmod(v, c.typmod, true) : v;
        };
        const ourText = ours(() => c.type.textOut(parse(), ctx));
        if (!sameOutcome(pgText, ourText)) problems.push(`${label}: text PG ${show(pgText)} vs ours ${show(ourText)}`);
        if (!pgText.ok) continue;
        const pgBin = await oracle.text(`SELECT encode(${c.send}($1::${c.sql}), 'hex')`, [lit]);
        const ourBin = ours(() => c.type.binaryOut(parse(), ctx));
        if (!sameOutcome(pgBin, ourBin)) problems.push(`${label}: binary PG ${show(pgBin)} vs ours ${show(ourBin)}`);
        if (pgBin.ok && pgBin.value !== null) {
          const back = ours(() => c.type.textOut(c.type.binaryIn(Buffer.from(pgBin.value!, 'hex'), c.typmod, ctx), ctx));
          if (!sameOutcome(pgText, back)) problems.push(`${label}: binaryIn(PG bytes) ${show(back)} vs PG text ${show(pgText)}`);
        }
      }
    }
    assertNoProblems(problems);
  });

  test('malformed binary input is rejected with pgvector messages', () => {
    const hex = (h: string): Buffer => Buffer.from(h.replace(/ /g, ''), 'hex');
    const expect: [PgType<any>, string, string][] = [
      [typeByName('vector')!, '0000 0000', 'ERROR 22000 "vector must have at least 1 dimension"'],
      [typeByName('vector')!, '3e81 0000', 'ERROR 54000 "vector cannot have more than 16000 dimensions"'],
      [typeByName('vector')!, '0001 0001 3f800000', 'ERROR 22000 "expected unused to be 0, not 1"'],
      [typeByName('vector')!, '0001 0000 7fc00000', 'ERROR 22000 "NaN not allowed in vector"'],
      [typeByName('vector')!, '0001 0000 7f800000', 'ERROR 22000 "infinite value not allowed in vector"'],
      [typeByName('vector')!, '0002 0000 3f800000', 'ERROR 08P01 "insufficient data left in message"'],
      [typeByName('vector')!, '0001 0000 3f800000 00', 'ERROR 22P03 "incorrect binary data format"'],
      [typeByName('halfvec')!, '0001 0000 7c00', 'ERROR 22000 "infinite value not allowed in halfvec"'],
      [typeByName('halfvec')!, '0002 0000 3c00 4100', '"[1,2.5]"'],
      [typeByName('sparsevec')!, '00000005 00000001 00000000 00000005 3f800000', 'ERROR 22000 "sparsevec index out of bounds"'],
      [typeByName('sparsevec')!, '00000005 00000002 00000000 00000002 00000001 3f800000 3f800000', 'ERROR 22000 "sparsevec indices must be in ascending order"'],
      [typeByName('sparsevec')!, '00000005 00000001 00000000 00000001 00000000', 'ERROR 22000 "binary representation of sparsevec cannot contain zero values"'],
      [typeByName('sparsevec')!, '00000002 00000003 00000000', 'ERROR 54000 "sparsevec cannot have more elements than dimensions"'],
      [typeByName('sparsevec')!, '00000002 ffffffff 00000000', 'ERROR 22000 "sparsevec cannot have negative number of elements"'],
      [typeByName('bit')!, '00000003 ff', '"111"'],
      [typeByName('bit')!, 'ffffffff', 'ERROR 22P03 "invalid length in external bit string"'],
    ];
    const problems: string[] = [];
    for (const [type, bytes, want] of expect) {
      const got = show(ours(() => type.textOut(type.binaryIn(hex(bytes), -1, ctx), ctx)));
      if (got !== want) problems.push(`${type.name} ${bytes}: ${got}, want ${want}`);
    }
    assertNoProblems(problems);
  });

  test('type names, typmods and format_type', async () => {
    const problems: string[] = [];
    const spellings = [
      'vector', 'vector(3)', 'vector(16000)', 'halfvec(5)', 'sparsevec(1000000000)', 'bit', 'bit(3)', 'bit varying', 'bit varying(5)',
      'varbit(7)', 'vector(3)[]', 'bit(2)[]', 'vector(0)', 'vector(16001)', 'halfvec(16001)', 'sparsevec(1000000001)', 'sparsevec(0)',
      'bit(0)', 'varbit(0)', 'bit(83886081)', 'vector(1,2)',
    ];
    for (const [i, spelling] of spellings.entries()) {
      let pg = await oracle.text(`CREATE TEMP TABLE t${i} (c ${spelling})`);
      if (pg.ok) pg = await oracle.text(`SELECT format_type(atttypid, atttypmod) || ' ' || atttypmod FROM pg_attribute WHERE attrelid = 't${i}'::regclass AND attname = 'c'`);
      const mine = ours(() => {
        const r = parseTypeName(spelling)!;
        return `${formatType(r.oid, r.typmod)} ${r.typmod}`;
      });
      if (!sameOutcome(pg, mine)) problems.push(`${spelling}: PG ${show(pg)} ours ${show(mine)}`);
    }
    assertNoProblems(problems);
  });

  test('casts between arrays, vector, halfvec and sparsevec', async () => {
    const problems: string[] = [];
    const arrays: [string, number, string[]][] = [
      ['integer[]', Oid.int4, ['{1,2,3}', '{0,0,5}', '{}', '{{1,2},{3,4}}', '{1,NULL}', '{2147483647,-2147483648}', '{0}']],
      ['real[]', Oid.float4, ['{1.5,-2.25}', '{NaN}', '{Infinity}', '{1e-40}', '{3.4e38}', '{70000}', '{0.1}']],
      ['double precision[]', Oid.float8, ['{1e39}', '{1e-50}', '{0.1}', '{65519.99}', '{65520}', '{-1e300}', '{NaN}', '{1,2}']],
      ['numeric[]', Oid.numeric, ['{1.5,2}', '{1e39}', '{NaN}', '{0.1}', '{70000}', '{1e-50}', '{123456789.123456789}']],
    ];
    for (const [sqlType, elemOid, lits] of arrays) {
      const arrType = arrayTypeOf(elemOid)!;
      for (const target of ['vector', 'halfvec', 'sparsevec', 'vector(2)']) {
        const [name, typmod] = target === 'vector(2)' ? ['vector', 2] : [target, -1];
        const to = typeByName(name)!;
        for (const lit of lits) {
          const pg = await oracle.text(`SELECT $1::${sqlType}::${target}::text`, [lit]);
          const mine = ours(() => to.textOut(findVectorCast(arrType.oid, to.oid)!.convert(arrType.textIn(lit, -1, ctx), typmod), ctx));
          if (!sameOutcome(pg, mine)) problems.push(`${lit}::${sqlType}::${target}: PG ${show(pg)} ours ${show(mine)}`);
        }
      }
    }
    const pairs: [string, string, string[]][] = [
      ['vector', 'real[]', ['[1,2.5]', '[-0,1e-45]']],
      ['halfvec', 'real[]', ['[1,2.5]', '[0.1]']],
      ['vector', 'halfvec', ['[1,2]', '[70000]', '[65519]', '[1e-8]', '[-0.1]']],
      ['vector', 'halfvec(3)', ['[1,2]', '[1,2,3]']],
      ['halfvec', 'vector', ['[1,2]', '[0.1,-65504]']],
      ['vector', 'sparsevec', ['[1,0,2]', '[0,0]', '[-0,1]']],
      ['halfvec', 'sparsevec', ['[1,0,2]', '[0.1,0]']],
      ['sparsevec', 'vector', ['{2:1}/3', '{}/2', '{1:1}/16001']],
      ['sparsevec', 'halfvec', ['{2:1}/3', '{2:70000}/3', '{1:0.1}/2', '{1:1}/16001']],
      ['sparsevec', 'vector(2)', ['{2:1}/3', '{2:1}/2']],
    ];
    for (const [fromName, target, lits] of pairs) {
      const from = typeByName(fromName)!;
      const parsed = parseTypeName(target)!;
      const to = typeByName(target.replace(/\(\d+\)/, ''))!;
      for (const lit of lits) {
        const pg = await oracle.text(`SELECT $1::${fromName}::${target}::text`, [lit]);
        const mine = ours(() => to.textOut(findVectorCast(from.oid, to.oid)!.convert(from.textIn(lit, -1, ctx), parsed.typmod), ctx));
        if (!sameOutcome(pg, mine)) problems.push(`${lit}::${fromName}::${target}: PG ${show(pg)} ours ${show(mine)}`);
      }
    }
    assertNoProblems(problems);
  });
});
