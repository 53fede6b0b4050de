/**
 * Run-time settings (PostgreSQL's GUCs) of one session: definitions, validation, SET / SET
 * LOCAL / RESET with transaction semantics (a SET inside a rolled-back transaction is
 * undone; SET LOCAL lasts until the end of the transaction), and the GUC_REPORT set that is
 * sent to the client as ParameterStatus whenever it changes. Every setting listed here has
 * an effect; unknown names fail with 42704 as in PostgreSQL, except custom `prefix.name`
 * placeholders, which PostgreSQL also accepts.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { parseInterval } from '../types/index.ts';

export const SERVER_VERSION = '15.6 (Tessera 0.1.0)';
export const SERVER_VERSION_NUM = '150006';

type Validator = (value: string) => string;

interface SettingDef {
  /** Display name, as SHOW ALL and ParameterStatus spell it (e.g. "DateStyle"). */
  readonly name: string;
  readonly defaultValue: string;
  /** Reported to the client with ParameterStatus when it changes (GUC_REPORT). */
  readonly report?: boolean;
  /** Only settable at startup or not at all. */
  readonly readOnly?: boolean;
  readonly validate?: Validator;
  readonly description: string;
}

function invalid(name: string, value: string, hint?: string): DbError {
  return new DbError(SqlState.InvalidParameterValue, `invalid value for parameter "${name}": "${value}"`, hint ? { hint } : {});
}

const bool =
  (name: string): Validator =>
  (v) => {
    const s = v.trim().toLowerCase();
    if (['on', 'true', 'yes', '1', 't', 'y'].includes(s)) return 'on';
    if (['off', 'false', 'no', '0', 'f', 'n'].includes(s)) return 'off';
    throw new DbError(SqlState.InvalidParameterValue, `parameter "${name}" requires a Boolean value`);
  };

const integer =
  (name: string, min: number, max: number): Validator =>
  (v) => {
    const s = v.trim();
    if (!/^[+-]?\d+$/.test(s)) throw new DbError(SqlState.InvalidParameterValue, `invalid value for parameter "${name}": "${v}"`);
    const n = Number(s);
    if (n < min || n > max) {
      throw new DbError(SqlState.InvalidParameterValue, `${n} is outside the valid range for parameter "${name}" (${min} .. ${max})`);
    }
    return String(n);
  };

const oneOf =
  (name: string, values: readonly string[]): Validator =>
  (v) => {
    const s = v.trim().toLowerCase();
    if (!values.includes(s)) {
      throw new DbError(SqlState.InvalidParameterValue, `invalid value for parameter "${name}": "${v}"`, {
        hint: `Available values: ${values.join(', ')}.`,
      });
    }
    return s;
  };

const MS_UNITS: [string, number][] = [
  ['d', 86400000],
  ['h', 3600000],
  ['min', 60000],
  ['s', 1000],
  ['ms', 1],
];

/** Parses a duration with PostgreSQL's unit suffixes (us, ms, s, min, h, d); plain numbers are ms. */
export function parseMilliseconds(v: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/.exec(v);
  if (!m) return null;
  const factor = m[2] === 'us' ? 0.001 : (MS_UNITS.find(([u]) => u === (m[2] ?? 'ms'))?.[1] ?? 1);
  return Math.round(Number(m[1]) * factor);
}

/** Milliseconds, stored as PostgreSQL displays them: the largest unit that divides exactly ("5s", "2min"). */
const milliseconds =
  (name: string): Validator =>
  (v) => {
    const ms = parseMilliseconds(v);
    if (ms === null) throw invalid(name, v, 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".');
    if (ms > 2147483647) throw new DbError(SqlState.InvalidParameterValue, `${ms} ms is outside the valid range for parameter "${name}"`);
    if (ms === 0) return '0';
    const [unit, size] = MS_UNITS.find(([, n]) => ms % n === 0)!;
    return `${ms / size}${unit}`;
  };

/** A duration setting of which only 0 (disabled, PostgreSQL's default) is supported; other values fail with 0A000. */
const zeroOnly =
  (name: string, hint: string): Validator =>
  (v) => {
    const out = milliseconds(name)(v);
    if (out !== '0') throw new DbError(SqlState.FeatureNotSupported, `${name} other than 0 is not supported`, { hint });
    return out;
  };

/** pg_tzset_offset's name for a fixed zone `gmtoffset` seconds west of UTC: <-07>+07, <+05:30>-05:30. */
function offsetZoneName(gmtoffset: number): string {
  let abs = Math.abs(gmtoffset);
  let text = String(Math.trunc(abs / 3600)).padStart(2, '0');
  abs %= 3600;
  if (abs !== 0) {
    text += ':' + String(Math.trunc(abs / 60)).padStart(2, '0');
    abs %= 60;
    if (abs !== 0) text += ':' + String(abs).padStart(2, '0');
  }
  return gmtoffset > 0 ? `<-${text}>+${text}` : `<+${text}>-${text}`;
}

function validateTimeZone(v: string): string {
  const s = v.trim();
  // check_timezone: INTERVAL '...' (SET TIME ZONE INTERVAL) and plain numbers are hours east of UTC (SQL sign convention).
  const iv = /^interval\s+'(.*)'$/is.exec(s);
  if (iv) {
    const value = parseInterval(iv[1]!, -1);
    const detail = value.months !== 0 ? 'Cannot specify months in time zone interval.' : value.days !== 0 ? 'Cannot specify days in time zone interval.' : null;
    if (detail !== null) throw new DbError(SqlState.InvalidParameterValue, `invalid value for parameter "TimeZone": "${v}"`, { detail });
    return offsetZoneName(-Number(value.micros / 1_000_000n));
  }
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return offsetZoneName(Math.trunc(-Number(s) * 3600));
  if (/^(utc|gmt|z|zulu)$/i.test(s)) return 'UTC';
  if (/^[+-]?\d{1,2}(:\d{2})?$/.test(s)) return s; // POSIX-style numeric offset, as PostgreSQL accepts
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: s });
    return s;
  } catch {
    throw new DbError(SqlState.InvalidParameterValue, `invalid value for parameter "TimeZone": "${v}"`);
  }
}

function validateDateStyle(v: string): string {
  const parts = v.split(',').map((p) => p.trim().toLowerCase()).filter(Boolean);
  let style = 'ISO';
  let order = 'MDY';
  for (const p of parts) {
    if (p === 'iso') style = 'ISO';
    else if (['mdy', 'us', 'noneuropean', 'non-european'].includes(p)) order = 'MDY';
    else if (['dmy', 'euro', 'european'].includes(p)) order = 'DMY';
    else if (p === 'ymd') order = 'YMD';
    else if (['sql', 'postgres', 'german'].includes(p)) {
      throw new DbError(SqlState.FeatureNotSupported, `DateStyle "${p.toUpperCase()}" is not supported; Tessera outputs ISO dates`);
    } else throw invalid('DateStyle', v);
  }
  return `${style}, ${order}`;
}

function validateEncoding(v: string): string {
  const s = v.trim().toUpperCase().replace(/[-_]/g, '');
  if (s === 'UTF8' || s === 'UNICODE') return 'UTF8';
  if (s === 'SQLASCII') return 'SQL_ASCII';
  throw new DbError(SqlState.FeatureNotSupported, `client encoding "${v}" is not supported; Tessera speaks UTF8`);
}

const DEFS: readonly SettingDef[] = [
  { name: 'server_version', defaultValue: SERVER_VERSION, report: true, readOnly: true, description: 'Shows the server version.' },
  { name: 'server_version_num', defaultValue: SERVER_VERSION_NUM, readOnly: true, description: 'Shows the server version as an integer.' },
  { name: 'server_encoding', defaultValue: 'UTF8', report: true, readOnly: true, description: 'Shows the server (database) character set encoding.' },
  { name: 'client_encoding', defaultValue: 'UTF8', report: true, validate: validateEncoding, description: "Sets the client's character set encoding." },
  { name: 'DateStyle', defaultValue: 'ISO, MDY', report: true, validate: validateDateStyle, description: 'Sets the display format for date and time values.' },
  { name: 'IntervalStyle', defaultValue: 'postgres', report: true, validate: (v) => {
      if (v.trim().toLowerCase() !== 'postgres') throw new DbError(SqlState.FeatureNotSupported, `IntervalStyle "${v}" is not supported; Tessera outputs the postgres style`);
      return 'postgres';
    }, description: 'Sets the display format for interval values.' },
  { name: 'TimeZone', defaultValue: 'UTC', report: true, validate: validateTimeZone, description: 'Sets the time zone for displaying and interpreting time stamps.' },
  { name: 'integer_datetimes', defaultValue: 'on', report: true, readOnly: true, description: 'Shows whether datetimes are integer based.' },
  { name: 'standard_conforming_strings', defaultValue: 'on', report: true, validate: (v) => {
      if (bool('standard_conforming_strings')(v) !== 'on') throw new DbError(SqlState.FeatureNotSupported, 'standard_conforming_strings cannot be turned off in Tessera');
      return 'on';
    }, description: "Causes '...' strings to treat backslashes literally." },
  { name: 'application_name', defaultValue: '', report: true, validate: (v) => v.replace(/[^\x20-\x7e]/g, '?').slice(0, 63), description: 'Sets the application name to be reported in statistics and logs.' },
  { name: 'is_superuser', defaultValue: 'on', report: true, readOnly: true, description: 'Shows whether the current user is a superuser.' },
  { name: 'session_authorization', defaultValue: 'postgres', report: true, readOnly: true, description: 'Sets the session user name.' },
  { name: 'role', defaultValue: 'none', readOnly: true, description: 'Sets the current role.' },
  { name: 'default_transaction_read_only', defaultValue: 'off', report: true, validate: bool('default_transaction_read_only'), description: 'Sets the default read-only status of new transactions.' },
  { name: 'in_hot_standby', defaultValue: 'off', report: true, readOnly: true, description: 'Shows whether hot standby is currently active.' },
  { name: 'search_path', defaultValue: '"$user", public', validate: (v) => v, description: 'Sets the schema search order for names that are not schema-qualified.' },
  { name: 'extra_float_digits', defaultValue: '1', validate: integer('extra_float_digits', -15, 3), description: 'Sets the number of digits displayed for floating-point values.' },
  { name: 'statement_timeout', defaultValue: '0', validate: milliseconds('statement_timeout'), description: 'Sets the maximum allowed duration of any statement.' },
  { name: 'client_min_messages', defaultValue: 'notice', validate: oneOf('client_min_messages', ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'debug', 'log', 'notice', 'warning', 'error']), description: 'Sets the message levels that are sent to the client.' },
  { name: 'bytea_output', defaultValue: 'hex', validate: (v) => {
      if (v.trim().toLowerCase() !== 'hex') throw new DbError(SqlState.FeatureNotSupported, 'bytea_output "escape" is not supported; Tessera outputs hex');
      return 'hex';
    }, description: 'Sets the output format for bytea.' },
  { name: 'transaction_isolation', defaultValue: 'read committed', readOnly: true, description: "Sets the current transaction's isolation level." },
  { name: 'default_transaction_isolation', defaultValue: 'read committed', validate: (v) => {
      // READ UNCOMMITTED runs as READ COMMITTED, as in PostgreSQL, and keeps its name.
      const level = v.trim().toLowerCase();
      if (level !== 'read committed' && level !== 'read uncommitted') throw new DbError(SqlState.FeatureNotSupported, `isolation level "${v}" is not supported; Tessera runs READ COMMITTED`);
      return level;
    }, description: 'Sets the transaction isolation level of each new transaction.' },
  { name: 'transaction_read_only', defaultValue: 'off', readOnly: true, description: 'Sets the current transaction\'s read-only status.' },
  // Set by pg_dump at connect (docs/clients.md, "pg_dump").
  { name: 'synchronize_seqscans', defaultValue: 'on', validate: bool('synchronize_seqscans'), description: 'Enables synchronized sequential scans. Tessera has no synchronized scans: every scan reads a table from its first segment, as PostgreSQL does with this off, whichever value is set.' },
  { name: 'lock_timeout', defaultValue: '0', validate: zeroOnly('lock_timeout', 'Tessera waits for locks without a timeout (use statement_timeout).'), description: 'Sets the maximum allowed duration of any wait for a lock. Only 0 (no limit, the default) is supported.' },
  { name: 'idle_in_transaction_session_timeout', defaultValue: '0', validate: zeroOnly('idle_in_transaction_session_timeout', 'Tessera does not end idle transactions.'), description: 'Sets the maximum allowed idle time between queries, when in a transaction. Only 0 (no limit, the default) is supported.' },
  { name: 'row_security', defaultValue: 'on', validate: bool('row_security'), description: 'Enable row security. Off: a query that row-level security policies would filter fails with 42501 instead (planner/rls.ts).' },
  { name: 'max_identifier_length', defaultValue: '63', readOnly: true, description: 'Shows the maximum identifier length.' },
  { name: 'lc_collate', defaultValue: 'C', readOnly: true, description: 'Shows the collation order locale.' },
  { name: 'lc_ctype', defaultValue: 'C', readOnly: true, description: 'Shows the character classification and case conversion locale.' },
  { name: 'lc_messages', defaultValue: 'C', readOnly: true, description: 'Sets the language in which messages are displayed.' },
  { name: 'block_size', defaultValue: '8192', readOnly: true, description: 'Shows the size of a disk block.' },
  // pgJDBC's getImportedKeys / getExportedKeys / getIndexInfo read it from pg_settings.
  { name: 'max_index_keys', defaultValue: '32', readOnly: true, description: 'Shows the maximum number of index keys.' },
  { name: 'max_connections', defaultValue: '100', readOnly: true, description: 'Sets the maximum number of concurrent connections.' },
  // pgvector 0.8's index settings (honoured by executor/vector-topk.ts; docs/vector-search.md).
  { name: 'hnsw.ef_search', defaultValue: '40', validate: integer('hnsw.ef_search', 1, 1000), description: 'Sets the size of the dynamic candidate list for search.' },
  { name: 'hnsw.iterative_scan', defaultValue: 'off', validate: oneOf('hnsw.iterative_scan', ['off', 'relaxed_order', 'strict_order']), description: 'Sets the mode for iterative scans.' },
  { name: 'hnsw.max_scan_tuples', defaultValue: '20000', validate: integer('hnsw.max_scan_tuples', 1, 2147483647), description: 'Sets the max number of tuples to visit for iterative scans.' },
  { name: 'hnsw.scan_mem_multiplier', defaultValue: '1', validate: integer('hnsw.scan_mem_multiplier', 1, 1000), description: 'Sets the multiple of work_mem to use for iterative scans.' },
  { name: 'ivfflat.probes', defaultValue: '1', validate: integer('ivfflat.probes', 1, 32768), description: 'Sets the number of probes.' },
  { name: 'ivfflat.iterative_scan', defaultValue: 'off', validate: oneOf('ivfflat.iterative_scan', ['off', 'relaxed_order']), description: 'Sets the mode for iterative scans.' },
  { name: 'ivfflat.max_probes', defaultValue: '32768', validate: integer('ivfflat.max_probes', 1, 32768), description: 'Sets the max number of probes for iterative scans.' },
];

const BY_KEY = new Map(DEFS.map((d) => [d.name.toLowerCase(), d]));

/** Aliases PostgreSQL's grammar produces or accepts. */
const ALIASES: Record<string, string> = { 'time zone': 'timezone', names: 'client_encoding' };

function canonicalKey(name: string): string {
  const k = name.toLowerCase();
  return ALIASES[k] ?? k;
}

/** Looks up a setting definition; custom `a.b` names return undefined without error. */
function definition(name: string): SettingDef | undefined {
  return BY_KEY.get(canonicalKey(name));
}

function unknown(name: string): DbError {
  return new DbError(SqlState.UndefinedObject, `unrecognized configuration parameter "${name}"`);
}

function isPlaceholder(name: string): boolean {
  return /^[a-z_][a-z0-9_$]*\.[a-z_][a-z0-9_$.]*$/i.test(name);
}

export interface SettingRow {
  readonly name: string;
  readonly setting: string;
  readonly description: string;
}

/** Per-session settings with transaction-scoped undo. */
export class Settings {
  /** Session-level values (what survives COMMIT). */
  private session = new Map<string, string>();
  /** SET LOCAL values: discarded at transaction end. */
  private local = new Map<string, string>();
  /** Session values at the start of the transaction block, restored by ROLLBACK. */
  private atTxStart: Map<string, string> | null = null;
  private readonly savepoints: { name: string; session: Map<string, string>; local: Map<string, string> }[] = [];
  /** Names of reported settings changed since the last takeChangedReports(). */
  private changed = new Set<string>();

  constructor(startup: Iterable<[string, string]> = []) {
    for (const [name, value] of startup) this.setStartup(name, value);
  }

  private setStartup(name: string, value: string): void {
    const key = canonicalKey(name);
    const def = definition(name);
    if (key === 'session_authorization' || key === 'is_superuser') {
      this.session.set(key, value);
      return;
    }
    if (!def) {
      if (isPlaceholder(name)) this.session.set(key, value);
      else throw unknown(name);
      return;
    }
    if (def.readOnly) throw new DbError(SqlState.CantChangeRuntimeParam, `parameter "${def.name}" cannot be changed`);
    this.session.set(key, def.validate ? def.validate(value) : value);
  }

  /** Current value, or undefined for an unknown custom placeholder. Throws 42704 for unknown names. */
  get(name: string): string {
    const v = this.tryGet(name);
    if (v === undefined) throw unknown(name);
    return v;
  }

  /** Incremented whenever a value may have changed, so callers can cache derived state. */
  version = 0;

  /** Values owned by someone else (the transaction's isolation level and access mode). */
  dynamic: (key: string) => string | undefined = () => undefined;

  tryGet(name: string): string | undefined {
    const key = canonicalKey(name);
    const dyn = this.dynamic(key);
    if (dyn !== undefined) return dyn;
    const v = this.local.get(key) ?? this.session.get(key);
    if (v !== undefined) return v;
    return definition(name)?.defaultValue;
  }

  /** SET name = value (value null: DEFAULT). */
  set(name: string, value: string | null, isLocal: boolean, inTransactionBlock: boolean): void {
    this.version++;
    const key = canonicalKey(name);
    const def = definition(name);
    if (!def && !isPlaceholder(name)) throw unknown(name);
    if (def?.readOnly) {
      throw new DbError(SqlState.CantChangeRuntimeParam, `parameter "${def.name}" cannot be changed`);
    }
    // A custom placeholder, once defined, resets to the empty string (it never disappears).
    const validated = value === null ? (def ? null : '') : def?.validate ? def.validate(value) : value;
    if (isLocal) {
      if (!inTransactionBlock) return; // PostgreSQL warns (session/ sends the WARNING) and does nothing
      if (validated === null) this.local.set(key, def?.defaultValue ?? '');
      else this.local.set(key, validated);
    } else {
      this.local.delete(key);
      if (validated === null) this.session.delete(key);
      else this.session.set(key, validated);
    }
    if (def?.report) this.changed.add(key);
  }

  /**
   * Sets a value no SET may name (the session's role state, session/roles.ts), with the same
   * transaction semantics as set(); RESET ALL and DISCARD ALL clear it. null removes it.
   */
  setInternal(key: string, value: string | null, isLocal: boolean, inTransactionBlock: boolean): void {
    this.version++;
    if (isLocal) {
      if (!inTransactionBlock) return;
      this.local.set(key, value ?? '');
      return;
    }
    this.local.delete(key);
    if (value === null) this.session.delete(key);
    else this.session.set(key, value);
  }

  /** Reports a setting whose value is computed elsewhere (Settings.dynamic) with the next ReadyForQuery. */
  markChanged(name: string): void {
    this.changed.add(canonicalKey(name));
  }

  reset(name: string | null): void {
    this.version++;
    if (name === null) {
      for (const k of [...this.session.keys(), ...this.local.keys()]) if (definition(k)?.report) this.changed.add(k);
      this.session.clear();
      this.local.clear();
      return;
    }
    this.set(name, null, false, false);
  }

  /** Transaction hooks, called by the session's transaction state machine. */
  beginTransaction(): void {
    this.atTxStart = new Map(this.session);
  }

  commitTransaction(): void {
    this.endTransaction();
  }

  rollbackTransaction(): void {
    if (this.atTxStart) {
      this.version++;
      for (const k of new Set([...this.session.keys(), ...this.atTxStart.keys(), ...this.local.keys()])) {
        if (definition(k)?.report && this.session.get(k) !== this.atTxStart.get(k)) this.changed.add(k);
      }
      this.session = this.atTxStart;
    }
    this.endTransaction();
  }

  private endTransaction(): void {
    if (this.local.size > 0) this.version++;
    for (const k of this.local.keys()) if (definition(k)?.report) this.changed.add(k);
    this.local.clear();
    this.atTxStart = null;
    this.savepoints.length = 0;
  }

  savepoint(name: string): void {
    this.savepoints.push({ name, session: new Map(this.session), local: new Map(this.local) });
  }

  /** ROLLBACK TO: restores the values at the savepoint (which stays defined). Returns false if unknown. */
  rollbackToSavepoint(name: string): boolean {
    this.version++;
    const i = this.savepoints.map((s) => s.name).lastIndexOf(name);
    if (i < 0) return false;
    const sp = this.savepoints[i]!;
    this.savepoints.length = i + 1;
    this.session = new Map(sp.session);
    this.local = new Map(sp.local);
    for (const d of DEFS) if (d.report) this.changed.add(d.name.toLowerCase());
    return true;
  }

  releaseSavepoint(name: string): boolean {
    const i = this.savepoints.map((s) => s.name).lastIndexOf(name);
    if (i < 0) return false;
    this.savepoints.length = i;
    return true;
  }

  hasSavepoint(name: string): boolean {
    return this.savepoints.some((s) => s.name === name);
  }

  /** The canonical display name of a setting (for SHOW's column name), or the name as given. */
  static displayName(name: string): string {
    const def = definition(name);
    return def ? def.name.toLowerCase() : name.toLowerCase();
  }

  /** All reported settings with their current values (for the startup ParameterStatus burst). */
  reported(): [string, string][] {
    return DEFS.filter((d) => d.report).map((d) => [d.name, this.get(d.name)]);
  }

  /** Reported settings whose value changed since the last call, with their new values. */
  takeChangedReports(): [string, string][] {
    const out: [string, string][] = [];
    for (const k of this.changed) {
      const def = definition(k);
      if (def) out.push([def.name, this.get(k)]);
    }
    this.changed.clear();
    return out;
  }

  /** SHOW ALL rows, sorted by name like PostgreSQL. */
  all(): SettingRow[] {
    return DEFS.map((d) => ({ name: d.name, setting: this.get(d.name), description: d.description })).sort((a, b) =>
      a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1,
    );
  }

  /** Convenience for the executor's FormatContext. */
  get statementTimeoutMs(): number {
    if (this.timeoutVersion !== this.version) {
      this.timeoutMs = parseMilliseconds(this.get('statement_timeout')) ?? 0;
      this.timeoutVersion = this.version;
    }
    return this.timeoutMs;
  }

  private timeoutMs = 0;
  private timeoutVersion = -1;
}
