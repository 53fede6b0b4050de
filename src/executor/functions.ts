/**
 * The catalog of scalar functions and operators (pg_proc / pg_operator): each entry has an
 * exact signature of type OIDs and an implementation over runtime values. The planner
 * resolves calls against it (planner/resolve-call.ts); the executor calls `impl`.
 * Arithmetic follows PostgreSQL: integer overflow 22003, division by zero 22012.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { Oid, Numeric, PgArray, typeByOid, type Interval, compareDense, compareSparse, compareBitStrings, compareJsonb, compareTimeTz, type Jsonb, type TimeTz, type SparseVector, type BitString } from '../types/index.ts';
import type { ExecContext } from './context.ts';
import type { Value } from './value.ts';
import { SERVER_VERSION_STRING } from './version.ts';

export type Volatility = 'immutable' | 'stable' | 'volatile';

export interface ScalarFunction {
  readonly name: string;
  readonly argTypes: readonly number[];
  readonly returnType: number;
  /** Strict functions return NULL for any NULL argument without being called. */
  readonly strict: boolean;
  readonly volatility: Volatility;
  /** True when impl returns a Promise (e.g. pg_sleep); evaluation then runs asynchronously. */
  readonly async?: boolean;
  /** Set-returning: impl returns an Iterable of values; usable only in FROM. */
  readonly returnsSet?: boolean;
  readonly impl: (args: Value[], ctx: ExecContext) => Value | Promise<Value>;
  /** The same as impl for two arguments, without an argument array (per-row comparisons). */
  readonly binary?: (a: Value, b: Value) => Value;
  /**
   * Polymorphic or variadic functions (anyelement, anyarray, "any"): given the actual argument
   * types (Oid.unknown for untyped literals), returns the concrete overload to call, or null when
   * the types do not fit. The entry's own argTypes/returnType are then only descriptive.
   */
  readonly specialize?: (argTypes: readonly number[]) => ScalarFunction | null;
  /** Set-returning functions with several output columns: impl yields one Row per result row. */
  readonly setColumns?: readonly { readonly name: string; readonly type: number }[];
}

const registry = new Map<string, ScalarFunction[]>();

/** Registers a function or operator overload (used by the built-in modules of executor/). */
export function defineFunction(fn: ScalarFunction): void {
  const list = registry.get(fn.name) ?? [];
  list.push(fn);
  registry.set(fn.name, list);
}

/** Every registered function and operator, in registration order (pg_proc). */
export function allFunctions(): ScalarFunction[] {
  return [...registry.values()].flat();
}

/** All overloads of a function or operator name (lower-case), or [] if none. */
export function functionsNamed(name: string): readonly ScalarFunction[] {
  return registry.get(name) ?? [];
}

const fn = (
  name: string,
  argTypes: number[],
  returnType: number,
  impl: ScalarFunction['impl'],
  opts: { strict?: boolean; volatility?: Volatility; async?: boolean; returnsSet?: boolean } = {},
): void =>
  defineFunction({
    name,
    argTypes,
    returnType,
    impl,
    strict: opts.strict ?? true,
    volatility: opts.volatility ?? 'immutable',
    async: opts.async,
    returnsSet: opts.returnsSet,
  });

// ---- integer arithmetic with PostgreSQL's overflow errors ----

const INT_LIMITS: Record<number, [number, number, string]> = {
  [Oid.int2]: [-32768, 32767, 'smallint out of range'],
  [Oid.int4]: [-2147483648, 2147483647, 'integer out of range'],
};

function checkInt(oid: number, v: number): number {
  const [lo, hi, msg] = INT_LIMITS[oid]!;
  if (v < lo || v > hi || !Number.isFinite(v)) throw new DbError(SqlState.NumericValueOutOfRange, msg);
  return v;
}

function checkInt8(v: bigint): bigint {
  if (v < -9223372036854775808n || v > 9223372036854775807n) throw new DbError(SqlState.NumericValueOutOfRange, 'bigint out of range');
  return v;
}

const divisionByZero = (): DbError => new DbError(SqlState.DivisionByZero, 'division by zero');

function checkFloat(v: number, a: number, b: number): number {
  if (!Number.isFinite(v) && Number.isFinite(a) && Number.isFinite(b)) {
    throw new DbError(SqlState.NumericValueOutOfRange, 'value out of range: overflow');
  }
  return v;
}

function checkFloat4(v: number): number {
  const f = Math.fround(v);
  if (!Number.isFinite(f) && Number.isFinite(v)) throw new DbError(SqlState.NumericValueOutOfRange, 'value out of range: overflow');
  if (f === 0 && v !== 0) throw new DbError(SqlState.NumericValueOutOfRange, 'value out of range: underflow');
  return f;
}

for (const t of [Oid.int2, Oid.int4]) {
  fn('+', [t, t], t, ([a, b]) => checkInt(t, (a as number) + (b as number)));
  fn('-', [t, t], t, ([a, b]) => checkInt(t, (a as number) - (b as number)));
  fn('*', [t, t], t, ([a, b]) => checkInt(t, (a as number) * (b as number)));
  fn('/', [t, t], t, ([a, b]) => {
    if (b === 0) throw divisionByZero();
    return checkInt(t, Math.trunc((a as number) / (b as number)));
  });
  fn('%', [t, t], t, ([a, b]) => {
    if (b === 0) throw divisionByZero();
    return (a as number) % (b as number) || 0;
  });
  fn('-', [t], t, ([a]) => checkInt(t, -(a as number) || 0));
  fn('+', [t], t, ([a]) => a);
  fn('abs', [t], t, ([a]) => checkInt(t, Math.abs(a as number)));
}

fn('+', [Oid.int8, Oid.int8], Oid.int8, ([a, b]) => checkInt8((a as bigint) + (b as bigint)));
fn('-', [Oid.int8, Oid.int8], Oid.int8, ([a, b]) => checkInt8((a as bigint) - (b as bigint)));
fn('*', [Oid.int8, Oid.int8], Oid.int8, ([a, b]) => checkInt8((a as bigint) * (b as bigint)));
fn('/', [Oid.int8, Oid.int8], Oid.int8, ([a, b]) => {
  if (b === 0n) throw divisionByZero();
  return checkInt8((a as bigint) / (b as bigint));
});
fn('%', [Oid.int8, Oid.int8], Oid.int8, ([a, b]) => {
  if (b === 0n) throw divisionByZero();
  return (a as bigint) % (b as bigint);
});
fn('-', [Oid.int8], Oid.int8, ([a]) => checkInt8(-(a as bigint)));
fn('+', [Oid.int8], Oid.int8, ([a]) => a);
fn('abs', [Oid.int8], Oid.int8, ([a]) => checkInt8((a as bigint) < 0n ? -(a as bigint) : (a as bigint)));

fn('+', [Oid.float8, Oid.float8], Oid.float8, ([a, b]) => checkFloat((a as number) + (b as number), a as number, b as number));
fn('-', [Oid.float8, Oid.float8], Oid.float8, ([a, b]) => checkFloat((a as number) - (b as number), a as number, b as number));
fn('*', [Oid.float8, Oid.float8], Oid.float8, ([a, b]) => checkFloat((a as number) * (b as number), a as number, b as number));
fn('/', [Oid.float8, Oid.float8], Oid.float8, ([a, b]) => {
  if (b === 0) throw divisionByZero();
  return checkFloat((a as number) / (b as number), a as number, b as number);
});
fn('-', [Oid.float8], Oid.float8, ([a]) => -(a as number));
fn('+', [Oid.float8], Oid.float8, ([a]) => a);
fn('abs', [Oid.float8], Oid.float8, ([a]) => Math.abs(a as number));
fn('+', [Oid.float4, Oid.float4], Oid.float4, ([a, b]) => checkFloat4((a as number) + (b as number)));
fn('-', [Oid.float4, Oid.float4], Oid.float4, ([a, b]) => checkFloat4((a as number) - (b as number)));
fn('*', [Oid.float4, Oid.float4], Oid.float4, ([a, b]) => checkFloat4((a as number) * (b as number)));
fn('/', [Oid.float4, Oid.float4], Oid.float4, ([a, b]) => {
  if (b === 0) throw divisionByZero();
  return checkFloat4((a as number) / (b as number));
});
fn('-', [Oid.float4], Oid.float4, ([a]) => -(a as number));

const N = (v: Value): Numeric => v as Numeric;
fn('+', [Oid.numeric, Oid.numeric], Oid.numeric, ([a, b]) => N(a).add(N(b)));
fn('-', [Oid.numeric, Oid.numeric], Oid.numeric, ([a, b]) => N(a).sub(N(b)));
fn('*', [Oid.numeric, Oid.numeric], Oid.numeric, ([a, b]) => N(a).mul(N(b)));
fn('/', [Oid.numeric, Oid.numeric], Oid.numeric, ([a, b]) => N(a).div(N(b)));
fn('%', [Oid.numeric, Oid.numeric], Oid.numeric, ([a, b]) => N(a).mod(N(b)));
fn('-', [Oid.numeric], Oid.numeric, ([a]) => N(a).negate());
fn('+', [Oid.numeric], Oid.numeric, ([a]) => a);
fn('abs', [Oid.numeric], Oid.numeric, ([a]) => N(a).abs());

// ---- rounding and powers ----

/** rint(): round half to even, as PostgreSQL's float round() does. */
function rint(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

fn('round', [Oid.float8], Oid.float8, ([a]) => rint(a as number));
fn('round', [Oid.numeric], Oid.numeric, ([a]) => N(a).round(0));
fn('round', [Oid.numeric, Oid.int4], Oid.numeric, ([a, s]) => N(a).round(s as number));
fn('trunc', [Oid.float8], Oid.float8, ([a]) => Math.trunc(a as number));
fn('trunc', [Oid.numeric], Oid.numeric, ([a]) => N(a).trunc(0));
fn('trunc', [Oid.numeric, Oid.int4], Oid.numeric, ([a, s]) => N(a).trunc(s as number));
for (const name of ['ceil', 'ceiling']) {
  fn(name, [Oid.float8], Oid.float8, ([a]) => Math.ceil(a as number));
  fn(name, [Oid.numeric], Oid.numeric, ([a]) => {
    const t = N(a).trunc(0);
    return N(a).isFinite() && t.compare(N(a)) < 0 ? t.add(Numeric.ONE) : t;
  });
}
fn('floor', [Oid.float8], Oid.float8, ([a]) => Math.floor(a as number));
fn('floor', [Oid.numeric], Oid.numeric, ([a]) => {
  const t = N(a).trunc(0);
  return N(a).isFinite() && t.compare(N(a)) > 0 ? t.sub(Numeric.ONE) : t;
});
fn('sqrt', [Oid.float8], Oid.float8, ([a]) => {
  if ((a as number) < 0) throw new DbError(SqlState.InvalidArgumentForPowerFunction, 'cannot take square root of a negative number');
  return Math.sqrt(a as number);
});
const dpow = ([a, b]: Value[]): Value => {
  const x = a as number;
  const y = b as number;
  if (x === 0 && y < 0) throw new DbError(SqlState.InvalidArgumentForPowerFunction, 'zero raised to a negative power is undefined');
  if (x < 0 && !Number.isInteger(y)) {
    throw new DbError(SqlState.InvalidArgumentForPowerFunction, 'a negative number raised to a non-integer power yields a complex result');
  }
  return checkFloat(x ** y, x, y);
};
fn('^', [Oid.float8, Oid.float8], Oid.float8, dpow);
fn('power', [Oid.float8, Oid.float8], Oid.float8, dpow);
fn('pi', [], Oid.float8, () => Math.PI);

// ---- comparison operators for every ordered type ----

/** Total order of two non-null values of one type, as PostgreSQL's btree opclass orders them. */
export function compareValues(typeOid: number, a: Value, b: Value): number {
  switch (typeOid) {
    case Oid.int8:
    case Oid.money:
    case Oid.timestamp:
    case Oid.timestamptz:
    case Oid.time:
      return a === b ? 0 : (a as bigint) < (b as bigint) ? -1 : 1;
    case Oid.float4:
    case Oid.float8: {
      // PostgreSQL orders NaN above every other value and equal to itself.
      const x = a as number;
      const y = b as number;
      if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : 1;
      if (Number.isNaN(y)) return -1;
      return x === y ? 0 : x < y ? -1 : 1;
    }
    case Oid.numeric:
      return N(a).compare(N(b));
    case Oid.bool:
      return a === b ? 0 : a ? 1 : -1;
    case Oid.bytea:
      return Buffer.compare(a as Uint8Array, b as Uint8Array);
    case Oid.text:
    case Oid.varchar:
    case Oid.bpchar:
    case Oid.name:
    case Oid.unknown:
      return compareTextC(a as string, b as string);
    case Oid.vector:
    case Oid.halfvec:
      return compareDense(a as Float32Array, b as Float32Array);
    case Oid.sparsevec:
      return compareSparse(a as SparseVector, b as SparseVector);
    case Oid.bit:
    case Oid.varbit:
      return compareBitStrings(a as BitString, b as BitString);
    case Oid.jsonb:
      return compareJsonb(a as Jsonb, b as Jsonb);
    case Oid.timetz:
      return compareTimeTz(a as TimeTz, b as TimeTz);
    case Oid.interval: {
      // interval_cmp: the linear span with 30-day months and 24-hour days.
      const span = (v: Interval): bigint => (BigInt(v.months) * 30n + BigInt(v.days)) * 86400000000n + v.micros;
      const x = span(a as Interval);
      const y = span(b as Interval);
      return x === y ? 0 : x < y ? -1 : 1;
    }
    default: {
      if (typeof a === 'number' && typeof b === 'number') return a === b ? 0 : a < b ? -1 : 1;
      if (typeof a === 'string' && typeof b === 'string') return compareTextC(a, b);
      const type = typeByOid(typeOid);
      if (type?.category === 'A' && type.elemOid !== 0) return compareArrayValues(type.elemOid, a as PgArray<unknown>, b as PgArray<unknown>);
      throw new DbError(SqlState.UndefinedFunction, `could not identify a comparison function for type ${typeByOid(typeOid)?.displayName ?? typeOid}`);
    }
  }
}

/** array_cmp: elements in order (NULL after non-NULL), then length, dimensions and lower bounds. */
function compareArrayValues(elemType: number, a: PgArray<unknown>, b: PgArray<unknown>): number {
  const n = Math.min(a.items.length, b.items.length);
  for (let i = 0; i < n; i++) {
    const x = a.items[i]!;
    const y = b.items[i]!;
    if (x === null || y === null) {
      if (x === y) continue;
      return x === null ? 1 : -1;
    }
    const c = compareValues(elemType, x, y);
    if (c !== 0) return c;
  }
  if (a.items.length !== b.items.length) return a.items.length < b.items.length ? -1 : 1;
  if (a.ndim !== b.ndim) return a.ndim < b.ndim ? -1 : 1;
  for (let d = 0; d < a.ndim; d++) {
    if (a.dims[d] !== b.dims[d]) return a.dims[d]! < b.dims[d]! ? -1 : 1;
    if (a.lbounds[d] !== b.lbounds[d]) return a.lbounds[d]! < b.lbounds[d]! ? -1 : 1;
  }
  return 0;
}

/** The "C" collation: byte order of the UTF-8 encoding. */
export function compareTextC(a: string, b: string): number {
  if (a === b) return 0;
  // UTF-16 code unit order equals UTF-8 byte order except across surrogates; fall back there.
  const simple = a < b ? -1 : 1;
  if (!/[\ud800-\udfff]/.test(a) && !/[\ud800-\udfff]/.test(b)) return simple;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

const COMPARISONS: [string, (c: number) => boolean][] = [
  ['=', (c) => c === 0],
  ['<>', (c) => c !== 0],
  ['<', (c) => c < 0],
  ['<=', (c) => c <= 0],
  ['>', (c) => c > 0],
  ['>=', (c) => c >= 0],
];

const ORDERED_TYPES = [
  Oid.int2, Oid.int4, Oid.int8, Oid.float4, Oid.float8, Oid.numeric, Oid.bool, Oid.text, Oid.bpchar, Oid.name,
  Oid.bytea, Oid.date, Oid.timestamp, Oid.timestamptz, Oid.time, Oid.timetz, Oid.oid, Oid.uuid,
];
for (const t of ORDERED_TYPES) {
  for (const [op, test] of COMPARISONS) {
    const binary = (a: Value, b: Value): boolean => test(compareValues(t, a, b));
    defineFunction({ name: op, argTypes: [t, t], returnType: Oid.bool, strict: true, volatility: 'immutable', impl: ([a, b]) => binary(a, b), binary });
  }
}

// ---- text ----

/**
 * Pseudo-type anynonarray (pg_type OID 2776): an argument of any non-array type, which the
 * binder converts to text with its output function before the call (as textanycat does).
 */
export const ANYNONARRAY_OID = 2776;

fn('||', [Oid.text, Oid.text], Oid.text, ([a, b]) => (a as string) + (b as string));
fn('||', [Oid.text, ANYNONARRAY_OID], Oid.text, ([a, b]) => (a as string) + (b as string), { volatility: 'stable' });
fn('||', [ANYNONARRAY_OID, Oid.text], Oid.text, ([a, b]) => (a as string) + (b as string), { volatility: 'stable' });

const likeCache = new Map<string, RegExp>();

/** Compiles a LIKE pattern (% _ and backslash escapes) to an anchored RegExp. */
function likeRegex(pattern: string, caseInsensitive: boolean): RegExp {
  const key = (caseInsensitive ? 'i:' : 's:') + pattern;
  let re = likeCache.get(key);
  if (re) return re;
  let src = '';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '\\') {
      if (i + 1 >= chars.length) throw new DbError(SqlState.InvalidEscapeSequence, 'LIKE pattern must not end with escape character');
      src += chars[++i]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '%') src += '[\\s\\S]*';
    else if (c === '_') src += '[\\s\\S]';
    else src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  re = new RegExp(`^${src}$`, caseInsensitive ? 'iu' : 'u');
  if (likeCache.size > 1000) likeCache.clear();
  likeCache.set(key, re);
  return re;
}

fn('~~', [Oid.text, Oid.text], Oid.bool, ([s, p]) => likeRegex(p as string, false).test(s as string));
fn('!~~', [Oid.text, Oid.text], Oid.bool, ([s, p]) => !likeRegex(p as string, false).test(s as string));
fn('~~*', [Oid.text, Oid.text], Oid.bool, ([s, p]) => likeRegex(p as string, true).test(s as string));
fn('!~~*', [Oid.text, Oid.text], Oid.bool, ([s, p]) => !likeRegex(p as string, true).test(s as string));
fn('length', [Oid.text], Oid.int4, ([a]) => [...(a as string)].length);
fn('char_length', [Oid.text], Oid.int4, ([a]) => [...(a as string)].length);
fn('octet_length', [Oid.text], Oid.int4, ([a]) => Buffer.byteLength(a as string));
fn('lower', [Oid.text], Oid.text, ([a]) => (a as string).replace(/[A-Z]/g, (c) => c.toLowerCase()));
fn('upper', [Oid.text], Oid.text, ([a]) => (a as string).replace(/[a-z]/g, (c) => c.toUpperCase()));

// ---- system information and settings ----

fn('version', [], Oid.text, () => SERVER_VERSION_STRING, { volatility: 'stable' });
fn('current_database', [], Oid.name, (_a, ctx) => ctx.database, { volatility: 'stable' });
fn('current_user', [], Oid.name, (_a, ctx) => ctx.user, { volatility: 'stable' });
fn('session_user', [], Oid.name, (_a, ctx) => ctx.sessionUser ?? ctx.user, { volatility: 'stable' });
// current_schema: functions-catalog.ts (first existing schema on search_path)
fn('pg_backend_pid', [], Oid.int4, (_a, ctx) => ctx.backendPid, { volatility: 'stable' });
fn('now', [], Oid.timestamptz, (_a, ctx) => ctx.transactionStartMicros, { volatility: 'stable' });
fn('transaction_timestamp', [], Oid.timestamptz, (_a, ctx) => ctx.transactionStartMicros, { volatility: 'stable' });
fn('statement_timestamp', [], Oid.timestamptz, (_a, ctx) => ctx.statementStartMicros, { volatility: 'stable' });
fn('clock_timestamp', [], Oid.timestamptz, () => nowMicros(), { volatility: 'volatile' });
fn('current_setting', [Oid.text], Oid.text, ([name], ctx) => ctx.getSetting(name as string, false), { volatility: 'stable' });
fn('current_setting', [Oid.text, Oid.bool], Oid.text, ([name, missingOk], ctx) => ctx.getSetting(name as string, missingOk as boolean), {
  volatility: 'stable',
});
fn(
  'set_config',
  [Oid.text, Oid.text, Oid.bool],
  Oid.text,
  ([name, value, isLocal], ctx) => {
    if (name === null) throw new DbError(SqlState.NullValueNotAllowed, 'SET requires parameter name');
    ctx.setSetting(name as string, (value as string | null) ?? '', isLocal === true);
    return ctx.getSetting(name as string, false);
  },
  { strict: false, volatility: 'volatile' },
);
fn('nextval', [Oid.text], Oid.int8, ([name], ctx) => ctx.data.nextval(name as string), { volatility: 'volatile' });
fn(
  'pg_sleep',
  [Oid.float8],
  Oid.void,
  async ([seconds], ctx) => {
    await ctx.sleep(Math.max(0, (seconds as number) * 1000));
    return ''; // void: not NULL
  },
  { volatility: 'volatile', async: true },
);

// ---- set-returning functions ----

function* series<T extends number | bigint>(start: T, stop: T, step: T): Generator<T> {
  if (step === 0 || step === 0n) throw new DbError(SqlState.InvalidParameterValue, 'step size cannot equal zero');
  const up = step > 0;
  for (let v = start; up ? v <= stop : v >= stop; v = ((v as number) + (step as number)) as T) yield v;
}

fn('generate_series', [Oid.int4, Oid.int4], Oid.int4, ([a, b]) => series(a as number, b as number, 1), { returnsSet: true });
fn('generate_series', [Oid.int4, Oid.int4, Oid.int4], Oid.int4, ([a, b, c]) => series(a as number, b as number, c as number), { returnsSet: true });
fn('generate_series', [Oid.int8, Oid.int8], Oid.int8, ([a, b]) => series(a as bigint, b as bigint, 1n), { returnsSet: true });
fn('generate_series', [Oid.int8, Oid.int8, Oid.int8], Oid.int8, ([a, b, c]) => series(a as bigint, b as bigint, c as bigint), {
  returnsSet: true,
});

/** Microseconds since 2000-01-01 UTC (PostgreSQL's timestamp epoch). */
export function nowMicros(): bigint {
  const epochOffsetMs = 946684800000;
  const ms = performance.timeOrigin + performance.now();
  return BigInt(Math.round((ms - epochOffsetMs) * 1000));
}
