/**
 * date_trunc and extract / date_part (PostgreSQL 15 §9.9.1-2) over timestamp, timestamptz,
 * date, time and interval: unit names and aliases, ISO weeks, PostgreSQL's numeric scales for
 * extract (seconds scale 6, milliseconds 3, epoch 6) and float8 for date_part.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { DT_NOEND, Interval, Numeric, Oid, POSTGRES_EPOCH_JDATE, USECS_PER_SEC, date2j, j2date, timestampToTm, tmToTimestamp, type Tm, type TimeZone } from '../types/index.ts';
import { fn } from './function-defs.ts';
import { dateToTs, isFiniteTs, localToUtc, offsetAtUtc, sessionZone, utcToLocal, zoneNamed } from './datetime-common.ts';
import type { Value } from './value.ts';

const D = Oid.date;
const TS = Oid.timestamp;
const TSZ = Oid.timestamptz;
const TM = Oid.time;
const IV = Oid.interval;
const T = Oid.text;
const F = Oid.float8;
const ts = (v: Value): bigint => v as bigint;
const iv = (v: Value): Interval => v as Interval;
const day = (v: Value): number => v as number;

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
function unitOf(text: string): string | undefined {
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
function isoWeek(y: number, m: number, d: number): { isoYear: number; week: number } {
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
function dayOfWeek(y: number, m: number, d: number): number {
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
