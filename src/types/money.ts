/**
 * types/: `money` (OID 790) as PostgreSQL's cash.c in the C locale (lc_monetary = C): an int64
 * count of cents; input takes `$`, thousands commas, a leading `-` / `(` or trailing sign and
 * rounds a third fraction digit half up; output is `$1,234.56` / `-$1,234.56`. Binary format:
 * the int64. Grafana's and Metabase's PostgreSQL drivers read it (Metabase casts it to numeric).
 */
import { DbError, SqlState } from '../errors/index.ts';
import { Numeric } from './numeric.ts';
import { ArrayOid, Oid } from './oids.ts';
import type { PgType } from './pg-type.ts';
import { BinaryReader, BinaryWriter } from './wire.ts';

const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;

export const moneyOutOfRange = (): DbError => new DbError(SqlState.NumericValueOutOfRange, 'money out of range');

/** Checks an int64 result of money arithmetic. */
export function checkMoney(v: bigint): bigint {
  if (v < INT64_MIN || v > INT64_MAX) throw moneyOutOfRange();
  return v;
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** cash_in with the C locale's symbols: $ , . - + and two fraction digits. */
export function parseMoney(str: string): bigint {
  const range = (): DbError => new DbError(SqlState.NumericValueOutOfRange, `value "${str}" is out of range for type money`);
  let s = 0;
  let negative = false;
  const skipSpaces = (): void => {
    while (isSpace(str[s])) s++;
  };
  skipSpaces();
  if (str[s] === '$') s++;
  skipSpaces();
  if (str[s] === '-') {
    negative = true;
    s++;
  } else if (str[s] === '(') {
    negative = true;
    s++;
  } else if (str[s] === '+') s++;
  skipSpaces();
  if (str[s] === '$') s++;
  skipSpaces();
  // Built in the negative, as cash_in does, so the most negative value fits.
  let value = 0n;
  let seenDot = false;
  let dec = 0;
  for (; s < str.length; s++) {
    const c = str[s]!;
    if (isDigit(c) && (!seenDot || dec < 2)) {
      value = value * 10n - BigInt(c.charCodeAt(0) - 48);
      if (value < INT64_MIN) throw range();
      if (seenDot) dec++;
    } else if (c === '.' && !seenDot) seenDot = true;
    else if (c === ',') continue;
    else break;
  }
  if (isDigit(str[s]) && str[s]! >= '5') {
    value -= 1n;
    if (value < INT64_MIN) throw range();
  }
  for (; dec < 2; dec++) {
    value *= 10n;
    if (value < INT64_MIN) throw range();
  }
  while (isDigit(str[s])) s++;
  while (s < str.length) {
    const c = str[s]!;
    if (isSpace(c) || c === ')' || c === '+' || c === '$') s++;
    else if (c === '-') {
      negative = true;
      s++;
    } else throw new DbError(SqlState.InvalidTextRepresentation, `invalid input syntax for type money: "${str}"`);
  }
  if (negative) return value;
  if (value === INT64_MIN) throw range();
  return -value;
}

/** cash_out in the C locale: $ before the digits, the sign before both, commas every three digits. */
export function formatMoney(v: bigint): string {
  const negative = v < 0n;
  const digits = (negative ? -v : v).toString().padStart(3, '0');
  const whole = digits.slice(0, -2);
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}$${grouped}.${digits.slice(-2)}`;
}

/** numeric_cash: the amount times 100, rounded half away from zero (numeric_int8). */
export function numericToMoney(n: Numeric): bigint {
  return n.mul(Numeric.fromBigInt(100n)).toBigInt('bigint');
}

/** cash_numeric: the cents as a numeric with two fraction digits. */
export function moneyToNumeric(v: bigint): Numeric {
  return Numeric.of(v, 2);
}

export const moneyType: PgType<bigint> = {
  oid: Oid.money, name: 'money', displayName: 'money', typlen: 8, category: 'N', arrayOid: ArrayOid.money, elemOid: 0,
  textIn: (text) => parseMoney(text),
  textOut: (v) => formatMoney(v),
  binaryIn: (buf) => {
    const r = new BinaryReader(buf);
    const v = r.int64();
    r.end();
    return v;
  },
  binaryOut: (v) => new BinaryWriter().int64(v).finish(),
};
