/**
 * Date/time functions and operators of PostgreSQL 15 (§9.9): arithmetic on date, time,
 * timestamp[tz] and interval, comparisons of intervals, date_trunc, extract / date_part,
 * age, make_*, justify_*, AT TIME ZONE (timezone()), isfinite, date_bin and the current
 * date/time functions. Formatting (to_char, to_date, to_timestamp) is in datetime-format.ts.
 * Values: date = days since 2000-01-01 (±Infinity), time/timestamp[tz] = microseconds (bigint),
 * interval = Interval(months, days, micros).
 */
import { DbError, SqlState } from '../errors/index.ts';
import {
  DT_NOBEGIN, DT_NOEND, Interval, Numeric, Oid, POSTGRES_EPOCH_JDATE, USECS_PER_DAY, USECS_PER_SEC, date2j, j2date, offsetForLocal,
  resolveTimeZone, timestampToTm, tmToTimestamp, type Tm, type TimeZone,
} from '../types/index.ts';
import { fn } from './function-defs.ts';
import type { ExecContext } from './context.ts';
import type { Value } from './value.ts';
import './datetime-format.ts';

const D = Oid.date;
const TS = Oid.timestamp;
const TSZ = Oid.timestamptz;
const TM = Oid.time;
const IV = Oid.interval;
const T = Oid.text;
const F = Oid.float8;
const I = Oid.int4;

const MIN_TS = -211813488000000000n; // 4714-11-24 BC
const END_TS = 9223371331200000000n; // 294277-01-01
const EPOCH_OFFSET_SECS = 946684800; // 1970-01-01 → 2000-01-01

export const tsOutOfRange = (): DbError => new DbError(SqlState.DatetimeFieldOverflow, 'timestamp out of range');
const dateOutOfRange = (): DbError => new DbError(SqlState.DatetimeFieldOverflow, 'date out of range');
const intervalOutOfRange = (): DbError => new DbError(SqlState.DatetimeFieldOverflow, 'interval out of range');

export const isFiniteTs = (t: bigint): boolean => t !== DT_NOBEGIN && t !== DT_NOEND;

export function checkTs(t: bigint): bigint {
  if (t < MIN_TS || t >= END_TS) throw tsOutOfRange();
  return t;
}

export function isLeapYear(y: number): boolean {
  const yy = y <= 0 ? y + 1 : y;
  return yy % 4 === 0 && (yy % 100 !== 0 || yy % 400 === 0);
}
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
export function monthDays(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : DAYS[m - 1]!;
}

// ---- time zones ----

export function sessionZone(ctx: ExecContext): TimeZone {
  return resolveTimeZone(ctx.format.timeZone);
}
/** Seconds east of UTC at a UTC timestamp. */
export function offsetAtUtc(zone: TimeZone, utc: bigint): number {
  const secs = Number((utc - (((utc % USECS_PER_SEC) + USECS_PER_SEC) % USECS_PER_SEC)) / USECS_PER_SEC);
  return zone.offsetAt(secs + EPOCH_OFFSET_SECS);
}
export function utcToLocal(zone: TimeZone, utc: bigint): bigint {
  return isFiniteTs(utc) ? utc + BigInt(offsetAtUtc(zone, utc)) * USECS_PER_SEC : utc;
}
export function localToUtc(zone: TimeZone, local: bigint): bigint {
  if (!isFiniteTs(local)) return local;
  const secs = Number((local - (((local % USECS_PER_SEC) + USECS_PER_SEC) % USECS_PER_SEC)) / USECS_PER_SEC) + EPOCH_OFFSET_SECS;
  return local - BigInt(offsetForLocal(zone, secs)) * USECS_PER_SEC;
}

/** A zone named in AT TIME ZONE / date_trunc / make_timestamptz: 22023 when unknown. */
function zoneNamed(name: string): TimeZone {
  return resolveTimeZone(name);
}

// ---- conversions ----

const dateToTs = (d: number): bigint => (d === Infinity ? DT_NOEND : d === -Infinity ? DT_NOBEGIN : BigInt(d) * USECS_PER_DAY);
function tsToDate(t: bigint): number {
  if (t === DT_NOEND) return Infinity;
  if (t === DT_NOBEGIN) return -Infinity;
  const q = t / USECS_PER_DAY;
  return Number(t % USECS_PER_DAY < 0n ? q - 1n : q);
}
const MIN_DATE = date2j(-4713, 11, 24) - POSTGRES_EPOCH_JDATE;
const MAX_DATE = date2j(5874897, 12, 31) - POSTGRES_EPOCH_JDATE;
function checkDate(d: number): number {
  if (d < MIN_DATE || d > MAX_DATE) throw dateOutOfRange();
  return d;
}

/** Adds an interval to a local timestamp (months first, clamping the day, then days, then time). */
export function addInterval(t: bigint, iv: Interval): bigint {
  if (!isFiniteTs(t)) return t;
  let r = t;
  if (iv.months !== 0) {
    const tm = timestampToTm(r);
    let m = tm.month - 1 + iv.months;
    const y = tm.year + Math.floor(m / 12);
    m = ((m % 12) + 12) % 12 + 1;
    const day = Math.min(tm.day, monthDays(y, m));
    r = tmToTimestamp({ ...tm, year: y, month: m, day });
  }
  if (iv.days !== 0) r += BigInt(iv.days) * USECS_PER_DAY;
  return checkTs(r + iv.micros);
}
function addIntervalTz(t: bigint, iv: Interval, zone: TimeZone): bigint {
  if (!isFiniteTs(t)) return t;
  if (iv.months === 0 && iv.days === 0) return checkTs(t + iv.micros);
  // Months and days move the local calendar; the time part is absolute.
  const local = addInterval(utcToLocal(zone, t), new Interval(iv.months, iv.days, 0n));
  return checkTs(localToUtc(zone, local) + iv.micros);
}
const negate = (iv: Interval): Interval => new Interval(-iv.months, -iv.days, -iv.micros);

function checkInterval(months: number, days: number, micros: bigint): Interval {
  if (months > 2147483647 || months < -2147483648 || days > 2147483647 || days < -2147483648) throw intervalOutOfRange();
  if (micros > 9223372036854775807n || micros < -9223372036854775808n) throw intervalOutOfRange();
  return new Interval(months || 0, days || 0, micros);
}

/** interval_mul: fractional months and days cascade down as PostgreSQL does. */
function intervalMul(iv: Interval, f: number): Interval {
  if (Number.isNaN(f)) throw new DbError(SqlState.DatetimeFieldOverflow, 'interval out of range');
  const monthsF = iv.months * f;
  let months = Math.trunc(monthsF);
  const daysF = iv.days * f;
  let days = Math.trunc(daysF);
  const monthRemainderDays = (monthsF - months) * 30;
  let sec = Number(iv.micros) / 1e6 * f;
  // Cascade fractional months and days down (30-day months, 24-hour days).
  const mrd = Math.trunc(monthRemainderDays);
  days += mrd;
  sec += (monthRemainderDays - mrd) * 86400 + (daysF - Math.trunc(daysF)) * 86400;
  if (!Number.isFinite(monthsF) || Math.abs(monthsF) > 2147483647 || Math.abs(days) > 2147483647) throw intervalOutOfRange();
  const micros = BigInt(Math.round(sec * 1e6));
  months = months || 0;
  days = days || 0;
  return checkInterval(months, days, micros);
}

/** interval_cmp's linear span: 30-day months, 24-hour days. */
export function intervalSpan(iv: Interval): bigint {
  return BigInt(iv.months) * 30n * USECS_PER_DAY + BigInt(iv.days) * USECS_PER_DAY + iv.micros;
}

// ---- arithmetic operators ----

const ts = (v: Value): bigint => v as bigint;
const iv = (v: Value): Interval => v as Interval;
const day = (v: Value): number => v as number;

fn('+', [D, I], D, ([d, n]) => (Number.isFinite(day(d)) ? checkDate(day(d) + (n as number)) : d));
fn('+', [I, D], D, ([n, d]) => (Number.isFinite(day(d)) ? checkDate(day(d) + (n as number)) : d));
fn('-', [D, I], D, ([d, n]) => (Number.isFinite(day(d)) ? checkDate(day(d) - (n as number)) : d));
fn('-', [D, D], I, ([a, b]) => {
  if (!Number.isFinite(day(a)) || !Number.isFinite(day(b))) throw new DbError(SqlState.DatetimeFieldOverflow, 'cannot subtract infinite dates');
  return day(a) - day(b);
});
fn('+', [D, IV], TS, ([d, i]) => addInterval(dateToTs(day(d)), iv(i)));
fn('+', [IV, D], TS, ([i, d]) => addInterval(dateToTs(day(d)), iv(i)));
fn('-', [D, IV], TS, ([d, i]) => addInterval(dateToTs(day(d)), negate(iv(i))));
fn('+', [D, TM], TS, ([d, t]) => checkTs(dateToTs(day(d)) + ts(t)));
fn('+', [TM, D], TS, ([t, d]) => checkTs(dateToTs(day(d)) + ts(t)));
fn('+', [TS, IV], TS, ([t, i]) => addInterval(ts(t), iv(i)));
fn('+', [IV, TS], TS, ([i, t]) => addInterval(ts(t), iv(i)));
fn('-', [TS, IV], TS, ([t, i]) => addInterval(ts(t), negate(iv(i))));
fn('+', [TSZ, IV], TSZ, ([t, i], ctx) => addIntervalTz(ts(t), iv(i), sessionZone(ctx)), { volatility: 'stable' });
fn('+', [IV, TSZ], TSZ, ([i, t], ctx) => addIntervalTz(ts(t), iv(i), sessionZone(ctx)), { volatility: 'stable' });
fn('-', [TSZ, IV], TSZ, ([t, i], ctx) => addIntervalTz(ts(t), negate(iv(i)), sessionZone(ctx)), { volatility: 'stable' });

/** timestamp_mi: the difference as days + time (justify_hours applied), never months. */
function tsDiff(a: bigint, b: bigint): Interval {
  if (!isFiniteTs(a) || !isFiniteTs(b)) throw new DbError(SqlState.DatetimeFieldOverflow, 'cannot subtract infinite timestamps');
  const diff = a - b;
  const days = diff / USECS_PER_DAY;
  return checkInterval(0, Number(days), diff - days * USECS_PER_DAY);
}
fn('-', [TS, TS], IV, ([a, b]) => tsDiff(ts(a), ts(b)));
fn('-', [TSZ, TSZ], IV, ([a, b]) => tsDiff(ts(a), ts(b)));
fn('+', [TM, IV], TM, ([t, i]) => ((((ts(t) + iv(i).micros) % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY));
fn('-', [TM, IV], TM, ([t, i]) => ((((ts(t) - iv(i).micros) % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY));
fn('-', [TM, TM], IV, ([a, b]) => new Interval(0, 0, ts(a) - ts(b)));
fn('+', [IV, IV], IV, ([a, b]) => checkInterval(iv(a).months + iv(b).months, iv(a).days + iv(b).days, iv(a).micros + iv(b).micros));
fn('-', [IV, IV], IV, ([a, b]) => checkInterval(iv(a).months - iv(b).months, iv(a).days - iv(b).days, iv(a).micros - iv(b).micros));
fn('-', [IV], IV, ([a]) => checkInterval(-iv(a).months, -iv(a).days, -iv(a).micros));
fn('*', [IV, F], IV, ([a, f]) => intervalMul(iv(a), f as number));
fn('*', [F, IV], IV, ([f, a]) => intervalMul(iv(a), f as number));
fn('/', [IV, F], IV, ([a, f]) => {
  if ((f as number) === 0) throw new DbError(SqlState.DivisionByZero, 'division by zero');
  return intervalMul(iv(a), 1 / (f as number));
});

const COMPARISONS: [string, (c: number) => boolean][] = [
  ['=', (c) => c === 0], ['<>', (c) => c !== 0], ['<', (c) => c < 0], ['<=', (c) => c <= 0], ['>', (c) => c > 0], ['>=', (c) => c >= 0],
];
for (const [op, test] of COMPARISONS) {
  fn(op, [IV, IV], Oid.bool, ([a, b]) => {
    const x = intervalSpan(iv(a));
    const y = intervalSpan(iv(b));
    return test(x === y ? 0 : x < y ? -1 : 1);
  });
}

// ---- current date/time ----

fn('current_date', [], D, (_a, ctx) => tsToDate(utcToLocal(sessionZone(ctx), ctx.transactionStartMicros)), { volatility: 'stable' });
fn('localtimestamp', [], TS, (_a, ctx) => utcToLocal(sessionZone(ctx), ctx.transactionStartMicros), { volatility: 'stable' });
fn('localtime', [], TM, (_a, ctx) => {
  const l = utcToLocal(sessionZone(ctx), ctx.transactionStartMicros);
  return ((l % USECS_PER_DAY) + USECS_PER_DAY) % USECS_PER_DAY;
}, { volatility: 'stable' });
fn('timeofday', [], T, () => new Date().toString(), { volatility: 'volatile' });

// ---- isfinite, make_*, justify_* ----

fn('isfinite', [D], Oid.bool, ([d]) => Number.isFinite(day(d)));
fn('isfinite', [TS], Oid.bool, ([t]) => isFiniteTs(ts(t)));
fn('isfinite', [TSZ], Oid.bool, ([t]) => isFiniteTs(ts(t)));
fn('isfinite', [IV], Oid.bool, () => true);

function makeDate(y: number, m: number, d: number): number {
  const bad = (): DbError => new DbError(SqlState.DatetimeFieldOverflow, `date field value out of range: ${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  if (y === 0) throw bad();
  const year = y < 0 ? y + 1 : y;
  if (m < 1 || m > 12 || d < 1 || d > monthDays(year, m)) throw bad();
  return date2j(year, m, d) - POSTGRES_EPOCH_JDATE;
}
function makeTimeMicros(h: number, mi: number, sec: number): bigint {
  if (h < 0 || mi < 0 || mi > 59 || sec < 0 || sec > 60 || h > 24 || (h === 24 && (mi > 0 || sec > 0)) || Number.isNaN(sec)) {
    throw new DbError(SqlState.DatetimeFieldOverflow, `time field value out of range: ${h}:${String(mi).padStart(2, '0')}:${String(sec).padStart(2, '0')}`);
  }
  return BigInt(h * 3600 + mi * 60) * USECS_PER_SEC + BigInt(Math.round(sec * 1e6));
}
fn('make_date', [I, I, I], D, ([y, m, d]) => makeDate(y as number, m as number, d as number));
fn('make_time', [I, I, F], TM, ([h, m, s]) => makeTimeMicros(h as number, m as number, s as number));
function makeTimestamp(args: Value[]): bigint {
  const [y, mo, d, h, mi, s] = args as number[];
  if (s! < 0 || s! > 60 || Number.isNaN(s)) {
    throw new DbError(SqlState.DatetimeFieldOverflow, `date field value out of range: ${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  }
  const date = makeDate(y!, mo!, d!);
  return checkTs(BigInt(date) * USECS_PER_DAY + makeTimeMicros(h!, mi!, s!));
}
fn('make_timestamp', [I, I, I, I, I, F], TS, (args) => makeTimestamp(args));
fn('make_timestamptz', [I, I, I, I, I, F], TSZ, (args, ctx) => localToUtc(sessionZone(ctx), makeTimestamp(args)), { volatility: 'stable' });
fn('make_timestamptz', [I, I, I, I, I, F, T], TSZ, (args) => localToUtc(zoneNamed(args[6] as string), makeTimestamp(args.slice(0, 6))), {
  volatility: 'stable',
});
fn('make_interval', [I, I, I, I, I, I, F], IV, ([y, mo, w, d, h, mi, s]) => {
  const secs = s as number;
  if (!Number.isFinite(secs)) throw intervalOutOfRange();
  const micros = BigInt(h as number) * 3600000000n + BigInt(mi as number) * 60000000n + BigInt(Math.round(secs * 1e6));
  return checkInterval((y as number) * 12 + (mo as number), (w as number) * 7 + (d as number), micros);
});

function justifyHours(v: Interval): Interval {
  let days = v.days + Number(v.micros / USECS_PER_DAY);
  let micros = v.micros % USECS_PER_DAY;
  if (days > 0 && micros < 0n) {
    micros += USECS_PER_DAY;
    days--;
  } else if (days < 0 && micros > 0n) {
    micros -= USECS_PER_DAY;
    days++;
  }
  return checkInterval(v.months, days, micros);
}
function justifyDays(v: Interval): Interval {
  let months = v.months + Math.trunc(v.days / 30);
  let days = v.days % 30;
  if (months > 0 && days < 0) {
    days += 30;
    months--;
  } else if (months < 0 && days > 0) {
    days -= 30;
    months++;
  }
  return checkInterval(months, days, v.micros);
}
fn('justify_hours', [IV], IV, ([v]) => justifyHours(iv(v)));
fn('justify_days', [IV], IV, ([v]) => justifyDays(iv(v)));
fn('justify_interval', [IV], IV, ([v]) => {
  const x = iv(v);
  let months = x.months;
  let days = x.days + Number(x.micros / USECS_PER_DAY);
  let micros = x.micros % USECS_PER_DAY;
  months += Math.trunc(days / 30);
  days %= 30;
  if (months > 0 && (days < 0 || (days === 0 && micros < 0n))) {
    days += 30;
    months--;
  } else if (months < 0 && (days > 0 || (days === 0 && micros > 0n))) {
    days -= 30;
    months++;
  }
  if (days > 0 && micros < 0n) {
    micros += USECS_PER_DAY;
    days--;
  } else if (days < 0 && micros > 0n) {
    micros -= USECS_PER_DAY;
    days++;
  }
  return checkInterval(months, days, micros);
});

// ---- AT TIME ZONE ----

fn('timezone', [T, TSZ], TS, ([z, t]) => utcToLocal(zoneNamed(z as string), ts(t)));
fn('timezone', [T, TS], TSZ, ([z, t]) => localToUtc(zoneNamed(z as string), ts(t)));
fn('timezone', [IV, TSZ], TS, ([z, t]) => (isFiniteTs(ts(t)) ? ts(t) - iv(z).micros * -1n : ts(t)));
fn('timezone', [IV, TS], TSZ, ([z, t]) => (isFiniteTs(ts(t)) ? ts(t) - iv(z).micros : ts(t)));

// ---- date_trunc ----

const UNIT_ALIASES: Record<string, string> = {
  microsecond: 'microseconds', microseconds: 'microseconds', us: 'microseconds', usec: 'microseconds', usecs: 'microseconds', useconds: 'microseconds',
  millisecond: 'milliseconds', milliseconds: 'milliseconds', ms: 'milliseconds', msec: 'milliseconds', msecs: 'milliseconds', mseconds: 'milliseconds',
  second: 'second', seconds: 'second', s: 'second', sec: 'second', secs: 'second',
  minute: 'minute', minutes: 'minute', m: 'minute', min: 'minute', mins: 'minute',
  hour: 'hour', hours: 'hour', h: 'hour', hr: 'hour', hrs: 'hour',
  day: 'day', days: 'day', d: 'day',
  week: 'week', weeks: 'week', w: 'week',
  month: 'month', months: 'month', mon: 'month', mons: 'month',
  quarter: 'quarter', qtr: 'quarter',
  year: 'year', years: 'year', y: 'year', yr: 'year', yrs: 'year',
  decade: 'decade', decades: 'decade', dec: 'decade', decs: 'decade',
  century: 'century', centuries: 'century', c: 'century', cent: 'century',
  millennium: 'millennium', millennia: 'millennium', mil: 'millennium', mils: 'millennium',
  epoch: 'epoch', dow: 'dow', isodow: 'isodow', doy: 'doy', isoyear: 'isoyear', julian: 'julian', j: 'julian',
  timezone: 'timezone', timezone_hour: 'timezone_hour', timezone_m: 'timezone_minute', timezone_minute: 'timezone_minute', timezone_h: 'timezone_hour',
};
export function unitOf(text: string): string | undefined {
  return UNIT_ALIASES[text.toLowerCase().trim()];
}

const TYPE_NAMES: Record<number, string> = {
  [TS]: 'timestamp without time zone', [TSZ]: 'timestamp with time zone', [D]: 'date', [TM]: 'time without time zone', [IV]: 'interval',
};
function unitError(unit: string, type: number, recognized: boolean): DbError {
  return recognized
    ? new DbError(SqlState.FeatureNotSupported, `unit "${unit}" not supported for type ${TYPE_NAMES[type]}`)
    : new DbError(SqlState.InvalidParameterValue, `unit "${unit}" not recognized for type ${TYPE_NAMES[type]}`);
}

/** ISO week-numbering year start (Monday of the week with Jan 4th), as a Julian day. */
function isoYearStart(year: number): number {
  const jan4 = date2j(year, 1, 4);
  return jan4 - ((jan4 + 1) % 7 === 0 ? 6 : ((jan4 + 1) % 7) - 1);
}
export function isoWeek(y: number, m: number, d: number): { isoYear: number; week: number } {
  const jd = date2j(y, m, d);
  let year = y;
  let start = isoYearStart(year);
  if (jd < start) start = isoYearStart(--year);
  else {
    const next = isoYearStart(year + 1);
    if (jd >= next) {
      start = next;
      year++;
    }
  }
  return { isoYear: year, week: Math.floor((jd - start) / 7) + 1 };
}
/** Day of week, 0 = Sunday (j2day). */
export function dayOfWeek(y: number, m: number, d: number): number {
  return (((date2j(y, m, d) + 1) % 7) + 7) % 7;
}

function truncTm(unit: string, tm: Tm, type: number, raw: string): Tm {
  const t = { ...tm };
  switch (unit) {
    case 'millennium':
      t.year = t.year > 0 ? Math.floor((t.year + 999) / 1000) * 1000 - 999 : -(Math.floor((999 - (t.year - 1)) / 1000) * 1000 - 1);
      t.month = 1; t.day = 1; t.hour = 0; t.minute = 0; t.second = 0; t.fsec = 0;
      return t;
    case 'century':
      t.year = t.year > 0 ? Math.floor((t.year + 99) / 100) * 100 - 99 : -(Math.floor((99 - (t.year - 1)) / 100) * 100 - 1);
      t.month = 1; t.day = 1; t.hour = 0; t.minute = 0; t.second = 0; t.fsec = 0;
      return t;
    case 'decade':
      t.year = t.year > 0 ? Math.floor(t.year / 10) * 10 : -Math.floor((8 - (t.year - 1)) / 10) * 10;
      t.month = 1; t.day = 1; t.hour = 0; t.minute = 0; t.second = 0; t.fsec = 0;
      return t;
    case 'year':
    case 'quarter':
    case 'month':
    case 'day':
    case 'hour':
    case 'minute':
    case 'second': {
      const rank = ['second', 'minute', 'hour', 'day', 'month', 'quarter', 'year'].indexOf(unit);
      if (unit === 'year') t.month = 1;
      if (unit === 'quarter') t.month = 3 * Math.floor((t.month - 1) / 3) + 1;
      if (rank >= 4) t.day = 1;
      if (rank >= 3) t.hour = 0;
      if (rank >= 2) t.minute = 0;
      if (rank >= 1) t.second = 0;
      t.fsec = 0;
      return t;
    }
    case 'milliseconds':
      t.fsec = Math.floor(t.fsec / 1000) * 1000;
      return t;
    case 'microseconds':
      return t;
    case 'week': {
      const { isoYear, week } = isoWeek(t.year, t.month, t.day);
      const jd = isoYearStart(isoYear) + (week - 1) * 7;
      const ymd = j2date(jd);
      return { year: ymd.year, month: ymd.month, day: ymd.day, hour: 0, minute: 0, second: 0, fsec: 0 };
    }
    default:
      throw unitError(raw, type, unit !== undefined && UNIT_ALIASES[unit] !== undefined);
  }
}
function truncTs(unitText: string, t: bigint, type: number): bigint {
  const unit = unitOf(unitText);
  if (!unit) throw new DbError(SqlState.InvalidParameterValue, `unit "${unitText}" not recognized for type ${TYPE_NAMES[type]}`);
  if (!isFiniteTs(t)) return t;
  return tmToTimestamp(truncTm(unit, timestampToTm(t), type, unitText));
}
fn('date_trunc', [T, TS], TS, ([u, t]) => truncTs(u as string, ts(t), TS));
fn('date_trunc', [T, TSZ], TSZ, ([u, t], ctx) => truncTz(u as string, ts(t), sessionZone(ctx)), { volatility: 'stable' });
fn('date_trunc', [T, TSZ, T], TSZ, ([u, t, z]) => truncTz(u as string, ts(t), zoneNamed(z as string)));
function truncTz(unitText: string, t: bigint, zone: TimeZone): bigint {
  const unit = unitOf(unitText);
  if (!isFiniteTs(t)) return t;
  const local = truncTs(unitText, utcToLocal(zone, t), TSZ);
  // Units below a day keep the original offset (no DST re-resolution), as timestamptz_trunc_internal does.
  if (unit === 'microseconds' || unit === 'milliseconds' || unit === 'second' || unit === 'minute' || unit === 'hour') {
    return local - BigInt(offsetAtUtc(zone, t)) * USECS_PER_SEC;
  }
  return localToUtc(zone, local);
}
fn('date_trunc', [T, IV], IV, ([u, v]) => {
  const unitText = u as string;
  const unit = unitOf(unitText);
  const x = iv(v);
  if (!unit) throw new DbError(SqlState.InvalidParameterValue, `unit "${unitText}" not recognized for type interval`);
  const years = Math.trunc(x.months / 12);
  let months = x.months % 12;
  let days = x.days;
  let micros = x.micros;
  const hourUs = 3600000000n;
  switch (unit) {
    case 'millennium': return new Interval(Math.trunc(years / 1000) * 1000 * 12, 0, 0n);
    case 'century': return new Interval(Math.trunc(years / 100) * 100 * 12, 0, 0n);
    case 'decade': return new Interval(Math.trunc(years / 10) * 10 * 12, 0, 0n);
    case 'year': return new Interval(years * 12, 0, 0n);
    case 'quarter': months = 3 * Math.trunc(months / 3); return new Interval(years * 12 + months, 0, 0n);
    case 'month': return new Interval(years * 12 + months, 0, 0n);
    case 'day': return new Interval(x.months, days, 0n);
    case 'hour': micros = (micros / hourUs) * hourUs; break;
    case 'minute': micros = (micros / 60000000n) * 60000000n; break;
    case 'second': micros = (micros / 1000000n) * 1000000n; break;
    case 'milliseconds': micros = (micros / 1000n) * 1000n; break;
    case 'microseconds': break;
    default:
      if (unit === 'week') throw new DbError(SqlState.FeatureNotSupported, `unit "${unitText}" not supported for type interval`, { detail: 'Months usually have fractional weeks.' });
      throw unitError(unitText, IV, true);
  }
  days = x.days;
  return new Interval(x.months, days, micros);
});

// ---- extract / date_part ----

/** A numeric n·10^-scale. */
const numOf = (n: bigint, scale: number): Numeric => Numeric.of(n, scale);
const intNum = (n: number): Numeric => Numeric.fromBigInt(BigInt(n));

function extractFromTm(unit: string, tm: Tm, type: number, raw: string): Numeric {
  const secUs = BigInt(tm.second) * 1000000n + BigInt(tm.fsec);
  switch (unit) {
    case 'microseconds': return numOf(secUs, 0);
    case 'milliseconds': return numOf(secUs, 3);
    case 'second': return numOf(secUs, 6);
    case 'minute': return intNum(tm.minute);
    case 'hour': return intNum(tm.hour);
    case 'day': return intNum(tm.day);
    case 'month': return intNum(tm.month);
    case 'quarter': return intNum(Math.floor((tm.month - 1) / 3) + 1);
    case 'week': return intNum(isoWeek(tm.year, tm.month, tm.day).week);
    case 'year': return intNum(tm.year > 0 ? tm.year : tm.year - 1);
    case 'decade': return intNum(tm.year >= 0 ? Math.floor(tm.year / 10) : -Math.floor((8 - (tm.year - 1)) / 10));
    case 'century': return intNum(tm.year > 0 ? Math.floor((tm.year + 99) / 100) : -Math.floor((99 - (tm.year - 1)) / 100));
    case 'millennium': return intNum(tm.year > 0 ? Math.floor((tm.year + 999) / 1000) : -Math.floor((999 - (tm.year - 1)) / 1000));
    case 'dow': return intNum(dayOfWeek(tm.year, tm.month, tm.day));
    case 'isodow': return intNum(dayOfWeek(tm.year, tm.month, tm.day) || 7);
    case 'doy': return intNum(date2j(tm.year, tm.month, tm.day) - date2j(tm.year, 1, 1) + 1);
    case 'isoyear': {
      const y = isoWeek(tm.year, tm.month, tm.day).isoYear;
      return intNum(y > 0 ? y : y - 1);
    }
    default:
      throw unitError(raw, type, UNIT_ALIASES[raw.toLowerCase()] !== undefined);
  }
}

function extractTimestamp(unitText: string, t: bigint, type: number, zone: TimeZone | null): Numeric | null {
  const unit = unitOf(unitText);
  if (!unit) throw unitError(unitText, type, false);
  if (!isFiniteTs(t)) {
    const monotonic = ['year', 'decade', 'century', 'millennium', 'julian', 'isoyear', 'epoch'];
    if (monotonic.includes(unit)) return t === DT_NOEND ? Numeric.Infinity : Numeric.NegativeInfinity;
    if (['timezone', 'timezone_hour', 'timezone_minute'].includes(unit) && type === TS) throw unitError(unitText, type, true);
    return null;
  }
  if (unit === 'epoch') return numOf(t + 946684800n * USECS_PER_SEC, 6);
  const offset = zone ? offsetAtUtc(zone, t) : 0;
  const local = zone ? t + BigInt(offset) * USECS_PER_SEC : t;
  if (unit === 'timezone' || unit === 'timezone_hour' || unit === 'timezone_minute') {
    if (!zone) throw unitError(unitText, type, true);
    if (unit === 'timezone') return intNum(offset);
    if (unit === 'timezone_hour') return intNum(Math.trunc(offset / 3600));
    return intNum(Math.trunc((offset % 3600) / 60));
  }
  const tm = timestampToTm(local);
  if (unit === 'julian') {
    const jd = date2j(tm.year, tm.month, tm.day);
    const us = BigInt(((tm.hour * 60 + tm.minute) * 60 + tm.second) * 1e6 + tm.fsec);
    return intNum(jd).add(numOf(us, 0).div(Numeric.fromBigInt(86400000000n)));
  }
  return extractFromTm(unit, tm, type, unitText);
}

function extractDate(unitText: string, d: number): Numeric | null {
  const unit = unitOf(unitText);
  if (!unit) throw unitError(unitText, D, false);
  if (!Number.isFinite(d)) {
    if (['year', 'decade', 'century', 'millennium', 'julian', 'isoyear', 'epoch'].includes(unit)) return d > 0 ? Numeric.Infinity : Numeric.NegativeInfinity;
    if (['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'timezone', 'timezone_hour', 'timezone_minute'].includes(unit)) throw unitError(unitText, D, true);
    return null;
  }
  if (unit === 'epoch') return numOf((BigInt(d) * 86400n + 946684800n), 0);
  if (unit === 'julian') return intNum(d + POSTGRES_EPOCH_JDATE);
  if (['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'timezone', 'timezone_hour', 'timezone_minute'].includes(unit)) {
    throw unitError(unitText, D, true);
  }
  const ymd = j2date(d + POSTGRES_EPOCH_JDATE);
  return extractFromTm(unit, { ...ymd, hour: 0, minute: 0, second: 0, fsec: 0 }, D, unitText);
}

function extractTime(unitText: string, t: bigint): Numeric {
  const unit = unitOf(unitText);
  if (!unit) throw unitError(unitText, TM, false);
  const secs = t / USECS_PER_SEC;
  const secUs = (secs % 60n) * USECS_PER_SEC + (t % USECS_PER_SEC);
  switch (unit) {
    case 'microseconds': return numOf(secUs, 0);
    case 'milliseconds': return numOf(secUs, 3);
    case 'second': return numOf(secUs, 6);
    case 'minute': return Numeric.fromBigInt((secs / 60n) % 60n);
    case 'hour': return Numeric.fromBigInt(secs / 3600n);
    case 'epoch': return numOf(t, 6);
    default: throw unitError(unitText, TM, true);
  }
}

function extractInterval(unitText: string, v: Interval): Numeric {
  const unit = unitOf(unitText);
  if (!unit) throw unitError(unitText, IV, false);
  const years = Math.trunc(v.months / 12);
  const months = v.months % 12;
  const hours = v.micros / 3600000000n;
  const rest = v.micros - hours * 3600000000n;
  const minutes = rest / 60000000n;
  const secUs = rest - minutes * 60000000n;
  switch (unit) {
    case 'microseconds': return numOf(secUs, 0);
    case 'milliseconds': return numOf(secUs, 3);
    case 'second': return numOf(secUs, 6);
    case 'minute': return Numeric.fromBigInt(minutes);
    case 'hour': return Numeric.fromBigInt(hours);
    case 'day': return intNum(v.days);
    case 'month': return intNum(months);
    case 'quarter': return intNum(Math.trunc(months / 3) + 1);
    case 'year': return intNum(years);
    case 'decade': return intNum(Math.trunc(years / 10));
    case 'century': return intNum(Math.trunc(years / 100));
    case 'millennium': return intNum(Math.trunc(years / 1000));
    case 'epoch': {
      const secsFromDayMonth = ((1461n * BigInt(years) + 120n * BigInt(months) + 4n * BigInt(v.days)) * 86400n) / 4n;
      return numOf(secsFromDayMonth * 1000000n + v.micros, 6);
    }
    default: throw unitError(unitText, IV, true);
  }
}

fn('extract', [T, TS], Oid.numeric, ([u, t]) => extractTimestamp(u as string, ts(t), TS, null));
fn('extract', [T, TSZ], Oid.numeric, ([u, t], ctx) => extractTimestamp(u as string, ts(t), TSZ, sessionZone(ctx)), { volatility: 'stable' });
fn('extract', [T, D], Oid.numeric, ([u, d]) => extractDate(u as string, day(d)));
fn('extract', [T, TM], Oid.numeric, ([u, t]) => extractTime(u as string, ts(t)));
fn('extract', [T, IV], Oid.numeric, ([u, v]) => extractInterval(u as string, iv(v)));
const toFloat = (n: Numeric | null): number | null => (n === null ? null : n.toNumber());
fn('date_part', [T, TS], F, ([u, t]) => toFloat(extractTimestamp(u as string, ts(t), TS, null)));
fn('date_part', [T, TSZ], F, ([u, t], ctx) => toFloat(extractTimestamp(u as string, ts(t), TSZ, sessionZone(ctx))), { volatility: 'stable' });
fn('date_part', [T, D], F, ([u, d]) => toFloat(extractTimestamp(u as string, dateToTs(day(d)), TS, null)));
fn('date_part', [T, TM], F, ([u, t]) => toFloat(extractTime(u as string, ts(t))));
fn('date_part', [T, IV], F, ([u, v]) => toFloat(extractInterval(u as string, iv(v))));

// ---- age ----

function age(a: Tm, b: Tm, aBeforeB: boolean): Interval {
  const sign = aBeforeB ? -1 : 1;
  let fsec = sign * (a.fsec - b.fsec);
  let sec = sign * (a.second - b.second);
  let min = sign * (a.minute - b.minute);
  let hour = sign * (a.hour - b.hour);
  let mday = sign * (a.day - b.day);
  let mon = sign * (a.month - b.month);
  let year = sign * (a.year - b.year);
  while (fsec < 0) { fsec += 1000000; sec--; }
  while (sec < 0) { sec += 60; min--; }
  while (min < 0) { min += 60; hour--; }
  while (hour < 0) { hour += 24; mday--; }
  while (mday < 0) {
    const ref = aBeforeB ? a : b;
    mday += monthDays(ref.year, ref.month);
    mon--;
  }
  while (mon < 0) { mon += 12; year--; }
  return checkInterval(sign * (year * 12 + mon), sign * mday, BigInt(sign) * (BigInt(((hour * 60 + min) * 60 + sec)) * 1000000n + BigInt(fsec)));
}
function ageTs(x: bigint, y: bigint): Interval {
  if (!isFiniteTs(x) || !isFiniteTs(y)) throw new DbError(SqlState.DatetimeFieldOverflow, 'timestamp out of range');
  return age(timestampToTm(x), timestampToTm(y), x < y);
}
fn('age', [TS, TS], IV, ([a, b]) => ageTs(ts(a), ts(b)));
fn('age', [TSZ, TSZ], IV, ([a, b], ctx) => {
  const z = sessionZone(ctx);
  if (!isFiniteTs(ts(a)) || !isFiniteTs(ts(b))) throw tsOutOfRange();
  return age(timestampToTm(utcToLocal(z, ts(a))), timestampToTm(utcToLocal(z, ts(b))), ts(a) < ts(b));
}, { volatility: 'stable' });
/** age(ts): from midnight of the current date. */
fn('age', [TS], IV, ([t], ctx) => {
  const today = tsToDate(utcToLocal(sessionZone(ctx), ctx.transactionStartMicros));
  return ageTs(dateToTs(today), ts(t));
}, { volatility: 'stable' });
fn('age', [TSZ], IV, ([t], ctx) => {
  const z = sessionZone(ctx);
  const midnight = dateToTs(tsToDate(utcToLocal(z, ctx.transactionStartMicros)));
  return age(timestampToTm(midnight), timestampToTm(utcToLocal(z, ts(t))), localToUtc(z, midnight) < ts(t));
}, { volatility: 'stable' });

// ---- date_bin ----

function dateBin(stride: Interval, source: bigint, origin: bigint): bigint {
  if (stride.months !== 0) throw new DbError(SqlState.FeatureNotSupported, 'timestamps cannot be binned into intervals containing months or years');
  const us = BigInt(stride.days) * USECS_PER_DAY + stride.micros;
  if (us <= 0n) throw new DbError(SqlState.DatetimeFieldOverflow, 'stride must be greater than zero');
  if (!isFiniteTs(source)) return source;
  const delta = source - origin;
  let bins = delta / us;
  if (delta % us < 0n) bins--;
  return checkTs(origin + bins * us);
}
fn('date_bin', [IV, TS, TS], TS, ([s, t, o]) => dateBin(iv(s), ts(t), ts(o)));
fn('date_bin', [IV, TSZ, TSZ], TSZ, ([s, t, o]) => dateBin(iv(s), ts(t), ts(o)));

// ---- epoch conversions ----

fn('to_timestamp', [F], TSZ, ([s]) => {
  const x = s as number;
  if (Number.isNaN(x)) throw new DbError(SqlState.InvalidParameterValue, 'timestamp cannot be NaN');
  if (x === Infinity) return DT_NOEND;
  if (x === -Infinity) return DT_NOBEGIN;
  const us = Math.round((x - EPOCH_OFFSET_SECS) * 1e6);
  if (!Number.isFinite(us) || us < Number(MIN_TS) || us >= Number(END_TS)) throw new DbError(SqlState.DatetimeFieldOverflow, `timestamp out of range: "${x}"`);
  return BigInt(us);
});
