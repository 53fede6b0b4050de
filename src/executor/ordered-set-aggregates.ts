/**
 * Ordered-set aggregates (`f(direct args) WITHIN GROUP (ORDER BY x)`): percentile_cont,
 * percentile_disc and mode, as PostgreSQL's orderedsetaggs.c computes them. The call's
 * arguments are the direct arguments followed by the sorted value; the aggregate node feeds
 * the rows in the WITHIN GROUP order (ASC or DESC), so each state only collects the non-NULL
 * values and picks from them at the end. Metabase's median and percentile metrics use them.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { ArrayOid, Interval, Oid, PgArray, arrayTypeOf } from '../types/index.ts';
import type { AggregateFunction } from './aggregates.ts';
import { intervalScale } from './functions-datetime.ts';
import { compareValues } from './functions.ts';
import type { Value } from './value.ts';

/** %g of a float8, as the percentile range error prints it. */
function formatG(p: number): string {
  const s = p.toPrecision(6);
  return String(Number(s));
}

function checkFraction(p: number): void {
  if (Number.isNaN(p) || p < 0 || p > 1) {
    throw new DbError(SqlState.NumericValueOutOfRange, `percentile value ${formatG(p)} is not between 0 and 1`);
  }
}

/** Collects the sorted non-NULL values and the (first row's) direct argument. */
function collector(): { step(args: readonly Value[]): void; values: Value[]; direct(): Value; seen(): boolean } {
  const values: Value[] = [];
  let direct: Value = null;
  let seen = false;
  return {
    step(args) {
      if (!seen) {
        direct = args[0] ?? null;
        seen = true;
      }
      const v = args[args.length - 1];
      if (v !== null && v !== undefined) values.push(v);
    },
    values,
    direct: () => direct,
    seen: () => seen,
  };
}

/** interval_lerp: lo + (hi - lo) * pct, with interval arithmetic. */
function intervalLerp(lo: Interval, hi: Interval, pct: number): Interval {
  const diff = new Interval(hi.months - lo.months, hi.days - lo.days, hi.micros - lo.micros);
  const part = intervalScale(diff, pct, false);
  return new Interval(lo.months + part.months, lo.days + part.days, lo.micros + part.micros);
}

function continuous(values: readonly Value[], p: number, interval: boolean): Value {
  const n = values.length;
  const first = Math.floor(p * (n - 1));
  const second = Math.ceil(p * (n - 1));
  const lo = values[first]!;
  if (first === second) return lo;
  const hi = values[second]!;
  const proportion = p * (n - 1) - first;
  if (interval) return intervalLerp(lo as Interval, hi as Interval, proportion);
  return (lo as number) + ((hi as number) - (lo as number)) * proportion;
}

function discrete(values: readonly Value[], p: number): Value {
  const row = Math.max(1, Math.ceil(p * values.length));
  return values[row - 1]!;
}

const NUMBER_TYPES: ReadonlySet<number> = new Set([Oid.float8, Oid.float4, Oid.numeric, Oid.int2, Oid.int4, Oid.int8]);

/** percentile_cont / percentile_disc, with a single fraction or an array of them. */
function percentile(name: 'percentile_cont' | 'percentile_disc'): AggregateFunction {
  const cont = name === 'percentile_cont';
  const contType = (t: number): number | null => (t === Oid.interval ? Oid.interval : t === Oid.unknown ? null : Oid.float8);
  return {
    name,
    orderedSet: true,
    resultType: (types) => {
      if (types.length !== 2) return null;
      const [fraction, sorted] = types as [number, number];
      const multi = fraction === ArrayOid.float8 || fraction === ArrayOid.numeric || fraction === ArrayOid.float4;
      if (!multi && !NUMBER_TYPES.has(fraction)) return null;
      if (cont && !NUMBER_TYPES.has(sorted) && sorted !== Oid.interval) return null;
      const value = cont ? contType(sorted) : sorted;
      if (value === null) return null;
      return multi ? (arrayTypeOf(value)?.oid ?? null) : value;
    },
    argTypesFor: (types) => {
      const multi = types[0] === ArrayOid.float8 || types[0] === ArrayOid.numeric || types[0] === ArrayOid.float4;
      return [multi ? ArrayOid.float8 : Oid.float8, cont ? contType(types[1]!)! : types[1]!];
    },
    create: (types) => {
      const c = collector();
      const interval = types[1] === Oid.interval;
      const pick = (p: number): Value => (cont ? continuous(c.values, p, interval) : discrete(c.values, p));
      return {
        step: c.step,
        final: () => {
          const direct = c.direct();
          if (!c.seen() || direct === null) return null;
          if (direct instanceof PgArray) {
            const fractions = direct.items as (number | null)[];
            for (const p of fractions) if (p !== null) checkFraction(p);
            if (c.values.length === 0) return null;
            return new PgArray(fractions.map((p) => (p === null ? null : pick(p))), direct.dims, direct.lbounds);
          }
          checkFraction(direct as number);
          return c.values.length === 0 ? null : pick(direct as number);
        },
      };
    },
  };
}

/** mode(): the most frequent value; of equally frequent ones, the first in the WITHIN GROUP order. */
const mode: AggregateFunction = {
  name: 'mode',
  orderedSet: true,
  resultType: (types) => (types.length === 1 && types[0] !== Oid.unknown ? types[0]! : null),
  argTypesFor: (types) => [...types],
  create: (types) => {
    const c = collector();
    return {
      step: c.step,
      final: () => {
        let best: Value = null;
        let bestCount = 0;
        let run: Value = null;
        let runCount = 0;
        for (const v of c.values) {
          if (runCount > 0 && compareValues(types[0]!, v, run) === 0) runCount++;
          else {
            run = v;
            runCount = 1;
          }
          if (runCount > bestCount) {
            best = run;
            bestCount = runCount;
          }
        }
        return best;
      },
    };
  },
};

export const ORDERED_SET_AGGREGATES: readonly AggregateFunction[] = [percentile('percentile_cont'), percentile('percentile_disc'), mode];
