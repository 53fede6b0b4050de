/**
 * types/: calendar arithmetic and ISO-style output for date, time, timestamp and
 * timestamptz (PostgreSQL's datetime.c / timestamp.c encoders). Values follow pg-type.ts:
 * dates are days since 2000-01-01, times and timestamps are bigint microseconds.
 */
import type { TimeZone } from './timezone.ts';

/** Julian day number of 2000-01-01, PostgreSQL's epoch. */
export const POSTGRES_EPOCH_JDATE = 2451545;
export const UNIX_EPOCH_JDATE = 2440588;
export const USECS_PER_SEC = 1000000n;
export const USECS_PER_MINUTE = 60000000n;
export const USECS_PER_HOUR = 3600000000n;
export const USECS_PER_DAY = 86400000000n;
/** TIMESTAMP_NOBEGIN / TIMESTAMP_NOEND: -infinity and infinity. */
export const DT_NOBEGIN = -9223372036854775808n;
export const DT_NOEND = 9223372036854775807n;
/** 4714-11-24 BC 00:00 UTC, the first valid timestamp. */
export const MIN_TIMESTAMP = -211813488000000000n;
/** 294277-01-01 00:00 UTC, one past the last valid timestamp. */
export const END_TIMESTAMP = 9223371331200000000n;
const DATE_END_JULIAN = 2147483494;
/** Microseconds between the Unix epoch and PostgreSQL's epoch. */
export const UNIX_TO_PG_EPOCH_USECS = BigInt(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
/** Largest time of day: 24:00:00. */
export const MAX_TIME = USECS_PER_DAY;

/** Broken-down date and time, year in astronomical numbering (1 BC = 0). */
export interface Tm {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Microseconds within the second. */
  fsec: number;
}

/** date2j: Julian day number of a proleptic Gregorian date. */
export function date2j(year: number, month: number, day: number): number {
  let y = year;
  let m = month;
  if (m > 2) {
    m += 1;
    y += 4800;
  } else {
    m += 13;
    y += 4799;
  }
  const century = Math.trunc(y / 100);
  let julian = y * 365 - 32167;
  julian += Math.trunc(y / 4) - century + Math.trunc(century / 4);
  julian += Math.trunc((7834 * m) / 256) + day;
  return julian;
}

/** j2date: the date of a Julian day number (>= 0). */
export function j2date(jd: number): { year: number; month: number; day: number } {
  let julian = jd + 32044;
  let quad = Math.floor(julian / 146097);
  const extra = (julian - quad * 146097) * 4 + 3;
  julian += 60 + quad * 3 + Math.floor(extra / 146097);
  quad = Math.floor(julian / 1461);
  julian -= quad * 1461;
  let y = Math.floor((julian * 4) / 1461);
  julian = (y !== 0 ? (julian + 305) % 365 : (julian + 306) % 366) + 123;
  y += quad * 4;
  const q = Math.floor((julian * 2141) / 65536);
  return { year: y - 4800, month: ((q + 10) % 12) + 1, day: julian - Math.floor((7834 * q) / 256) };
}

/** IS_VALID_JULIAN: within 4714-11-24 BC .. 5874898-06-01 (exclusive). */
export function isValidJulian(year: number, month: number): boolean {
  return (year > -4713 || (year === -4713 && month >= 11)) && (year < 5874898 || (year === 5874898 && month < 6));
}

/** IS_VALID_DATE for a date value (days since 2000-01-01). */
export function isValidDate(days: number): boolean {
  return days >= -POSTGRES_EPOCH_JDATE && days < DATE_END_JULIAN - POSTGRES_EPOCH_JDATE;
}

/** IS_VALID_TIMESTAMP. */
export function isValidTimestamp(ts: bigint): boolean {
  return ts >= MIN_TIMESTAMP && ts < END_TIMESTAMP;
}

/** Gregorian leap year (astronomical year numbering). */
export function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month (1-12) of a year. */
export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q;
}

/** Splits a (local) timestamp into fields, like timestamp2tm without time zone. */
export function timestampToTm(ts: bigint): Tm {
  const date = floorDiv(ts, USECS_PER_DAY);
  const time = Number(ts - date * USECS_PER_DAY);
  const { year, month, day } = j2date(Number(date) + POSTGRES_EPOCH_JDATE);
  const secs = Math.floor(time / 1e6);
  return { year, month, day, hour: Math.floor(secs / 3600), minute: Math.floor(secs / 60) % 60, second: secs % 60, fsec: time % 1e6 };
}

/** Combines fields into a timestamp (no range check); seconds may be 60 (leap). */
export function tmToTimestamp(tm: Tm): bigint {
  const date = date2j(tm.year, tm.month, tm.day) - POSTGRES_EPOCH_JDATE;
  const time = ((tm.hour * 60 + tm.minute) * 60 + tm.second) * 1e6 + tm.fsec;
  return BigInt(date) * USECS_PER_DAY + BigInt(time);
}

/** The zone's offset (seconds east) at a UTC timestamp. */
export function zoneOffsetAt(zone: TimeZone, utc: bigint): number {
  const unixSeconds = Number(floorDiv(utc - 0n, USECS_PER_SEC)) + (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * 86400;
  return zone.offsetAt(unixSeconds);
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** AppendSeconds: two-digit seconds, then the fraction without trailing zeros. */
export function formatSeconds(second: number, fsec: number): string {
  const s = pad(Math.abs(second), 2);
  if (fsec === 0) return s;
  return `${s}.${pad(Math.abs(fsec), 6).replace(/0+$/, '')}`;
}

/** EncodeTimezone for ISO style; `offsetEast` in seconds. */
export function formatTzOffset(offsetEast: number): string {
  const a = Math.abs(offsetEast);
  const h = Math.floor(a / 3600);
  const m = Math.floor(a / 60) % 60;
  const s = a % 60;
  const sign = offsetEast >= 0 ? '+' : '-';
  if (s !== 0) return `${sign}${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}`;
  if (m !== 0) return `${sign}${pad(h, 2)}:${pad(m, 2)}`;
  return `${sign}${pad(h, 2)}`;
}

function formatYmd(year: number, month: number, day: number): string {
  return `${pad(year > 0 ? year : 1 - year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}

/** date_out (ISO): YYYY-MM-DD[ BC], "infinity", "-infinity". */
export function formatDate(days: number): string {
  if (days === Infinity) return 'infinity';
  if (days === -Infinity) return '-infinity';
  const { year, month, day } = j2date(days + POSTGRES_EPOCH_JDATE);
  return formatYmd(year, month, day) + (year <= 0 ? ' BC' : '');
}

/** time_out: HH:MM:SS[.ffffff]. */
export function formatTime(micros: bigint): string {
  const t = Number(micros);
  const secs = Math.floor(t / 1e6);
  return `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor(secs / 60) % 60, 2)}:${formatSeconds(secs % 60, t % 1e6)}`;
}

/** timestamp_out (ISO). */
export function formatTimestamp(ts: bigint): string {
  if (ts === DT_NOEND) return 'infinity';
  if (ts === DT_NOBEGIN) return '-infinity';
  const tm = timestampToTm(ts);
  return `${formatYmd(tm.year, tm.month, tm.day)} ${pad(tm.hour, 2)}:${pad(tm.minute, 2)}:${formatSeconds(tm.second, tm.fsec)}${tm.year <= 0 ? ' BC' : ''}`;
}

/** timestamptz_out (ISO) in the given zone: local time plus ±HH[:MM[:SS]]. */
export function formatTimestamptz(ts: bigint, zone: TimeZone): string {
  if (ts === DT_NOEND) return 'infinity';
  if (ts === DT_NOBEGIN) return '-infinity';
  const offset = zoneOffsetAt(zone, ts);
  const tm = timestampToTm(ts + BigInt(offset) * USECS_PER_SEC);
  return `${formatYmd(tm.year, tm.month, tm.day)} ${pad(tm.hour, 2)}:${pad(tm.minute, 2)}:${formatSeconds(tm.second, tm.fsec)}${formatTzOffset(offset)}${tm.year <= 0 ? ' BC' : ''}`;
}

const TIME_SCALES = [1000000n, 100000n, 10000n, 1000n, 100n, 10n, 1n];
const TIME_OFFSETS = [500000n, 50000n, 5000n, 500n, 50n, 5n, 0n];

/** Rounds microseconds to `precision` fractional digits, half away from zero (AdjustTimestampForTypmod). */
export function roundMicros(v: bigint, precision: number): bigint {
  if (precision < 0 || precision >= 6) return v;
  const scale = TIME_SCALES[precision]!;
  const offset = TIME_OFFSETS[precision]!;
  if (v >= 0n) return ((v + offset) / scale) * scale;
  return -(((-v + offset) / scale) * scale);
}
