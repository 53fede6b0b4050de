/**
 * executor/: the `money` operators of cash.c: + and - of two amounts, * and / by float8,
 * float4 and the integers (floats round half to even with rint, integer division truncates),
 * money / money as float8, and the comparisons. Overflow is "money out of range" (22003);
 * a zero divisor "division by zero" (22012). There is no unary minus, as in PostgreSQL.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { Oid, checkMoney, moneyOutOfRange } from '../types/index.ts';
import { compareValues } from './functions.ts';
import { fn } from './function-defs.ts';
import type { Value } from './value.ts';

const M = Oid.money;
const cents = (v: Value): bigint => v as bigint;
const divisionByZero = (): DbError => new DbError(SqlState.DivisionByZero, 'division by zero');

/** rint() as C does it: round half to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** A float8 result back to int64 cents (cash_mul_flt8, cash_div_flt8). */
function fromFloat(x: number): bigint {
  const r = rint(x);
  if (!Number.isFinite(r) || r < -9223372036854775808 || r >= 9223372036854775808) throw moneyOutOfRange();
  return BigInt(r);
}

fn('+', [M, M], M, ([a, b]) => checkMoney(cents(a) + cents(b)));
fn('-', [M, M], M, ([a, b]) => checkMoney(cents(a) - cents(b)));
fn('/', [M, M], Oid.float8, ([a, b]) => {
  if (cents(b) === 0n) throw divisionByZero();
  return Number(cents(a)) / Number(cents(b));
});

for (const f of [Oid.float8, Oid.float4]) {
  fn('*', [M, f], M, ([a, b]) => fromFloat(Number(cents(a)) * (b as number)));
  fn('*', [f, M], M, ([a, b]) => fromFloat((a as number) * Number(cents(b))));
  fn('/', [M, f], M, ([a, b]) => {
    if ((b as number) === 0) throw divisionByZero();
    return fromFloat(Number(cents(a)) / (b as number));
  });
}

for (const i of [Oid.int8, Oid.int4, Oid.int2]) {
  const big = (v: Value): bigint => (i === Oid.int8 ? (v as bigint) : BigInt(v as number));
  fn('*', [M, i], M, ([a, b]) => checkMoney(cents(a) * big(b)));
  fn('*', [i, M], M, ([a, b]) => checkMoney(big(a) * cents(b)));
  fn('/', [M, i], M, ([a, b]) => {
    if (big(b) === 0n) throw divisionByZero();
    return checkMoney(cents(a) / big(b)); // BigInt division truncates toward zero, as C's
  });
}

for (const [op, test] of [['=', (c: number) => c === 0], ['<>', (c: number) => c !== 0], ['<', (c: number) => c < 0], ['<=', (c: number) => c <= 0], ['>', (c: number) => c > 0], ['>=', (c: number) => c >= 0]] as const) {
  fn(op, [M, M], Oid.bool, ([a, b]) => test(compareValues(M, a, b)));
}
fn('cashlarger', [M, M], M, ([a, b]) => (cents(a) > cents(b) ? a : b));
fn('cashsmaller', [M, M], M, ([a, b]) => (cents(a) < cents(b) ? a : b));
