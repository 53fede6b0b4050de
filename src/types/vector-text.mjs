/**
 * types/: vector_in's fast path over bytes, in plain JavaScript so that the main thread
 * (types/vector.ts) and COPY's parse workers (executor/copy/vector-parse-worker.mjs) run the
 * same code. The exact string parser and pgvector's errors stay in vector.ts: everything here
 * either parses exactly as strtof would or declines (-1).
 *
 * Two tiers: vector-text.wat in WebAssembly takes the common literal (tokens of up to 9–10
 * digits) at about twice the speed of plainVectorInto() below (measured: 2.5 vs 4.9 µs per
 * 128-dim literal), and plainVectorInto() takes what it declines. Callers put the literals'
 * bytes into the literal area (literalArea(), inside the module's memory, so nothing is
 * copied into it again) and parse them there (vectorsInArea(), vectorInArea()).
 */
import { VECTOR_TEXT_WASM_BASE64 } from './vector-text-wasm.mjs';

/** pgvector's VECTOR_MAX_DIM (vector.ts exports it). */
export const VECTOR_MAX_DIM = 16000;

/** Powers of ten exactly representable as doubles (Clinger's fast path). */
const EXACT_POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

/** isVectorSpace over a byte: ' ', \t, \n, \v, \f, \r. */
const isSpaceByte = (c) => c === 32 || (c >= 9 && c <= 13);

/**
 * Whether `f`, the float32 nearest to the double `d` (≠ f), is also strtof's rounding of the
 * decimal `d` was correctly rounded from. Rounding to the nearest double is monotonic and
 * every float32 midpoint is a double, so the double lies on the decimal's side of a midpoint
 * unless it is one. The halfway test: h = 2d − f is exact and lies strictly between f and the
 * other neighbour, unless d is their midpoint, where it is that neighbour, a float32. Zero
 * (underflow) and infinity (overflow) are left to strtof and its errors.
 */
const isStrtofRounding = (d, f) => {
  if (f === 0 || !Number.isFinite(f)) return false;
  const h = d + (d - f);
  return Math.fround(h) !== h;
};

/** strtof's float32 of the decimal a double `d` is the correct rounding of, or NaN when isStrtofRounding cannot vouch for fround(d). */
function strtofOf(d) {
  const f = Math.fround(d);
  return (f === d && Number.isFinite(f)) || isStrtofRounding(d, f) ? f : NaN;
}

/**
 * strtof of mantissa × 10^scale (mantissa < 2^53, |scale| ≤ 22: Clinger's fast path — both
 * operands are exact, so the one multiplication or division rounds correctly), or NaN.
 */
function clingerFloat32(mantissa, scale) {
  return strtofOf(scale >= 0 ? mantissa * EXACT_POW10[scale] : mantissa / EXACT_POW10[-scale]);
}

/**
 * The float32 of an unsigned token b[start..end) beyond the plain Clinger case (more digits
 * than 2^53 holds, e.g. a JavaScript number's 17, or a large exponent), or NaN for the exact
 * path. The first 15 significant digits are the mantissa; later ones only scale it and, when
 * not zero, make the token lie strictly between mantissa and mantissa + 1 (times the scale):
 * when both round to one float32, so does the token. Otherwise JavaScript's correctly rounded
 * Number() decides.
 */
function longElement(b, start, end) {
  // Tight int32 phases (no double multiply-add chain per digit): leading zeros, 9 digits into
  // hi, 6 into lo, then the rest only for `sticky`. The decimal point may fall in any phase.
  let i = start;
  let point = -1;
  let c = b[i];
  for (; c === 48 || (c === 46 && point < 0); c = b[++i]) if (c === 46) point = i;
  let hi = 0;
  for (let n = 0; n < 9; c = b[++i]) {
    if (c >= 48 && c <= 57) {
      hi = hi * 10 + (c - 48);
      n++;
    } else if (c === 46 && point < 0) point = i;
    else break;
  }
  let lo = 0;
  let loDigits = 0;
  for (; loDigits < 6; c = b[++i]) {
    if (c >= 48 && c <= 57) {
      lo = lo * 10 + (c - 48);
      loDigits++;
    } else if (c === 46 && point < 0) point = i;
    else break;
  }
  const mantissaEnd = i;
  let sticky = false;
  for (; ; c = b[++i]) {
    if (c >= 49 && c <= 57) sticky = true;
    else if (c !== 48 && !(c === 46 && point < 0)) break;
    else if (c === 46) point = i;
  }
  // The mantissa's digits after the point scale it down; digits dropped before the point, up.
  let scale = point < 0 ? i - mantissaEnd : point < mantissaEnd ? point + 1 - mantissaEnd : point - mantissaEnd;
  if (i < end) scale += exponentEnd(b, i) < 0 ? NaN : exponent; // the exponent after 'e'
  const mantissa = hi * EXACT_POW10[loDigits] + lo;
  if (scale >= -22 && scale <= 22) {
    const f = clingerFloat32(mantissa, scale);
    if (f === f && (!sticky || clingerFloat32(mantissa + 1, scale) === f)) return f;
  }
  return strtofOf(Number(b.toString('latin1', start, end))); // Number(): correctly rounded
}

/** Where the exponent digits after the 'e' at b[i] end (value in `exponent`), or -1; stops at any non-digit. */
function exponentEnd(b, i) {
  let c = b[++i];
  let negative = false;
  if (c === 43 || c === 45) {
    negative = c === 45;
    c = b[++i];
  }
  let exp = 0;
  let digits = 0;
  while (c >= 48 && c <= 57 && digits < 4) {
    exp = exp * 10 + (c - 48);
    digits++;
    c = b[++i];
  }
  if (digits === 0 || (c >= 48 && c <= 57)) return -1;
  exponent = negative ? -exp : exp;
  return i;
}
let exponent = 0;

/**
 * plainVectorInto: the common vector literal in one tight pass over b[start..end): `[`, plain decimal tokens
 * (digits, optional fraction and exponent) separated by ',', optional whitespace around them,
 * `]`. A token's double is computed exactly when its digits fit in 2^53 and the power of ten
 * is exact (Clinger's fast path), else by JavaScript's correctly rounded Number(); its float32
 * is strtof's when isStrtofRounding says so. The elements go to out[at..]; returns their
 * count. Anything else — other tokens, syntax errors, no elements, more than VECTOR_MAX_DIM or
 * than out holds — returns -1, and the caller runs the exact string parser from the start
 * (which also raises pgvector's errors). One function: a call per element cost a third.
 */
export function plainVectorInto(b, start, end, out, at) {
  const limit = Math.min(VECTOR_MAX_DIM, out.length - at);
  let i = start;
  while (i < end && isSpaceByte(b[i])) i++;
  let close = end - 1;
  while (close > i && isSpaceByte(b[close])) close--;
  // b[close] is ']': every scan below stops at a byte that is not part of a number, at the
  // latest at that ']', so none reads past it (no bounds check per byte).
  if (close <= i || b[i] !== 91 || b[close] !== 93) return -1; // '[' ... ']'
  i++;
  for (let count = 0; count < limit; ) {
    let c = b[i];
    while (isSpaceByte(c)) c = b[++i];
    const pt = i;
    const negative = c === 45; // '-'
    if (negative) c = b[++i];
    // The digits accumulate in an int32 (a double's multiply-add chain was most of the time);
    // past 2^31 / 10 `long` is set instead, and longElement() takes the token.
    let mantissa = 0;
    let scale = 0;
    let long = false;
    const digitsAt = i;
    while (c >= 48 && c <= 57) {
      if (mantissa <= 214748363) mantissa = mantissa * 10 + (c - 48); // stays an int32: never overflows
      else long = true;
      c = b[++i];
    }
    let digits = i - digitsAt;
    if (c === 46) {
      c = b[++i];
      const fractionAt = i;
      while (c >= 48 && c <= 57) {
        if (mantissa <= 214748363) mantissa = mantissa * 10 + (c - 48);
        else long = true;
        c = b[++i];
      }
      scale = fractionAt - i;
      digits += i - fractionAt;
    }
    if (digits === 0) return -1;
    if (c === 101 || c === 69) {
      // 'e' / 'E'
      i = exponentEnd(b, i);
      if (i < 0) return -1;
      scale += exponent;
      c = b[i];
    }
    if (c !== 44 && c !== 93 && !isSpaceByte(c)) return -1; // ',' or ']' or space must follow
    let f;
    if (!long && scale >= -22 && scale <= 22) {
      // clingerFloat32() written out: a double returned from a call that is not inlined is a
      // heap object, 2 KiB of garbage per 128-dim vector. Both operands are exact, so the one
      // operation rounds correctly; the quotient or product is finite and not 0 unless exactly 0.
      const d = scale >= 0 ? mantissa * EXACT_POW10[scale] : mantissa / EXACT_POW10[-scale];
      f = Math.fround(d);
      if (f !== d) {
        const h = d + (d - f); // isStrtofRounding() written out
        if (Math.fround(h) === h) return -1;
      }
    } else {
      f = longElement(b, negative ? pt + 1 : pt, i);
      if (f !== f) return -1; // NaN: the exact path
    }
    if (negative) f = -f;
    out[at + count++] = f;
    while (isSpaceByte(c)) c = b[++i];
    i++;
    if (c === 44) continue; // ','
    if (c !== 93 || i !== close + 1) return -1; // not the closing ']'
    return count;
  }
  return -1;
}

/** Where the literal area starts in the module's memory (below: the powers of ten). */
const AREA_AT = 256;
const PAGE = 65_536;

function instantiate() {
  try {
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(VECTOR_TEXT_WASM_BASE64, 'base64')), {});
    new Float64Array(exports.memory.buffer, 0, EXACT_POW10.length).set(EXACT_POW10);
    return exports;
  } catch {
    return null; // no WebAssembly here: plainVectorInto() takes every literal
  }
}
const wasm = instantiate();
/** Whether the WebAssembly tier is in use (tests). */
export const VECTOR_TEXT_WASM = wasm !== null;
/** The literal area when there is no WebAssembly (a plain buffer, grown on demand). */
let plainArea = Buffer.allocUnsafeSlow(wasm === null ? 65_536 : 0);
/** Bytes in the literal area, as given to the last literalArea() call. */
let areaSize = 0;

/** The module's memory holds at least `bytes` bytes. */
function reserve(bytes) {
  const have = wasm.memory.buffer.byteLength;
  if (have < bytes) wasm.memory.grow(Math.ceil((bytes - have) / PAGE));
}

/**
 * A buffer of `size` bytes to write literals into, for the vectorsInArea() or vectorInArea()
 * calls that follow (until the next literalArea() call; one caller at a time per thread).
 * Write before parsing: a parse may grow the memory, which leaves this buffer detached.
 */
export function literalArea(size) {
  areaSize = size;
  if (wasm === null) {
    if (plainArea.length < size) plainArea = Buffer.allocUnsafeSlow(Math.max(size, plainArea.length * 2));
    return plainArea.subarray(0, size);
  }
  reserve(AREA_AT + size);
  return Buffer.from(wasm.memory.buffer, AREA_AT, size);
}

/** Where the floats go after the area's bytes (8-aligned), growing the memory for at most `floats` of them. */
function outputAt(floats) {
  const at = (AREA_AT + areaSize + 7) & ~7;
  reserve(at + 4 * floats);
  return at;
}

/** The literal area's bytes as a Buffer (for plainVectorInto). */
const areaBytes = () => (wasm === null ? plainArea : Buffer.from(wasm.memory.buffer, AREA_AT, areaSize));

/**
 * The literal at area bytes [start, end) into out[at..] (at most VECTOR_MAX_DIM elements and
 * what out holds): its element count, or -1 for the exact parser.
 */
export function vectorInArea(start, end, out, at) {
  if (wasm !== null) {
    const limit = Math.min(VECTOR_MAX_DIM, out.length - at);
    const o = outputAt(limit);
    const count = wasm.vector_into(AREA_AT + start, AREA_AT + end, o, limit);
    if (count >= 0) {
      out.set(new Float32Array(wasm.memory.buffer, o, count), at);
      return count;
    }
  }
  return plainVectorInto(areaBytes(), start, end, out, at);
}

/**
 * The literals at area bytes [bounds[2k], bounds[2k + 1]): `out` holds field k's elements
 * after field k − 1's, `dims[k]` of them, or dims[k] = -1 when the exact parser must take it.
 */
export function vectorsInArea(bounds) {
  const n = bounds.length >> 1;
  const dims = new Int32Array(n);
  // A token takes at least two bytes ("1,"), so a field holds at most half its bytes plus one.
  const most = (areaSize >> 1) + n;
  const o = wasm === null ? 0 : outputAt(most);
  const floats = wasm === null ? new Float32Array(most) : new Float32Array(wasm.memory.buffer, o, most);
  const bytes = areaBytes();
  let total = 0;
  for (let k = 0; k < n; k++) {
    const start = bounds[2 * k];
    const end = bounds[2 * k + 1];
    let count = wasm === null ? -1 : wasm.vector_into(AREA_AT + start, AREA_AT + end, o + 4 * total, Math.min(VECTOR_MAX_DIM, most - total));
    if (count < 0) count = plainVectorInto(bytes, start, end, floats, total);
    dims[k] = count;
    if (count > 0) total += count;
  }
  return { out: floats.slice(0, total), dims };
}
