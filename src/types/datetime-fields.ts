/**
 * types/: the first stage of date/time input, ported from PostgreSQL's datetime.c:
 * ParseDateTime's split of the input into typed fields, the datetktbl keywords, the DTERR
 * codes and DateTimeParseError's messages. datetime-parse.ts and interval.ts decode the fields.
 */
import { DbError, SqlState } from '../errors/index.ts';

/** 22009 invalid_time_zone_displacement_value (belongs in errors/sqlstate.ts). */
export const INVALID_TIME_ZONE_DISPLACEMENT_VALUE = SqlState.InvalidTimeZoneDisplacementValue;
/** 22015 interval_field_overflow (belongs in errors/sqlstate.ts). */
export const INTERVAL_FIELD_OVERFLOW = SqlState.IntervalFieldOverflow;

export type FieldType = 'number' | 'string' | 'date' | 'time' | 'tz' | 'special';
export interface DtField {
  text: string;
  type: FieldType;
}

/** A decoding failure, mapped onto PostgreSQL's DTERR_* codes by dateTimeParseError. */
export class DtErr {
  constructor(readonly kind: 'bad' | 'overflow' | 'md' | 'tzdisp' | 'interval') {}
}
export const BAD = (): DtErr => new DtErr('bad');
export const OVERFLOW = (): DtErr => new DtErr('overflow');

/** DateTimeParseError: the message PostgreSQL raises for a DTERR code. */
export function dateTimeParseError(err: DtErr, str: string, typeName: string): DbError {
  switch (err.kind) {
    case 'overflow':
      return new DbError(SqlState.DatetimeFieldOverflow, `date/time field value out of range: "${str}"`);
    case 'md':
      return new DbError(SqlState.DatetimeFieldOverflow, `date/time field value out of range: "${str}"`, {
        hint: 'Perhaps you need a different "datestyle" setting.',
      });
    case 'interval':
      return new DbError(INTERVAL_FIELD_OVERFLOW, `interval field value out of range: "${str}"`);
    case 'tzdisp':
      return new DbError(INVALID_TIME_ZONE_DISPLACEMENT_VALUE, `time zone displacement out of range: "${str}"`);
    case 'bad':
      return new DbError(SqlState.InvalidDatetimeFormat, `invalid input syntax for type ${typeName}: "${str}"`);
  }
}

export const isDigitC = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
export const isAlphaC = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
export const isAlnumC = (c: string | undefined): boolean => isDigitC(c) || isAlphaC(c);
export const isSpaceC = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
export const isPunctC = (c: string | undefined): boolean => c !== undefined && /^[!-/:-@[-`{-~]$/.test(c);

/** ParseDateTime: splits input into typed fields (lower-casing text). */
export function parseDateTimeFields(str: string): DtField[] {
  const fields: DtField[] = [];
  let i = 0;
  const n = str.length;
  while (i < n) {
    const c = str[i];
    if (isSpaceC(c)) {
      i++;
      continue;
    }
    let buf = '';
    let type: FieldType;
    if (isDigitC(c)) {
      buf += str[i++];
      while (isDigitC(str[i])) buf += str[i++];
      if (str[i] === ':') {
        type = 'time';
        buf += str[i++];
        while (isDigitC(str[i]) || str[i] === ':' || str[i] === '.') buf += str[i++];
      } else if (str[i] === '-' || str[i] === '/' || str[i] === '.') {
        const delim = str[i]!;
        buf += str[i++];
        if (isDigitC(str[i])) {
          type = delim === '.' ? 'number' : 'date';
          while (isDigitC(str[i])) buf += str[i++];
          if (str[i] === delim) {
            type = 'date';
            buf += str[i++];
            while (isDigitC(str[i]) || str[i] === delim) buf += str[i++];
          }
        } else {
          type = 'date';
          while (isAlnumC(str[i]) || str[i] === delim) buf += str[i++]!.toLowerCase();
        }
      } else type = 'number';
    } else if (c === '.') {
      buf += str[i++];
      while (isDigitC(str[i])) buf += str[i++];
      type = 'number';
    } else if (isAlphaC(c)) {
      type = 'string';
      buf += str[i++]!.toLowerCase();
      while (isAlphaC(str[i])) buf += str[i++]!.toLowerCase();
      let isDate = false;
      if (str[i] === '-' || str[i] === '/' || str[i] === '.') isDate = true;
      else if (str[i] === '+' || isDigitC(str[i])) isDate = lookupToken(buf) === undefined;
      if (isDate) {
        type = 'date';
        do {
          buf += str[i++]!.toLowerCase();
        } while (str[i] === '+' || str[i] === '-' || str[i] === '/' || str[i] === '_' || str[i] === '.' || str[i] === ':' || isAlnumC(str[i]));
      }
    } else if (c === '+' || c === '-') {
      buf += str[i++];
      while (isSpaceC(str[i])) i++;
      if (isDigitC(str[i])) {
        type = 'tz';
        buf += str[i++];
        while (isDigitC(str[i]) || str[i] === ':' || str[i] === '.' || str[i] === '-') buf += str[i++];
      } else if (isAlphaC(str[i])) {
        type = 'special';
        buf += str[i++]!.toLowerCase();
        while (isAlphaC(str[i])) buf += str[i++]!.toLowerCase();
      } else throw BAD();
    } else if (isPunctC(c)) {
      i++;
      continue;
    } else throw BAD();
    if (fields.length >= 25) throw BAD();
    fields.push({ text: buf, type });
  }
  return fields;
}

// Field-type bits (DTK_M(x) = 1 << x), as in datetime.h.
export const MONTH = 1, YEAR = 2, DAY = 3, TZ = 5, DTZ = 6, IGNORE_DTF = 8, AMPM = 9, HOUR = 10, MINUTE = 11, SECOND = 12;
export const MILLISECOND = 13, MICROSECOND = 14, DOY = 15, DOW = 16, UNITS = 17, ADBC = 18, ISOTIME = 23, RESERV = 0;
export const M = (t: number): number => 1 << t;
export const DTK_DATE_M = M(YEAR) | M(MONTH) | M(DAY);
export const DTK_ALL_SECS_M = M(SECOND) | M(MILLISECOND) | M(MICROSECOND);
export const DTK_TIME_M = M(HOUR) | M(MINUTE) | DTK_ALL_SECS_M;

export type Reserved = 'epoch' | 'late' | 'early' | 'now' | 'today' | 'tomorrow' | 'yesterday' | 'zulu';
export type Token = { type: number; value: number } | { type: typeof RESERV; value: Reserved };

const MONTHS: Record<string, number> = {
  jan: 1, january: 1, feb: 2, february: 2, mar: 3, march: 3, apr: 4, april: 4, may: 5, jun: 6, june: 6, jul: 7, july: 7,
  aug: 8, august: 8, sep: 9, sept: 9, september: 9, oct: 10, october: 10, nov: 11, november: 11, dec: 12, december: 12,
};
const DAYS: Record<string, number> = {
  sun: 0, sunday: 0, mon: 1, monday: 1, tue: 2, tues: 2, tuesday: 2, wed: 3, weds: 3, wednesday: 3,
  thu: 4, thur: 4, thurs: 4, thursday: 4, fri: 5, friday: 5, sat: 6, saturday: 6,
};
const RESERVED: Record<string, Reserved> = {
  epoch: 'epoch', infinity: 'late', '-infinity': 'early', now: 'now', today: 'today', tomorrow: 'tomorrow',
  yesterday: 'yesterday', allballs: 'zulu',
};
/** Unit tokens of datetktbl (julian and labelled ISO fields), recognised but not supported. */
const DATE_UNITS = new Set(['d', 'dow', 'doy', 'h', 'isodow', 'isoyear', 'j', 'jd', 'julian', 'm', 'mm', 's', 'y']);

/** datetktbl lookup (first 10 characters significant, as TOKMAXLEN). */
export function lookupToken(raw: string): Token | undefined {
  const key = raw.slice(0, 10);
  if (key in RESERVED) return { type: RESERV, value: RESERVED[key]! };
  if (key in MONTHS) return { type: MONTH, value: MONTHS[key]! };
  if (key in DAYS) return { type: DOW, value: DAYS[key]! };
  switch (key) {
    case 'am': return { type: AMPM, value: 0 };
    case 'pm': return { type: AMPM, value: 1 };
    case 'ad': return { type: ADBC, value: 0 };
    case 'bc': return { type: ADBC, value: 1 };
    case 't': return { type: ISOTIME, value: 0 };
    case 'at': case 'on': return { type: IGNORE_DTF, value: 0 };
    case 'dst': return { type: 28, value: 3600 };
    default: break;
  }
  if (DATE_UNITS.has(key)) return { type: UNITS, value: 0 };
  return undefined;
}

/** Parses a C-style integer prefix (strtoint): returns value and end index; throws overflow past int32. */
export function strtoint(s: string, start: number): [number, number] {
  let i = start;
  while (isSpaceC(s[i])) i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  const d0 = i;
  while (isDigitC(s[i])) i++;
  if (i === d0) return [0, start];
  const v = Number(s.slice(d0, i)) * (neg ? -1 : 1);
  if (v > 2147483647 || v < -2147483648) throw OVERFLOW();
  return [v, i];
}

/** rint(): round half to even, as C's default rounding mode. */
export function rint(x: number): number {
  const r = Math.round(x);
  if (Math.abs(x - Math.trunc(x)) === 0.5) return 2 * Math.round(x / 2);
  return r;
}

/** ParseFractionalSecond: ".ddd" → microseconds. */
export function parseFractionalSecond(s: string): number {
  if (!/^\.\d*$/.test(s)) throw BAD();
  return rint(Number(s === '.' ? '0' : s) * 1e6);
}

