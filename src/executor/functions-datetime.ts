/**
 * Date/time functions and operators of PostgreSQL 15 (§9.9): arithmetic on date, time,
 * timestamp[tz] and interval, comparisons of intervals, age, make_*, justify_*, AT TIME ZONE
 * (timezone()), isfinite, date_bin and the current date/time functions. date_trunc and
 * extract / date_part are in datetime-fields.ts; to_char / to_date / to_timestamp(text, text)
 * in datetime-format.ts; both register when this module loads.
 * Values: date = days since 2000-01-01 (±Infinity), time/timestamp[tz] = microseconds (bigint),
 * interval = Interval(months, days, micros).
 */
import { DbError, SqlState } from '../errors/index.ts';
import { DT_NOBEGIN, DT_NOEND, Interval, Oid, POSTGRES_EPOCH_JDATE, USECS_PER_DAY, USECS_PER_SEC, date2j, timestampToTm, tmToTimestamp, type Tm, type TimeZone } from '../types/index.ts';
import { fn } from './function-defs.ts';
import type { Value } from './value.ts';
import './datetime-format.ts';
import './datetime-fields.ts';
import {
  END_TS, EPOCH_OFFSET_SECS, MIN_TS, checkDate, checkTs, dateToTs, intervalOutOfRange, isFiniteTs, localToUtc, monthDays, sessionZone, tsOutOfRange,
  tsToDate, utcToLocal, zoneNamed,
} from './datetime-common.ts';

const D = Oid.date;
const TS = Oid.timestamp;
const TSZ = Oid.timestamptz;
const TM = Oid.time;
const IV = Oid.interval;
const T = Oid.text;
const F = Oid.float8;
const I = Oid.int4;

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
/** rint() as C does it: round half to even. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
/** TSROUND: rounds to microsecond precision to make near-whole numbers whole. */
const tsRound = (x: number): number => rint(x * 1e6) / 1e6;

/**
 * interval_mul / interval_div: whole months and days scale separately; their fractions
 * cascade down (30-day months, 86400-second days) into days and time, never up.
 */
export function intervalScale(iv: Interval, factor: number, divide: boolean): Interval {
  if (divide && factor === 0) throw new DbError(SqlState.DivisionByZero, 'division by zero');
  const scale = (x: number): number => (divide ? x / factor : x * factor);
  const monthsF = scale(iv.months);
  if (Number.isNaN(monthsF) || monthsF > 2147483647 || monthsF < -2147483648) throw intervalOutOfRange();
  const months = Math.trunc(monthsF);
  const daysF = scale(iv.days);
  if (Number.isNaN(daysF) || daysF > 2147483647 || daysF < -2147483648) throw intervalOutOfRange();
  let days = Math.trunc(daysF);
  const monthRemainderDays = tsRound((monthsF - months) * 30);
  let secRemainder = tsRound((daysF - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * 86400);
  if (Math.abs(secRemainder) >= 86400) {
    days += Math.trunc(secRemainder / 86400);
    secRemainder -= Math.trunc(secRemainder / 86400) * 86400;
  }
  days += Math.trunc(monthRemainderDays);
  const time = rint(scale(Number(iv.micros)) + secRemainder * 1e6);
  if (Number.isNaN(time) || time >= 9223372036854775807 || time < -9223372036854775808) throw intervalOutOfRange();
  return checkInterval(months || 0, days || 0, BigInt(time));
}
const intervalMul = (iv: Interval, f: number): Interval => intervalScale(iv, f, false);

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
fn('/', [IV, F], IV, ([a, f]) => intervalScale(iv(a), f as number, true));

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

// ---- generate_series over timestamps ----

/** generate_series(start, stop, step interval): adds the step repeatedly while not past stop (step's sign by interval_cmp). */
function* timestampSeries(start: bigint, stop: bigint, step: Interval, add: (t: bigint, step: Interval) => bigint): Generator<bigint> {
  const sign = intervalSpan(step);
  if (sign === 0n) throw new DbError(SqlState.InvalidParameterValue, 'step size cannot equal zero');
  for (let t = start; sign > 0n ? t <= stop : t >= stop; ) {
    yield t;
    if (!isFiniteTs(t)) return; // an infinite start never moves
    t = add(t, step);
  }
}
fn('generate_series', [TS, TS, IV], TS, ([a, b, s]) => timestampSeries(ts(a), ts(b), iv(s), addInterval), { returnsSet: true });
fn('generate_series', [TSZ, TSZ, IV], TSZ, ([a, b, s], ctx) => timestampSeries(ts(a), ts(b), iv(s), (t, step) => addIntervalTz(t, step, sessionZone(ctx))), {
  returnsSet: true,
  volatility: 'stable',
});
