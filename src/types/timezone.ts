/**
 * types/: time zones for timestamptz: the TimeZone setting resolved as PostgreSQL does
 * (numeric hours, IANA names through Intl, POSIX-style fixed offsets), UTC offsets at an
 * instant, local-time → UTC resolution across DST gaps and overlaps (DetermineTimeZoneOffset),
 * and the fixed abbreviations of PostgreSQL's "Default" timezone_abbreviations set.
 */
import { DbError, SqlState } from '../errors/index.ts';

/** A resolved time zone. Offsets are seconds east of UTC (PostgreSQL's tm_gmtoff sign). */
export interface TimeZone {
  readonly name: string;
  /** Offset in effect at a UTC instant (seconds since 1970-01-01 UTC). */
  offsetAt(unixSeconds: number): number;
}

const SECS_PER_400_YEARS = 146097 * 86400;
/** Keep instants well inside the ±8.64e15 ms range of JS Date; the Gregorian calendar repeats every 400 years. */
const SAFE_SECONDS = 8e12;

function fixedZone(name: string, offset: number): TimeZone {
  return { name, offsetAt: () => offset };
}

function intlZone(name: string): TimeZone {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: name,
    hourCycle: 'h23',
    era: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const cache = new Map<number, number>();
  const offsetAt = (unixSeconds: number): number => {
    let t = Math.floor(unixSeconds);
    if (Math.abs(t) > SAFE_SECONDS) t -= Math.trunc(t / SECS_PER_400_YEARS) * SECS_PER_400_YEARS;
    const hit = cache.get(t);
    if (hit !== undefined) return hit;
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let bc = false;
    for (const p of fmt.formatToParts(new Date(t * 1000))) {
      switch (p.type) {
        case 'year': year = Number(p.value); break;
        case 'month': month = Number(p.value); break;
        case 'day': day = Number(p.value); break;
        case 'hour': hour = Number(p.value); break;
        case 'minute': minute = Number(p.value); break;
        case 'second': second = Number(p.value); break;
        case 'era': bc = p.value.startsWith('B'); break;
        default: break;
      }
    }
    const d = new Date(0);
    d.setUTCFullYear(bc ? 1 - year : year, month - 1, day);
    d.setUTCHours(hour, minute, second, 0);
    const offset = d.getTime() / 1000 - t;
    if (cache.size > 4096) cache.clear();
    cache.set(t, offset);
    return offset;
  };
  return { name, offsetAt };
}

const zoneCache = new Map<string, TimeZone | null>();

/** An IANA zone known to Intl (case-insensitive, like pg_tzset), or undefined. */
export function lookupNamedZone(name: string): TimeZone | undefined {
  const key = name.toLowerCase();
  const hit = zoneCache.get(key);
  if (hit !== undefined) return hit ?? undefined;
  let zone: TimeZone | null = null;
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(name)) {
    try {
      const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
      zone = /^(utc|etc\/utc|gmt|etc\/gmt|etc\/uct|uct|zulu|universal|etc\/universal|etc\/zulu|greenwich|etc\/greenwich)$/i.test(resolved)
        ? fixedZone(resolved, 0)
        : intlZone(resolved);
    } catch {
      zone = null;
    }
  }
  zoneCache.set(key, zone);
  return zone ?? undefined;
}

/** A POSIX-style "NAME[+-]hh[:mm[:ss]]" or "[+-]hh[:mm[:ss]]" (sign: positive is west). */
function posixZone(setting: string): TimeZone | undefined {
  const m = /^(?:<[^>]*>|[A-Za-z]{3,})?([+-]?)(\d{1,2})(?::(\d{1,2})(?::(\d{1,2}))?)?$/.exec(setting);
  if (!m) return undefined;
  const secs = Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  if (Number(m[2]) > 24) return undefined;
  return fixedZone(setting, m[1] === '-' ? secs : -secs);
}

const settingCache = new Map<string, TimeZone>();

/**
 * Resolves a TimeZone setting the way check_timezone does: a plain number is hours east
 * (SQL sign convention), then IANA names, then POSIX offsets (where "+05:30" means UTC-05:30).
 * Unknown names raise 22023 `time zone "x" not recognized`.
 */
export function resolveTimeZone(setting: string): TimeZone {
  const hit = settingCache.get(setting);
  if (hit) return hit;
  let zone: TimeZone | undefined;
  const trimmed = setting.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) {
    zone = fixedZone(setting, Math.round(Number(trimmed) * 3600));
  } else {
    zone = lookupNamedZone(trimmed) ?? posixZone(trimmed);
  }
  if (!zone) throw new DbError(SqlState.InvalidParameterValue, `time zone "${setting}" not recognized`);
  settingCache.set(setting, zone);
  return zone;
}

/**
 * The UTC offset (seconds east) for a local wall-clock time, as DetermineTimeZoneOffset:
 * in a spring-forward gap the pre-transition offset applies; in a fall-back overlap the
 * later (post-transition) interpretation wins.
 */
export function offsetForLocal(zone: TimeZone, localSeconds: number): number {
  const before = zone.offsetAt(localSeconds - 86400);
  const after = zone.offsetAt(localSeconds + 86400);
  if (before === after) {
    const direct = zone.offsetAt(localSeconds - before);
    if (direct === before) return before;
    const again = zone.offsetAt(localSeconds - direct);
    return again === direct ? direct : before;
  }
  const beforeTime = localSeconds - before;
  const afterTime = localSeconds - after;
  const beforeValid = zone.offsetAt(beforeTime) === before;
  const afterValid = zone.offsetAt(afterTime) === after;
  if (beforeValid && !afterValid) return before;
  if (afterValid && !beforeValid) return after;
  return beforeTime > afterTime ? before : after;
}

/** Fixed abbreviations from PostgreSQL's Default set: seconds east of UTC, and whether daylight time. */
export const TZ_ABBREVIATIONS: ReadonlyMap<string, { readonly offset: number; readonly dst: boolean }> = new Map(
  (
    [
      ['acdt', 37800, true], ['acst', 34200, false], ['adt', -10800, true], ['aedt', 39600, true], ['aest', 36000, false],
      ['akdt', -28800, true], ['akst', -32400, false], ['ast', -14400, false], ['awst', 28800, false], ['bst', 3600, true],
      ['cat', 7200, false], ['cdt', -18000, true], ['cest', 7200, true], ['cet', 3600, false], ['cst', -21600, false],
      ['eat', 10800, false], ['edt', -14400, true], ['eest', 10800, true], ['eet', 7200, false], ['est', -18000, false],
      ['gmt', 0, false], ['hst', -36000, false], ['ist', 7200, false], ['jst', 32400, false], ['kst', 32400, false],
      ['mdt', -21600, true], ['mest', 7200, true], ['met', 3600, false], ['mst', -25200, false], ['nzdt', 46800, true],
      ['nzst', 43200, false], ['pdt', -25200, true], ['pst', -28800, false], ['sast', 7200, false], ['uct', 0, false],
      ['ut', 0, false], ['utc', 0, false], ['wat', 3600, false], ['west', 3600, true], ['wet', 0, false], ['z', 0, false],
      ['zulu', 0, false],
    ] as const
  ).map(([k, offset, dst]) => [k, { offset, dst }]),
);
