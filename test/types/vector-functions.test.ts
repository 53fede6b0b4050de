/**
 * executor/vector-functions.ts against PGlite + pgvector 0.8.0: every distance function and
 * operator, norms, normalize, quantize, subvector, arithmetic, || and comparisons on random
 * vectors of several magnitudes (printed float8/vector text compared exactly), plus the
 * dimension-mismatch, overflow and underflow errors and the bit distances.
 */
import { after, before, describe, test } from 'node:test';
import { defaultFormatContext, denseAdd, formatDenseVector, Oid, roundToHalf, typeByName, vectorAccum, vectorAvg } from '../../src/types/index.ts';
import { assertNoProblems, ours, sameOutcome, show } from './oracle.ts';
import { callOurs, callOursValue, rng, startVectorOracle, type VectorOracle } from './vector-oracle.ts';

const ctx = defaultFormatContext;
const KINDS = [
  { sql: 'vector', oid: Oid.vector, prefix: 'vector', norm: 'vector_norm' },
  { sql: 'halfvec', oid: Oid.halfvec, prefix: 'halfvec', norm: 'l2_norm' },
] as const;

/** Random float32 values from a mix of scales, including exact zeros and negative zero. */
function randomVector(next: () => number, dim: number, half: boolean): Float32Array {
  const scale = [1, 1e-3, 100, 1e4, 3e-6][Math.floor(next() * 5)]!;
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) {
    const r = next();
    const x = r < 0.05 ? 0 : r < 0.07 ? -0 : (next() * 2 - 1) * scale;
    out[i] = half ? roundToHalf(x) : x;
  }
  return out;
}

/** Each name maps to SQL over $1, $2 and our catalog call over (a, b). */
function binaryCalls(k: (typeof KINDS)[number] | { sql: 'sparsevec'; oid: number; prefix: string }): [string, string, number[]][] {
  const t = k.oid;
  const list: [string, string, number[]][] = [
    ['l2_distance', 'l2_distance($1, $2)', [t, t]],
    ['inner_product', 'inner_product($1, $2)', [t, t]],
    ['cosine_distance', 'cosine_distance($1, $2)', [t, t]],
    ['l1_distance', 'l1_distance($1, $2)', [t, t]],
    ['<->', '$1 <-> $2', [t, t]],
    ['<#>', '$1 <#> $2', [t, t]],
    ['<=>', '$1 <=> $2', [t, t]],
    ['<+>', '$1 <+> $2', [t, t]],
    [`${k.prefix}_l2_squared_distance`, `${k.prefix}_l2_squared_distance($1, $2)`, [t, t]],
    [`${k.prefix}_negative_inner_product`, `${k.prefix}_negative_inner_product($1, $2)`, [t, t]],
    [`${k.prefix}_cmp`, `${k.prefix}_cmp($1, $2)`, [t, t]],
  ];
  for (const op of ['<', '<=', '=', '<>', '>=', '>']) list.push([op, `$1 ${op} $2`, [t, t]]);
  return list;
}

describe('pgvector functions and operators', () => {
  let oracle: VectorOracle;
  before(async () => {
    oracle = await startVectorOracle();
  });
  after(async () => {
    await oracle?.close();
  });

  /** Runs one SQL expression per call in PGlite and our catalog, collecting disagreements. */
  async function compare(problems: string[], sqlType: string, calls: [string, string, number[]][], args: unknown[], literals: string[]): Promise<void> {
    const exprs = calls.map(([, sql]) => `(${sql.replace(/\$(\d)/g, (_, n: string) => `$${n}::${sqlType}`)})::text`);
    const row = await oracle.row(`SELECT ${exprs.join(', ')}`, literals);
    const mine = calls.map(([name, , types]) => callOurs(name, types, args.slice(0, types.length)));
    if (row.length === 1 && !row[0]!.ok) {
      // One call failed in PGlite: re-run each alone to find which and compare errors.
      for (const [i, expr] of exprs.entries()) {
        const pg = await oracle.text(`SELECT ${expr}`, literals.slice(0, calls[i]![2].length));
        if (!sameOutcome(pg, mine[i]!)) problems.push(`${calls[i]![0]} ${literals.join(' ')}: PG ${show(pg)} ours ${show(mine[i]!)}`);
      }
      return;
    }
    for (const [i, pg] of row.entries()) {
      if (!sameOutcome(pg, mine[i]!)) problems.push(`${calls[i]![0]} ${literals.join(' ')}: PG ${show(pg)} ours ${show(mine[i]!)}`);
    }
  }

  test('dense distances, norms and comparisons on random vectors', async () => {
    const problems: string[] = [];
    const next = rng(42);
    for (const k of KINDS) {
      const t = k.oid;
      const unary: [string, string, number[]][] = [
        ['vector_dims', 'vector_dims($1)', [t]],
        [k.norm, `${k.norm}($1)`, [t]],
        ['l2_normalize', 'l2_normalize($1)', [t]],
        ['binary_quantize', 'binary_quantize($1)', [t]],
      ];
      for (let n = 0; n < 120; n++) {
        const dim = 1 + Math.floor(next() * (n < 100 ? 40 : 2000));
        const a = randomVector(next, dim, k.sql === 'halfvec');
        const b = next() < 0.1 ? a.slice() : randomVector(next, dim, k.sql === 'halfvec');
        const lits = [formatDenseVector(a), formatDenseVector(b)];
        await compare(problems, k.sql, [...binaryCalls(k), ...unary], [a, b], lits);
      }
      const spherical: [string, string, number[]][] = [[`${k.prefix}_spherical_distance`, `${k.prefix}_spherical_distance($1, $2)`, [t, t]]];
      for (let n = 0; n < 40; n++) {
        const dim = 1 + Math.floor(next() * 30);
        const unit = (v: Float32Array): Float32Array => callOursValue('l2_normalize', [t], [v]) as Float32Array;
        const a = unit(randomVector(next, dim, k.sql === 'halfvec'));
        const b = n % 5 === 0 ? a : unit(randomVector(next, dim, k.sql === 'halfvec'));
        await compare(problems, k.sql, spherical, [a, b], [formatDenseVector(a), formatDenseVector(b)]);
      }
      // dimension mismatches: every two-argument function raises pgvector's 22000
      const a = randomVector(next, 3, false);
      const b = randomVector(next, 4, false);
      const distances = binaryCalls(k).filter(([name]) => !/^[<>=]|_cmp$/.test(name));
      for (const call of distances) await compare(problems, k.sql, [call], [a, b], [formatDenseVector(a), formatDenseVector(b)]);
    }
    assertNoProblems(problems);
  });

  test('arithmetic, concatenation and subvector, with their errors', async () => {
    const problems: string[] = [];
    const next = rng(7);
    for (const k of KINDS) {
      const t = k.oid;
      const type = typeByName(k.sql)!;
      const pairs: [string, string][] = [
        ['[1,2,3]', '[4,5,6]'], ['[1,2]', '[1,2,3]'], ['[3e38]', '[3e38]'], ['[-3e38]', '[3e38]'], ['[1e-30]', '[1e-30]'], ['[60000]', '[60000]'],
        ['[0.001]', '[0.0001]'], ['[1e-4]', '[1e-4]'], ['[-0]', '[0]'], ['[65504]', '[-65504]'], ['[1,2]', '[1,2,3]'],
      ];
      for (let n = 0; n < 60; n++) {
        const dim = 1 + Math.floor(next() * 20);
        pairs.push([formatDenseVector(randomVector(next, dim, k.sql === 'halfvec')), formatDenseVector(randomVector(next, dim, k.sql === 'halfvec'))]);
      }
      pairs.push([`[${Array(9000).fill('1').join(',')}]`, `[${Array(7000).fill('2').join(',')}]`]);
      pairs.push([`[${Array(9000).fill('1').join(',')}]`, `[${Array(7001).fill('2').join(',')}]`]);
      for (const [la, lb] of pairs) {
        let a: unknown;
        let b: unknown;
        try {
          a = type.textIn(la, -1, ctx);
          b = type.textIn(lb, -1, ctx);
        } catch {
          continue; // e.g. 3e38 as halfvec: covered by the I/O tests
        }
        for (const [name, sql] of [['+', '$1 + $2'], ['-', '$1 - $2'], ['*', '$1 * $2'], ['||', '$1 || $2'], [`${k.prefix}_add`, `${k.prefix}_add($1, $2)`]]) {
          await compare(problems, k.sql, [[name!, sql!, [t, t]]], [a, b], [la, lb]);
        }
      }
      const v = type.textIn('[1,2,3,4,5]', -1, ctx);
      for (const [start, count] of [[1, 2], [2, 5], [0, 2], [-5, 7], [4, 1], [5, 1], [6, 1], [0, 1], [1, 0], [3, -1], [2147483647, 1], [-2147483648, 2147483647]]) {
        const pg = await oracle.text(`SELECT subvector($1::${k.sql}, ${start}, ${count})::text`, ['[1,2,3,4,5]']);
        const mine = callOurs('subvector', [t, Oid.int4, Oid.int4], [v, start, count]);
        if (!sameOutcome(pg, mine)) problems.push(`subvector(${k.sql}, ${start}, ${count}): PG ${show(pg)} ours ${show(mine)}`);
      }
    }
    assertNoProblems(problems);
  });

  test('sparsevec distances, norms and comparisons', async () => {
    const problems: string[] = [];
    const next = rng(99);
    const t = Oid.sparsevec;
    const type = typeByName('sparsevec')!;
    const k = { sql: 'sparsevec' as const, oid: t, prefix: 'sparsevec' };
    const calls: [string, string, number[]][] = [
      ...binaryCalls(k), ['l2_norm', 'l2_norm($1)', [t]], ['l2_normalize', 'l2_normalize($1)', [t]],
    ];
    const lits: [string, string][] = [
      ['{1:1,3:2}/5', '{2:1,3:-1}/5'], ['{}/3', '{}/3'], ['{}/3', '{1:1}/3'], ['{1:1}/2', '{1:1}/3'], ['{1:1}/3', '{1:1,2:1}/2'],
      ['{1:-1}/3', '{}/3'], ['{2:1}/3', '{1:1}/3'], ['{2:-1}/3', '{1:-1}/3'], ['{1:1,2:1}/3', '{1:1}/3'], ['{1:1,3:-1}/3', '{1:1}/2'],
      ['{1:1e-45}/2', '{1:1e-45}/2'], ['{1:3e38}/2', '{2:3e38}/2'],
    ];
    for (let n = 0; n < 150; n++) {
      const dim = 1 + Math.floor(next() * 60);
      const make = (): string => {
        const parts: string[] = [];
        const scale = [1, 1e-3, 1e4][Math.floor(next() * 3)]!;
        for (let i = 1; i <= dim; i++) if (next() < 0.3) parts.push(`${i}:${Math.fround((next() * 2 - 1) * scale)}`);
        return `{${parts.join(',')}}/${dim}`;
      };
      lits.push([make(), make()]);
    }
    for (const [la, lb] of lits) await compare(problems, 'sparsevec', calls, [type.textIn(la, -1, ctx), type.textIn(lb, -1, ctx)], [la, lb]);
    assertNoProblems(problems);
  });

  test('avg() and sum() transition helpers', async () => {
    const problems: string[] = [];
    const next = rng(11);
    for (const k of KINDS) {
      const type = typeByName(k.sql)!;
      for (let n = 0; n < 15; n++) {
        const dim = 1 + Math.floor(next() * 10);
        const rows = Array.from({ length: 1 + Math.floor(next() * 6) }, () => formatDenseVector(randomVector(next, dim, k.sql === 'halfvec')));
        if (n === 14) rows.push(`[${Array(dim + 1).fill('1').join(',')}]`);
        const values = rows.map((_, i) => `($${i + 1}::${k.sql})`).join(', ');
        for (const agg of ['avg', 'sum']) {
          const pg = await oracle.text(`SELECT ${agg}(v)::text FROM (VALUES ${values}) t(v)`, rows);
          const mine = ours(() => {
            const vs = rows.map((r) => type.textIn(r, -1, ctx) as Float32Array);
            if (agg === 'sum') return type.textOut(vs.reduce((a, b) => denseAdd(k.sql, a, b)), ctx);
            const avg = vectorAvg(k.sql, vs.reduce<number[]>((state, v) => vectorAccum(state, v), [0]));
            return avg === null ? null : type.textOut(avg, ctx);
          });
          if (!sameOutcome(pg, mine)) problems.push(`${agg}(${k.sql}) ${rows.join(' ')}: PG ${show(pg)} ours ${show(mine)}`);
        }
      }
    }
    assertNoProblems(problems);
  });

  test('bit distances and ordering', async () => {
    const problems: string[] = [];
    const next = rng(5);
    const bit = typeByName('bit')!;
    const calls: [string, string, number[]][] = [
      ['hamming_distance', 'hamming_distance($1, $2)', [Oid.bit, Oid.bit]],
      ['jaccard_distance', 'jaccard_distance($1, $2)', [Oid.bit, Oid.bit]],
      ['<~>', '$1 <~> $2', [Oid.bit, Oid.bit]],
      ['<%>', '$1 <%> $2', [Oid.bit, Oid.bit]],
    ];
    const pairs: [string, string][] = [['101', '111'], ['000', '000'], ['101', '11'], ['1', '0'], ['', '']];
    for (let n = 0; n < 60; n++) {
      const len = 1 + Math.floor(next() * 200);
      const make = (): string => Array.from({ length: len }, () => (next() < 0.4 ? '1' : '0')).join('');
      pairs.push([make(), make()]);
    }
    for (const [la, lb] of pairs) {
      await compare(problems, '"bit"', calls, [bit.textIn(la, -1, ctx), bit.textIn(lb, -1, ctx)], [la, lb]);
      for (const op of ['<', '=', '>=']) {
        const pg = await oracle.text(`SELECT ($1::varbit ${op} $2::varbit)::text`, [la, lb]);
        const mine = callOurs(op, [Oid.varbit, Oid.varbit], [bit.textIn(la, -1, ctx), bit.textIn(lb, -1, ctx)]);
        if (!sameOutcome(pg, mine)) problems.push(`${la} ${op} ${lb}: PG ${show(pg)} ours ${show(mine)}`);
      }
    }
    for (const k of KINDS) {
      for (const lit of ['[1,-1,0,2,3,4,5,6,7]', '[-0,0.5]', `[${Array(100).fill('0.1').join(',')}]`]) {
        const pg = await oracle.text(`SELECT binary_quantize($1::${k.sql}) <~> binary_quantize($1::${k.sql})`, [lit]);
        const q = callOurs('binary_quantize', [k.oid], [typeByName(k.sql)!.textIn(lit, -1, ctx)]);
        if (!pg.ok || pg.value !== '0' || !q.ok) problems.push(`binary_quantize ${lit}: ${show(pg)} ${show(q)}`);
      }
    }
    assertNoProblems(problems);
  });
});
