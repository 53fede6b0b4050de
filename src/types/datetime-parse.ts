/**
 * types/: date/time text input, ported from PostgreSQL's datetime.c: DecodeDateTime and
 * DecodeTimeOnly interpret the fields of datetime-fields.ts (DateStyle field order, month
 * names, AM/PM, BC, ISO 'T', time zones). Entry points return values in the pg-type.ts
 * representations and raise PostgreSQL's errors.
 */
import { DbError, SqlState } from '../errors/index.ts';
import type { FormatContext } from './pg-type.ts';
import {
  DT_NOBEGIN, DT_NOEND, POSTGRES_EPOCH_JDATE, UNIX_TO_PG_EPOCH_USECS, USECS_PER_SEC,
  date2j, daysInMonth, isValidDate, isValidJulian, isValidTimestamp, j2date, timestampToTm, tmToTimestamp, zoneOffsetAt,
} from './datetime.ts';
import { TZ_ABBREVIATIONS, lookupNamedZone, offsetForLocal, resolveTimeZone, type TimeZone } from './timezone.ts';
import {
  ADBC, AMPM, BAD, DAY, DOW, DOY, DTK_DATE_M, DTK_TIME_M, DTZ, DtErr, IGNORE_DTF, ISOTIME, M, MONTH, OVERFLOW, RESERV, TZ, YEAR,
  dateTimeParseError, isAlnumC, isAlphaC, isDigitC, lookupToken, parseDateTimeFields, parseFractionalSecond, rint, strtoint,
  type DtField, type Reserved,
} from './datetime-fields.ts';

interface DecodeState {
  year: number;
  mon: number;
  mday: number;
  hour: number;
  min: number;
  sec: number;
  fsec: number;
  yday: number;
  is2digits: boolean;
}

function newState(): DecodeState {
  return { year: 0, mon: 0, mday: 0, hour: 0, min: 0, sec: 0, fsec: 0, yday: 0, is2digits: false };
}

type DateOrder = 'MDY' | 'DMY' | 'YMD';

/** The input field order implied by a DateStyle setting. */
export function dateOrderOf(dateStyle: string): DateOrder {
  const s = dateStyle.toUpperCase();
  if (s.includes('DMY') || s.includes('EURO')) return 'DMY';
  if (s.includes('YMD')) return 'YMD';
  if (s.includes('MDY') || s.includes('US') || s.includes('NONEURO')) return 'MDY';
  if (s.includes('GERMAN')) return 'DMY';
  return 'MDY';
}

/** DecodeTime: hh:mm[:ss[.fff]] (or mm:ss.fff), returning the mask set. */
function decodeTime(s: string, st: DecodeState): number {
  let [hour, i] = strtoint(s, 0);
  if (s[i] !== ':') throw BAD();
  let min: number;
  [min, i] = strtoint(s, i + 1);
  let sec = 0;
  let fsec = 0;
  if (i === s.length) {
    sec = 0;
  } else if (s[i] === '.') {
    fsec = parseFractionalSecond(s.slice(i));
    sec = min;
    min = hour;
    hour = 0;
  } else if (s[i] === ':') {
    [sec, i] = strtoint(s, i + 1);
    if (s[i] === '.') fsec = parseFractionalSecond(s.slice(i));
    else if (i !== s.length) throw BAD();
  } else throw BAD();
  if (hour < 0 || min < 0 || min > 59 || sec < 0 || sec > 60 || fsec < 0 || fsec > 1000000) throw OVERFLOW();
  st.hour = hour;
  st.min = min;
  st.sec = sec;
  st.fsec = fsec;
  return DTK_TIME_M;
}

function timeOverflows(hour: number, min: number, sec: number, fsec: number): boolean {
  if (hour < 0 || hour > 24 || min < 0 || min >= 60 || sec < 0 || sec > 60 || fsec < 0 || fsec > 1000000) return true;
  return ((hour * 60 + min) * 60 + sec) * 1e6 + fsec > 86400e6;
}

/** DecodeTimezone: "+hh[:mm[:ss]]" or "+hhmm"; returns seconds west (PostgreSQL's tz sign). */
function decodeTimezone(s: string): number {
  if (s[0] !== '+' && s[0] !== '-') throw BAD();
  let hr: number;
  let i: number;
  let min = 0;
  let sec = 0;
  try {
    [hr, i] = strtoint(s, 1);
    if (s[i] === ':') {
      [min, i] = strtoint(s, i + 1);
      if (s[i] === ':') [sec, i] = strtoint(s, i + 1);
    } else if (i === s.length && s.length > 3) {
      min = hr % 100;
      hr = Math.trunc(hr / 100);
    }
  } catch {
    throw new DtErr('tzdisp');
  }
  if (hr < 0 || hr > 15 || min < 0 || min >= 60 || sec < 0 || sec >= 60) throw new DtErr('tzdisp');
  let tz = (hr * 60 + min) * 60 + sec;
  if (s[0] === '-') tz = -tz;
  if (i !== s.length) throw BAD();
  return -tz;
}

/** DecodeNumberField: run-together yyyymmdd / hhmmss[.fff]; returns the mask and whether it was a date. */
function decodeNumberField(str: string, fmask: number, st: DecodeState): [number, 'date' | 'time'] {
  let s = str;
  const dot = s.indexOf('.');
  if (dot >= 0) {
    const frac = s.slice(dot);
    if (frac.length > 1) {
      const v = Number(frac);
      if (Number.isNaN(v)) throw BAD();
      st.fsec = rint(v * 1e6);
    } else st.fsec = 0;
    s = s.slice(0, dot);
  } else if ((fmask & DTK_DATE_M) !== DTK_DATE_M) {
    if (s.length >= 6) {
      const len = s.length;
      st.mday = Number(s.slice(len - 2)) || 0;
      st.mon = Number(s.slice(len - 4, len - 2)) || 0;
      st.year = atoi(s.slice(0, len - 4));
      if (len - 4 === 2) st.is2digits = true;
      return [DTK_DATE_M, 'date'];
    }
  }
  if ((fmask & DTK_TIME_M) !== DTK_TIME_M) {
    if (s.length === 6) {
      st.sec = atoi(s.slice(4));
      st.min = atoi(s.slice(2, 4));
      st.hour = atoi(s.slice(0, 2));
      return [DTK_TIME_M, 'time'];
    }
    if (s.length === 4) {
      st.sec = 0;
      st.min = atoi(s.slice(2, 4));
      st.hour = atoi(s.slice(0, 2));
      return [DTK_TIME_M, 'time'];
    }
  }
  throw BAD();
}

function atoi(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s);
  if (!m) return 0;
  const v = Number(m[0]);
  return v > 2147483647 || v < -2147483648 ? Number(BigInt.asIntN(32, BigInt(m[0].trim()))) : v;
}

/** DecodeNumber: one numeric date field placed by the fields seen so far and DateStyle. */
function decodeNumber(str: string, haveTextMonth: boolean, fmask: number, st: DecodeState, order: DateOrder): number {
  const flen = str.length;
  const [val, end] = strtoint(str, 0);
  if (end === 0) throw BAD();
  if (str[end] === '.') {
    if (end > 2) return decodeNumberField(str, fmask | DTK_DATE_M, st)[0];
    st.fsec = parseFractionalSecond(str.slice(end));
  } else if (end !== str.length) throw BAD();
  if (flen === 3 && (fmask & DTK_DATE_M) === M(YEAR) && val >= 1 && val <= 366) {
    st.yday = val;
    return M(DOY) | M(MONTH) | M(DAY);
  }
  let tmask: number;
  switch (fmask & DTK_DATE_M) {
    case 0:
      if (flen >= 3 || order === 'YMD') {
        tmask = M(YEAR);
        st.year = val;
      } else if (order === 'DMY') {
        tmask = M(DAY);
        st.mday = val;
      } else {
        tmask = M(MONTH);
        st.mon = val;
      }
      break;
    case M(YEAR):
      tmask = M(MONTH);
      st.mon = val;
      break;
    case M(MONTH):
      if (haveTextMonth) {
        if (flen >= 3 || order === 'YMD') {
          tmask = M(YEAR);
          st.year = val;
        } else {
          tmask = M(DAY);
          st.mday = val;
        }
      } else {
        tmask = M(DAY);
        st.mday = val;
      }
      break;
    case M(YEAR) | M(MONTH):
      if (haveTextMonth) {
        if (flen >= 3 && st.is2digits) {
          tmask = M(DAY);
          st.mday = st.year;
          st.year = val;
          st.is2digits = false;
        } else {
          tmask = M(DAY);
          st.mday = val;
        }
      } else {
        tmask = M(DAY);
        st.mday = val;
      }
      break;
    case M(DAY):
      tmask = M(MONTH);
      st.mon = val;
      break;
    case M(MONTH) | M(DAY):
      tmask = M(YEAR);
      st.year = val;
      break;
    case DTK_DATE_M:
      return decodeNumberField(str, fmask, st)[0];
    default:
      throw BAD();
  }
  if (tmask === M(YEAR)) st.is2digits = flen <= 2;
  return tmask;
}

/** DecodeDate: a date field with separators, possibly with a month name. */
function decodeDate(str: string, fmaskIn: number, st: DecodeState, order: DateOrder): number {
  let fmask = fmaskIn;
  let tmask = 0;
  const parts: (string | null)[] = [];
  let i = 0;
  while (i < str.length && parts.length < 25) {
    while (i < str.length && !isAlnumC(str[i])) i++;
    if (i >= str.length) throw BAD();
    const start = i;
    if (isDigitC(str[i])) while (isDigitC(str[i])) i++;
    else if (isAlphaC(str[i])) while (isAlphaC(str[i])) i++;
    parts.push(str.slice(start, i));
    if (i < str.length) i++;
  }
  let haveTextMonth = false;
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k]!;
    if (isAlphaC(p[0])) {
      const tok = lookupToken(p.toLowerCase());
      if (tok?.type === IGNORE_DTF) continue;
      if (!tok || tok.type !== MONTH) throw BAD();
      st.mon = tok.value as number;
      haveTextMonth = true;
      if (fmask & M(MONTH)) throw BAD();
      fmask |= M(MONTH);
      tmask |= M(MONTH);
      parts[k] = null;
    }
  }
  for (const p of parts) {
    if (p === null) continue;
    if (p.length === 0) throw BAD();
    const dmask = decodeNumber(p, haveTextMonth, fmask, st, order);
    if (fmask & dmask) throw BAD();
    fmask |= dmask;
    tmask |= dmask;
  }
  if ((fmask & ~(M(DOY) | M(TZ))) !== DTK_DATE_M) throw BAD();
  return tmask;
}

/** ValidateDate: BC and two-digit years, day-of-year, month/day ranges. */
function validateDate(fmask: number, bc: boolean, st: DecodeState): void {
  if (fmask & DTK_DATE_M) {
    if (bc) {
      if (st.year <= 0) throw OVERFLOW();
      st.year = -(st.year - 1);
    } else if (st.is2digits) {
      if (st.year < 0) throw OVERFLOW();
      if (st.year < 70) st.year += 2000;
      else if (st.year < 100) st.year += 1900;
    } else if (st.year <= 0) throw OVERFLOW();
  }
  if (fmask & M(DOY)) {
    const d = j2date(date2j(st.year, 1, 1) + st.yday - 1);
    st.year = d.year;
    st.mon = d.month;
    st.mday = d.day;
  }
  if (fmask & M(MONTH) && (st.mon < 1 || st.mon > 12)) throw new DtErr('md');
  if (fmask & M(DAY) && (st.mday < 1 || st.mday > 31)) throw new DtErr('md');
  if ((fmask & DTK_DATE_M) === DTK_DATE_M && st.mday > daysInMonth(st.year, st.mon)) throw OVERFLOW();
}

export type DateTimeKind = 'date' | 'epoch' | 'late' | 'early';

export interface DecodedDateTime {
  kind: DateTimeKind;
  year: number;
  mon: number;
  mday: number;
  hour: number;
  min: number;
  sec: number;
  fsec: number;
  /** Explicit zone offset in seconds west, if the input had one (or a named zone resolved). */
  tz?: number;
}

/** The current transaction time from the context, or the wall clock. */
function currentTimestamp(ctx: FormatContext): bigint {
  return ctx.transactionTimestamp ?? BigInt(Date.now()) * 1000n - UNIX_TO_PG_EPOCH_USECS;
}

function applyAmPm(mer: number, st: DecodeState): void {
  if (mer !== 2 && st.hour > 12) throw OVERFLOW();
  if (mer === 0 && st.hour === 12) st.hour = 0;
  else if (mer === 1 && st.hour !== 12) st.hour += 12;
}

/** DecodeDateTime for date, timestamp and timestamptz input. */
export function decodeDateTime(fields: DtField[], ctx: FormatContext): DecodedDateTime {
  const order = dateOrderOf(ctx.dateStyle);
  const st = newState();
  let kind: DateTimeKind = 'date';
  let fmask = 0;
  let tmask = 0;
  let ptype = 0;
  let haveTextMonth = false;
  let bc = false;
  let mer = 2;
  let tz: number | undefined;
  let namedTz: TimeZone | undefined;
  const sessionZone = (): TimeZone => resolveTimeZone(ctx.timeZone);
  const setNow = (withTime: boolean, dayDelta: number): void => {
    const utc = currentTimestamp(ctx);
    const offset = zoneOffsetAt(sessionZone(), utc);
    const tm = timestampToTm(utc + BigInt(offset) * USECS_PER_SEC);
    let { year, month, day } = tm;
    if (dayDelta !== 0) ({ year, month, day } = j2date(date2j(year, month, day) + dayDelta));
    st.year = year;
    st.mon = month;
    st.mday = day;
    if (withTime) {
      st.hour = tm.hour;
      st.min = tm.minute;
      st.sec = tm.second;
      st.fsec = tm.fsec;
      tz = -offset;
    }
  };
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    switch (f.type) {
      case 'date':
        if (ptype !== 0 || (fmask & (M(MONTH) | M(DAY))) === (M(MONTH) | M(DAY))) {
          if (isDigitC(f.text[0]) || ptype !== 0) {
            ptype = 0;
            if ((fmask & DTK_TIME_M) === DTK_TIME_M) throw BAD();
            const cut = f.text.indexOf('-');
            if (cut < 0) throw BAD();
            tz = decodeTimezone(f.text.slice(cut));
            tmask = decodeNumberField(f.text.slice(0, cut), fmask, st)[0] | M(TZ);
          } else {
            namedTz = lookupNamedZone(f.text);
            if (!namedTz) throw new DbError(SqlState.InvalidParameterValue, `time zone "${f.text}" not recognized`);
            tmask = M(TZ);
          }
        } else {
          tmask = decodeDate(f.text, fmask, st, order);
        }
        break;
      case 'time':
        ptype = 0;
        tmask = decodeTime(f.text, st);
        if (timeOverflows(st.hour, st.min, st.sec, st.fsec)) throw OVERFLOW();
        break;
      case 'tz':
        tz = decodeTimezone(f.text);
        tmask = M(TZ);
        break;
      case 'number':
        if (ptype !== 0) {
          const [, end] = strtoint(f.text, 0);
          if (end < f.text.length && f.text[end] !== '.') throw BAD();
          const [m] = decodeNumberField(f.text, fmask | DTK_DATE_M, st);
          if (m !== DTK_TIME_M) throw BAD();
          tmask = m;
          ptype = 0;
        } else {
          const flen = f.text.length;
          const dot = f.text.indexOf('.');
          if (dot >= 0 && !(fmask & DTK_DATE_M)) tmask = decodeDate(f.text, fmask, st, order);
          else if (dot >= 0 && dot > 2) tmask = decodeNumberField(f.text, fmask, st)[0];
          else if (flen >= 6 && (!(fmask & DTK_DATE_M) || !(fmask & DTK_TIME_M))) tmask = decodeNumberField(f.text, fmask, st)[0];
          else tmask = decodeNumber(f.text, haveTextMonth, fmask, st, order);
        }
        break;
      case 'string':
      case 'special': {
        const abbrev = TZ_ABBREVIATIONS.get(f.text.slice(0, 10));
        if (abbrev) {
          tmask = M(TZ) | (abbrev.dst ? M(DTZ) : 0);
          tz = -abbrev.offset;
          break;
        }
        const tok = lookupToken(f.text);
        if (tok?.type === IGNORE_DTF) continue;
        if (!tok) {
          namedTz = lookupNamedZone(f.text);
          if (!namedTz) throw BAD();
          tmask = M(TZ);
          break;
        }
        tmask = M(tok.type);
        switch (tok.type) {
          case RESERV:
            switch (tok.value as Reserved) {
              case 'now':
                tmask = DTK_DATE_M | DTK_TIME_M | M(TZ);
                setNow(true, 0);
                break;
              case 'today':
                tmask = DTK_DATE_M;
                setNow(false, 0);
                break;
              case 'tomorrow':
                tmask = DTK_DATE_M;
                setNow(false, 1);
                break;
              case 'yesterday':
                tmask = DTK_DATE_M;
                setNow(false, -1);
                break;
              case 'zulu':
                tmask = DTK_TIME_M | M(TZ);
                st.hour = 0;
                st.min = 0;
                st.sec = 0;
                tz = 0;
                break;
              default:
                kind = tok.value as DateTimeKind;
            }
            break;
          case MONTH:
            if (fmask & M(MONTH) && !haveTextMonth && !(fmask & M(DAY)) && st.mon >= 1 && st.mon <= 31) {
              st.mday = st.mon;
              tmask = M(DAY);
            }
            haveTextMonth = true;
            st.mon = tok.value as number;
            break;
          case AMPM:
            mer = tok.value as number;
            break;
          case ADBC:
            bc = tok.value === 1;
            break;
          case DOW:
            break;
          case ISOTIME:
            tmask = 0;
            if ((fmask & DTK_DATE_M) !== DTK_DATE_M) throw BAD();
            {
              const next = fields[i + 1];
              if (!next || (next.type !== 'number' && next.type !== 'time' && next.type !== 'date')) throw BAD();
            }
            ptype = 1;
            break;
          default:
            throw BAD();
        }
        break;
      }
    }
    if (tmask & fmask) throw BAD();
    fmask |= tmask;
  }
  validateDate(fmask, bc, st);
  applyAmPm(mer, st);
  if (kind === 'date') {
    if ((fmask & DTK_DATE_M) !== DTK_DATE_M) throw BAD();
    if (namedTz) {
      if (fmask & M(28)) throw BAD();
      tz = -offsetForLocalFields(namedTz, st);
    }
  }
  return { kind, year: st.year, mon: st.mon, mday: st.mday, hour: st.hour, min: st.min, sec: st.sec, fsec: st.fsec, tz };
}

/** Whether a named zone has a single offset forever (pg_get_timezone_offset succeeds). */
function isFixedZone(zone: TimeZone): boolean {
  return /^(etc\/|utc$|gmt$|uct$|universal$|zulu$|greenwich$)/i.test(zone.name);
}

function offsetForLocalFields(zone: TimeZone, st: DecodeState): number {
  if (!isValidJulian(st.year, st.mon)) return 0;
  const days = date2j(st.year, st.mon, st.mday) - 2440588;
  return offsetForLocal(zone, days * 86400 + (st.hour * 60 + st.min) * 60 + st.sec);
}

/** DecodeTimeOnly for time input: the date part, if any, is validated and ignored. */
export function decodeTimeOnly(fields: DtField[], ctx: FormatContext): DecodeState & { tz?: number } {
  let namedTz: TimeZone | undefined;
  let tz: number | undefined; // seconds west, when the input gives a zone (timetz_in)
  const order = dateOrderOf(ctx.dateStyle);
  const st = newState();
  let fmask = 0;
  let tmask = 0;
  let ptype = 0;
  let bc = false;
  let mer = 2;
  const nf = fields.length;
  for (let i = 0; i < nf; i++) {
    const f = fields[i]!;
    switch (f.type) {
      case 'date':
        if (i === 0 && nf >= 2 && (fields[nf - 1]!.type === 'date' || fields[1]!.type === 'time')) {
          tmask = decodeDate(f.text, fmask, st, order);
        } else if (isDigitC(f.text[0])) {
          if ((fmask & DTK_TIME_M) === DTK_TIME_M) throw BAD();
          const cut = f.text.indexOf('-');
          if (cut < 0) throw BAD();
          tz = decodeTimezone(f.text.slice(cut));
          tmask = decodeNumberField(f.text.slice(0, cut), fmask | DTK_DATE_M, st)[0] | M(TZ);
        } else {
          namedTz = lookupNamedZone(f.text);
          if (!namedTz) throw new DbError(SqlState.InvalidParameterValue, `time zone "${f.text}" not recognized`);
          tmask = M(TZ);
        }
        break;
      case 'time':
        tmask = decodeTime(f.text, st);
        break;
      case 'tz':
        tz = decodeTimezone(f.text);
        tmask = M(TZ);
        break;
      case 'number': {
        if (ptype !== 0) {
          const [m] = decodeNumberField(f.text, fmask | DTK_DATE_M, st);
          if (m !== DTK_TIME_M) throw BAD();
          tmask = m;
          ptype = 0;
          break;
        }
        const flen = f.text.length;
        const dot = f.text.indexOf('.');
        if (dot >= 0) {
          if (i === 0 && nf >= 2 && fields[nf - 1]!.type === 'date') tmask = decodeDate(f.text, fmask, st, order);
          else if (dot > 2) tmask = decodeNumberField(f.text, fmask | DTK_DATE_M, st)[0];
          else throw BAD();
        } else if (flen > 4) tmask = decodeNumberField(f.text, fmask | DTK_DATE_M, st)[0];
        else tmask = decodeNumber(f.text, false, fmask | DTK_DATE_M, st, order);
        break;
      }
      case 'string':
      case 'special': {
        const abbrev = TZ_ABBREVIATIONS.get(f.text.slice(0, 10));
        if (abbrev) {
          tmask = M(TZ) | (abbrev.dst ? M(DTZ) : 0);
          tz = -abbrev.offset;
          break;
        }
        const tok = lookupToken(f.text);
        if (tok?.type === IGNORE_DTF) continue;
        if (!tok) {
          namedTz = lookupNamedZone(f.text);
          if (!namedTz) throw BAD();
          tmask = M(TZ);
          break;
        }
        tmask = M(tok.type);
        switch (tok.type) {
          case RESERV:
            if (tok.value === 'now') {
              const utc = currentTimestamp(ctx);
              const east = zoneOffsetAt(resolveTimeZone(ctx.timeZone), utc);
              const tm = timestampToTm(utc + BigInt(east) * USECS_PER_SEC);
              tz = -east;
              st.hour = tm.hour;
              st.min = tm.minute;
              st.sec = tm.second;
              st.fsec = tm.fsec;
              tmask = DTK_TIME_M | M(TZ);
            } else if (tok.value === 'zulu') {
              tmask = DTK_TIME_M | M(TZ);
              tz = 0;
              st.hour = 0;
              st.min = 0;
              st.sec = 0;
              st.fsec = 0;
            } else throw BAD();
            break;
          case AMPM:
            mer = tok.value as number;
            break;
          case ADBC:
            bc = tok.value === 1;
            break;
          case ISOTIME:
            tmask = 0;
            if (ptype !== 0) throw BAD();
            ptype = 1;
            break;
          default:
            throw BAD();
        }
        break;
      }
    }
    if (tmask & fmask) throw BAD();
    fmask |= tmask;
  }
  validateDate(fmask, bc, st);
  applyAmPm(mer, st);
  if (timeOverflows(st.hour, st.min, st.sec, st.fsec)) throw OVERFLOW();
  if ((fmask & DTK_TIME_M) !== DTK_TIME_M) throw BAD();
  // a zone with DST rules needs a date to resolve its offset
  if (namedTz && !isFixedZone(namedTz) && (fmask & DTK_DATE_M) !== DTK_DATE_M) throw BAD();
  if (namedTz) tz = isFixedZone(namedTz) ? -namedTz.offsetAt(0) : -offsetForLocalFields(namedTz, st);
  return tz === undefined ? st : { ...st, tz };
}

function decodeOrThrow<T>(str: string, typeName: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DtErr) throw dateTimeParseError(e, str, typeName);
    throw e;
  }
}

/** date_in: returns days since 2000-01-01, or ±Infinity. */
export function parseDate(str: string, ctx: FormatContext): number {
  const d = decodeOrThrow(str, 'date', () => decodeDateTime(parseDateTimeFields(str), ctx));
  switch (d.kind) {
    case 'epoch':
      return UNIX_EPOCH_DAYS;
    case 'late':
      return Infinity;
    case 'early':
      return -Infinity;
    case 'date':
      break;
  }
  const outOfRange = (): DbError => new DbError(SqlState.DatetimeFieldOverflow, `date out of range: "${str}"`);
  if (!isValidJulian(d.year, d.mon)) throw outOfRange();
  const days = date2j(d.year, d.mon, d.mday) - POSTGRES_EPOCH_JDATE;
  if (!isValidDate(days)) throw outOfRange();
  return days;
}

const UNIX_EPOCH_DAYS = 2440588 - POSTGRES_EPOCH_JDATE;

/** time_in: microseconds since midnight (before typmod rounding). */
export function parseTime(str: string, ctx: FormatContext): bigint {
  const st = decodeOrThrow(str, 'time', () => decodeTimeOnly(parseDateTimeFields(str), ctx));
  return BigInt(((st.hour * 60 + st.min) * 60 + st.sec) * 1e6 + st.fsec);
}

/**
 * timetz_in: microseconds since midnight and the zone in seconds west (before typmod rounding).
 * Without a zone in the input, the session TimeZone's offset on the given date, else today's.
 */
export function parseTimeTz(str: string, ctx: FormatContext): { micros: bigint; zone: number } {
  const st = decodeOrThrow(str, 'time with time zone', () => decodeTimeOnly(parseDateTimeFields(str), ctx));
  const micros = BigInt(((st.hour * 60 + st.min) * 60 + st.sec) * 1e6 + st.fsec);
  if (st.tz !== undefined) return { micros, zone: st.tz };
  const session = resolveTimeZone(ctx.timeZone);
  let date = { year: st.year, mon: st.mon, mday: st.mday };
  if (st.mon === 0) {
    const utc = currentTimestamp(ctx);
    const today = timestampToTm(utc + BigInt(zoneOffsetAt(session, utc)) * USECS_PER_SEC);
    date = { year: today.year, mon: today.month, mday: today.day };
  }
  return { micros, zone: -offsetForLocalFields(session, { ...st, ...date }) };
}

/**
 * timestamp_in / timestamptz_in: microseconds since 2000-01-01 (UTC for timestamptz, where a
 * missing zone means the session TimeZone). Before typmod rounding.
 */
export function parseTimestamp(str: string, withTimeZone: boolean, ctx: FormatContext): bigint {
  const typeName = withTimeZone ? 'timestamp with time zone' : 'timestamp';
  const d = decodeOrThrow(str, typeName, () => decodeDateTime(parseDateTimeFields(str), ctx));
  switch (d.kind) {
    case 'epoch':
      return -UNIX_TO_PG_EPOCH_USECS;
    case 'late':
      return DT_NOEND;
    case 'early':
      return DT_NOBEGIN;
    case 'date':
      break;
  }
  const outOfRange = (): DbError => new DbError(SqlState.DatetimeFieldOverflow, `timestamp out of range: "${str}"`);
  if (!isValidJulian(d.year, d.mon)) throw outOfRange();
  let ts = tmToTimestamp({ year: d.year, month: d.mon, day: d.mday, hour: d.hour, minute: d.min, second: d.sec, fsec: d.fsec });
  if (withTimeZone) {
    const west = d.tz ?? -offsetForLocalFields(resolveTimeZone(ctx.timeZone), {
      year: d.year, mon: d.mon, mday: d.mday, hour: d.hour, min: d.min, sec: d.sec, fsec: d.fsec, yday: 0, is2digits: false,
    });
    ts += BigInt(west) * USECS_PER_SEC;
  }
  if (!isValidTimestamp(ts)) throw outOfRange();
  return ts;
}
