/**
 * types/: the PgType objects of date, time, timestamp, timestamptz and interval, joining the
 * parsers (datetime-parse.ts, interval.ts) and encoders (datetime.ts) with the binary formats
 * and the precision / field typmods.
 */
import { DbError, SqlState } from '../errors/index.ts';
import {
  DT_NOBEGIN, DT_NOEND, MAX_TIME, formatDate, formatTime, formatTimestamp, formatTimestamptz, isValidDate, isValidTimestamp, roundMicros,
} from './datetime.ts';
import { parseDate, parseTime, parseTimestamp } from './datetime-parse.ts';
import { Interval, adjustIntervalForTypmod, formatInterval, formatIntervalTypmod } from './interval.ts';
import { parseInterval } from './interval-parse.ts';
import { ArrayOid, Oid } from './oids.ts';
import type { PgType } from './pg-type.ts';
import { resolveTimeZone } from './timezone.ts';
import { BinaryReader, BinaryWriter } from './wire.ts';

const MAX_PRECISION = 6;
const DATEVAL_NOBEGIN = -2147483648;
const DATEVAL_NOEND = 2147483647;

function readAll<V>(buf: Uint8Array, read: (r: BinaryReader) => V): V {
  const r = new BinaryReader(buf);
  const v = read(r);
  r.end();
  return v;
}

export const dateType: PgType<number> = {
  oid: Oid.date, name: 'date', displayName: 'date', typlen: 4, category: 'D', arrayOid: ArrayOid.date, elemOid: 0,
  textIn: (text, _typmod, ctx) => parseDate(text, ctx),
  textOut: (v) => formatDate(v),
  binaryIn: (buf) =>
    readAll(buf, (r) => {
      const d = r.int32();
      if (d === DATEVAL_NOBEGIN) return -Infinity;
      if (d === DATEVAL_NOEND) return Infinity;
      if (!isValidDate(d)) throw new DbError(SqlState.DatetimeFieldOverflow, 'date out of range');
      return d;
    }),
  binaryOut: (v) => new BinaryWriter().int32(v === Infinity ? DATEVAL_NOEND : v === -Infinity ? DATEVAL_NOBEGIN : v).finish(),
};

/** AdjustTimeForTypmod. */
function adjustTime(v: bigint, typmod: number): bigint {
  return typmod >= 0 && typmod <= MAX_PRECISION ? roundMicros(v, typmod) : v;
}

export const timeType: PgType<bigint> = {
  oid: Oid.time, name: 'time', displayName: 'time without time zone', typlen: 8, category: 'D', arrayOid: ArrayOid.time, elemOid: 0,
  textIn: (text, typmod, ctx) => adjustTime(parseTime(text, ctx), typmod),
  textOut: (v) => formatTime(v),
  binaryIn: (buf, typmod) =>
    readAll(buf, (r) => {
      const v = r.int64();
      if (v < 0n || v > MAX_TIME) throw new DbError(SqlState.DatetimeFieldOverflow, 'time out of range');
      return adjustTime(v, typmod);
    }),
  binaryOut: (v) => new BinaryWriter().int64(v).finish(),
  applyTypmod: (v, typmod) => adjustTime(v, typmod),
  formatTypmod: (typmod) => (typmod >= 0 ? `time(${typmod}) without time zone` : 'time without time zone'),
};

/** AdjustTimestampForTypmod: rounds finite values half away from zero to `typmod` digits. */
function adjustTimestamp(v: bigint, typmod: number): bigint {
  if (v === DT_NOBEGIN || v === DT_NOEND || typmod === -1 || typmod === MAX_PRECISION) return v;
  if (typmod < 0 || typmod > MAX_PRECISION) {
    throw new DbError(SqlState.InvalidParameterValue, `timestamp(${typmod}) precision must be between 0 and ${MAX_PRECISION}`);
  }
  return roundMicros(v, typmod);
}

function timestampRecv(buf: Uint8Array, typmod: number): bigint {
  return readAll(buf, (r) => {
    const v = r.int64();
    if (v !== DT_NOBEGIN && v !== DT_NOEND && !isValidTimestamp(v)) throw new DbError(SqlState.DatetimeFieldOverflow, 'timestamp out of range');
    return adjustTimestamp(v, typmod);
  });
}

export const timestampType: PgType<bigint> = {
  oid: Oid.timestamp, name: 'timestamp', displayName: 'timestamp without time zone', typlen: 8, category: 'D', arrayOid: ArrayOid.timestamp, elemOid: 0,
  textIn: (text, typmod, ctx) => adjustTimestamp(parseTimestamp(text, false, ctx), typmod),
  textOut: (v) => formatTimestamp(v),
  binaryIn: (buf, typmod) => timestampRecv(buf, typmod),
  binaryOut: (v) => new BinaryWriter().int64(v).finish(),
  applyTypmod: (v, typmod) => adjustTimestamp(v, typmod),
  formatTypmod: (typmod) => (typmod >= 0 ? `timestamp(${typmod}) without time zone` : 'timestamp without time zone'),
};

export const timestamptzType: PgType<bigint> = {
  oid: Oid.timestamptz, name: 'timestamptz', displayName: 'timestamp with time zone', typlen: 8, category: 'D', arrayOid: ArrayOid.timestamptz, elemOid: 0,
  textIn: (text, typmod, ctx) => adjustTimestamp(parseTimestamp(text, true, ctx), typmod),
  textOut: (v, ctx) => formatTimestamptz(v, resolveTimeZone(ctx.timeZone)),
  binaryIn: (buf, typmod) => timestampRecv(buf, typmod),
  binaryOut: (v) => new BinaryWriter().int64(v).finish(),
  applyTypmod: (v, typmod) => adjustTimestamp(v, typmod),
  formatTypmod: (typmod) => (typmod >= 0 ? `timestamp(${typmod}) with time zone` : 'timestamp with time zone'),
};

export const intervalType: PgType<Interval> = {
  oid: Oid.interval, name: 'interval', displayName: 'interval', typlen: 16, category: 'T', arrayOid: ArrayOid.interval, elemOid: 0,
  textIn: (text, typmod, ctx) => parseInterval(text, typmod, ctx.intervalStyle),
  textOut: (v, ctx) => formatInterval(v, ctx.intervalStyle),
  binaryIn: (buf, typmod) =>
    readAll(buf, (r) => {
      const micros = r.int64();
      const days = r.int32();
      const months = r.int32();
      return adjustIntervalForTypmod(new Interval(months, days, micros), typmod);
    }),
  binaryOut: (v) => new BinaryWriter().int64(v.micros).int32(v.days).int32(v.months).finish(),
  applyTypmod: (v, typmod) => adjustIntervalForTypmod(v, typmod),
  formatTypmod: (typmod) => `interval${formatIntervalTypmod(typmod)}`,
};
