/**
 * Mathematical functions of PostgreSQL 15 (§9.3) beyond the arithmetic operators of
 * functions.ts: sign, mod/div, gcd/lcm, roots, logarithms, exp, power, trigonometry, random,
 * width_bucket. numeric variants compute exactly in BigInt fixed point and pick the result
 * scale as numeric.c does (NUMERIC_MIN_SIG_DIGITS significant digits, at least the input scale).
 */
import { DbError, SqlState } from '../errors/index.ts';
import { Numeric, Oid, pow10 } from '../types/index.ts';
import { fn } from './function-defs.ts';
import type { Value } from './value.ts';

const F = Oid.float8;
const N = Oid.numeric;
const num = (v: Value): Numeric => v as Numeric;

const MIN_SIG_DIGITS = 16;
const MAX_DISPLAY_SCALE = 1000;

// ---- numeric digit helpers (base-10000 view, as numeric.c estimates weights) ----


/** PostgreSQL's NBASE digits of |v|: weight of the first digit and the first two digits. */
function nbase(v: Numeric): { weight: number; digits: number[] } {
  const a = v.mantissa < 0n ? -v.mantissa : v.mantissa;
  if (a === 0n) return { weight: 0, digits: [] };
  const s = a.toString();
  const intLen = s.length - v.scale;
  let intPart = intLen > 0 ? s.slice(0, intLen) : '';
  let frac = intLen > 0 ? s.slice(intLen) : '0'.repeat(-intLen) + s;
  intPart = intPart.padStart(Math.ceil(intPart.length / 4) * 4, '0');
  frac = frac.padEnd(Math.ceil(frac.length / 4) * 4, '0');
  const all = intPart + frac;
  let weight = intPart.length / 4 - 1;
  const groups: number[] = [];
  for (let i = 0; i < all.length; i += 4) groups.push(Number(all.slice(i, i + 4)));
  while (groups.length > 0 && groups[0] === 0) {
    groups.shift();
    weight--;
  }
  while (groups.length > 0 && groups[groups.length - 1] === 0) groups.pop();
  return { weight, digits: groups };
}

function clampScale(s: number): number {
  return Math.min(Math.max(s, 0), MAX_DISPLAY_SCALE);
}

/** A value as a BigInt scaled by 10^scale (truncating extra digits). */
function toFixed(v: Numeric, scale: number): bigint {
  return scale >= v.scale ? v.mantissa * pow10(scale - v.scale) : v.mantissa / pow10(v.scale - scale);
}

/** Rounds a fixed-point value at `from` scale to `to` scale, half away from zero. */
function roundFixed(x: bigint, from: number, to: number): Numeric {
  if (to >= from) return Numeric.of(x * pow10(to - from), to);
  const d = pow10(from - to);
  const q = x / d;
  const r = x % d;
  const twice = (r < 0n ? -r : r) * 2n;
  return Numeric.of(twice >= d ? (x < 0n ? q - 1n : q + 1n) : q, to);
}

function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x && x * x <= n && (x + 1n) * (x + 1n) > n) return x;
    x = y;
  }
}

/** ln(x) of a fixed-point x > 0 at scale s, with the same scale (guard digits are the caller's). */
function lnFixed(x: bigint, s: number): bigint {
  const one = pow10(s);
  // Bring x near 1 by square roots: ln(x) = 2^k ln(x^(1/2^k)).
  let k = 0;
  const lo = one - one / 100n;
  const hi = one + one / 100n;
  while (x < lo || x > hi) {
    x = isqrt(x * one);
    k++;
  }
  // ln(x) = 2 atanh(z), z = (x-1)/(x+1)
  const z = ((x - one) * one) / (x + one);
  const z2 = (z * z) / one;
  let term = z;
  let sum = 0n;
  for (let n = 1n; term !== 0n; n += 2n) {
    sum += term / n;
    term = (term * z2) / one;
  }
  return 2n * sum * (1n << BigInt(k));
}

/** exp(x) of a fixed-point x at scale s. */
function expFixed(x: bigint, s: number): bigint {
  const one = pow10(s);
  let k = 0;
  const limit = one / 100n;
  while (x > limit || x < -limit) {
    x /= 2n;
    k++;
  }
  let sum = one;
  let term = one;
  for (let n = 1n; term !== 0n; n++) {
    term = (term * x) / one / n;
    sum += term;
  }
  for (let i = 0; i < k; i++) sum = (sum * sum) / one;
  return sum;
}

/** estimate_ln_dweight from numeric.c. */
function estimateLnDweight(v: Numeric): number {
  if (v.mantissa <= 0n) return 0;
  const x = v.sub(Numeric.ONE);
  if (v.compare(Numeric.parse('0.9')) >= 0 && v.compare(Numeric.parse('1.1')) <= 0) {
    const d = nbase(x);
    return d.digits.length > 0 ? d.weight * 4 + Math.trunc(Math.log10(d.digits[0]!)) : 0;
  }
  const d = nbase(v);
  if (d.digits.length === 0) return 0;
  let digits = d.digits[0]!;
  let dweight = d.weight * 4;
  if (d.digits.length > 1) {
    digits = digits * 10000 + d.digits[1]!;
    dweight -= 4;
  }
  const lnVar = Math.log(digits) + dweight * 2.302585092994046;
  return Math.trunc(Math.log10(Math.abs(lnVar)));
}

function numericLn(v: Numeric, rscale: number): Numeric {
  const work = rscale + 12 + Math.max(0, -nbase(v).weight * 4);
  return roundFixed(lnFixed(toFixed(v, work), work), work, rscale);
}

function checkLnArg(v: Numeric): void {
  if (v.isNaN()) return;
  if (v.isZero()) throw new DbError(SqlState.InvalidArgumentForLogarithm, 'cannot take logarithm of zero');
  if (v.sign() < 0) throw new DbError(SqlState.InvalidArgumentForLogarithm, 'cannot take logarithm of a negative number');
}

function numericLog(base: Numeric, x: Numeric): Numeric {
  checkLnArg(base);
  checkLnArg(x);
  if (base.isNaN() || x.isNaN()) return Numeric.NaN;
  const resultDweight = estimateLnDweight(x) - estimateLnDweight(base);
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - resultDweight, base.scale, x.scale));
  const work = rscale + 16 + Math.max(0, -nbase(x).weight * 4, -nbase(base).weight * 4);
  const lnb = lnFixed(toFixed(base, work), work);
  if (lnb === 0n) throw new DbError(SqlState.DivisionByZero, 'division by zero');
  const lnx = lnFixed(toFixed(x, work), work);
  return roundFixed((lnx * pow10(work)) / lnb, work, rscale);
}

// ---- sign, mod, div, gcd, lcm ----

fn('sign', [F], F, ([a]) => Math.sign(a as number) || 0);
fn('sign', [N], N, ([a]) => (num(a).isNaN() ? Numeric.NaN : Numeric.fromBigInt(BigInt(num(a).sign()))));
fn('abs', [Oid.float4], Oid.float4, ([a]) => Math.abs(a as number));

for (const t of [Oid.int2, Oid.int4]) {
  fn('mod', [t, t], t, ([a, b]) => {
    if (b === 0) throw new DbError(SqlState.DivisionByZero, 'division by zero');
    return (a as number) % (b as number) || 0;
  });
}
fn('mod', [Oid.int8, Oid.int8], Oid.int8, ([a, b]) => {
  if (b === 0n) throw new DbError(SqlState.DivisionByZero, 'division by zero');
  return (a as bigint) % (b as bigint);
});
fn('mod', [N, N], N, ([a, b]) => num(a).mod(num(b)));
fn('div', [N, N], N, ([a, b]) => num(a).divTrunc(num(b)));

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
const INT_RANGE: Record<number, [bigint, bigint, string]> = {
  [Oid.int4]: [-2147483648n, 2147483647n, 'integer out of range'],
  [Oid.int8]: [-9223372036854775808n, 9223372036854775807n, 'bigint out of range'],
};
for (const t of [Oid.int4, Oid.int8]) {
  const [lo, hi, msg] = INT_RANGE[t]!;
  const big = (v: Value): bigint => (t === Oid.int8 ? (v as bigint) : BigInt(v as number));
  const out = (v: bigint): Value => {
    if (v < lo || v > hi) throw new DbError(SqlState.NumericValueOutOfRange, msg);
    return t === Oid.int8 ? v : Number(v);
  };
  fn('gcd', [t, t], t, ([a, b]) => out(gcd(big(a), big(b))));
  fn('lcm', [t, t], t, ([a, b]) => {
    const x = big(a);
    const y = big(b);
    if (x === 0n || y === 0n) return out(0n);
    const l = (x / gcd(x, y)) * y;
    return out(l < 0n ? -l : l);
  });
}
fn('gcd', [N, N], N, ([a, b]) => {
  const x = num(a);
  const y = num(b);
  if (!x.isFinite() || !y.isFinite()) return Numeric.NaN;
  const s = Math.max(x.scale, y.scale);
  return Numeric.of(gcd(toFixed(x, s), toFixed(y, s)), s);
});
fn('lcm', [N, N], N, ([a, b]) => {
  const x = num(a);
  const y = num(b);
  if (!x.isFinite() || !y.isFinite()) return Numeric.NaN;
  const s = Math.max(x.scale, y.scale);
  const p = toFixed(x, s);
  const q = toFixed(y, s);
  if (p === 0n || q === 0n) return Numeric.of(0n, s);
  const l = (p / gcd(p, q)) * q;
  return Numeric.of(l < 0n ? -l : l, s);
});

// ---- roots, logarithms, exponentials, powers ----

/** glibc's cbrt() (sysdeps/ieee754/dbl-64/s_cbrt.c), which PostgreSQL calls: cbrt(27) = 3.0000000000000004. */
function glibcCbrt(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x + x;
  const CBRT2 = 1.2599210498948731648;
  const SQR_CBRT2 = 1.5874010519681994748;
  const factor = [1.0 / SQR_CBRT2, 1.0 / CBRT2, 1.0, CBRT2, SQR_CBRT2];
  // frexp(|x|): xm in [0.5, 1), |x| = xm * 2^xe
  let xe = Math.floor(Math.log2(Math.abs(x))) + 1;
  let xm = Math.abs(x) / 2 ** xe;
  if (xm >= 1) { xm /= 2; xe++; }
  if (xm < 0.5) { xm *= 2; xe--; }
  const u = 0.354895765043919860 + (1.50819193781584896 + (-2.11499494167371287 + (2.44693122563534430 + (-1.83469277483613086 + (0.784932344976639262 - 0.145263899385486377 * xm) * xm) * xm) * xm) * xm) * xm;
  const t2 = u * u * u;
  const ym = (u * (t2 + 2.0 * xm)) / (2.0 * t2 + xm) * factor[2 + (xe % 3)]!;
  return (x > 0 ? ym : -ym) * 2 ** Math.trunc(xe / 3);
}
fn('cbrt', [F], F, ([a]) => glibcCbrt(a as number));
/** sqrt_var: the square root of a non-negative finite value, rounded to rscale. */
export function numericSqrt(x: Numeric, rscale: number): Numeric {
  const work = rscale + 2;
  return roundFixed(isqrt(toFixed(x, 2 * work)), work, rscale);
}

fn('sqrt', [N], N, ([a]) => {
  const x = num(a);
  if (x.isNaN()) return x;
  if (x.sign() < 0) throw new DbError(SqlState.InvalidArgumentForPowerFunction, 'cannot take square root of a negative number');
  if (!x.isFinite()) return x;
  const sweight = Math.trunc(((nbase(x).weight + 1) * 4) / 2) - 1;
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - sweight, x.scale));
  const work = rscale + 2;
  return roundFixed(isqrt(toFixed(x, 2 * work)), work, rscale);
});

const lnFloat = (x: number): number => {
  if (x === 0) throw new DbError(SqlState.InvalidArgumentForLogarithm, 'cannot take logarithm of zero');
  if (x < 0) throw new DbError(SqlState.InvalidArgumentForLogarithm, 'cannot take logarithm of a negative number');
  return Math.log(x);
};
fn('ln', [F], F, ([a]) => lnFloat(a as number));
for (const name of ['log', 'log10']) {
  fn(name, [F], F, ([a]) => {
    lnFloat(a as number);
    return Math.log10(a as number);
  });
  fn(name, [N], N, ([a]) => numericLog(Numeric.fromBigInt(10n), num(a)));
}
fn('log', [N, N], N, ([b, a]) => numericLog(num(b), num(a)));
fn('ln', [N], N, ([a]) => {
  const x = num(a);
  checkLnArg(x);
  if (x.isNaN() || !x.isFinite()) return x;
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - estimateLnDweight(x), x.scale));
  return numericLn(x, rscale);
});
fn('exp', [F], F, ([a]) => {
  const r = Math.exp(a as number);
  if (!Number.isFinite(r) && Number.isFinite(a as number)) throw new DbError(SqlState.NumericValueOutOfRange, 'value out of range: overflow');
  if (r === 0 && Number.isFinite(a as number)) throw new DbError(SqlState.NumericValueOutOfRange, 'value out of range: underflow');
  return r;
});
fn('exp', [N], N, ([a]) => {
  const x = num(a);
  if (!x.isFinite()) return x.isNaN() || x.sign() > 0 ? x : Numeric.ZERO;
  let val = x.toNumber() * 0.434294481903252;
  val = Math.min(Math.max(val, -2000), 2000);
  if (val > 131071) throw new DbError(SqlState.NumericValueOutOfRange, 'value overflows numeric format');
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - Math.trunc(val), x.scale));
  const work = rscale + 16 + Math.max(0, Math.ceil(val));
  return roundFixed(expFixed(toFixed(x, work), work), work, rscale);
});

/** power_var_int: exact for integer exponents, scale as numeric.c chooses it. */
function numericPowInt(base: Numeric, exp: number, expScale: number): Numeric {
  const d = nbase(base);
  let f = 0;
  if (d.digits.length > 0) {
    let m = d.digits[0]!;
    let p = d.weight * 4;
    for (let i = 1; i < d.digits.length && i * 4 < 16; i++) {
      m = m * 10000 + d.digits[i]!;
      p -= 4;
    }
    f = exp * (Math.log10(m) + p);
  }
  if (f > 4 * 32767) throw new DbError(SqlState.NumericValueOutOfRange, 'value overflows numeric format');
  // PostgreSQL 15's power_var: integer exponents get max(16, base scale) digits (16+ chose by weight).
  void expScale;
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS, base.scale));
  if (exp === 0) return Numeric.of(pow10(rscale), rscale);
  if (base.isZero()) {
    if (exp < 0) throw new DbError(SqlState.InvalidArgumentForPowerFunction, 'zero raised to a negative power is undefined');
    return Numeric.of(0n, rscale);
  }
  const e = BigInt(Math.abs(exp));
  const m = base.mantissa ** e;
  const s = base.scale * Math.abs(exp);
  if (exp > 0) return roundFixed(m, s, rscale);
  // 1 / base^|exp|
  const work = rscale + 4;
  const numerator = pow10(work + s);
  return roundFixed(numerator / m, work, rscale);
}

function numericPower(base: Numeric, exp: Numeric): Numeric {
  if (base.isNaN() || exp.isNaN()) return base.isNaN() && !(exp.isZero()) ? Numeric.NaN : exp.isNaN() && base.compare(Numeric.ONE) === 0 ? Numeric.ONE : Numeric.NaN;
  if (base.isZero() && exp.sign() < 0) throw new DbError(SqlState.InvalidArgumentForPowerFunction, 'zero raised to a negative power is undefined');
  const isInt = exp.isFinite() && exp.trunc(0).compare(exp) === 0;
  if (base.sign() < 0 && !isInt) {
    throw new DbError(SqlState.InvalidArgumentForPowerFunction, 'a negative number raised to a non-integer power yields a complex result');
  }
  if (isInt && Math.abs(exp.toNumber()) <= 2147483647) return numericPowInt(base, exp.toNumber(), exp.scale);
  // General case: exp(y ln x), with numeric.c's scale choice.
  if (base.isZero()) return Numeric.of(0n, clampScale(MIN_SIG_DIGITS));
  const lnDweight = estimateLnDweight(base);
  const val = (Math.log(Math.abs(base.toNumber())) * exp.toNumber()) * 0.434294481903252;
  const rscale = clampScale(Math.max(MIN_SIG_DIGITS - Math.trunc(val), base.scale, exp.scale));
  const work = rscale + 20 + Math.max(0, Math.ceil(val)) + Math.max(0, -lnDweight);
  const lnx = lnFixed(toFixed(base, work), work);
  const y = toFixed(exp, work);
  return roundFixed(expFixed((lnx * y) / pow10(work), work), work, rscale);
}
for (const name of ['power', 'pow', '^']) {
  fn(name, [N, N], N, ([a, b]) => numericPower(num(a), num(b)));
}
fn('pow', [F, F], F, ([a, b]) => {
  const x = a as number;
  const y = b as number;
  if (x === 0 && y < 0) throw new DbError(SqlState.InvalidArgumentForPowerFunction, 'zero raised to a negative power is undefined');
  if (x < 0 && !Number.isInteger(y)) {
    throw new DbError(SqlState.InvalidArgumentForPowerFunction, 'a negative number raised to a non-integer power yields a complex result');
  }
  return x ** y;
});

// ---- trigonometry ----

const trig1: [string, (x: number) => number, ((x: number) => boolean) | null][] = [
  ['sin', Math.sin, (x) => Number.isFinite(x)],
  ['cos', Math.cos, (x) => Number.isFinite(x)],
  ['tan', Math.tan, (x) => Number.isFinite(x)],
  ['asin', Math.asin, (x) => x >= -1 && x <= 1],
  ['acos', Math.acos, (x) => x >= -1 && x <= 1],
  ['atan', Math.atan, null],
  ['sinh', Math.sinh, null],
  ['cosh', Math.cosh, null],
  ['tanh', Math.tanh, null],
  ['cot', (x) => 1 / Math.tan(x), (x) => Number.isFinite(x)],
];
for (const [name, f, domain] of trig1) {
  fn(name, [F], F, ([a]) => {
    const x = a as number;
    if (Number.isNaN(x)) return NaN;
    if (domain && !domain(x)) throw new DbError(SqlState.NumericValueOutOfRange, 'input is out of range');
    return f(x);
  });
}
fn('atan2', [F, F], F, ([y, x]) => Math.atan2(y as number, x as number));
fn('degrees', [F], F, ([a]) => (a as number) * (180 / Math.PI));
fn('radians', [F], F, ([a]) => (a as number) * (Math.PI / 180));

// ---- random, width_bucket ----

/** A per-process generator so setseed() makes random() repeatable, as in PostgreSQL. */
let seedState: number | null = null;
function nextRandom(): number {
  if (seedState === null) return Math.random();
  // mulberry32
  seedState = (seedState + 0x6d2b79f5) | 0;
  let t = seedState;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
fn('random', [], F, () => nextRandom(), { volatility: 'volatile' });
fn('setseed', [F], Oid.void, ([s]) => {
  const x = s as number;
  if (x < -1 || x > 1 || Number.isNaN(x)) throw new DbError(SqlState.InvalidParameterValue, `setseed parameter ${x} is out of allowed range [-1,1]`);
  seedState = Math.floor(x * 2147483647) | 0;
  return null;
}, { volatility: 'volatile' });

function widthBucket(x: number, lo: number, hi: number, count: number): number {
  if (count <= 0) throw new DbError(SqlState.InvalidArgumentForWidthBucketFunction, 'count must be greater than zero');
  if (Number.isNaN(x) || Number.isNaN(lo) || Number.isNaN(hi)) {
    throw new DbError(SqlState.InvalidArgumentForWidthBucketFunction, 'operand, lower bound, and upper bound cannot be NaN');
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new DbError(SqlState.InvalidArgumentForWidthBucketFunction, 'lower and upper bounds must be finite');
  if (lo === hi) throw new DbError(SqlState.InvalidArgumentForWidthBucketFunction, 'lower bound cannot equal upper bound');
  if (lo < hi) {
    if (x < lo) return 0;
    if (x >= hi) {
      if (count === 2147483647) throw new DbError(SqlState.NumericValueOutOfRange, 'integer out of range');
      return count + 1;
    }
    return Math.floor((count * (x - lo)) / (hi - lo)) + 1;
  }
  if (x > lo) return 0;
  if (x <= hi) return count + 1;
  return Math.floor((count * (lo - x)) / (lo - hi)) + 1;
}
fn('width_bucket', [F, F, F, Oid.int4], Oid.int4, ([x, lo, hi, c]) => widthBucket(x as number, lo as number, hi as number, c as number));
fn('width_bucket', [N, N, N, Oid.int4], Oid.int4, ([x, lo, hi, c]) => {
  const [X, L, H] = [num(x), num(lo), num(hi)];
  const count = c as number;
  if (count <= 0) throw new DbError(SqlState.InvalidArgumentForWidthBucketFunction, 'count must be greater than zero');
  if (X.isNaN() || L.isNaN() || H.isNaN()) throw new DbError(SqlState.InvalidArgumentForWidthBucketFunction, 'operand, lower bound, and upper bound cannot be NaN');
  if (!L.isFinite() || !H.isFinite()) throw new DbError(SqlState.InvalidArgumentForWidthBucketFunction, 'lower and upper bounds must be finite');
  const cmp = L.compare(H);
  if (cmp === 0) throw new DbError(SqlState.InvalidArgumentForWidthBucketFunction, 'lower bound cannot equal upper bound');
  const C = Numeric.fromBigInt(BigInt(count));
  if (cmp < 0) {
    if (X.compare(L) < 0) return 0;
    if (X.compare(H) >= 0) return count + 1;
    return Number(C.mul(X.sub(L)).divTrunc(H.sub(L)).toBigInt()) + 1;
  }
  if (X.compare(L) > 0) return 0;
  if (X.compare(H) <= 0) return count + 1;
  return Number(C.mul(L.sub(X)).divTrunc(L.sub(H)).toBigInt()) + 1;
});
fn('factorial', [Oid.int8], N, ([n]) => {
  const k = n as bigint;
  if (k < 0n) throw new DbError(SqlState.InvalidParameterValue, 'factorial of a negative number is undefined');
  let r = 1n;
  for (let i = 2n; i <= k; i++) r *= i;
  return Numeric.fromBigInt(r);
});

// ---- bitwise and prefix operators ----

for (const t of [Oid.int2, Oid.int4]) {
  const wrap = (v: number): number => (t === Oid.int2 ? (v << 16) >> 16 : v | 0);
  fn('&', [t, t], t, ([a, b]) => (a as number) & (b as number));
  fn('|', [t, t], t, ([a, b]) => (a as number) | (b as number));
  fn('#', [t, t], t, ([a, b]) => (a as number) ^ (b as number));
  fn('~', [t], t, ([a]) => ~(a as number));
  fn('<<', [t, Oid.int4], t, ([a, b]) => wrap((a as number) << (b as number)));
  fn('>>', [t, Oid.int4], t, ([a, b]) => (a as number) >> (b as number));
}
const B = Oid.int8;
fn('&', [B, B], B, ([a, b]) => (a as bigint) & (b as bigint));
fn('|', [B, B], B, ([a, b]) => (a as bigint) | (b as bigint));
fn('#', [B, B], B, ([a, b]) => (a as bigint) ^ (b as bigint));
fn('~', [B], B, ([a]) => ~(a as bigint));
fn('<<', [B, Oid.int4], B, ([a, b]) => BigInt.asIntN(64, (a as bigint) << BigInt((b as number) & 63)));
fn('>>', [B, Oid.int4], B, ([a, b]) => (a as bigint) >> BigInt((b as number) & 63));
fn('@', [Oid.int2], Oid.int2, ([a]) => {
  if ((a as number) === -32768) throw new DbError(SqlState.NumericValueOutOfRange, 'smallint out of range');
  return Math.abs(a as number);
});
fn('@', [Oid.int4], Oid.int4, ([a]) => {
  if ((a as number) === -2147483648) throw new DbError(SqlState.NumericValueOutOfRange, 'integer out of range');
  return Math.abs(a as number);
});
fn('@', [B], B, ([a]) => {
  if ((a as bigint) === -9223372036854775808n) throw new DbError(SqlState.NumericValueOutOfRange, 'bigint out of range');
  return (a as bigint) < 0n ? -(a as bigint) : a;
});
fn('@', [F], F, ([a]) => Math.abs(a as number));
fn('@', [N], N, ([a]) => num(a).abs());
fn('|/', [F], F, ([a]) => {
  if ((a as number) < 0) throw new DbError(SqlState.InvalidArgumentForPowerFunction, 'cannot take square root of a negative number');
  return Math.sqrt(a as number);
});
fn('||/', [F], F, ([a]) => glibcCbrt(a as number));
