/**
 * types/: the exact decimal `Numeric` (PostgreSQL's numeric): a bigint mantissa and a display
 * scale, plus NaN and ±Infinity. Owns numeric_in/numeric_out, the base-10000 send/recv format,
 * arithmetic with PostgreSQL's result scales, typmod application and the int/float casts.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { formatFloatG, parseFloat4, parseFloat8 } from './float-format.ts';
import { BinaryReader, BinaryWriter } from './wire.ts';

type Kind = 'finite' | 'nan' | 'pinf' | 'ninf';

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;
const NUMERIC_DSCALE_MAX = 0x3fff;
const NUMERIC_WEIGHT_MAX = 0x7fff;
const NUMERIC_WEIGHT_MIN = -0x8000;
const NUMERIC_MIN_SIG_DIGITS = 16;
const NUMERIC_MAX_DISPLAY_SCALE = 1000;
const NUMERIC_MAX_RESULT_SCALE = 2000;
/** Largest precision numeric(p,s) accepts (NUMERIC_MAX_PRECISION). */
export const NUMERIC_MAX_PRECISION = 1000;
/** Smallest and largest scale numeric(p,s) accepts (PostgreSQL 15 allows negative scales). */
export const NUMERIC_MIN_SCALE = -1000;
export const NUMERIC_MAX_SCALE = 1000;
const VARHDRSZ = 4;

const pow10Cache: bigint[] = [];
/** 10^n as a bigint (n >= 0), cached for small n. */
export function pow10(n: number): bigint {
  if (n < 64) {
    let v = pow10Cache[n];
    if (v === undefined) {
      v = 10n ** BigInt(n);
      pow10Cache[n] = v;
    }
    return v;
  }
  return 10n ** BigInt(n);
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\v' || ch === '\f';
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** Rounds mant·10^-from to `to` decimal places, half away from zero (round_var). */
function roundMant(mant: bigint, from: number, to: number): bigint {
  if (to >= from) return mant * pow10(to - from);
  const d = pow10(from - to);
  const q = mant / d;
  const r = mant % d;
  if (2n * abs(r) >= d) return mant < 0n ? q - 1n : q + 1n;
  return q;
}

/** Truncates mant·10^-from to `to` decimal places, towards zero (trunc_var). */
function truncMant(mant: bigint, from: number, to: number): bigint {
  if (to >= from) return mant * pow10(to - from);
  return mant / pow10(from - to);
}

function overflow(): DbError {
  return new DbError(SqlState.NumericValueOutOfRange, 'value overflows numeric format');
}

function invalidSyntax(text: string): DbError {
  return new DbError(SqlState.InvalidTextRepresentation, `invalid input syntax for type numeric: "${text}"`);
}

/** Number of decimal digits of a non-negative bigint (0 has 1). */
function digitCount(v: bigint): number {
  return v === 0n ? 1 : v.toString().length;
}

/** Integer SQL types a numeric can be cast to. */
export type IntKind = 'smallint' | 'integer' | 'bigint';
const INT_RANGES: Record<IntKind, readonly [bigint, bigint]> = {
  smallint: [-32768n, 32767n],
  integer: [-2147483648n, 2147483647n],
  bigint: [-9223372036854775808n, 9223372036854775807n],
};

/**
 * An immutable exact decimal with PostgreSQL numeric semantics. A finite value is
 * `mantissa / 10^scale`; `scale` is the display scale (dscale), so 1.50 keeps scale 2.
 * There is no negative zero.
 */
export class Numeric {
  private constructor(
    readonly kind: Kind,
    /** Signed digits; 0n for special values. */
    readonly mantissa: bigint,
    /** Display scale (>= 0); 0 for special values. */
    readonly scale: number,
  ) {}

  static readonly NaN = new Numeric('nan', 0n, 0);
  static readonly Infinity = new Numeric('pinf', 0n, 0);
  static readonly NegativeInfinity = new Numeric('ninf', 0n, 0);
  static readonly ZERO = new Numeric('finite', 0n, 0);
  static readonly ONE = new Numeric('finite', 1n, 0);

  /** A finite value mantissa·10^-scale; checks numeric's storage limits like make_result. */
  static of(mantissa: bigint, scale = 0): Numeric {
    if (!Number.isInteger(scale) || scale < 0) throw new RangeError(`invalid numeric scale ${scale}`);
    if (scale > NUMERIC_DSCALE_MAX) throw overflow();
    if (mantissa !== 0n) {
      const weight = Math.floor((digitCount(abs(mantissa)) - 1 - scale) / 4);
      if (weight > NUMERIC_WEIGHT_MAX || weight < NUMERIC_WEIGHT_MIN) throw overflow();
    }
    return new Numeric('finite', mantissa, scale);
  }

  /** An integer value. */
  static fromBigInt(v: bigint): Numeric {
    return new Numeric('finite', v, 0);
  }

  /**
   * A float8 (or float4, with `significantDigits` 6) converted as float8_numeric does: NaN and
   * infinities map across, finite values go through `%.15g` (`%.6g`) and numeric_in.
   */
  static fromNumber(x: number, significantDigits = 15): Numeric {
    if (Number.isNaN(x)) return Numeric.NaN;
    if (x === Infinity) return Numeric.Infinity;
    if (x === -Infinity) return Numeric.NegativeInfinity;
    return Numeric.parse(formatFloatG(x, significantDigits));
  }

  /** numeric_in: whitespace, sign, digits with optional point and exponent, NaN, [+-]Infinity, [+-]inf. */
  static parse(text: string): Numeric {
    let i = 0;
    const n = text.length;
    while (i < n && isSpace(text[i])) i++;
    const rest = text.slice(i, i + 9).toLowerCase();
    let special: Numeric | undefined;
    let len = 0;
    if (rest.startsWith('nan')) [special, len] = [Numeric.NaN, 3];
    else if (rest.startsWith('infinity')) [special, len] = [Numeric.Infinity, 8];
    else if (rest.startsWith('+infinity')) [special, len] = [Numeric.Infinity, 9];
    else if (rest.startsWith('-infinity')) [special, len] = [Numeric.NegativeInfinity, 9];
    else if (rest.startsWith('inf')) [special, len] = [Numeric.Infinity, 3];
    else if (rest.startsWith('+inf')) [special, len] = [Numeric.Infinity, 4];
    else if (rest.startsWith('-inf')) [special, len] = [Numeric.NegativeInfinity, 4];
    if (special) {
      for (i += len; i < n; i++) if (!isSpace(text[i])) throw invalidSyntax(text);
      return special;
    }
    let negative = false;
    if (text[i] === '+') i++;
    else if (text[i] === '-') {
      negative = true;
      i++;
    }
    let haveDp = false;
    if (text[i] === '.') {
      haveDp = true;
      i++;
    }
    if (!isDigit(text[i])) throw invalidSyntax(text);
    let digits = '';
    let dscale = 0;
    while (i < n) {
      const ch = text[i]!;
      if (isDigit(ch)) {
        digits += ch;
        if (haveDp) dscale++;
        i++;
      } else if (ch === '.') {
        if (haveDp) throw invalidSyntax(text);
        haveDp = true;
        i++;
      } else break;
    }
    let exponent = 0;
    if (text[i] === 'e' || text[i] === 'E') {
      i++;
      // strtol: optional leading whitespace and sign, then digits
      let j = i;
      while (j < n && isSpace(text[j])) j++;
      let expNeg = false;
      if (text[j] === '+' || text[j] === '-') {
        expNeg = text[j] === '-';
        j++;
      }
      const start = j;
      while (j < n && isDigit(text[j])) j++;
      if (j === start) throw invalidSyntax(text);
      const expDigits = text.slice(start, j).replace(/^0+/, '');
      if (expDigits.length > 10) throw overflow();
      exponent = Number(expDigits || '0') * (expNeg ? -1 : 1);
      if (exponent >= 1073741823 || exponent <= -1073741823) throw overflow();
      i = j;
    }
    for (; i < n; i++) if (!isSpace(text[i])) throw invalidSyntax(text);
    let mant = BigInt(digits);
    let scale = dscale - exponent;
    if (scale < 0) {
      if (mant !== 0n && digits.replace(/^0+/, '').length - scale > 4 * (NUMERIC_WEIGHT_MAX + 1)) throw overflow();
      mant *= pow10(-scale);
      scale = 0;
    }
    return Numeric.of(negative ? -mant : mant, scale);
  }

  /** numeric_recv: the base-10000 binary format; digits hidden by dscale are truncated away. */
  static fromBinary(buf: Uint8Array): Numeric {
    const r = new BinaryReader(buf);
    const value = Numeric.readBinary(r);
    r.end();
    return value;
  }

  /** Reads one binary numeric from a reader (used by arrays and records). */
  static readBinary(r: BinaryReader): Numeric {
    const ndigits = r.uint16();
    const weight = r.int16();
    const sign = r.uint16();
    if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG && sign !== NUMERIC_NAN && sign !== NUMERIC_PINF && sign !== NUMERIC_NINF) {
      throw new DbError(SqlState.InvalidBinaryRepresentation, 'invalid sign in external "numeric" value');
    }
    const dscale = r.uint16();
    if ((dscale & NUMERIC_DSCALE_MAX) !== dscale) {
      throw new DbError(SqlState.InvalidBinaryRepresentation, 'invalid scale in external "numeric" value');
    }
    let digits = 0n;
    for (let k = 0; k < ndigits; k++) {
      const d = r.int16();
      if (d < 0 || d >= 10000) throw new DbError(SqlState.InvalidBinaryRepresentation, 'invalid digit in external "numeric" value');
      digits = digits * 10000n + BigInt(d);
    }
    if (sign === NUMERIC_NAN) return Numeric.NaN;
    if (sign === NUMERIC_PINF) return Numeric.Infinity;
    if (sign === NUMERIC_NINF) return Numeric.NegativeInfinity;
    const e = 4 * (weight - ndigits + 1) + dscale;
    let mant = e >= 0 ? digits * pow10(e) : digits / pow10(-e);
    if (sign === NUMERIC_NEG) mant = -mant;
    return Numeric.of(mant, dscale);
  }

  /** numeric_send: ndigits, weight, sign, dscale (int16 each), then base-10000 digits. */
  toBinary(): Uint8Array {
    const w = new BinaryWriter();
    this.writeBinary(w);
    return w.finish();
  }

  /** Writes the binary form into a writer. */
  writeBinary(w: BinaryWriter): void {
    if (this.kind !== 'finite') {
      const sign = this.kind === 'nan' ? NUMERIC_NAN : this.kind === 'pinf' ? NUMERIC_PINF : NUMERIC_NINF;
      // numeric_send reads dscale out of the special value's short header: 32 for ±Infinity, 0 for NaN
      w.uint16(0).int16(0).uint16(sign).uint16(this.kind === 'nan' ? 0 : 0x20);
      return;
    }
    const fracGroups = Math.ceil(this.scale / 4);
    let padded = abs(this.mantissa) * pow10(fracGroups * 4 - this.scale);
    const digits: number[] = [];
    while (padded > 0n) {
      digits.push(Number(padded % 10000n));
      padded /= 10000n;
    }
    digits.reverse();
    const weight = digits.length === 0 ? 0 : digits.length - fracGroups - 1;
    while (digits.length > 0 && digits[digits.length - 1] === 0) digits.pop();
    w.uint16(digits.length).int16(weight).uint16(this.mantissa < 0n ? NUMERIC_NEG : NUMERIC_POS).uint16(this.scale);
    for (const d of digits) w.int16(d);
  }

  /** numeric_out. */
  toString(): string {
    switch (this.kind) {
      case 'nan':
        return 'NaN';
      case 'pinf':
        return 'Infinity';
      case 'ninf':
        return '-Infinity';
      case 'finite':
        break;
    }
    const s = abs(this.mantissa).toString().padStart(this.scale + 1, '0');
    const cut = s.length - this.scale;
    const body = this.scale === 0 ? s : `${s.slice(0, cut)}.${s.slice(cut)}`;
    return this.mantissa < 0n ? `-${body}` : body;
  }

  /** JSON.stringify support: the numeric_out text. */
  toJSON(): string {
    return this.toString();
  }

  isNaN(): boolean {
    return this.kind === 'nan';
  }

  isFinite(): boolean {
    return this.kind === 'finite';
  }

  isInfinite(): boolean {
    return this.kind === 'pinf' || this.kind === 'ninf';
  }

  isZero(): boolean {
    return this.kind === 'finite' && this.mantissa === 0n;
  }

  /** -1, 0 or 1 (NaN gives NaN), like numeric's sign(). */
  sign(): number {
    if (this.kind === 'nan') return NaN;
    if (this.kind === 'pinf') return 1;
    if (this.kind === 'ninf') return -1;
    return this.mantissa === 0n ? 0 : this.mantissa < 0n ? -1 : 1;
  }

  negate(): Numeric {
    if (this.kind === 'pinf') return Numeric.NegativeInfinity;
    if (this.kind === 'ninf') return Numeric.Infinity;
    if (this.kind === 'nan') return this;
    return new Numeric('finite', -this.mantissa, this.scale);
  }

  abs(): Numeric {
    if (this.kind === 'ninf') return Numeric.Infinity;
    if (this.kind !== 'finite' || this.mantissa >= 0n) return this;
    return new Numeric('finite', -this.mantissa, this.scale);
  }

  /** numeric_add: result scale is the larger input scale. */
  add(other: Numeric): Numeric {
    if (this.kind !== 'finite' || other.kind !== 'finite') {
      if (this.kind === 'nan' || other.kind === 'nan') return Numeric.NaN;
      if (this.kind === 'pinf') return other.kind === 'ninf' ? Numeric.NaN : Numeric.Infinity;
      if (this.kind === 'ninf') return other.kind === 'pinf' ? Numeric.NaN : Numeric.NegativeInfinity;
      return other;
    }
    const scale = Math.max(this.scale, other.scale);
    return Numeric.of(this.mantissa * pow10(scale - this.scale) + other.mantissa * pow10(scale - other.scale), scale);
  }

  /** numeric_sub. */
  sub(other: Numeric): Numeric {
    return this.add(other.negate());
  }

  /** numeric_mul: result scale is the sum of the input scales. */
  mul(other: Numeric): Numeric {
    if (this.kind !== 'finite' || other.kind !== 'finite') {
      if (this.kind === 'nan' || other.kind === 'nan') return Numeric.NaN;
      const s = this.sign() * other.sign();
      if (s === 0) return Numeric.NaN;
      return s > 0 ? Numeric.Infinity : Numeric.NegativeInfinity;
    }
    const scale = Math.min(this.scale + other.scale, NUMERIC_DSCALE_MAX);
    return Numeric.of(roundMant(this.mantissa * other.mantissa, this.scale + other.scale, scale), scale);
  }

  /**
   * numeric_div: rounds half away from zero at select_div_scale's result scale (at least 16
   * significant digits, no less than either input's scale, at most 1000). Division by zero
   * raises 22012.
   */
  div(other: Numeric): Numeric {
    if (this.kind !== 'finite' || other.kind !== 'finite') {
      if (this.kind === 'nan' || other.kind === 'nan') return Numeric.NaN;
      if (this.kind !== 'finite') {
        if (other.kind !== 'finite') return Numeric.NaN;
        const s = other.sign();
        if (s === 0) throw divisionByZero();
        return (this.kind === 'pinf') === s > 0 ? Numeric.Infinity : Numeric.NegativeInfinity;
      }
      return Numeric.ZERO;
    }
    if (other.mantissa === 0n) throw divisionByZero();
    return this.divScaled(other, selectDivScale(this, other));
  }

  /** Division rounded half away from zero to an explicit result scale (div_var with round). */
  divScaled(other: Numeric, rscale: number): Numeric {
    if (other.mantissa === 0n) throw divisionByZero();
    const num = this.mantissa * pow10(other.scale + rscale);
    const den = other.mantissa * pow10(this.scale);
    let q = num / den;
    const r = num % den;
    if (2n * abs(r) >= abs(den)) q += (num < 0n) === (den < 0n) ? 1n : -1n;
    return Numeric.of(q, rscale);
  }

  /** Integer division truncated towards zero (div_var with rscale 0, no rounding). */
  divTrunc(other: Numeric): Numeric {
    if (this.kind !== 'finite' || other.kind !== 'finite') return this.div(other).trunc(0);
    if (other.mantissa === 0n) throw divisionByZero();
    return Numeric.of((this.mantissa * pow10(other.scale)) / (other.mantissa * pow10(this.scale)), 0);
  }

  /** numeric_mod: sign follows the dividend; result scale is the larger input scale. */
  mod(other: Numeric): Numeric {
    if (this.kind !== 'finite' || other.kind !== 'finite') {
      if (this.kind === 'nan' || other.kind === 'nan') return Numeric.NaN;
      if (this.kind !== 'finite') {
        if (other.isZero()) throw divisionByZero();
        return Numeric.NaN;
      }
      return this;
    }
    if (other.mantissa === 0n) throw divisionByZero();
    const scale = Math.max(this.scale, other.scale);
    const a = this.mantissa * pow10(scale - this.scale);
    const b = other.mantissa * pow10(scale - other.scale);
    return Numeric.of(a % b, scale);
  }

  /** Total order used by numeric_cmp: -inf < finite < +inf < NaN; NaN equals NaN. */
  compare(other: Numeric): number {
    const rank = (v: Numeric): number => (v.kind === 'ninf' ? 0 : v.kind === 'finite' ? 1 : v.kind === 'pinf' ? 2 : 3);
    const ra = rank(this);
    const rb = rank(other);
    if (ra !== rb || ra !== 1) return ra < rb ? -1 : ra > rb ? 1 : 0;
    const scale = Math.max(this.scale, other.scale);
    const a = this.mantissa * pow10(scale - this.scale);
    const b = other.mantissa * pow10(scale - other.scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: Numeric): boolean {
    return this.compare(other) === 0;
  }

  /**
   * round(numeric, scale): half away from zero; a negative scale rounds left of the point.
   * The result's display scale is max(scale, 0).
   */
  round(scale = 0): Numeric {
    if (this.kind !== 'finite') return this;
    const s = Math.max(Math.min(scale, NUMERIC_MAX_RESULT_SCALE), -NUMERIC_MAX_RESULT_SCALE);
    const q = roundMant(this.mantissa, this.scale, s);
    return s >= 0 ? Numeric.of(q, s) : Numeric.of(q * pow10(-s), 0);
  }

  /** trunc(numeric, scale): towards zero; display scale max(scale, 0). */
  trunc(scale = 0): Numeric {
    if (this.kind !== 'finite') return this;
    const s = Math.max(Math.min(scale, NUMERIC_MAX_RESULT_SCALE), -NUMERIC_MAX_RESULT_SCALE);
    const q = truncMant(this.mantissa, this.scale, s);
    return s >= 0 ? Numeric.of(q, s) : Numeric.of(q * pow10(-s), 0);
  }

  /**
   * Applies a numeric(p,s) typmod like apply_typmod: rounds to s, then fails with 22003
   * "numeric field overflow" when the value needs more than p-s integer digits. NaN passes;
   * infinities fail under any typmod. Typmod -1 (or any invalid one) is a no-op.
   */
  applyTypmod(typmod: number): Numeric {
    if (typmod < VARHDRSZ) return this;
    const { precision, scale } = decodeNumericTypmod(typmod);
    if (this.kind === 'nan') return this;
    if (this.kind !== 'finite') {
      throw new DbError(SqlState.NumericValueOutOfRange, 'numeric field overflow', {
        detail: `A field with precision ${precision}, scale ${scale} cannot hold an infinite value.`,
      });
    }
    const maxdigits = precision - scale;
    const rounded = roundMant(this.mantissa, this.scale, scale);
    if (rounded !== 0n) {
      // integer digits of rounded·10^-scale
      const intDigits = digitCount(abs(rounded)) - scale;
      if (intDigits > maxdigits) {
        throw new DbError(SqlState.NumericValueOutOfRange, 'numeric field overflow', {
          detail: `A field with precision ${precision}, scale ${scale} must round to an absolute value less than ${maxdigits ? '10^' : ''}${maxdigits ? maxdigits : 1}.`,
        });
      }
    }
    return scale >= 0 ? Numeric.of(rounded, scale) : Numeric.of(rounded * pow10(-scale), 0);
  }

  /**
   * numeric → float8 (numeric_float8, through float8in): correctly rounded; NaN and infinities
   * map across; values beyond float8's range raise 22003 like PostgreSQL.
   */
  toNumber(): number {
    if (this.kind === 'nan') return NaN;
    if (this.kind === 'pinf') return Infinity;
    if (this.kind === 'ninf') return -Infinity;
    return parseFloat8(this.toString());
  }

  /** numeric → float4 (numeric_float4, through float4in). */
  toFloat4(): number {
    if (this.kind !== 'finite') return this.toNumber();
    return parseFloat4(this.toString());
  }

  /**
   * numeric → smallint/integer/bigint: rounds half away from zero, then range-checks
   * ("integer out of range", 22003); NaN and infinities raise 0A000.
   */
  toBigInt(kind: IntKind = 'bigint'): bigint {
    if (this.kind === 'nan') throw new DbError(SqlState.FeatureNotSupported, `cannot convert NaN to ${kind}`);
    if (this.kind !== 'finite') throw new DbError(SqlState.FeatureNotSupported, `cannot convert infinity to ${kind}`);
    const v = roundMant(this.mantissa, this.scale, 0);
    const [lo, hi] = INT_RANGES[kind];
    if (v < lo || v > hi) throw new DbError(SqlState.NumericValueOutOfRange, `${kind} out of range`);
    return v;
  }

  /** Like toBigInt for smallint/integer, as a number. */
  toInt(kind: 'smallint' | 'integer' = 'integer'): number {
    return Number(this.toBigInt(kind));
  }
}

function divisionByZero(): DbError {
  return new DbError(SqlState.DivisionByZero, 'division by zero');
}

/** Base-10000 weight and first digit of a finite value (0, 0 for zero). */
function weightAndFirstDigit(v: Numeric): [number, bigint] {
  const a = abs(v.mantissa);
  if (a === 0n) return [0, 0n];
  const dexp = digitCount(a) - 1 - v.scale;
  const weight = Math.floor(dexp / 4);
  const shift = v.scale + 4 * weight;
  const first = shift >= 0 ? a / pow10(shift) : a * pow10(-shift);
  return [weight, first];
}

/** select_div_scale from numeric.c. */
export function selectDivScale(a: Numeric, b: Numeric): number {
  const [w1, f1] = weightAndFirstDigit(a);
  const [w2, f2] = weightAndFirstDigit(b);
  let qweight = w1 - w2;
  if (f1 <= f2) qweight--;
  let rscale = NUMERIC_MIN_SIG_DIGITS - qweight * 4;
  rscale = Math.max(rscale, a.scale, b.scale, 0);
  return Math.min(rscale, NUMERIC_MAX_DISPLAY_SCALE);
}

/** Encodes numeric(p,s) as PostgreSQL stores it: ((p << 16) | (s & 0x7ff)) + 4. */
export function encodeNumericTypmod(precision: number, scale = 0): number {
  if (precision < 1 || precision > NUMERIC_MAX_PRECISION) {
    throw new DbError(SqlState.InvalidParameterValue, `NUMERIC precision ${precision} must be between 1 and ${NUMERIC_MAX_PRECISION}`);
  }
  if (scale < NUMERIC_MIN_SCALE || scale > NUMERIC_MAX_SCALE) {
    throw new DbError(SqlState.InvalidParameterValue, `NUMERIC scale ${scale} must be between ${NUMERIC_MIN_SCALE} and ${NUMERIC_MAX_SCALE}`);
  }
  return ((precision << 16) | (scale & 0x7ff)) + VARHDRSZ;
}

/** Decodes a numeric typmod (>= 4) into precision and (possibly negative) scale. */
export function decodeNumericTypmod(typmod: number): { precision: number; scale: number } {
  const t = typmod - VARHDRSZ;
  return { precision: (t >> 16) & 0xffff, scale: (((t & 0x7ff) ^ 1024) - 1024) };
}
