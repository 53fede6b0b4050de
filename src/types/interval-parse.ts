/**
 * types/: interval text input, ported from PostgreSQL 15's datetime.c: DecodeInterval
 * (postgres and SQL-standard forms, read right to left with units) and DecodeISO8601Interval
 * (designator and alternative forms), then interval_in's typmod adjustment.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC } from './datetime.ts';
import { DtErr, dateTimeParseError, parseDateTimeFields, rint, type DtField } from './datetime-fields.ts';
import { INTERVAL_MASK, Interval, adjustIntervalForTypmod, intervalRange } from './interval.ts';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -9223372036854775808n;
const INT64_MAX = 9223372036854775807n;

/** pg_itm_in accumulator. */
interface ItmIn {
  usec: bigint;
  mday: number;
  mon: number;
  year: number;
}

/** DTK_TIME_M: hour, minute, second, millisecond, microsecond. */
const TIME_MASK = (1 << 10) | (1 << 11) | (1 << 12) | (1 << 13) | (1 << 14);
const OVERFLOW = (): DtErr => new DtErr('overflow');
const BAD = (): DtErr => new DtErr('bad');

function addI64(a: bigint, b: bigint): bigint {
  const r = a + b;
  if (r < INT64_MIN || r > INT64_MAX) throw OVERFLOW();
  return r;
}

function checkI32(v: number): number {
  if (v < INT32_MIN || v > INT32_MAX) throw OVERFLOW();
  return v;
}

function adjustFractMicroseconds(frac: number, scale: number, itm: ItmIn): void {
  if (frac === 0) return;
  let f = frac * scale;
  let usec = Math.trunc(f);
  f -= usec;
  if (f > 0.5) usec++;
  else if (f < -0.5) usec--;
  itm.usec = addI64(itm.usec, BigInt(usec));
}

function adjustFractDays(frac: number, scale: number, itm: ItmIn): void {
  if (frac === 0) return;
  let f = frac * scale;
  const extra = Math.trunc(f);
  itm.mday = checkI32(itm.mday + extra);
  f -= extra;
  adjustFractMicroseconds(f, Number(USECS_PER_DAY), itm);
}

function adjustFractYears(frac: number, scale: number, itm: ItmIn): void {
  const extra = rint(frac * scale * 12);
  itm.mon = checkI32(itm.mon + extra);
}

function adjustMicroseconds(val: bigint, fval: number, scale: bigint, itm: ItmIn): void {
  const usec = val * scale;
  if (usec < INT64_MIN || usec > INT64_MAX) throw OVERFLOW();
  itm.usec = addI64(itm.usec, usec);
  adjustFractMicroseconds(fval, Number(scale), itm);
}

function adjustDays(val: bigint, multiplier: number, itm: ItmIn): void {
  if (val < BigInt(INT32_MIN) || val > BigInt(INT32_MAX)) throw OVERFLOW();
  const days = checkI32(Number(val) * multiplier);
  itm.mday = checkI32(itm.mday + days);
}

function adjustMonths(val: bigint, itm: ItmIn): void {
  if (val < BigInt(INT32_MIN) || val > BigInt(INT32_MAX)) throw OVERFLOW();
  itm.mon = checkI32(itm.mon + Number(val));
}

function adjustYears(val: bigint, multiplier: number, itm: ItmIn): void {
  if (val < BigInt(INT32_MIN) || val > BigInt(INT32_MAX)) throw OVERFLOW();
  const years = checkI32(Number(val) * multiplier);
  itm.year = checkI32(itm.year + years);
}

type Unit = 'microsecond' | 'millisecond' | 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year' | 'decade' | 'century' | 'millennium' | 'tz';

const UNITS: Record<string, Unit> = {
  c: 'century', cent: 'century', centuries: 'century', century: 'century',
  d: 'day', day: 'day', days: 'day',
  dec: 'decade', decade: 'decade', decades: 'decade', decs: 'decade',
  h: 'hour', hour: 'hour', hours: 'hour', hr: 'hour', hrs: 'hour',
  m: 'minute', microsecon: 'microsecond', mil: 'millennium', millennia: 'millennium', millennium: 'millennium',
  millisecon: 'millisecond', mils: 'millennium', min: 'minute', mins: 'minute', minute: 'minute', minutes: 'minute',
  mon: 'month', mons: 'month', month: 'month', months: 'month',
  ms: 'millisecond', msec: 'millisecond', msecond: 'millisecond', mseconds: 'millisecond', msecs: 'millisecond',
  qtr: 'quarter', quarter: 'quarter',
  s: 'second', sec: 'second', second: 'second', seconds: 'second', secs: 'second',
  timezone: 'tz', timezone_h: 'tz', timezone_m: 'tz',
  us: 'microsecond', usec: 'microsecond', usecond: 'microsecond', useconds: 'microsecond', usecs: 'microsecond',
  w: 'week', week: 'week', weeks: 'week',
  y: 'year', year: 'year', years: 'year', yr: 'year', yrs: 'year',
};

/** strtoi64 prefix: [value, end]; overflow raises DTERR_FIELD_OVERFLOW. */
function strtoi64(s: string, start: number): [bigint, number] {
  let i = start;
  while (s[i] === ' ' || s[i] === '\t') i++;
  let neg = false;
  if (s[i] === '+' || s[i] === '-') {
    neg = s[i] === '-';
    i++;
  }
  const d0 = i;
  while (s[i] !== undefined && s[i]! >= '0' && s[i]! <= '9') i++;
  if (i === d0) return [0n, start];
  const v = BigInt(s.slice(d0, i)) * (neg ? -1n : 1n);
  if (v < INT64_MIN || v > INT64_MAX) throw OVERFLOW();
  return [v, i];
}

/** DecodeTime for intervals: hours unbounded, "mm:ss.fff" when a fraction follows two fields. */
function decodeTimeForInterval(str: string, range: number, itm: ItmIn): void {
  let [hour, i] = strtoi64(str, 0);
  if (str[i] !== ':') throw BAD();
  const [min0, j] = strtoi64(str, i + 1);
  let min = Number(min0);
  if (min0 > BigInt(INT32_MAX) || min0 < BigInt(INT32_MIN)) throw OVERFLOW();
  i = j;
  let sec = 0;
  let fsec = 0;
  if (i === str.length) {
    if (range === (INTERVAL_MASK.MINUTE | INTERVAL_MASK.SECOND)) {
      sec = min;
      min = Number(hour);
      hour = 0n;
    }
  } else if (str[i] === '.') {
    fsec = parseFractionalSecond(str.slice(i));
    sec = min;
    min = Number(hour);
    hour = 0n;
  } else if (str[i] === ':') {
    const [s0, k] = strtoi64(str, i + 1);
    sec = Number(s0);
    i = k;
    if (str[i] === '.') fsec = parseFractionalSecond(str.slice(i));
    else if (i !== str.length) throw BAD();
  } else throw BAD();
  if (hour < 0n || min < 0 || min > 59 || sec < 0 || sec > 60 || fsec < 0 || fsec > 1000000) throw OVERFLOW();
  let usec = BigInt(fsec);
  usec = addI64(usec, hour * USECS_PER_HOUR);
  usec = addI64(usec, BigInt(min) * USECS_PER_MINUTE);
  usec = addI64(usec, BigInt(sec) * USECS_PER_SEC);
  itm.usec = usec;
}

function parseFractionalSecond(s: string): number {
  if (!/^\.\d*$/.test(s)) throw BAD();
  return rint(Number(s === '.' ? '0' : s) * 1e6);
}

function parseFraction(s: string): number {
  if (s === '.') return 0;
  if (!/^\.\d*(?:[eE][+-]?\d+)?$/.test(s)) throw BAD();
  return Number(s);
}

/** DecodeInterval (postgres-style input), reading fields right to left. */
function decodeInterval(fields: DtField[], range: number, sqlStandard: boolean): ItmIn {
  const itm: ItmIn = { usec: 0n, mday: 0, mon: 0, year: 0 };
  let isBefore = false;
  let fmask = 0;
  let type: Unit | 'ignore' | 'ago' = 'ignore';
  let forceNegative = false;
  if (sqlStandard && fields.length > 0 && fields[0]!.text[0] === '-') {
    forceNegative = true;
    for (let i = 1; i < fields.length; i++) {
      const t = fields[i]!.text[0];
      if (t === '-' || t === '+') {
        forceNegative = false;
        break;
      }
    }
  }
  for (let i = fields.length - 1; i >= 0; i--) {
    const f = fields[i]!;
    let tmask = 0;
    let handled = false;
    if (f.type === 'time') {
      decodeTimeForInterval(f.text, range, itm);
      if (forceNegative && itm.usec > 0n) itm.usec = -itm.usec;
      type = 'day';
      tmask = TIME_MASK;
      handled = true;
    } else if (f.type === 'tz' && f.text.slice(1).includes(':')) {
      const saved = itm.usec;
      try {
        decodeTimeForInterval(f.text.slice(1), range, itm);
        if (f.text[0] === '-') itm.usec = -itm.usec;
        if (forceNegative && itm.usec > 0n) itm.usec = -itm.usec;
        type = 'day';
        tmask = TIME_MASK;
        handled = true;
      } catch (e) {
        if (!(e instanceof DtErr)) throw e;
        itm.usec = saved;
      }
    }
    if (!handled && (f.type === 'tz' || f.type === 'date' || f.type === 'number')) {
      if (type === 'ignore') type = defaultUnitForRange(range);
      let [val, end] = strtoi64(f.text, 0);
      let fval = 0;
      if (f.text[end] === '-') {
        const [v2, e2] = strtoi64(f.text, end + 1);
        if (v2 < 0n || v2 >= 12n) throw OVERFLOW();
        if (e2 !== f.text.length) throw BAD();
        type = 'month';
        const val2 = f.text[0] === '-' ? -v2 : v2;
        val = val * 12n + val2;
        if (val < INT64_MIN || val > INT64_MAX) throw OVERFLOW();
      } else if (f.text[end] === '.') {
        fval = parseFraction(f.text.slice(end));
        if (f.text[0] === '-') fval = -fval;
      } else if (end !== f.text.length) throw BAD();
      if (forceNegative) {
        if (val > 0n) val = -val;
        if (fval > 0) fval = -fval;
      }
      switch (type) {
        case 'microsecond':
          adjustMicroseconds(val, fval, 1n, itm);
          tmask = 1 << 14;
          break;
        case 'millisecond':
          adjustMicroseconds(val, fval, 1000n, itm);
          tmask = 1 << 13;
          break;
        case 'second':
          adjustMicroseconds(val, fval, USECS_PER_SEC, itm);
          tmask = fval === 0 ? 1 << 12 : (1 << 12) | (1 << 13) | (1 << 14);
          break;
        case 'minute':
          adjustMicroseconds(val, fval, USECS_PER_MINUTE, itm);
          tmask = 1 << 11;
          break;
        case 'hour':
          adjustMicroseconds(val, fval, USECS_PER_HOUR, itm);
          tmask = 1 << 10;
          type = 'day';
          break;
        case 'day':
          adjustDays(val, 1, itm);
          adjustFractMicroseconds(fval, Number(USECS_PER_DAY), itm);
          tmask = 1 << 3;
          break;
        case 'week':
          adjustDays(val, 7, itm);
          adjustFractDays(fval, 7, itm);
          tmask = 1 << 24;
          break;
        case 'month':
          adjustMonths(val, itm);
          adjustFractDays(fval, 30, itm);
          tmask = 1 << 1;
          break;
        case 'year':
          adjustYears(val, 1, itm);
          adjustFractYears(fval, 1, itm);
          tmask = 1 << 2;
          break;
        case 'decade':
          adjustYears(val, 10, itm);
          adjustFractYears(fval, 10, itm);
          tmask = 1 << 25;
          break;
        case 'century':
          adjustYears(val, 100, itm);
          adjustFractYears(fval, 100, itm);
          tmask = 1 << 26;
          break;
        case 'millennium':
          adjustYears(val, 1000, itm);
          adjustFractYears(fval, 1000, itm);
          tmask = 1 << 27;
          break;
        default:
          throw BAD();
      }
    } else if (!handled) {
      const key = f.text.slice(0, 10);
      if (key === 'ago') {
        isBefore = true;
        type = 'ago';
        continue;
      }
      if (key === 'invalid' || key === 'undefined') throw BAD();
      const unit = UNITS[key];
      if (!unit) throw BAD();
      type = unit;
    }
    if (tmask & fmask) throw BAD();
    fmask |= tmask;
  }
  if (fmask === 0) throw BAD();
  if (isBefore) {
    itm.usec = -itm.usec;
    itm.mday = -itm.mday;
    itm.mon = -itm.mon;
    itm.year = -itm.year;
  }
  return itm;
}

function defaultUnitForRange(range: number): Unit {
  const { YEAR, MONTH, DAY, HOUR, MINUTE } = INTERVAL_MASK;
  switch (range) {
    case YEAR: return 'year';
    case MONTH: case YEAR | MONTH: return 'month';
    case DAY: return 'day';
    case HOUR: case DAY | HOUR: return 'hour';
    case MINUTE: case HOUR | MINUTE: case DAY | HOUR | MINUTE: return 'minute';
    default: return 'second';
  }
}

/** ParseISO8601Number: strtod, |v| <= 1e15, split into integer and fraction. */
function parseIso8601Number(s: string, start: number): [bigint, number, number] {
  const c = s[start];
  if (!(c !== undefined && ((c >= '0' && c <= '9') || c === '-' || c === '.'))) throw BAD();
  const m = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(s.slice(start));
  if (!m) throw BAD();
  const v = Number(m[0]);
  if (Number.isNaN(v) || v < -1e15 || v > 1e15) throw OVERFLOW();
  const ipart = v >= 0 ? Math.floor(v) : -Math.floor(-v);
  return [BigInt(ipart), v - ipart, start + m[0].length];
}

function integerWidth(s: string, start: number): number {
  let i = start;
  if (s[i] === '-') i++;
  const j = i;
  while (s[i] !== undefined && s[i]! >= '0' && s[i]! <= '9') i++;
  return i - j;
}

/** DecodeISO8601Interval: P…Y…M…W…DT…H…M…S and the alternative P0001-02-03T04:05:06 forms. */
function decodeIso8601Interval(str: string): ItmIn {
  const itm: ItmIn = { usec: 0n, mday: 0, mon: 0, year: 0 };
  if (str.length < 2 || str[0] !== 'P') throw BAD();
  let i = 1;
  let datepart = true;
  let havefield = false;
  while (i < str.length) {
    if (str[i] === 'T') {
      datepart = false;
      havefield = false;
      i++;
      continue;
    }
    const fieldstart = i;
    let [val, fval, next] = parseIso8601Number(str, i);
    i = next;
    const unit = str[i] ?? '\0';
    i++;
    if (datepart) {
      switch (unit) {
        case 'Y': adjustYears(val, 1, itm); adjustFractYears(fval, 1, itm); break;
        case 'M': adjustMonths(val, itm); adjustFractDays(fval, 30, itm); break;
        case 'W': adjustDays(val, 7, itm); adjustFractDays(fval, 7, itm); break;
        case 'D': adjustDays(val, 1, itm); adjustFractMicroseconds(fval, Number(USECS_PER_DAY), itm); break;
        case 'T':
        case '\0':
        case '-': {
          if (unit !== '-' && integerWidth(str, fieldstart) === 8 && !havefield) {
            adjustYears(val / 10000n, 1, itm);
            adjustMonths((val / 100n) % 100n, itm);
            adjustDays(val % 100n, 1, itm);
            adjustFractMicroseconds(fval, Number(USECS_PER_DAY), itm);
            if (unit === '\0') return itm;
            datepart = false;
            havefield = false;
            continue;
          }
          if (havefield) throw BAD();
          adjustYears(val, 1, itm);
          adjustFractYears(fval, 1, itm);
          if (unit === '\0') return itm;
          if (unit === 'T') {
            datepart = false;
            havefield = false;
            continue;
          }
          [val, fval, next] = parseIso8601Number(str, i);
          i = next;
          adjustMonths(val, itm);
          adjustFractDays(fval, 30, itm);
          if (i >= str.length) return itm;
          if (str[i] === 'T') {
            datepart = false;
            havefield = false;
            i++;
            continue;
          }
          if (str[i] !== '-') throw BAD();
          i++;
          [val, fval, next] = parseIso8601Number(str, i);
          i = next;
          adjustDays(val, 1, itm);
          adjustFractMicroseconds(fval, Number(USECS_PER_DAY), itm);
          if (i >= str.length) return itm;
          if (str[i] === 'T') {
            datepart = false;
            havefield = false;
            i++;
            continue;
          }
          throw BAD();
        }
        default:
          throw BAD();
      }
    } else {
      switch (unit) {
        case 'H': adjustMicroseconds(val, fval, USECS_PER_HOUR, itm); break;
        case 'M': adjustMicroseconds(val, fval, USECS_PER_MINUTE, itm); break;
        case 'S': adjustMicroseconds(val, fval, USECS_PER_SEC, itm); break;
        case '\0':
        case ':': {
          if (unit === '\0' && integerWidth(str, fieldstart) === 6 && !havefield) {
            adjustMicroseconds(val / 10000n, 0, USECS_PER_HOUR, itm);
            adjustMicroseconds((val / 100n) % 100n, 0, USECS_PER_MINUTE, itm);
            adjustMicroseconds(val % 100n, 0, USECS_PER_SEC, itm);
            adjustFractMicroseconds(fval, 1, itm);
            return itm;
          }
          if (havefield) throw BAD();
          adjustMicroseconds(val, fval, USECS_PER_HOUR, itm);
          if (unit === '\0') return itm;
          [val, fval, next] = parseIso8601Number(str, i);
          i = next;
          adjustMicroseconds(val, fval, USECS_PER_MINUTE, itm);
          if (i >= str.length) return itm;
          if (str[i] !== ':') throw BAD();
          i++;
          [val, fval, next] = parseIso8601Number(str, i);
          i = next;
          adjustMicroseconds(val, fval, USECS_PER_SEC, itm);
          if (i >= str.length) return itm;
          throw BAD();
        }
        default:
          throw BAD();
      }
    }
    havefield = true;
  }
  return itm;
}

/**
 * interval_in: postgres-style, SQL-standard and ISO 8601 input; the typmod's field range
 * decides the unit of a bare number and then truncates/rounds the result.
 */
export function parseInterval(str: string, typmod: number, intervalStyle = 'postgres'): Interval {
  const range = intervalRange(typmod);
  let itm: ItmIn;
  try {
    try {
      itm = decodeInterval(parseDateTimeFields(str), range, intervalStyle.toLowerCase() === 'sql_standard');
    } catch (e) {
      if (!(e instanceof DtErr) || e.kind !== 'bad') throw e;
      itm = decodeIso8601Interval(str);
    }
  } catch (e) {
    if (e instanceof DtErr) throw dateTimeParseError(e.kind === 'overflow' ? new DtErr('interval') : e, str, 'interval');
    throw e;
  }
  const months = itm.year * 12 + itm.mon;
  if (months < INT32_MIN || months > INT32_MAX) throw new DbError(SqlState.DatetimeFieldOverflow, 'interval out of range');
  return adjustIntervalForTypmod(new Interval(months, itm.mday, itm.usec), typmod);
}

