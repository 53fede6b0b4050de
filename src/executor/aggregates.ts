/**
 * Aggregate functions (pg_aggregate): each has a result type rule and a state machine
 * (init / step / final) over runtime values. Result types as PostgreSQL's: count → bigint,
 * sum(int2/int4) → bigint, sum(int8/numeric) → numeric, avg(integers/numeric) → numeric,
 * avg(floats) → double precision, min/max keep the input type.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { Interval, JsonbValue, Numeric, Oid, checkMoney, PgArray, arrayTypeOf, defaultFormatContext, escapeJsonString, selectDivScale, type FormatContext, type Jsonb } from '../types/index.ts';
import { compareValues } from './functions.ts';
import { numericSqrt } from './functions-math.ts';
import { intervalScale } from './functions-datetime.ts';
import { toJsonb, toJsonText } from './functions-json.ts';
import { elementTypeOf } from './polymorphic.ts';
import { ORDERED_SET_AGGREGATES } from './ordered-set-aggregates.ts';
import type { Value } from './value.ts';

export interface AggregateState {
  step(args: readonly Value[]): void;
  final(): Value;
}

export interface AggregateFunction {
  readonly name: string;
  /** Result type for the argument types, or null when the aggregate does not take them. */
  resultType(argTypes: readonly number[]): number | null;
  /** Argument types the arguments are coerced to before stepping (same length as argTypes). */
  argTypesFor(argTypes: readonly number[]): number[];
  /** `format` is the session's (for aggregates that print values, e.g. json_agg of timestamps). */
  create(argTypes: readonly number[], format?: FormatContext): AggregateState;
  /** An ordered-set aggregate: called as `f(direct args) WITHIN GROUP (ORDER BY x)`, the sorted value last (ordered-set-aggregates.ts). */
  readonly orderedSet?: boolean;
}

const NUMERIC_INPUTS = new Set<number>([Oid.int2, Oid.int4, Oid.int8, Oid.numeric, Oid.float4, Oid.float8]);

function toNumeric(v: Value, type: number): Numeric {
  if (type === Oid.numeric) return v as Numeric;
  if (type === Oid.int8) return Numeric.fromBigInt(v as bigint);
  return Numeric.fromBigInt(BigInt(v as number));
}

/** Sums intervals field by field (interval_pl), with PostgreSQL's range check. */
function intervalAccumulator(): { add(v: Value): void; sum(): Interval | null; count(): number } {
  let months = 0;
  let days = 0;
  let micros = 0n;
  let n = 0;
  return {
    add(v) {
      if (v === null) return;
      const x = v as Interval;
      months += x.months;
      days += x.days;
      micros += x.micros;
      n++;
      if (Math.abs(months) > 2147483647 || Math.abs(days) > 2147483647) throw new DbError(SqlState.DatetimeFieldOverflow, 'interval out of range');
    },
    sum: () => (n === 0 ? null : new Interval(months, days, micros)),
    count: () => n,
  };
}

const count: AggregateFunction = {
  name: 'count',
  resultType: (t) => (t.length <= 1 ? Oid.int8 : null),
  argTypesFor: (t) => [...t],
  create: (t) => {
    let n = 0n;
    return {
      step(args) {
        if (t.length === 0 || args[0] !== null) n++;
      },
      final: () => n,
    };
  },
};

const sum: AggregateFunction = {
  name: 'sum',
  resultType: ([t]) =>
    t === Oid.int2 || t === Oid.int4 ? Oid.int8 : t === Oid.int8 || t === Oid.numeric ? Oid.numeric : t === Oid.float4 || t === Oid.float8 || t === Oid.interval || t === Oid.money ? t : null,
  argTypesFor: (t) => [...t],
  create: ([t]) => {
    if (t === Oid.money) {
      // cash_pl: int64 cents, "money out of range" on overflow.
      let s: bigint | null = null;
      return {
        step: ([v]) => {
          if (v !== null) s = checkMoney((s ?? 0n) + (v as bigint));
        },
        final: () => s,
      };
    }
    if (t === Oid.interval) {
      const acc = intervalAccumulator();
      return { step: ([v]) => acc.add(v), final: () => acc.sum() };
    }
    if (t === Oid.float4 || t === Oid.float8) {
      let s: number | null = null;
      return {
        step: ([v]) => {
          if (v !== null) s = (s ?? 0) + (v as number);
        },
        final: () => (s === null ? null : t === Oid.float4 ? Math.fround(s) : s),
      };
    }
    if (t === Oid.int2 || t === Oid.int4) {
      let s: bigint | null = null;
      return {
        step: ([v]) => {
          if (v !== null) s = (s ?? 0n) + BigInt(v as number);
        },
        final: () => {
          if (s !== null && (s > 9223372036854775807n || s < -9223372036854775808n)) throw new DbError(SqlState.NumericValueOutOfRange, 'bigint out of range');
          return s;
        },
      };
    }
    let s: Numeric | null = null;
    return {
      step: ([v]) => {
        if (v !== null) s = s === null ? toNumeric(v, t!) : s.add(toNumeric(v, t!));
      },
      final: () => s,
    };
  },
};

const avg: AggregateFunction = {
  name: 'avg',
  resultType: ([t]) =>
    t === Oid.float4 || t === Oid.float8 ? Oid.float8 : t === Oid.interval ? Oid.interval : t !== undefined && NUMERIC_INPUTS.has(t) ? Oid.numeric : null,
  argTypesFor: (t) => [...t],
  create: ([t]) => {
    if (t === Oid.interval) {
      const acc = intervalAccumulator();
      return {
        step: ([v]) => acc.add(v),
        final: () => {
          const s = acc.sum();
          return s === null ? null : intervalScale(s, acc.count(), true);
        },
      };
    }
    let n = 0;
    if (t === Oid.float4 || t === Oid.float8) {
      let s = 0;
      return {
        step: ([v]) => {
          if (v !== null) {
            s += v as number;
            n++;
          }
        },
        final: () => (n === 0 ? null : s / n),
      };
    }
    let s = Numeric.ZERO;
    return {
      step: ([v]) => {
        if (v !== null) {
          s = s.add(toNumeric(v, t!));
          n++;
        }
      },
      final: () => (n === 0 ? null : s.div(Numeric.fromBigInt(BigInt(n)))),
    };
  },
};

function extreme(name: 'min' | 'max'): AggregateFunction {
  const sign = name === 'min' ? -1 : 1;
  return {
    name,
    // PostgreSQL has no min/max over jsonb (its btree order is for indexes and ORDER BY).
    resultType: ([t]) => (t === undefined || t === Oid.unknown || t === Oid.jsonb ? null : t),
    argTypesFor: (t) => [...t],
    create: ([t]) => {
      let best: Value = null;
      return {
        step: ([v]) => {
          if (v !== null && (best === null || sign * compareValues(t!, v, best) > 0)) best = v;
        },
        final: () => best,
      };
    },
  };
}

function boolAgg(name: string, and: boolean): AggregateFunction {
  return {
    name,
    resultType: ([t]) => (t === Oid.bool ? Oid.bool : null),
    argTypesFor: () => [Oid.bool],
    create: () => {
      let r: boolean | null = null;
      return {
        step: ([v]) => {
          if (v !== null) r = r === null ? (v as boolean) : and ? r && (v as boolean) : r || (v as boolean);
        },
        final: () => r,
      };
    },
  };
}

const stringAgg: AggregateFunction = {
  name: 'string_agg',
  resultType: (t) => (t.length === 2 ? Oid.text : null),
  argTypesFor: () => [Oid.text, Oid.text],
  create: () => {
    let out: string | null = null;
    return {
      step: ([v, d]) => {
        if (v === null) return;
        out = out === null ? (v as string) : out + ((d as string | null) ?? '') + (v as string);
      },
      final: () => out,
    };
  },
};

/** array_agg(anynonarray) → anyarray, NULLs kept; array_agg(anyarray) stacks arrays into one more dimension. */
const arrayAgg: AggregateFunction = {
  name: 'array_agg',
  resultType: ([t]) => (t === undefined ? null : elementTypeOf(t) !== undefined ? t : (arrayTypeOf(t)?.oid ?? null)),
  argTypesFor: (t) => [...t],
  create: ([t]) => {
    const ofArrays = elementTypeOf(t!) !== undefined;
    const items: Value[] = [];
    let inner: PgArray<unknown> | null = null;
    return {
      step: ([v]) => {
        if (!ofArrays) {
          items.push(v);
          return;
        }
        if (v === null) throw new DbError(SqlState.NullValueNotAllowed, 'cannot accumulate null arrays');
        const a = v as PgArray<unknown>;
        if (a.ndim === 0) throw new DbError(SqlState.ArraySubscriptError, 'cannot accumulate empty arrays');
        if (inner && (inner.ndim !== a.ndim || inner.dims.some((d, i) => d !== a.dims[i]))) {
          throw new DbError(SqlState.ArraySubscriptError, 'cannot accumulate arrays of different dimensionality');
        }
        inner ??= a;
        items.push(...a.items);
      },
      final: () => {
        if (!ofArrays) return items.length === 0 ? null : PgArray.of(items);
        if (!inner) return null;
        const first: PgArray<unknown> = inner;
        return new PgArray(items, [items.length / first.items.length, ...first.dims], [1, ...first.lbounds]);
      },
    };
  },
};

function jsonAgg(name: string, binary: boolean): AggregateFunction {
  return {
    name,
    resultType: (t) => (t.length === 1 ? (binary ? Oid.jsonb : Oid.json) : null),
    argTypesFor: (t) => [...t],
    create: ([t], format = defaultFormatContext) => {
      const items: (string | Jsonb)[] = [];
      return {
        step: ([v]) => {
          items.push(binary ? toJsonb(v, t!, format) : toJsonText(v, t!, format));
        },
        final: () => (items.length === 0 ? null : binary ? ({ kind: 'array', items } as Jsonb) : '[' + items.join(', ') + ']'),
      };
    },
  };
}

function jsonObjectAgg(name: string, binary: boolean): AggregateFunction {
  return {
    name,
    resultType: (t) => (t.length === 2 ? (binary ? Oid.jsonb : Oid.json) : null),
    argTypesFor: (t) => [...t],
    create: ([kt, vt], format = defaultFormatContext) => {
      const entries: [string, Jsonb][] = [];
      const parts: string[] = [];
      let any = false;
      return {
        step: ([k, v]) => {
          if (k === null) throw new DbError(SqlState.InvalidParameterValue, 'field name must not be null');
          any = true;
          const key = typeof k === 'string' ? k : toJsonText(k, kt!, format).replace(/^"|"$/g, '');
          if (binary) entries.push([key, toJsonb(v, vt!, format)]);
          else parts.push(`${escapeJsonString(key)} : ${toJsonText(v, vt!, format)}`);
        },
        final: () => {
          if (!any) return null;
          if (!binary) return '{ ' + parts.join(', ') + ' }';
          return JsonbValue.object(entries);
        },
      };
    },
  };
}

const INTEGER_TYPES = new Set<number>([Oid.int2, Oid.int4, Oid.int8]);

function bitAgg(name: string, and: boolean): AggregateFunction {
  return {
    name,
    resultType: ([t]) => (t !== undefined && INTEGER_TYPES.has(t) ? t : null),
    argTypesFor: (t) => [...t],
    create: ([t]) => {
      let r: bigint | null = null;
      return {
        step: ([v]) => {
          if (v === null) return;
          const x = typeof v === 'bigint' ? v : BigInt(v as number);
          r = r === null ? x : and ? r & x : r | x;
        },
        final: () => (r === null ? null : t === Oid.int8 ? r : Number(r)),
      };
    },
  };
}

/**
 * var_samp / var_pop / stddev_samp / stddev_pop. float inputs use the Youngs-Cramer
 * accumulation of float8_accum; integer and numeric inputs compute exactly in numeric as
 * numeric_stddev_internal does (scale from select_div_scale).
 */
function varianceAgg(name: string, sample: boolean, variance: boolean): AggregateFunction {
  return {
    name,
    resultType: ([t]) => (t === Oid.float4 || t === Oid.float8 ? Oid.float8 : t !== undefined && NUMERIC_INPUTS.has(t) ? Oid.numeric : null),
    argTypesFor: (t) => [...t],
    create: ([t]) => {
      if (t === Oid.float4 || t === Oid.float8) {
        let n = 0;
        let sx = 0;
        let sxx = 0;
        return {
          step: ([v]) => {
            if (v === null) return;
            const x = v as number;
            const prev = n;
            n += 1;
            sx += x;
            if (prev > 0) {
              const tmp = x * n - sx;
              sxx += (tmp * tmp) / (n * prev);
            } else if (!Number.isFinite(x)) sxx = NaN;
          },
          final: () => {
            if (n === 0 || (sample && n === 1)) return null;
            const r = sxx / (sample ? n - 1 : n);
            return variance ? r : Math.sqrt(r);
          },
        };
      }
      let n = 0n;
      let sx = Numeric.ZERO;
      let sxx = Numeric.ZERO;
      return {
        step: ([v]) => {
          if (v === null) return;
          const x = toNumeric(v, t!);
          n++;
          sx = sx.add(x);
          sxx = sxx.add(x.mul(x));
        },
        final: () => {
          if (n === 0n || (sample && n === 1n)) return null;
          if (sx.isNaN() || sxx.isNaN()) return Numeric.NaN;
          const N = Numeric.fromBigInt(n);
          const numerator = N.mul(sxx).sub(sx.mul(sx));
          if (numerator.sign() <= 0) return Numeric.ZERO;
          const denominator = Numeric.fromBigInt(sample ? n * (n - 1n) : n * n);
          const rscale = selectDivScale(numerator, denominator);
          const r = numerator.divScaled(denominator, rscale);
          return variance ? r : numericSqrt(r, rscale);
        },
      };
    },
  };
}

const AGGREGATES: readonly AggregateFunction[] = [
  count, sum, avg, extreme('min'), extreme('max'), boolAgg('bool_and', true), boolAgg('every', true), boolAgg('bool_or', false), stringAgg,
  arrayAgg, jsonAgg('json_agg', false), jsonAgg('jsonb_agg', true), jsonObjectAgg('json_object_agg', false),
  jsonObjectAgg('jsonb_object_agg', true), bitAgg('bit_and', true), bitAgg('bit_or', false),
  varianceAgg('var_samp', true, true), varianceAgg('variance', true, true), varianceAgg('var_pop', false, true),
  varianceAgg('stddev_samp', true, false), varianceAgg('stddev', true, false), varianceAgg('stddev_pop', false, false),
  ...ORDERED_SET_AGGREGATES,
];

export function aggregateNamed(name: string): AggregateFunction | undefined {
  return AGGREGATES.find((a) => a.name === name);
}

export function isAggregateName(name: string): boolean {
  return AGGREGATES.some((a) => a.name === name);
}

