/**
 * types/: the interval type's value (months, days, microseconds), its output in the four
 * IntervalStyles (EncodeInterval) and INTERVAL typmods (field ranges and precision). Text
 * input lives in interval-parse.ts.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { formatSeconds, roundMicros, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC } from './datetime.ts';

/** An interval value, as PostgreSQL stores it: the three parts are independent and signed. */
export class Interval {
  constructor(
    /** Months (int32). */
    readonly months: number,
    /** Days (int32). */
    readonly days: number,
    /** Microseconds (int64). */
    readonly micros: bigint,
  ) {}

  equals(other: Interval): boolean {
    return this.months === other.months && this.days === other.days && this.micros === other.micros;
  }
}

// Interval typmod field bits (INTERVAL_MASK(x) = 1 << x), as in datetime.h.
export const INTERVAL_MASK = { MONTH: 1 << 1, YEAR: 1 << 2, DAY: 1 << 3, HOUR: 1 << 10, MINUTE: 1 << 11, SECOND: 1 << 12 } as const;
export const INTERVAL_FULL_RANGE = 0x7fff;
export const INTERVAL_FULL_PRECISION = 0xffff;

/** INTERVAL_TYPMOD(precision, range). */
export function encodeIntervalTypmod(range: number, precision = INTERVAL_FULL_PRECISION): number {
  return ((range & 0x7fff) << 16) | (precision & 0xffff);
}

/** INTERVAL_RANGE: the field mask of a typmod (full range for -1). */
export function intervalRange(typmod: number): number {
  return typmod < 0 ? INTERVAL_FULL_RANGE : (typmod >> 16) & 0x7fff;
}

/** INTERVAL_PRECISION: the fractional-second digits of a typmod (0xFFFF = unspecified). */
export function intervalPrecision(typmod: number): number {
  return typmod < 0 ? INTERVAL_FULL_PRECISION : typmod & 0xffff;
}

const RANGE_NAMES: ReadonlyMap<number, string> = new Map([
  [INTERVAL_MASK.YEAR, ' year'],
  [INTERVAL_MASK.MONTH, ' month'],
  [INTERVAL_MASK.DAY, ' day'],
  [INTERVAL_MASK.HOUR, ' hour'],
  [INTERVAL_MASK.MINUTE, ' minute'],
  [INTERVAL_MASK.SECOND, ' second'],
  [INTERVAL_MASK.YEAR | INTERVAL_MASK.MONTH, ' year to month'],
  [INTERVAL_MASK.DAY | INTERVAL_MASK.HOUR, ' day to hour'],
  [INTERVAL_MASK.DAY | INTERVAL_MASK.HOUR | INTERVAL_MASK.MINUTE, ' day to minute'],
  [INTERVAL_MASK.DAY | INTERVAL_MASK.HOUR | INTERVAL_MASK.MINUTE | INTERVAL_MASK.SECOND, ' day to second'],
  [INTERVAL_MASK.HOUR | INTERVAL_MASK.MINUTE, ' hour to minute'],
  [INTERVAL_MASK.HOUR | INTERVAL_MASK.MINUTE | INTERVAL_MASK.SECOND, ' hour to second'],
  [INTERVAL_MASK.MINUTE | INTERVAL_MASK.SECOND, ' minute to second'],
  [INTERVAL_FULL_RANGE, ''],
]);

/** intervaltypmodout: " day to second(3)", "(2)", "" … */
export function formatIntervalTypmod(typmod: number): string {
  if (typmod < 0) return '';
  const fields = RANGE_NAMES.get(intervalRange(typmod)) ?? '';
  const precision = intervalPrecision(typmod);
  return precision !== INTERVAL_FULL_PRECISION ? `${fields}(${precision})` : fields;
}

/** AdjustIntervalForTypmod: zero fields right of the range's last field, round the fraction. */
export function adjustIntervalForTypmod(v: Interval, typmod: number): Interval {
  if (typmod < 0) return v;
  const range = intervalRange(typmod);
  const precision = intervalPrecision(typmod);
  const { YEAR, MONTH, DAY, HOUR, MINUTE } = INTERVAL_MASK;
  let { months, days, micros } = v;
  if (range === YEAR) {
    months = Math.trunc(months / 12) * 12;
    days = 0;
    micros = 0n;
  } else if (range === MONTH || range === (YEAR | MONTH)) {
    days = 0;
    micros = 0n;
  } else if (range === DAY) {
    micros = 0n;
  } else if (range === HOUR || range === (DAY | HOUR)) {
    micros = (micros / USECS_PER_HOUR) * USECS_PER_HOUR;
  } else if (range === MINUTE || range === (DAY | HOUR | MINUTE) || range === (HOUR | MINUTE)) {
    micros = (micros / USECS_PER_MINUTE) * USECS_PER_MINUTE;
  }
  if (precision !== INTERVAL_FULL_PRECISION) {
    if (precision < 0 || precision > 6) {
      throw new DbError(SqlState.InvalidParameterValue, `interval(${precision}) precision must be between 0 and 6`);
    }
    micros = roundMicros(micros, precision);
  }
  return months === v.months && days === v.days && micros === v.micros ? v : new Interval(months, days, micros);
}

/** interval_out in the given IntervalStyle (postgres, postgres_verbose, sql_standard, iso_8601). */
export function formatInterval(v: Interval, intervalStyle = 'postgres'): string {
  let year = Math.trunc(v.months / 12);
  let mon = v.months % 12;
  let mday = v.days;
  let time = v.micros;
  let hour = Number(time / USECS_PER_HOUR);
  time -= BigInt(hour) * USECS_PER_HOUR;
  let min = Number(time / USECS_PER_MINUTE);
  time -= BigInt(min) * USECS_PER_MINUTE;
  let sec = Number(time / USECS_PER_SEC);
  let fsec = Number(time - BigInt(sec) * USECS_PER_SEC);
  const pad2 = (n: number): string => String(Math.abs(n)).padStart(2, '0');
  switch (intervalStyle.toLowerCase()) {
    case 'sql_standard': {
      const hasNegative = year < 0 || mon < 0 || mday < 0 || hour < 0 || min < 0 || sec < 0 || fsec < 0;
      const hasPositive = year > 0 || mon > 0 || mday > 0 || hour > 0 || min > 0 || sec > 0 || fsec > 0;
      const hasYearMonth = year !== 0 || mon !== 0;
      const hasDayTime = mday !== 0 || hour !== 0 || min !== 0 || sec !== 0 || fsec !== 0;
      const standard = !(hasNegative && hasPositive) && !(hasYearMonth && hasDayTime);
      let out = '';
      if (hasNegative && standard) {
        out = '-';
        [year, mon, mday, hour, min, sec, fsec] = [-year, -mon, -mday, -hour, -min, -sec, -fsec];
      }
      if (!hasNegative && !hasPositive) return '0';
      if (!standard) {
        const ys = year < 0 || mon < 0 ? '-' : '+';
        const ds = mday < 0 ? '-' : '+';
        const ss = hour < 0 || min < 0 || sec < 0 || fsec < 0 ? '-' : '+';
        return `${out}${ys}${Math.abs(year)}-${Math.abs(mon)} ${ds}${Math.abs(mday)} ${ss}${Math.abs(hour)}:${pad2(min)}:${formatSeconds(sec, fsec)}`;
      }
      if (hasYearMonth) return `${out}${year}-${mon}`;
      if (mday !== 0) return `${out}${mday} ${hour}:${pad2(min)}:${formatSeconds(sec, fsec)}`;
      return `${out}${hour}:${pad2(min)}:${formatSeconds(sec, fsec)}`;
    }
    case 'iso_8601': {
      if (year === 0 && mon === 0 && mday === 0 && hour === 0 && min === 0 && sec === 0 && fsec === 0) return 'PT0S';
      const part = (n: number, u: string): string => (n === 0 ? '' : `${n}${u}`);
      let out = `P${part(year, 'Y')}${part(mon, 'M')}${part(mday, 'D')}`;
      if (hour !== 0 || min !== 0 || sec !== 0 || fsec !== 0) out += 'T';
      out += part(hour, 'H') + part(min, 'M');
      if (sec !== 0 || fsec !== 0) {
        out += `${sec < 0 || fsec < 0 ? '-' : ''}${formatSecondsNoPad(sec, fsec)}S`;
      }
      return out;
    }
    case 'postgres_verbose': {
      let isZero = true;
      let isBefore = false;
      let out = '@';
      const add = (value: number, units: string): void => {
        if (value === 0) return;
        let x = value;
        if (isZero) {
          isBefore = x < 0;
          x = Math.abs(x);
        } else if (isBefore) x = -x;
        out += ` ${x} ${units}${x === 1 ? '' : 's'}`;
        isZero = false;
      };
      add(year, 'year');
      add(mon, 'mon');
      add(mday, 'day');
      add(hour, 'hour');
      add(min, 'min');
      if (sec !== 0 || fsec !== 0) {
        out += ' ';
        if (sec < 0 || (sec === 0 && fsec < 0)) {
          if (isZero) isBefore = true;
          else if (!isBefore) out += '-';
        } else if (isBefore) out += '-';
        out += `${formatSecondsNoPad(sec, fsec)} sec${Math.abs(sec) !== 1 || fsec !== 0 ? 's' : ''}`;
        isZero = false;
      }
      if (isZero) out += ' 0';
      if (isBefore) out += ' ago';
      return out;
    }
    default: {
      let isZero = true;
      let isBefore = false;
      let out = '';
      const add = (value: number, units: string): void => {
        if (value === 0) return;
        out += `${!isZero ? ' ' : ''}${isBefore && value > 0 ? '+' : ''}${value} ${units}${value !== 1 ? 's' : ''}`;
        isBefore = value < 0;
        isZero = false;
      };
      add(year, 'year');
      add(mon, 'mon');
      add(mday, 'day');
      if (isZero || hour !== 0 || min !== 0 || sec !== 0 || fsec !== 0) {
        const minus = hour < 0 || min < 0 || sec < 0 || fsec < 0;
        out += `${isZero ? '' : ' '}${minus ? '-' : isBefore ? '+' : ''}${pad2(hour)}:${pad2(min)}:${formatSeconds(sec, fsec)}`;
      }
      return out;
    }
  }
}

function formatSecondsNoPad(sec: number, fsec: number): string {
  const s = formatSeconds(sec, fsec);
  return s.startsWith('0') && s.length > 1 && s[1] !== '.' ? s.slice(1) : s;
}

