/**
 * types/: `time with time zone` (timetz, OID 1266): a time of day and the zone it was given in,
 * as PostgreSQL's TimeTzADT — microseconds since midnight plus the offset in seconds WEST of UTC
 * (`zone`). Input as timetz_in (a missing zone takes the session TimeZone's offset on the given
 * date, else today's), output `HH:MM:SS[.ffffff]+HH[:MM[:SS]]`, binary int64 time + int32 zone,
 * order as timetz_cmp (the UTC-equivalent time, then the zone). Grafana's test data reads it.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { MAX_TIME, formatTime, formatTzOffset, roundMicros } from './datetime.ts';
import { parseTimeTz } from './datetime-parse.ts';
import { ArrayOid, Oid } from './oids.ts';
import type { PgType } from './pg-type.ts';
import { BinaryReader, BinaryWriter } from './wire.ts';

export class TimeTz {
  constructor(
    readonly micros: bigint,
    /** Seconds west of UTC (PostgreSQL's sign convention for TimeTzADT.zone). */
    readonly zone: number,
  ) {}

  toJSON(): string {
    return `${this.micros}/${this.zone}`;
  }
}

const MAX_PRECISION = 6;
/** TZDISP_LIMIT: zones are within ±15:59:59. */
const TZ_LIMIT = 15 * 3600 + 59 * 60 + 59;

function adjust(v: TimeTz, typmod: number): TimeTz {
  return typmod >= 0 && typmod <= MAX_PRECISION ? new TimeTz(roundMicros(v.micros, typmod), v.zone) : v;
}

/** timetz_cmp: the UTC-equivalent time first, then the zone (equal only when both are). */
export function compareTimeTz(a: TimeTz, b: TimeTz): number {
  const t1 = a.micros + BigInt(a.zone) * 1_000_000n;
  const t2 = b.micros + BigInt(b.zone) * 1_000_000n;
  if (t1 !== t2) return t1 > t2 ? 1 : -1;
  return a.zone === b.zone ? 0 : a.zone > b.zone ? 1 : -1;
}

export const timetzType: PgType<TimeTz> = {
  oid: Oid.timetz, name: 'timetz', displayName: 'time with time zone', typlen: 12, category: 'D', arrayOid: ArrayOid.timetz, elemOid: 0,
  textIn: (text, typmod, ctx) => {
    const { micros, zone } = parseTimeTz(text, ctx);
    return adjust(new TimeTz(micros, zone), typmod);
  },
  textOut: (v) => formatTime(v.micros) + formatTzOffset(-v.zone),
  binaryIn: (buf, typmod) => {
    const r = new BinaryReader(buf);
    const micros = r.int64();
    const zone = r.int32();
    r.end();
    if (micros < 0n || micros > MAX_TIME) throw new DbError(SqlState.DatetimeFieldOverflow, 'time out of range');
    if (zone < -TZ_LIMIT || zone > TZ_LIMIT) throw new DbError(SqlState.InvalidTimeZoneDisplacementValue, 'time zone displacement out of range');
    return adjust(new TimeTz(micros, zone), typmod);
  },
  binaryOut: (v) => new BinaryWriter().int64(v.micros).int32(v.zone).finish(),
  applyTypmod: (v, typmod) => adjust(v, typmod),
  formatTypmod: (typmod) => (typmod >= 0 ? `time(${typmod}) with time zone` : 'time with time zone'),
};
