/**
 * Data type formatting (PostgreSQL 15 §9.8): to_char for timestamp, timestamptz, interval and
 * numbers, and the parsers to_date / to_timestamp(text, text). Template patterns follow
 * formatting.c's keyword table (longest match, case variants for names), FM / TH modifiers,
 * quoted literal text and backslash escapes.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { DT_NOBEGIN, DT_NOEND, Interval, Numeric, Oid, USECS_PER_DAY, date2j, j2date, resolveTimeZone, timestampToTm, tmToTimestamp, type Tm } from '../types/index.ts';
import { fn } from './function-defs.ts';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const ROMAN = ['i', 'ii', 'iii', 'iv', 'v', 'vi', 'vii', 'viii', 'ix', 'x', 'xi', 'xii'];

/** Keywords, longest first where one is a prefix of another (formatting.c's DCH_keywords order). */
const KEYWORDS = [
  'A.D.', 'A.M.', 'AD', 'AM', 'B.C.', 'BC', 'CC', 'DAY', 'DDD', 'DD', 'DY', 'Day', 'Dy', 'D', 'FF1', 'FF2', 'FF3', 'FF4', 'FF5', 'FF6', 'FX',
  'HH24', 'HH12', 'HH', 'IDDD', 'ID', 'IW', 'IYYY', 'IYY', 'IY', 'I', 'J', 'MI', 'MM', 'MONTH', 'MON', 'MS', 'Month', 'Mon', 'OF', 'P.M.',
  'PM', 'Q', 'RM', 'SSSSS', 'SSSS', 'SS', 'TZH', 'TZM', 'TZ', 'US', 'WW', 'W', 'Y,YYY', 'YYYY', 'YYY', 'YY', 'Y', 'a.d.', 'a.m.', 'ad', 'am',
  'b.c.', 'bc', 'cc', 'day', 'ddd', 'dd', 'dy', 'd', 'ff1', 'ff2', 'ff3', 'ff4', 'ff5', 'ff6', 'fx', 'hh24', 'hh12', 'hh', 'iddd', 'id', 'iw',
  'iyyy', 'iyy', 'iy', 'i', 'j', 'mi', 'mm', 'month', 'mon', 'ms', 'of', 'p.m.', 'pm', 'q', 'rm', 'sssss', 'ssss', 'ss', 'tzh', 'tzm', 'tz',
  'us', 'ww', 'w', 'y,yyy', 'yyyy', 'yyy', 'yy', 'y',
];

type FormatNode =
  | { readonly kind: 'key'; readonly key: string; readonly fm: boolean; readonly th: '' | 'TH' | 'th' }
  | { readonly kind: 'text'; readonly text: string; readonly separator: boolean };

const formatCache = new Map<string, FormatNode[]>();

function parseFormat(fmt: string): FormatNode[] {
  const hit = formatCache.get(fmt);
  if (hit) return hit;
  const nodes: FormatNode[] = [];
  let i = 0;
  while (i < fmt.length) {
    let fm = false;
    let j = i;
    for (;;) {
      if (fmt.startsWith('FM', j) || fmt.startsWith('fm', j)) {
        fm = true;
        j += 2;
      } else if (fmt.startsWith('TM', j) || fmt.startsWith('tm', j)) j += 2;
      else break;
    }
    const key = KEYWORDS.find((k) => fmt.startsWith(k, j));
    if (key) {
      j += key.length;
      let th: '' | 'TH' | 'th' = '';
      if (fmt.startsWith('TH', j)) th = 'TH';
      else if (fmt.startsWith('th', j)) th = 'th';
      if (th) j += 2;
      nodes.push({ kind: 'key', key, fm, th });
      i = j;
      continue;
    }
    const c = fmt[i]!;
    if (c === '"') {
      let text = '';
      i++;
      while (i < fmt.length && fmt[i] !== '"') {
        if (fmt[i] === '\\' && i + 1 < fmt.length) i++;
        text += fmt[i++];
      }
      i++;
      nodes.push({ kind: 'text', text, separator: false });
      continue;
    }
    if (c === '\\' && i + 1 < fmt.length) {
      nodes.push({ kind: 'text', text: fmt[i + 1]!, separator: false });
      i += 2;
      continue;
    }
    nodes.push({ kind: 'text', text: c, separator: !/[A-Za-z0-9]/.test(c) });
    i++;
  }
  if (formatCache.size > 500) formatCache.clear();
  formatCache.set(fmt, nodes);
  return nodes;
}

function ordinal(n: number, upper: boolean): string {
  const a = Math.abs(n) % 100;
  const s = a >= 11 && a <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][a % 10] ?? 'th';
  return upper ? s.toUpperCase() : s;
}

/** The fields to_char prints: a Tm plus the zone, and whether it came from an interval. */
interface CharFields extends Tm {
  readonly tzName: string | null;
  readonly offset: number | null;
  readonly interval: boolean;
}

function isoWeekInfo(y: number, m: number, d: number): { isoYear: number; week: number; isoDay: number } {
  const jd = date2j(y, m, d);
  const start = (year: number): number => {
    const jan4 = date2j(year, 1, 4);
    const dow = (jan4 + 1) % 7; // 0 = Sunday
    return jan4 - ((dow + 6) % 7);
  };
  let isoYear = y;
  let s = start(isoYear);
  if (jd < s) s = start(--isoYear);
  else if (jd >= start(y + 1)) s = start(++isoYear);
  return { isoYear, week: Math.floor((jd - s) / 7) + 1, isoDay: jd - s + 1 };
}

function toCharFields(f: CharFields, nodes: readonly FormatNode[]): string {
  let out = '';
  const year = f.interval ? f.year : f.year > 0 ? f.year : -(f.year - 1);
  const num = (v: number, width: number, fm: boolean): string => {
    const neg = v < 0;
    const s = String(Math.abs(v));
    return (neg ? '-' : '') + (fm ? s : s.padStart(width, '0'));
  };
  const name = (full: string, key: string, fm: boolean, abbrev: boolean): string => {
    const base = abbrev ? full.slice(0, 3) : full;
    const cased = key === key.toUpperCase() ? base.toUpperCase() : key === key.toLowerCase() ? base.toLowerCase() : base;
    return abbrev || fm ? cased : cased.padEnd(9, ' ');
  };
  const doy = f.interval ? 0 : date2j(f.year, f.month, f.day) - date2j(f.year, 1, 1) + 1;
  const dow = f.interval ? 0 : (((date2j(f.year, f.month, f.day) + 1) % 7) + 7) % 7;
  for (const n of nodes) {
    if (n.kind === 'text') {
      out += n.text;
      continue;
    }
    const { key, fm } = n;
    const upper = key.toUpperCase();
    let s: string;
    let value: number | null = null;
    switch (upper) {
      case 'YYYY': value = year; s = num(year, 4, fm); break;
      case 'Y,YYY': value = year; s = `${Math.floor(year / 1000)},${num(year % 1000, 3, false)}`; break;
      case 'YYY': value = year % 1000; s = num(year % 1000, 3, fm); break;
      case 'YY': value = year % 100; s = num(year % 100, 2, fm); break;
      case 'Y': value = year % 10; s = num(year % 10, 1, fm); break;
      case 'IYYY': case 'IYY': case 'IY': case 'I': {
        const iy = isoWeekInfo(f.year, f.month, f.day).isoYear;
        const w = upper.length;
        value = w === 4 ? iy : iy % 10 ** w;
        s = num(value, w, fm);
        break;
      }
      case 'MM': value = f.month; s = num(f.month, 2, fm); break;
      case 'DD': value = f.day; s = num(f.day, 2, fm); break;
      case 'DDD': value = doy; s = num(doy, 3, fm); break;
      case 'IDDD': value = isoWeekInfo(f.year, f.month, f.day).isoDay; s = num(value, 3, fm); break;
      case 'D': value = dow + 1; s = String(value); break;
      case 'ID': value = dow || 7; s = String(value); break;
      case 'HH': case 'HH12': {
        const h = f.hour % 12 === 0 ? 12 : f.hour % 12;
        value = h;
        s = num(h, 2, fm);
        break;
      }
      case 'HH24': value = f.hour; s = num(f.hour, 2, fm); break;
      case 'MI': value = f.minute; s = num(f.minute, 2, fm); break;
      case 'SS': value = f.second; s = num(f.second, 2, fm); break;
      case 'MS': value = Math.floor(f.fsec / 1000); s = num(value, 3, fm); break;
      case 'US': value = f.fsec; s = num(f.fsec, 6, fm); break;
      case 'FF1': case 'FF2': case 'FF3': case 'FF4': case 'FF5': case 'FF6': {
        const w = Number(upper[2]);
        value = Math.floor(f.fsec / 10 ** (6 - w));
        s = num(value, w, fm);
        break;
      }
      case 'SSSS': case 'SSSSS': value = f.hour * 3600 + f.minute * 60 + f.second; s = String(value); break;
      case 'AM': case 'PM': s = f.hour >= 12 ? 'PM' : 'AM'; if (key !== upper) s = s.toLowerCase(); break;
      case 'A.M.': case 'P.M.': s = f.hour >= 12 ? 'P.M.' : 'A.M.'; if (key !== upper) s = s.toLowerCase(); break;
      case 'AD': case 'BC': s = f.year > 0 ? 'AD' : 'BC'; if (key !== upper) s = s.toLowerCase(); break;
      case 'A.D.': case 'B.C.': s = f.year > 0 ? 'A.D.' : 'B.C.'; if (key !== upper) s = s.toLowerCase(); break;
      case 'MONTH': s = name(MONTHS[f.month - 1]!, key, fm, false); break;
      case 'MON': s = name(MONTHS[f.month - 1]!, key, fm, true); break;
      case 'DAY': s = name(DAYS[dow]!, key, fm, false); break;
      case 'DY': s = name(DAYS[dow]!, key, fm, true); break;
      case 'RM': {
        const r = ROMAN[f.month - 1]!;
        s = key === 'RM' ? r.toUpperCase() : r;
        if (!fm) s = s.padEnd(4, ' ');
        break;
      }
      case 'W': value = Math.floor((f.day - 1) / 7) + 1; s = String(value); break;
      case 'WW': value = Math.floor((doy - 1) / 7) + 1; s = num(value, 2, fm); break;
      case 'IW': value = isoWeekInfo(f.year, f.month, f.day).week; s = num(value, 2, fm); break;
      case 'Q': value = Math.floor((f.month - 1) / 3) + 1; s = String(value); break;
      case 'CC': {
        const cc = f.interval ? Math.trunc(f.year / 100) : f.year > 0 ? Math.floor((f.year + 99) / 100) : -Math.floor((99 - (f.year - 1)) / 100);
        value = cc;
        s = num(cc, 2, fm);
        break;
      }
      case 'J': value = date2j(f.year, f.month, f.day); s = String(value); break;
      case 'TZ': s = f.tzName === null ? '' : key === 'tz' ? f.tzName.toLowerCase() : f.tzName; break;
      case 'OF': case 'TZH': case 'TZM': {
        if (f.offset === null) {
          s = '';
          break;
        }
        const o = f.offset;
        const sign = o < 0 ? '-' : '+';
        const hh = String(Math.floor(Math.abs(o) / 3600)).padStart(2, '0');
        const mm = String(Math.floor((Math.abs(o) % 3600) / 60)).padStart(2, '0');
        s = upper === 'TZH' ? sign + hh : upper === 'TZM' ? mm : sign + hh + (mm !== '00' ? ':' + mm : '');
        break;
      }
      case 'FX': s = ''; break;
      default:
        s = '';
    }
    if (n.th && value !== null) s += ordinal(value, n.th === 'TH');
    out += s;
  }
  return out;
}

const ABBREV_LOCALES = ['en-US', 'en-GB', 'en-IN', 'en-AU', 'ja-JP'];

function zoneAbbrev(zoneName: string, offset: number, unixSeconds: number): string {
  if (/^(UTC|GMT|Etc\/UTC|Z|UCT)$/i.test(zoneName)) return zoneName.toUpperCase() === 'ETC/UTC' ? 'UTC' : zoneName.toUpperCase();
  // tzdata's abbreviation as some English locale names it (CET under en-GB, EST under en-US...);
  // zones without one print their offset, as tzdata's "-03" style does.
  for (const locale of ABBREV_LOCALES) {
    try {
      const parts = new Intl.DateTimeFormat(locale, { timeZone: zoneName, timeZoneName: 'short' }).formatToParts(new Date(unixSeconds * 1000));
      const name = parts.find((p) => p.type === 'timeZoneName')?.value;
      if (name && !/^GMT[+-]/.test(name) && (name !== 'GMT' || offset === 0)) return name;
    } catch {
      break;
    }
  }
  const sign = offset < 0 ? '-' : '+';
  const h = String(Math.floor(Math.abs(offset) / 3600)).padStart(2, '0');
  const m = Math.floor((Math.abs(offset) % 3600) / 60);
  return sign + h + (m ? String(m).padStart(2, '0') : '');
}

fn('to_char', [Oid.timestamp, Oid.text], Oid.text, ([t, f]) => {
  const v = t as bigint;
  if (v === DT_NOEND || v === DT_NOBEGIN) return null;
  return toCharFields({ ...timestampToTm(v), tzName: null, offset: null, interval: false }, parseFormat(f as string));
}, { volatility: 'stable' });
fn('to_char', [Oid.timestamptz, Oid.text], Oid.text, ([t, f], ctx) => {
  const v = t as bigint;
  if (v === DT_NOEND || v === DT_NOBEGIN) return null;
  const zone = resolveTimeZone(ctx.format.timeZone);
  const secs = Number((v - (((v % 1000000n) + 1000000n) % 1000000n)) / 1000000n) + 946684800;
  const offset = zone.offsetAt(secs);
  const tm = timestampToTm(v + BigInt(offset) * 1000000n);
  return toCharFields({ ...tm, tzName: zoneAbbrev(zone.name, offset, secs), offset, interval: false }, parseFormat(f as string));
}, { volatility: 'stable' });
fn('to_char', [Oid.interval, Oid.text], Oid.text, ([v, f]) => {
  const iv = v as Interval;
  const hours = iv.micros / 3600000000n;
  const rest = iv.micros - hours * 3600000000n;
  const minutes = rest / 60000000n;
  const secUs = rest - minutes * 60000000n;
  const tm: Tm = {
    year: Math.trunc(iv.months / 12), month: iv.months % 12, day: iv.days, hour: Number(hours), minute: Number(minutes),
    second: Number(secUs / 1000000n), fsec: Number(secUs % 1000000n),
  };
  return toCharFields({ ...tm, tzName: null, offset: null, interval: true }, parseFormat(f as string));
}, { volatility: 'stable' });

// ---- to_char for numbers ----

/** A simplified NUM_processor: digits 9 and 0, decimal point (. D), group separators (, G), FM, S, MI, PR, PL, SG. */
function numberToChar(value: Numeric, fmt: string): string {
  let fm = false;
  let intDigits = 0;
  let fracDigits = 0;
  let zeroFrom = -1; // index (in integer positions, from the left) of the first 0
  let seenPoint = false;
  let signMode: 'default' | 'S' | 'MI' | 'PR' | 'PL' | 'SG' = 'default';
  let signLeading = true;
  const parts: ({ kind: 'digit'; zero: boolean } | { kind: 'sep' } | { kind: 'point' } | { kind: 'text'; text: string })[] = [];
  let fracZero = -1;
  for (let i = 0; i < fmt.length; i++) {
    const rest = fmt.slice(i);
    const c = fmt[i]!;
    if (/^FM/i.test(rest)) { fm = true; i++; continue; }
    if (/^PR/i.test(rest)) { signMode = 'PR'; i++; continue; }
    if (/^PL/i.test(rest)) { signMode = 'PL'; signLeading = parts.length === 0; i++; continue; }
    if (/^SG/i.test(rest)) { signMode = 'SG'; signLeading = parts.length === 0; i++; continue; }
    if (/^MI/i.test(rest)) { signMode = 'MI'; signLeading = parts.length === 0; i++; continue; }
    if (c === 'S' || c === 's') { signMode = 'S'; signLeading = parts.length === 0; continue; }
    if (c === '9' || c === '0') {
      if (seenPoint) {
        fracDigits++;
        if (c === '0') fracZero = fracDigits;
      } else {
        if (c === '0' && zeroFrom < 0) zeroFrom = intDigits;
        intDigits++;
      }
      parts.push({ kind: 'digit', zero: c === '0' });
      continue;
    }
    if (c === '.' || c === 'D' || c === 'd') { seenPoint = true; parts.push({ kind: 'point' }); continue; }
    if (c === ',' || c === 'G' || c === 'g') { parts.push({ kind: 'sep' }); continue; }
    if (c === '"') {
      let text = '';
      i++;
      while (i < fmt.length && fmt[i] !== '"') text += fmt[i++];
      parts.push({ kind: 'text', text });
      continue;
    }
    parts.push({ kind: 'text', text: c });
  }
  const neg = value.sign() < 0;
  const rounded = value.abs().round(fracDigits);
  const str = rounded.toString();
  const [ip, fp = ''] = str.split('.');
  const intStr = ip === '0' && (zeroFrom < 0 || zeroFrom >= intDigits) && fracDigits > 0 ? '' : ip!;
  if (intStr.length > intDigits) {
    // Overflow: every digit position becomes '#'.
    let o = signMode === 'default' ? ' ' : '';
    for (const p of parts) o += p.kind === 'digit' ? '#' : p.kind === 'point' ? '.' : p.kind === 'sep' ? ',' : p.kind === 'text' ? p.text : '';
    return o;
  }
  const padded = intStr.padStart(intDigits, ' ');
  let out = '';
  let di = 0;
  let fi = 0;
  let started = false;
  let firstDigitAt = -1;
  for (const p of parts) {
    if (p.kind === 'digit') {
      if (di < intDigits) {
        let ch = padded[di]!;
        if (ch === ' ' && zeroFrom >= 0 && di >= zeroFrom) ch = '0';
        if (ch !== ' ') {
          if (!started) firstDigitAt = out.length;
          started = true;
        }
        out += ch === ' ' ? (fm ? '' : ' ') : ch;
        di++;
      } else {
        const d = fp[fi] ?? '0';
        fi++;
        out += d;
      }
    } else if (p.kind === 'point') {
      if (!started) firstDigitAt = out.length;
      started = true;
      out += '.';
    } else if (p.kind === 'sep') out += started ? ',' : fm ? '' : ' ';
    else out += p.text;
  }
  if (fm && fracDigits > 0) {
    // FM drops trailing zeros of 9-positions in the fraction (0-positions stay).
    const keep = Math.max(fracZero, 0);
    const m = /\.(\d*)$/.exec(out);
    if (m) {
      let frac = m[1]!;
      while (frac.length > keep && frac.endsWith('0')) frac = frac.slice(0, -1);
      out = out.slice(0, m.index) + '.' + frac;
    }
  }
  if (fm && fracDigits === 0 && out.endsWith('.')) out = out.slice(0, -1);
  if (firstDigitAt < 0) firstDigitAt = out.length;
  // The sign floats to just before the first printed digit.
  const at = (mark: string): string => out.slice(0, firstDigitAt) + mark + out.slice(firstDigitAt);
  switch (signMode) {
    case 'default': return at(neg ? '-' : fm ? '' : ' ');
    case 'S': return signLeading ? at(neg ? '-' : '+') : out + (neg ? '-' : '+');
    case 'MI': return signLeading ? (neg ? '-' : ' ') + out : out + (neg ? '-' : fm ? '' : ' ');
    case 'PL': return signLeading ? (neg ? ' ' : '+') + out : out + (neg ? '' : '+');
    case 'SG': return signLeading ? (neg ? '-' : '+') + out : out + (neg ? '-' : '+');
    case 'PR': return neg ? at('<') + '>' : fm ? out : at(' ') + ' ';
  }
}
for (const t of [Oid.int4, Oid.int8, Oid.numeric, Oid.float8, Oid.float4]) {
  fn('to_char', [t, Oid.text], Oid.text, ([v, f]) => {
    const n = t === Oid.numeric ? (v as Numeric) : t === Oid.int8 ? Numeric.fromBigInt(v as bigint) : t === Oid.int4 ? Numeric.fromBigInt(BigInt(v as number)) : Numeric.fromNumber(v as number);
    return numberToChar(n, f as string);
  }, { volatility: 'stable' });
}

// ---- to_date / to_timestamp(text, text) ----

interface Parsed {
  year: number | null;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  fsec: number;
  pm: boolean | null;
  bc: boolean;
  doy: number | null;
  julian: number | null;
  tzOffset: number | null;
  hour12: boolean;
}

const invalidValue = (text: string, key: string): DbError =>
  new DbError(SqlState.InvalidDatetimeFormat, `invalid value "${text}" for "${key}"`, { detail: 'Value must be an integer.' });

function parseWithFormat(input: string, fmt: string): Parsed {
  const nodes = parseFormat(fmt);
  const r: Parsed = { year: null, month: 1, day: 1, hour: 0, minute: 0, second: 0, fsec: 0, pm: null, bc: false, doy: null, julian: null, tzOffset: null, hour12: false };
  let p = 0;
  const skipSpaces = (): void => {
    while (p < input.length && input[p] === ' ') p++;
  };
  for (let k = 0; k < nodes.length; k++) {
    const n = nodes[k]!;
    if (n.kind === 'text') {
      if (n.separator || n.text === ' ') {
        // A separator in the template matches any single non-alphanumeric character (or none).
        if (p < input.length && !/[A-Za-z0-9]/.test(input[p]!)) p++;
      } else if (input[p] === n.text) p++;
      else p += n.text.length;
      continue;
    }
    skipSpaces();
    const upper = n.key.toUpperCase();
    const next = nodes[k + 1];
    const bounded = next !== undefined && next.kind === 'key';
    const readInt = (width: number): number => {
      const start = p;
      let neg = false;
      if (input[p] === '-' && (upper === 'YYYY' || upper === 'Y,YYY' || upper === 'J')) {
        neg = true;
        p++;
      }
      const digitsStart = p;
      while (p < input.length && /[0-9]/.test(input[p]!) && (!bounded || p - digitsStart < width)) p++;
      const text = input.slice(digitsStart, p);
      if (text === '') {
        const shown = input.slice(start).split(/[^A-Za-z0-9]/)[0] || input.slice(start);
        throw invalidValue(shown, n.key);
      }
      return neg ? -Number(text) : Number(text);
    };
    const readName = (names: readonly string[], abbrev: boolean): number => {
      const rest = input.slice(p).toLowerCase();
      for (let i = 0; i < names.length; i++) {
        const nm = (abbrev ? names[i]!.slice(0, 3) : names[i]!).toLowerCase();
        if (rest.startsWith(nm)) {
          p += nm.length;
          return i;
        }
      }
      const shown = input.slice(p).split(/[^A-Za-z]/)[0] ?? '';
      throw new DbError(SqlState.InvalidDatetimeFormat, `invalid value "${shown}" for "${n.key}"`, {
        detail: 'The given value did not match any of the allowed values for this field.',
      });
    };
    switch (upper) {
      case 'YYYY': case 'IYYY': r.year = readInt(4); break;
      case 'Y,YYY': {
        const a = readInt(1);
        if (input[p] === ',') p++;
        r.year = a * 1000 + readInt(3);
        break;
      }
      case 'YYY': case 'IYY': { const y = readInt(3); r.year = y < 70 ? 2000 + y : y < 100 ? 1900 + y : y + (y < 520 ? 2000 : 1000); break; }
      case 'YY': case 'IY': { const y = readInt(2); r.year = y < 70 ? 2000 + y : 1900 + y; break; }
      case 'Y': case 'I': r.year = 2000 + readInt(1); break;
      case 'MM': r.month = readInt(2); break;
      case 'DD': r.day = readInt(2); break;
      case 'DDD': case 'IDDD': r.doy = readInt(3); break;
      case 'HH': case 'HH12': r.hour = readInt(2); r.hour12 = true; break;
      case 'HH24': r.hour = readInt(2); break;
      case 'MI': r.minute = readInt(2); break;
      case 'SS': r.second = readInt(2); break;
      case 'MS': {
        const start = p;
        const v = readInt(3);
        r.fsec = Math.round(v * 10 ** (3 - (p - start))) * 1000;
        break;
      }
      case 'US': {
        const start = p;
        const v = readInt(6);
        r.fsec = Math.round(v * 10 ** (6 - (p - start)));
        break;
      }
      case 'FF1': case 'FF2': case 'FF3': case 'FF4': case 'FF5': case 'FF6': {
        const start = p;
        const v = readInt(Number(upper[2]));
        r.fsec = Math.round(v * 10 ** (6 - (p - start)));
        break;
      }
      case 'SSSS': case 'SSSSS': {
        const s = readInt(5);
        r.hour = Math.floor(s / 3600);
        r.minute = Math.floor((s % 3600) / 60);
        r.second = s % 60;
        break;
      }
      case 'AM': case 'PM': case 'A.M.': case 'P.M.': {
        const rest = input.slice(p).toUpperCase();
        const m = /^(A\.M\.|P\.M\.|AM|PM)/.exec(rest);
        if (!m) throw invalidValue(input.slice(p, p + 2), n.key);
        r.pm = m[1]!.startsWith('P');
        p += m[1]!.length;
        break;
      }
      case 'AD': case 'BC': case 'A.D.': case 'B.C.': {
        const rest = input.slice(p).toUpperCase();
        const m = /^(A\.D\.|B\.C\.|AD|BC)/.exec(rest);
        if (!m) throw invalidValue(input.slice(p, p + 2), n.key);
        r.bc = m[1]!.startsWith('B');
        p += m[1]!.length;
        break;
      }
      case 'MONTH': r.month = readName(MONTHS, false) + 1; break;
      case 'MON': r.month = readName(MONTHS, true) + 1; break;
      case 'DAY': readName(DAYS, false); break;
      case 'DY': readName(DAYS, true); break;
      case 'J': r.julian = readInt(7); break;
      case 'TZH': {
        const sign = input[p] === '-' ? -1 : 1;
        if (input[p] === '-' || input[p] === '+') p++;
        r.tzOffset = sign * readInt(2) * 3600 + (r.tzOffset !== null ? r.tzOffset % 3600 : 0);
        break;
      }
      case 'TZM': {
        const m = readInt(2);
        r.tzOffset = (r.tzOffset ?? 0) + Math.sign(r.tzOffset ?? 1) * m * 60;
        break;
      }
      case 'D': case 'ID': case 'W': case 'WW': case 'IW': case 'Q': case 'CC': readInt(2); break;
      case 'FX': break;
      default:
        throw new DbError(SqlState.FeatureNotSupported, `formatting field "${n.key}" is only supported in to_char`);
    }
  }
  return r;
}

function fieldsToTimestamp(r: Parsed, input: string): bigint {
  let hour = r.hour;
  if (r.hour12 || r.pm !== null) {
    if (hour < 1 || hour > 12) {
      throw new DbError(SqlState.InvalidDatetimeFormat, `hour "${hour}" is invalid for the 12-hour clock`, { hint: 'Use the 24-hour clock, or give an hour between 1 and 12.' });
    }
    if (r.pm && hour < 12) hour += 12;
    else if (r.pm === false && hour === 12) hour = 0;
  }
  // No year in the input: year 0, i.e. 1 BC, as PostgreSQL leaves tm_year.
  let year = r.year ?? 0;
  if (r.bc) year = -(year - 1);
  let month = r.month;
  let day = r.day;
  if (r.julian !== null) {
    const ymd = j2date(r.julian);
    year = ymd.year;
    month = ymd.month;
    day = ymd.day;
  } else if (r.doy !== null) {
    const ymd = j2date(date2j(year, 1, 1) + r.doy - 1);
    month = ymd.month;
    day = ymd.day;
  }
  const leap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const dim = [31, leap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  if (month < 1 || month > 12 || day < 1 || day > dim[month - 1]! || hour > 24 || r.minute > 59 || r.second > 60) {
    throw new DbError(SqlState.DatetimeFieldOverflow, `date/time field value out of range: "${input}"`);
  }
  return tmToTimestamp({ year, month, day, hour, minute: r.minute, second: r.second, fsec: r.fsec });
}

fn('to_date', [Oid.text, Oid.text], Oid.date, ([s, f]) => {
  const r = parseWithFormat(s as string, f as string);
  const t = fieldsToTimestamp({ ...r, hour: 0, minute: 0, second: 0, fsec: 0, pm: null, hour12: false }, s as string);
  return Number(t / USECS_PER_DAY);
}, { volatility: 'stable' });
fn('to_timestamp', [Oid.text, Oid.text], Oid.timestamptz, ([s, f], ctx) => {
  const r = parseWithFormat(s as string, f as string);
  const local = fieldsToTimestamp(r, s as string);
  if (r.tzOffset !== null) return local - BigInt(r.tzOffset) * 1000000n;
  const zone = resolveTimeZone(ctx.format.timeZone);
  // Resolve the local time in the session zone (DetermineTimeZoneOffset).
  const secs = Number(local / 1000000n) + 946684800;
  let offset = zone.offsetAt(secs);
  offset = zone.offsetAt(secs - offset);
  return local - BigInt(offset) * 1000000n;
}, { volatility: 'stable' });
