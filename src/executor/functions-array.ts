/**
 * Array functions and operators of PostgreSQL 15 (§9.19): dimensions, search, construction
 * (append/prepend/cat/remove/replace, ||), containment (@> <@ &&), unnest and
 * generate_subscripts in FROM, and the array_subscript/array_slice calls that the binder
 * makes of `a[i]` and `a[i:j]`. Elements compare with the element type's btree order.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { Oid, PgArray, ArrayOid } from '../types/index.ts';
import { fn, polyFn, variadicFn } from './function-defs.ts';
import { compareValues } from './functions.ts';
import { elementTypeOf, PolyOid } from './polymorphic.ts';
import { textOf } from './functions-text.ts';
import type { Value } from './value.ts';

const { anyarray: AA, anyelement: AE, anycompatible: AC, anycompatiblearray: ACA } = PolyOid;
const I = Oid.int4;

type Arr = PgArray<unknown>;

function stableKey(v: Value): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x instanceof Uint8Array ? Buffer.from(x).toString('hex') : x));
}

/** Equality of two non-null elements of one type (btree equality where there is one). */
export function elementsEqual(type: number, a: Value, b: Value): boolean {
  try {
    return compareValues(type, a, b) === 0;
  } catch {
    return stableKey(a) === stableKey(b);
  }
}

const elemOf = (arrayType: number): number => elementTypeOf(arrayType) ?? Oid.text;

// ---- dimensions ----

polyFn('array_length', [AA, I], I, () => ([a, d]) => {
  const arr = a as Arr;
  const k = (d as number) - 1;
  return k >= 0 && k < arr.ndim ? arr.dims[k]! : null;
});
polyFn('array_lower', [AA, I], I, () => ([a, d]) => {
  const arr = a as Arr;
  const k = (d as number) - 1;
  return k >= 0 && k < arr.ndim ? arr.lbounds[k]! : null;
});
polyFn('array_upper', [AA, I], I, () => ([a, d]) => {
  const arr = a as Arr;
  const k = (d as number) - 1;
  return k >= 0 && k < arr.ndim ? arr.lbounds[k]! + arr.dims[k]! - 1 : null;
});
polyFn('array_ndims', [AA], I, () => ([a]) => ((a as Arr).ndim === 0 ? null : (a as Arr).ndim));
polyFn('array_dims', [AA], Oid.text, () => ([a]) => {
  const arr = a as Arr;
  if (arr.ndim === 0) return null;
  return arr.dims.map((n, d) => `[${arr.lbounds[d]}:${arr.lbounds[d]! + n - 1}]`).join('');
});
polyFn('cardinality', [AA], I, () => ([a]) => (a as Arr).items.length);

// ---- search ----

function position(elemType: number, arr: Arr, v: Value, start: number | null): number | null {
  if (arr.ndim > 1) throw new DbError(SqlState.FeatureNotSupported, 'searching for elements in multidimensional arrays is not supported');
  if (arr.ndim === 0) return null;
  const lb = arr.lbounds[0]!;
  for (let i = Math.max(0, (start ?? lb) - lb); i < arr.items.length; i++) {
    const x = arr.items[i]!;
    if (x === null ? v === null : v !== null && elementsEqual(elemType, x, v)) return i + lb;
  }
  return null;
}
polyFn('array_position', [ACA, AC], I, ([t]) => ([a, v]) => (a === null ? null : position(elemOf(t!), a as Arr, v, null)), { strict: false });
polyFn('array_position', [ACA, AC, I], I, ([t]) => ([a, v, s]) => {
  if (a === null) return null;
  if (s === null) throw new DbError(SqlState.InvalidParameterValue, 'initial position must not be null');
  return position(elemOf(t!), a as Arr, v, s as number);
}, { strict: false });
polyFn('array_positions', [ACA, AC], ArrayOid.int4, ([t]) => ([a, v]) => {
  if (a === null) return null;
  const arr = a as Arr;
  if (arr.ndim > 1) throw new DbError(SqlState.FeatureNotSupported, 'searching for elements in multidimensional arrays is not supported');
  const out: number[] = [];
  arr.items.forEach((x, i) => {
    if (x === null ? v === null : v !== null && elementsEqual(elemOf(t!), x, v)) out.push(i + (arr.lbounds[0] ?? 1));
  });
  return PgArray.of(out);
}, { strict: false });

// ---- construction ----

function oneDim(arr: Arr, what: string): void {
  if (arr.ndim > 1) throw new DbError(SqlState.FeatureNotSupported, `${what} multidimensional arrays is not supported`);
}

function append(arr: Arr | null, v: Value): Arr {
  if (arr === null || arr.ndim === 0) return PgArray.of([v]);
  if (arr.ndim !== 1) throw new DbError(SqlState.DataException, 'argument must be empty or one-dimensional array');
  return new PgArray([...arr.items, v], [arr.dims[0]! + 1], arr.lbounds);
}
function prepend(v: Value, arr: Arr | null): Arr {
  if (arr === null || arr.ndim === 0) return PgArray.of([v]);
  if (arr.ndim !== 1) throw new DbError(SqlState.DataException, 'argument must be empty or one-dimensional array');
  return new PgArray([v, ...arr.items], [arr.dims[0]! + 1], arr.lbounds);
}
function cat(a: Arr | null, b: Arr | null): Arr | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.ndim === 0) return b;
  if (b.ndim === 0) return a;
  const incompatible = (detail: string): DbError => new DbError(SqlState.ArraySubscriptError, 'cannot concatenate incompatible arrays', { detail });
  if (a.ndim === b.ndim) {
    if (a.dims.slice(1).some((d, i) => d !== b.dims[i + 1])) {
      throw incompatible('Arrays with differing element dimensions are not compatible for concatenation.');
    }
    return new PgArray([...a.items, ...b.items], [a.dims[0]! + b.dims[0]!, ...a.dims.slice(1)], a.lbounds);
  }
  if (a.ndim === b.ndim + 1) {
    if (b.dims.some((d, i) => d !== a.dims[i + 1])) throw incompatible('Arrays with differing dimensions are not compatible for concatenation.');
    return new PgArray([...a.items, ...b.items], [a.dims[0]! + 1, ...a.dims.slice(1)], a.lbounds);
  }
  if (b.ndim === a.ndim + 1) {
    if (a.dims.some((d, i) => d !== b.dims[i + 1])) throw incompatible('Arrays with differing dimensions are not compatible for concatenation.');
    return new PgArray([...a.items, ...b.items], [b.dims[0]! + 1, ...b.dims.slice(1)], b.lbounds);
  }
  throw incompatible(`Arrays of ${a.ndim} and ${b.ndim} dimensions are not compatible for concatenation.`);
}

polyFn('array_append', [ACA, AC], ACA, () => ([a, v]) => append(a as Arr | null, v), { strict: false });
polyFn('array_prepend', [AC, ACA], ACA, () => ([v, a]) => prepend(v, a as Arr | null), { strict: false });
polyFn('array_cat', [ACA, ACA], ACA, () => ([a, b]) => cat(a as Arr | null, b as Arr | null), { strict: false });
polyFn('||', [ACA, ACA], ACA, () => ([a, b]) => cat(a as Arr | null, b as Arr | null), { strict: false });
polyFn('||', [ACA, AC], ACA, () => ([a, v]) => append(a as Arr | null, v), { strict: false });
polyFn('||', [AC, ACA], ACA, () => ([v, a]) => prepend(v, a as Arr | null), { strict: false });
polyFn('array_remove', [ACA, AC], ACA, ([t]) => ([a, v]) => {
  if (a === null) return null;
  const arr = a as Arr;
  if (arr.ndim === 0) return arr;
  oneDim(arr, 'removing elements from');
  const items = arr.items.filter((x) => !(x === null ? v === null : v !== null && elementsEqual(elemOf(t!), x, v)));
  return items.length === arr.items.length ? arr : new PgArray(items, items.length ? [items.length] : [], items.length ? arr.lbounds : []);
}, { strict: false });
polyFn('array_replace', [ACA, AC, AC], ACA, ([t]) => ([a, from, to]) => {
  if (a === null) return null;
  const arr = a as Arr;
  const items = arr.items.map((x) => (x === null ? from === null : from !== null && elementsEqual(elemOf(t!), x, from)) ? to : x);
  return new PgArray(items, arr.dims, arr.lbounds);
}, { strict: false });
polyFn('array_fill', [AE, ArrayOid.int4], AA, () => ([v, d]) => {
  const dims = (d as Arr).items as number[];
  const n = dims.reduce((x, y) => x * y, 1);
  return n === 0 ? PgArray.of([]) : new PgArray(new Array(n).fill(v), dims);
}, { strict: false });

polyFn('array_to_string', [AA, Oid.text], Oid.text, ([t]) => ([a, d], ctx) => {
  const et = elemOf(t!);
  return (a as Arr).items.flatMap((x) => (x === null ? [] : [textOf(x, et, ctx.format)])).join(d as string);
}, { volatility: 'stable' });
polyFn('array_to_string', [AA, Oid.text, Oid.text], Oid.text, ([t]) => ([a, d, n], ctx) => {
  if (a === null || d === null) return null;
  const et = elemOf(t!);
  return (a as Arr).items.flatMap((x) => (x === null ? (n === null ? [] : [n as string]) : [textOf(x, et, ctx.format)])).join(d as string);
}, { strict: false, volatility: 'stable' });

// ---- containment and comparison ----

function contains(elemType: number, a: Arr, b: Arr): boolean {
  return b.items.every((y) => y !== null && a.items.some((x) => x !== null && elementsEqual(elemType, x, y)));
}
polyFn('@>', [AA, AA], Oid.bool, ([t]) => ([a, b]) => contains(elemOf(t!), a as Arr, b as Arr));
polyFn('<@', [AA, AA], Oid.bool, ([t]) => ([a, b]) => contains(elemOf(t!), b as Arr, a as Arr));
polyFn('&&', [AA, AA], Oid.bool, ([t]) => ([a, b]) =>
  (a as Arr).items.some((x) => x !== null && (b as Arr).items.some((y) => y !== null && elementsEqual(elemOf(t!), x, y))),
);
const CMP: [string, (c: number) => boolean][] = [
  ['=', (c) => c === 0], ['<>', (c) => c !== 0], ['<', (c) => c < 0], ['<=', (c) => c <= 0], ['>', (c) => c > 0], ['>=', (c) => c >= 0],
];
for (const [op, test] of CMP) polyFn(op, [AA, AA], Oid.bool, ([t]) => ([a, b]) => test(compareValues(t!, a, b)));

// ---- subscripts (bound from a[i] and a[i:j] by the planner) ----

/** a[i][j]...: NULL when a subscript is out of range or the count differs from the dimensions. */
variadicFn(
  'array_subscript',
  (actual) => {
    const elem = elementTypeOf(actual[0] ?? 0);
    return elem === undefined || actual.length < 2 ? null : { argTypes: [actual[0]!, ...actual.slice(1).map(() => I)], returnType: elem };
  },
  () => ([a, ...idx]) => {
    const arr = a as Arr;
    if (idx.length > 6) throw new DbError(SqlState.ProgramLimitExceeded, `number of array dimensions (${idx.length}) exceeds the maximum allowed (6)`);
    if (idx.length !== arr.ndim) return null;
    let off = 0;
    for (let d = 0; d < arr.ndim; d++) {
      const k = (idx[d] as number) - arr.lbounds[d]!;
      if (k < 0 || k >= arr.dims[d]!) return null;
      off = off * arr.dims[d]! + k;
    }
    return arr.items[off] ?? null;
  },
);

/** a[lo:hi]...: the sub-array, lower bounds 1; mask bit 2k / 2k+1 marks an omitted lower / upper bound. */
variadicFn(
  'array_slice',
  (actual) => (elementTypeOf(actual[0] ?? 0) === undefined || actual.length < 4 ? null : { argTypes: [actual[0]!, ...actual.slice(1).map(() => I)], returnType: actual[0]! }),
  () => ([a, m, ...bounds]) => {
    const arr = a as Arr;
    const mask = m as number;
    const n = bounds.length / 2;
    if (arr.ndim === 0 || n > arr.ndim) return PgArray.of([]);
    const lo: number[] = [];
    const hi: number[] = [];
    for (let d = 0; d < arr.ndim; d++) {
      const lb = arr.lbounds[d]!;
      const ub = lb + arr.dims[d]! - 1;
      const l = d < n && !(mask & (1 << (2 * d))) ? Math.max(bounds[2 * d] as number, lb) : lb;
      const h = d < n && !(mask & (1 << (2 * d + 1))) ? Math.min(bounds[2 * d + 1] as number, ub) : ub;
      if (l > h) return PgArray.of([]);
      lo.push(l - lb);
      hi.push(h - lb);
    }
    const dims = lo.map((l, d) => hi[d]! - l + 1);
    const items: Value[] = [];
    const walk = (d: number, off: number): void => {
      for (let k = lo[d]!; k <= hi[d]!; k++) {
        const o = off * arr.dims[d]! + k;
        if (d === arr.ndim - 1) items.push(arr.items[o] ?? null);
        else walk(d + 1, o);
      }
    };
    walk(0, 0);
    return new PgArray(items, dims);
  },
);

// ---- multidimensional ARRAY[...] constructors ----

/** ARRAY[sub-array, ...] (bound by the planner): the sub-arrays, which must match in dimensions, stacked. */
variadicFn(
  'array_stack',
  (actual) => (actual.length > 0 && actual.every((t) => t === actual[0]) && elementTypeOf(actual[0]!) !== undefined ? { argTypes: actual, returnType: actual[0]! } : null),
  () => (subs) => {
    const arrays = subs.filter((a): a is Arr => a !== null);
    if (arrays.length === 0 || arrays.every((a) => a.ndim === 0)) return PgArray.of([]);
    const first = arrays[0]!;
    const mismatch = (): DbError => new DbError(SqlState.ArraySubscriptError, 'multidimensional arrays must have array expressions with matching dimensions');
    if (subs.length !== arrays.length) throw mismatch();
    for (const a of arrays) {
      if (a.ndim !== first.ndim || a.dims.some((d, i) => d !== first.dims[i]) || a.lbounds.some((l, i) => l !== first.lbounds[i])) throw mismatch();
    }
    if (first.ndim + 1 > 6) throw new DbError(SqlState.ProgramLimitExceeded, `number of array dimensions (${first.ndim + 1}) exceeds the maximum allowed (6)`);
    return new PgArray(arrays.flatMap((a) => a.items), [arrays.length, ...first.dims], [1, ...first.lbounds]);
  },
  { strict: false },
);

// ---- set-returning ----

polyFn('unnest', [AA], AE, () => ([a]) => (a as Arr).items, { returnsSet: true });
function* subscripts(arr: Arr, dim: number, reverse: boolean): Generator<number> {
  const k = dim - 1;
  if (k < 0 || k >= arr.ndim) return;
  const lb = arr.lbounds[k]!;
  const ub = lb + arr.dims[k]! - 1;
  if (reverse) for (let i = ub; i >= lb; i--) yield i;
  else for (let i = lb; i <= ub; i++) yield i;
}
polyFn('generate_subscripts', [AA, I], I, () => ([a, d]) => subscripts(a as Arr, d as number, false), { returnsSet: true });
polyFn('generate_subscripts', [AA, I, Oid.bool], I, () => ([a, d, r]) => subscripts(a as Arr, d as number, r as boolean), { returnsSet: true });

fn('string_to_table', [Oid.text, Oid.text], Oid.text, ([s, d]) => ((s as string) === '' ? [] : (s as string).split(d as string)), { returnsSet: true });
