/**
 * types/: the scalar number handling shared by the pgvector types (vector, halfvec,
 * sparsevec): C's strtof and strtol as pgvector's input functions call them (correctly
 * rounded to float32, ERANGE reported), IEEE half-precision conversion (round to nearest
 * even, as pgvector's Float4ToHalfUnchecked), and the float4 shortest-digits output.
 */
import { formatFloat4 } from './float-format.ts';

/** pgvector's vector_isspace / halfvec_isspace / sparsevec_isspace (= C isspace in the C locale). */
export function isVectorSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\v' || ch === '\f';
}

/** float_to_shortest_decimal_bufn: how every pgvector output function prints an element. */
export function formatVectorElement(x: number): string {
  return formatFloat4(x, 1);
}

/** The result of strtof at some offset. */
export interface ScannedFloat {
  /** Index just past the number (strtof's endptr); equals the start offset when nothing parsed. */
  readonly end: number;
  /** The value, correctly rounded to float32 (±Infinity on overflow, NaN for "nan"). */
  readonly value: number;
  /** errno == ERANGE: a finite nonzero literal that rounded to 0 or overflowed to ±Infinity. */
  readonly erange: boolean;
}

// Sticky (y) so a match starts exactly at lastIndex without slicing long literals.
const DECIMAL_RE = /([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?/y;
const HEX_RE = /([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?/y;
const INF_RE = /([+-]?)inf(?:inity)?/iy;
const NAN_RE = /[+-]?nan(?:\([0-9A-Za-z_]*\))?/iy;

function stickyExec(re: RegExp, text: string, start: number): RegExpExecArray | null {
  re.lastIndex = start;
  return re.exec(text);
}

/** Rounds m × 2^e (m > 0) to the nearest float32, ties to even, with subnormals and overflow. */
export function roundToFloat32(m: bigint, e: number): number {
  const bits = m.toString(2).length;
  const top = bits - 1 + e;
  if (top > 127) return Infinity;
  const lsbExp = Math.max(top - 23, -149);
  const shift = lsbExp - e;
  if (shift <= 0) return Number(m) * 2 ** e;
  let q = m >> BigInt(shift);
  const rem = m & ((1n << BigInt(shift)) - 1n);
  const half = 1n << BigInt(shift - 1);
  if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  const v = Number(q) * 2 ** lsbExp;
  return v >= 2 ** 128 ? Infinity : v;
}

/** Exact float32 rounding of digits × 10^exp10 (digits a non-empty decimal string, nonzero). */
function decimalToFloat32Exact(digits: string, exp10: number): number {
  const d = BigInt(digits);
  if (exp10 >= 0) return roundToFloat32(d * 10n ** BigInt(exp10), 0);
  const den = 10n ** BigInt(-exp10);
  // Scale so the quotient carries at least 26 significant bits, then keep a sticky bit.
  const k = Math.max(0, den.toString(2).length - d.toString(2).length + 26);
  const num = d << BigInt(k);
  const q = num / den;
  const sticky = num % den !== 0n ? 1n : 0n;
  return roundToFloat32((q << 1n) | sticky, -k - 1);
}

/** |x| as float32 via the double nearest to the literal, re-deciding only double-rounding ties. */
function decimalMagnitudeToFloat32(intPart: string, fracPart: string, expPart: number): number {
  const lit = `${intPart || '0'}.${fracPart || '0'}e${expPart}`;
  const d = Number(lit);
  const f = Math.fround(d);
  if (f === d || !Number.isFinite(d) || d === 0) return f;
  // Double rounding can only go wrong when d is exactly halfway between two float32s.
  const lo = f < d ? f : prevFloat32(f);
  const hi = f < d ? nextFloat32(f) : f;
  if ((lo + (hi === Infinity ? 2 ** 128 : hi)) / 2 !== d) return f;
  const digits = (intPart + fracPart).replace(/^0+/, '');
  if (digits === '') return 0;
  // Beyond these exponents the value is certainly 0 or infinite; the exact path would be slow.
  const exp10 = expPart - fracPart.length;
  if (digits.length + exp10 > 60) return Infinity;
  if (digits.length + exp10 < -60) return 0;
  return decimalToFloat32Exact(digits, exp10);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function nextFloat32(x: number): number {
  // x >= 0 finite float32
  if (x === 3.4028234663852886e38) return Infinity;
  f32[0] = x;
  u32[0]! += 1;
  return f32[0]!;
}

function prevFloat32(x: number): number {
  // x > 0 float32 (Infinity gives FLT_MAX)
  if (x === Infinity) return 3.4028234663852886e38;
  f32[0] = x;
  u32[0]! -= 1;
  return f32[0]!;
}

/**
 * C strtof (musl, as PGlite's pgvector uses it) at `start`: optional sign, decimal or
 * hexadecimal floating literal, "inf"/"infinity", "nan"/"nan(chars)". No leading-space
 * skipping: pgvector skips its own whitespace first.
 */
export function scanStrtof(text: string, start: number): ScannedFloat {
  const inf = stickyExec(INF_RE, text, start);
  if (inf) return { end: start + inf[0].length, value: inf[1] === '-' ? -Infinity : Infinity, erange: false };
  const nan = stickyExec(NAN_RE, text, start);
  if (nan) return { end: start + nan[0].length, value: NaN, erange: false };
  const hex = stickyExec(HEX_RE, text, start);
  if (hex && (hex[2] !== '' || (hex[3] ?? '') !== '')) {
    const [whole, sign, intPart, frac = '', pexp] = hex;
    const mant = BigInt('0x' + ((intPart ?? '') + frac || '0'));
    const e = Number(pexp ?? '0') - 4 * frac.length;
    let mag = mant === 0n ? 0 : e > 1000 ? Infinity : e < -1000 ? 0 : roundToFloat32(mant, e);
    const erange = mant !== 0n && (mag === 0 || mag === Infinity);
    if (sign === '-') mag = -mag;
    return { end: start + whole.length, value: mag, erange };
  }
  const dec = stickyExec(DECIMAL_RE, text, start);
  if (!dec || (dec[2] === '' && (dec[3] ?? '') === '')) return { end: start, value: 0, erange: false };
  const [whole, sign, intPart = '', frac = '', expText] = dec;
  const expPart = expText === undefined ? 0 : Math.max(-1e9, Math.min(1e9, Number(expText)));
  let mag = decimalMagnitudeToFloat32(intPart, frac, expPart);
  const nonzero = /[1-9]/.test(intPart + frac);
  const erange = nonzero && (mag === 0 || mag === Infinity);
  if (sign === '-') mag = -mag;
  return { end: start + whole.length, value: mag, erange };
}

/** The result of strtol(…, 10) clamped into int32 the way pgvector clamps it. */
export interface ScannedInt {
  readonly end: number;
  readonly value: number;
}

/** C strtol base 10 at `start` (leading whitespace, sign, digits); huge values come back as ±1e15. */
export function scanStrtol(text: string, start: number): ScannedInt {
  let i = start;
  while (isVectorSpace(text[i])) i++;
  let neg = false;
  if (text[i] === '+' || text[i] === '-') {
    neg = text[i] === '-';
    i++;
  }
  const digitsStart = i;
  while (i < text.length && text[i]! >= '0' && text[i]! <= '9') i++;
  if (i === digitsStart) return { end: start, value: 0 };
  const digits = text.slice(digitsStart, i).replace(/^0+/, '');
  // Anything past int32 is clamped by the caller, so a long digit run only needs to stay large.
  const mag = digits.length > 15 ? 1e15 : Number(digits || '0');
  return { end: i, value: neg ? -mag : mag };
}

// ---- IEEE binary16 ----

/** Largest finite half: 65504. */
export const HALF_MAX = 65504;

/** Float4ToHalfUnchecked: a float32 value to half bits, round to nearest even (overflow gives ±Inf). */
export function float32ToHalfBits(x: number): number {
  f32[0] = x;
  const bin = u32[0]!;
  let exponent = (bin & 0x7f800000) >>> 23;
  let mantissa = bin & 0x007fffff;
  let result = (bin & 0x80000000) >>> 16;
  if (!Number.isFinite(x) && !Number.isNaN(x)) return result | 0x7c00;
  if (Number.isNaN(x)) return result | 0x7e00 | (mantissa >> 13);
  if (exponent > 98) {
    exponent -= 127;
    let s = mantissa & 0xfff;
    if (exponent < -14) {
      const diff = -exponent - 14;
      mantissa >>= diff;
      mantissa += 1 << (23 - diff);
      s |= mantissa & 0xfff;
    }
    let m = mantissa >> 13;
    const gr = (mantissa >> 12) % 4;
    if (gr === 3 || (gr === 1 && s !== 0)) m += 1;
    if (m === 1024) {
      m = 0;
      exponent += 1;
    }
    if (exponent > 15) return result | 0x7c00;
    if (exponent >= -14) result |= (exponent + 15) << 10;
    result |= m;
  }
  return result;
}

/** HalfToFloat4: half bits to the (exactly representable) number. */
export function halfBitsToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h & 0x7c00) >> 10;
  const mantissa = h & 0x03ff;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/** Rounds a number to half precision the way C does `(half)(float) x`: float32 first, then half. */
export function roundToHalf(x: number): number {
  return halfBitsToNumber(float32ToHalfBits(Math.fround(x)));
}
