/**
 * types/: float4/float8 text conversion exactly as PostgreSQL 15 does it: float8out/float4out
 * (shortest round-trip digits laid out like PostgreSQL's ryu, or printf `%.*g` when
 * extra_float_digits <= 0) and float8in/float4in (strtod syntax, range errors).
 */
import { DbError, SqlState } from '../errors/index.ts';

const DBL_DIG = 15;
const FLT_DIG = 6;

/** value = digits × 10^exp10, digits without leading zeros ("0" for zero). */
interface ExactDecimal {
  readonly digits: string;
  readonly exp10: number;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The exact decimal expansion of |x| (finite). */
function exactDecimal(x: number): ExactDecimal {
  f64[0] = Math.abs(x);
  const hi = u32[littleEndian ? 1 : 0]!;
  const lo = u32[littleEndian ? 0 : 1]!;
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (biased === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = biased - 1075;
  }
  if (mant === 0n) return { digits: '0', exp10: 0 };
  if (e >= 0) return { digits: (mant << BigInt(e)).toString(), exp10: 0 };
  return { digits: (mant * 5n ** BigInt(-e)).toString(), exp10: e };
}

/** Rounds an exact decimal to `p` significant digits, ties to even (glibc printf). */
function roundDigits(d: ExactDecimal, p: number): { digits: string; exp: number } {
  const s = d.digits;
  let exp = s.length - 1 + d.exp10;
  if (s.length <= p) return { digits: s.padEnd(p, '0'), exp };
  const keep = s.slice(0, p);
  const rest = s.slice(p);
  const first = rest.charCodeAt(0) - 48;
  let up: boolean;
  if (first > 5) up = true;
  else if (first < 5) up = false;
  else if (/[1-9]/.test(rest.slice(1))) up = true;
  else up = (keep.charCodeAt(p - 1) - 48) % 2 === 1;
  if (!up) return { digits: keep, exp };
  let rounded = (BigInt(keep) + 1n).toString();
  if (rounded.length > p) {
    rounded = rounded.slice(0, p);
    exp++;
  }
  return { digits: rounded, exp };
}

function expSuffix(exp: number): string {
  const a = Math.abs(exp);
  return `e${exp < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
}

/** C's `%.{precision}g` for a double (precision 0 counts as 1), exact and ties-to-even. */
export function formatFloatG(x: number, precision: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  const p = Math.max(precision, 1);
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  if (x === 0) return `${sign}0`;
  const { digits, exp } = roundDigits(exactDecimal(x), p);
  const trimmed = digits.replace(/0+$/, '') || '0';
  if (exp < -4 || exp >= p) {
    const mant = trimmed.length > 1 ? `${trimmed[0]}.${trimmed.slice(1)}` : trimmed;
    return `${sign}${mant}${expSuffix(exp)}`;
  }
  return sign + layoutFixed(trimmed, exp);
}

/** Places a digit string d1d2d3… with the first digit at 10^exp, without exponent. */
function layoutFixed(digits: string, exp: number): string {
  if (exp < 0) return `0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return digits.padEnd(exp + 1, '0');
  return `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/** PostgreSQL's ryu layout: fixed when -4 <= exp < threshold, else d.ddde±XX. */
function layoutShortest(negative: boolean, digits: string, exp: number, threshold: number): string {
  const sign = negative ? '-' : '';
  if (exp >= -4 && exp < threshold) return sign + layoutFixed(digits, exp);
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mant}${expSuffix(exp)}`;
}

function pow5Factor(v: bigint): number {
  let n = 0;
  let x = v;
  while (x > 0n && x % 5n === 0n) {
    x /= 5n;
    n++;
  }
  return n;
}

const log10Pow2 = (e: number): number => Math.floor((e * 78913) / 2 ** 18);
const log10Pow5 = (e: number): number => Math.floor((e * 732923) / 2 ** 20);

/** floor(m · 2^e2 / 10^e10), exactly (what ryu's table multiplications compute). */
function scaled(m: bigint, e2: number, e10: number): bigint {
  let num = m;
  let den = 1n;
  if (e2 >= 0) num <<= BigInt(e2);
  else den <<= BigInt(-e2);
  if (e10 >= 0) den *= 10n ** BigInt(e10);
  else num *= 10n ** BigInt(-e10);
  return num / den;
}

/**
 * Ryu's d2d/f2d, emulated with exact bigint arithmetic so that the digits match PostgreSQL's
 * copy of ryu exactly, including where that is not the very shortest string: a decimal lying
 * exactly halfway between two floats is never chosen (so 1e23 prints as 9.999999999999999e+22).
 */
function ryuDigits(x: number, single: boolean): { digits: string; exp: number } {
  const mantBits = single ? 23 : 52;
  const bias = single ? 127 : 1023;
  let ieeeMantissa: bigint;
  let ieeeExponent: number;
  if (single) {
    const b = new DataView(new ArrayBuffer(4));
    b.setFloat32(0, x);
    const bits = b.getUint32(0);
    ieeeMantissa = BigInt(bits & 0x7fffff);
    ieeeExponent = (bits >>> 23) & 0xff;
  } else {
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, x);
    const bits = b.getBigUint64(0);
    ieeeMantissa = bits & 0xfffffffffffffn;
    ieeeExponent = Number((bits >> 52n) & 0x7ffn);
  }
  // small integers ([1, 2^mantBits+1)) print exactly, with trailing zeros moved to the exponent
  const e2small = ieeeExponent - bias - mantBits;
  if (ieeeExponent !== 0 && e2small >= -mantBits && e2small <= 0 && (ieeeMantissa & ((1n << BigInt(-e2small)) - 1n)) === 0n) {
    const digits = (((1n << BigInt(mantBits)) | ieeeMantissa) >> BigInt(-e2small)).toString();
    const trimmed = digits.replace(/0+$/, '');
    return { digits: trimmed, exp: digits.length - 1 };
  }
  let e2: number;
  let m2: bigint;
  if (ieeeExponent === 0) {
    e2 = 1 - bias - mantBits - 2;
    m2 = ieeeMantissa;
  } else {
    e2 = ieeeExponent - bias - mantBits - 2;
    m2 = (1n << BigInt(mantBits)) | ieeeMantissa;
  }
  // PostgreSQL's ryu never accepts the interval bounds (ties would rely on the reader rounding half-even)
  const acceptBounds = false;
  const mv = 4n * m2;
  const mp = mv + 2n;
  const mmShift = ieeeMantissa !== 0n || ieeeExponent <= 1 ? 1n : 0n;
  const mm = mv - 1n - mmShift;
  let vr: bigint;
  let vp: bigint;
  let vm: bigint;
  let e10: number;
  let vmTrailing = false;
  let vrTrailing = false;
  let lastRemoved = 0n;
  if (e2 >= 0) {
    const q = single ? log10Pow2(e2) : log10Pow2(e2) - (e2 > 3 ? 1 : 0);
    e10 = q;
    vr = scaled(mv, e2, q);
    vp = scaled(mp, e2, q);
    vm = scaled(mm, e2, q);
    if (single && q !== 0 && (vp - 1n) / 10n <= vm / 10n) lastRemoved = scaled(mv, e2, q - 1) % 10n;
    if (q <= (single ? 9 : 21)) {
      if (mv % 5n === 0n) vrTrailing = pow5Factor(mv) >= q;
      else if (acceptBounds) vmTrailing = pow5Factor(mm) >= q;
      else if (pow5Factor(mp) >= q) vp -= 1n;
    }
  } else {
    const q = single ? log10Pow5(-e2) : log10Pow5(-e2) - (-e2 > 1 ? 1 : 0);
    e10 = q + e2;
    vr = scaled(mv, e2, e10);
    vp = scaled(mp, e2, e10);
    vm = scaled(mm, e2, e10);
    if (single && q !== 0 && (vp - 1n) / 10n <= vm / 10n) lastRemoved = scaled(mv, e2, e10 - 1) % 10n;
    if (q <= 1) {
      vrTrailing = true;
      if (acceptBounds) vmTrailing = mmShift === 1n;
      else vp -= 1n;
    } else if (q < (single ? 31 : 63)) {
      const bitsNeeded = BigInt(single ? q - 1 : q);
      vrTrailing = (mv & ((1n << bitsNeeded) - 1n)) === 0n;
    }
  }
  let removed = 0;
  let output: bigint;
  if (vmTrailing || vrTrailing) {
    while (vp / 10n > vm / 10n) {
      vmTrailing &&= vm % 10n === 0n;
      vrTrailing &&= lastRemoved === 0n;
      lastRemoved = vr % 10n;
      vr /= 10n;
      vp /= 10n;
      vm /= 10n;
      removed++;
    }
    if (vmTrailing) {
      while (vm % 10n === 0n) {
        vrTrailing &&= lastRemoved === 0n;
        lastRemoved = vr % 10n;
        vr /= 10n;
        vp /= 10n;
        vm /= 10n;
        removed++;
      }
    }
    if (vrTrailing && lastRemoved === 5n && vr % 2n === 0n) lastRemoved = 4n;
    output = vr + ((vr === vm && (!acceptBounds || !vmTrailing)) || lastRemoved >= 5n ? 1n : 0n);
  } else {
    let roundUp = single ? lastRemoved >= 5n : false;
    if (!single && vp / 100n > vm / 100n) {
      roundUp = vr % 100n >= 50n;
      vr /= 100n;
      vp /= 100n;
      vm /= 100n;
      removed += 2;
    }
    while (vp / 10n > vm / 10n) {
      roundUp = vr % 10n >= 5n;
      vr /= 10n;
      vp /= 10n;
      vm /= 10n;
      removed++;
    }
    output = vr + (vr === vm || roundUp ? 1n : 0n);
  }
  const digits = output.toString();
  const trimmed = digits.replace(/0+$/, '') || '0';
  return { digits: trimmed, exp: e10 + removed + digits.length - 1 };
}

/** float8out: "NaN", "Infinity", "-0", shortest digits when extra_float_digits > 0, else %.{15+efd}g. */
export function formatFloat8(x: number, extraFloatDigits: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (extraFloatDigits > 0) {
    if (x === 0) return Object.is(x, -0) ? '-0' : '0';
    const { digits, exp } = ryuDigits(x, false);
    return layoutShortest(x < 0, digits, exp, DBL_DIG);
  }
  return formatFloatG(x, DBL_DIG + extraFloatDigits);
}

/** float4out: like float8out with FLT_DIG (6) and float32 shortest digits. */
export function formatFloat4(x: number, extraFloatDigits: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (extraFloatDigits > 0) {
    if (x === 0) return Object.is(x, -0) ? '-0' : '0';
    const { digits, exp } = ryuDigits(x, true);
    return layoutShortest(x < 0, digits, exp, FLT_DIG);
  }
  return formatFloatG(x, FLT_DIG + extraFloatDigits);
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\v' || ch === '\f';
}

interface Scanned {
  /** Index just past the number (strtod's endptr); equals start when nothing matched. */
  readonly end: number;
  /** The value rounded to float64. */
  readonly value: number;
  /** True for a finite literal with nonzero digits (so 0 or ±Infinity means out of range). */
  readonly nonzeroFinite: boolean;
}

const DECIMAL_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/;
const HEX_RE = /^([+-]?)0[xX]((?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+))(?:[pP]([+-]?\d+))?/;
const SPECIAL_RE = /^([+-]?)(?:(infinity|inf)|(nan)(?:\([0-9A-Za-z_]*\))?)/i;

/** glibc strtod's syntax: decimal, hexadecimal, inf/infinity, nan/nan(chars). */
function scanStrtod(text: string, start: number): Scanned {
  const s = text.slice(start);
  const hex = HEX_RE.exec(s);
  if (hex) {
    const [whole, sign, body, pexp] = hex;
    const dot = body!.indexOf('.');
    const intPart = dot < 0 ? body! : body!.slice(0, dot);
    const fracPart = dot < 0 ? '' : body!.slice(dot + 1);
    const mant = BigInt('0x' + (intPart + fracPart || '0'));
    const e = Number(pexp ?? '0') - 4 * fracPart.length;
    const value = bigTimesPow2(mant, e) * (sign === '-' ? -1 : 1);
    return { end: start + whole.length, value, nonzeroFinite: mant !== 0n };
  }
  const dec = DECIMAL_RE.exec(s);
  if (dec) {
    const lit = dec[0];
    return { end: start + lit.length, value: Number(lit), nonzeroFinite: /[1-9]/.test(lit.replace(/[eE].*$/, '')) };
  }
  const sp = SPECIAL_RE.exec(s);
  if (sp) {
    const neg = sp[1] === '-';
    const value = sp[2] ? (neg ? -Infinity : Infinity) : NaN;
    return { end: start + sp[0].length, value, nonzeroFinite: false };
  }
  return { end: start, value: 0, nonzeroFinite: false };
}

function bigTimesPow2(mant: bigint, e: number): number {
  if (mant === 0n) return 0;
  const bits = mant.toString(2).length;
  if (bits > 64) {
    const drop = bits - 64;
    return bigTimesPow2(mant >> BigInt(drop) | 1n, e + drop);
  }
  let v = Number(mant);
  let exp = e;
  while (exp > 0) {
    const step = Math.min(exp, 1000);
    v *= 2 ** step;
    exp -= step;
  }
  while (exp < 0) {
    const step = Math.max(exp, -1000);
    v *= 2 ** step;
    exp -= step;
  }
  return v;
}

function parseFloatCommon(text: string, typeName: string, narrow: (v: number) => number, reportWhole: boolean): number {
  let i = 0;
  while (i < text.length && isSpace(text[i])) i++;
  const invalid = (): DbError => new DbError(SqlState.InvalidTextRepresentation, `invalid input syntax for type ${typeName}: "${text}"`);
  if (i === text.length) throw invalid();
  const scanned = scanStrtod(text, i);
  if (scanned.end === i) throw invalid();
  const value = narrow(scanned.value);
  if (scanned.nonzeroFinite && (value === 0 || !Number.isFinite(value))) {
    const shown = reportWhole ? text : text.slice(i, scanned.end);
    throw new DbError(SqlState.NumericValueOutOfRange, `"${shown}" is out of range for type ${typeName}`);
  }
  let j = scanned.end;
  while (j < text.length && isSpace(text[j])) j++;
  if (j !== text.length) throw invalid();
  return value;
}

/** float8in: leading/trailing whitespace, strtod syntax, 22P02 / 22003 errors worded like PostgreSQL. */
export function parseFloat8(text: string): number {
  return parseFloatCommon(text, 'double precision', (v) => v, false);
}

/** float4in: as float8in but rounded to float32; its range error quotes the whole input. */
export function parseFloat4(text: string): number {
  return parseFloatCommon(text, 'real', Math.fround, true);
}
