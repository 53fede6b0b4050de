/**
 * Aggregate functions (pg_aggregate): each has a result type rule and a state machine
 * (init / step / final) over runtime values. Result types as PostgreSQL's: count → bigint,
 * sum(int2/int4) → bigint, sum(int8/numeric) → numeric, avg(integers/numeric) → numeric,
 * avg(floats) → double precision, min/max keep the input type.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { Numeric, Oid } from '../types/index.ts';
import { compareValues } from './functions.ts';
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
  create(argTypes: readonly number[]): AggregateState;
}

const NUMERIC_INPUTS = new Set<number>([Oid.int2, Oid.int4, Oid.int8, Oid.numeric, Oid.float4, Oid.float8]);

function toNumeric(v: Value, type: number): Numeric {
  if (type === Oid.numeric) return v as Numeric;
  if (type === Oid.int8) return Numeric.fromBigInt(v as bigint);
  return Numeric.fromBigInt(BigInt(v as number));
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
    t === Oid.int2 || t === Oid.int4 ? Oid.int8 : t === Oid.int8 || t === Oid.numeric ? Oid.numeric : t === Oid.float4 || t === Oid.float8 ? t : null,
  argTypesFor: (t) => [...t],
  create: ([t]) => {
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
  resultType: ([t]) => (t === Oid.float4 || t === Oid.float8 ? Oid.float8 : t !== undefined && NUMERIC_INPUTS.has(t) ? Oid.numeric : null),
  argTypesFor: (t) => [...t],
  create: ([t]) => {
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
    resultType: ([t]) => (t === undefined || t === Oid.unknown ? null : t),
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

const AGGREGATES: readonly AggregateFunction[] = [count, sum, avg, extreme('min'), extreme('max'), boolAgg('bool_and', true), boolAgg('every', true), boolAgg('bool_or', false), stringAgg];

export function aggregateNamed(name: string): AggregateFunction | undefined {
  return AGGREGATES.find((a) => a.name === name);
}

export function isAggregateName(name: string): boolean {
  return AGGREGATES.some((a) => a.name === name) || name === 'array_agg';
}

