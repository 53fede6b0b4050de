/**
 * Shared pieces of the date/time functions (functions-datetime.ts, datetime-fields.ts):
 * timestamp and date ranges, session and named time zones (UTC <-> local wall clock), and
 * date <-> timestamp conversion. Values: date = days since 2000-01-01 (±Infinity),
 * timestamp[tz] = microseconds since 2000-01-01 (bigint; timestamptz is UTC).
 */
import { DbError, SqlState } from '../errors/index.ts';
import { DT_NOBEGIN, DT_NOEND, POSTGRES_EPOCH_JDATE, USECS_PER_DAY, USECS_PER_SEC, date2j, offsetForLocal, resolveTimeZone, type TimeZone } from '../types/index.ts';
import type { ExecContext } from './context.ts';

export const MIN_TS = -211813488000000000n; // 4714-11-24 BC
export const END_TS = 9223371331200000000n; // 294277-01-01
export const EPOCH_OFFSET_SECS = 946684800; // 1970-01-01 → 2000-01-01

export const tsOutOfRange = (): DbError => new DbError(SqlState.DatetimeFieldOverflow, 'timestamp out of range');
export const dateOutOfRange = (): DbError => new DbError(SqlState.DatetimeFieldOverflow, 'date out of range');
export const intervalOutOfRange = (): DbError => new DbError(SqlState.DatetimeFieldOverflow, 'interval out of range');

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
export function zoneNamed(name: string): TimeZone {
  return resolveTimeZone(name);
}

// ---- conversions ----

export const dateToTs = (d: number): bigint => (d === Infinity ? DT_NOEND : d === -Infinity ? DT_NOBEGIN : BigInt(d) * USECS_PER_DAY);
export function tsToDate(t: bigint): number {
  if (t === DT_NOEND) return Infinity;
  if (t === DT_NOBEGIN) return -Infinity;
  const q = t / USECS_PER_DAY;
  return Number(t % USECS_PER_DAY < 0n ? q - 1n : q);
}
export const MIN_DATE = date2j(-4713, 11, 24) - POSTGRES_EPOCH_JDATE;
export const MAX_DATE = date2j(5874897, 12, 31) - POSTGRES_EPOCH_JDATE;
export function checkDate(d: number): number {
  if (d < MIN_DATE || d > MAX_DATE) throw dateOutOfRange();
  return d;
}
