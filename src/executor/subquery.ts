/**
 * Subquery expressions (EXISTS, scalar, ARRAY, ANY/ALL, IN): runs the subquery's plan with
 * the current row as the innermost outer row. Uncorrelated subqueries run once per
 * statement execution (cached in ctx.runState, like PostgreSQL's InitPlans); correlated
 * ones once per row (SubPlans). Registered with compile.ts, which stays free of plan code.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { PgArray } from '../types/index.ts';
import type { BoundExpr } from './bound.ts';
import { compile, compileAsync, registerSubqueryEvaluator, type Evaluator } from './compile.ts';
import { withOuterRow, type ExecContext } from './context.ts';
import type { RowCursor } from './cursor.ts';
import type { Plan } from './plan.ts';
import type { Row, Value } from './value.ts';
import { hashKey } from './hash-key.ts';

type OpenCursor = (plan: Plan, params: readonly Value[], ctx: ExecContext) => RowCursor;

type SubqueryExpr = BoundExpr & { kind: 'subquery' };

/** Reads rows until `enough` says stop (EXISTS needs one, a scalar subquery two). */
async function collect(cursor: RowCursor, enough: (n: number) => boolean): Promise<Row[]> {
  const rows: Row[] = [];
  try {
    for (let b = await cursor.next(); b; b = await cursor.next()) {
      for (const r of b) rows.push(r);
      if (enough(rows.length)) break;
    }
  } finally {
    cursor.close();
  }
  return rows;
}

const compiledTests = new WeakMap<SubqueryExpr, Evaluator>();

function quantified(e: SubqueryExpr, left: Value, rows: readonly Row[], params: readonly Value[], ctx: ExecContext): Value {
  let test = compiledTests.get(e);
  if (!test) compiledTests.set(e, (test = compile(e.test!)));
  let sawNull = false;
  for (const r of rows) {
    const v = test([left, r[0]], params, ctx);
    if (v === null) sawNull = true;
    else if (e.mode === 'any' && v === true) return true;
    else if (e.mode === 'all' && v === false) return false;
  }
  if (sawNull) return null;
  return e.mode === 'all';
}

/** The subquery's values as a hash set, for `x IN (SELECT ...)` / `x NOT IN (...)` probes. */
interface ValueSet {
  readonly keys: Set<string>;
  readonly hasNull: boolean;
  readonly size: number;
}

/**
 * True when the test is `= / <>` of the two values with no casts, by one operator for one type:
 * equal values then have equal hash keys, so membership can replace the row-by-row loop.
 */
function hashable(e: SubqueryExpr): boolean {
  const t = e.test;
  if (!t || t.kind !== 'call' || t.args.length !== 2) return false;
  const op = e.mode === 'any' ? '=' : '<>';
  const [a, b] = t.args as [BoundExpr, BoundExpr];
  return t.fn.name === op && t.fn.argTypes[0] === t.fn.argTypes[1] && a.kind === 'column' && a.index === 0 && b.kind === 'column' && b.index === 1;
}

function valueSet(rows: readonly Row[]): ValueSet {
  const keys = new Set<string>();
  let hasNull = false;
  for (const r of rows) {
    const v = r[0] ?? null;
    if (v === null) hasNull = true;
    else keys.add(hashKey([v]));
  }
  return { keys, hasNull, size: rows.length };
}

/** IN (= ANY) and NOT IN (<> ALL) against a value set, with SQL's NULL rules. */
function probe(e: SubqueryExpr, left: Value, set: ValueSet): Value {
  if (set.size === 0) return e.mode === 'all';
  if (left === null) return null;
  if (set.keys.has(hashKey([left]))) return e.mode === 'any';
  return set.hasNull ? null : e.mode === 'all';
}

/** Installs the evaluator; called once by run-plan.ts with its openCursor. */
export function installSubqueries(openCursor: OpenCursor): void {
  const results = async (e: SubqueryExpr, row: Row, params: readonly Value[], ctx: ExecContext): Promise<Row[]> => {
    const enough = e.mode === 'exists' ? (n: number) => n >= 1 : e.mode === 'scalar' ? (n: number) => n >= 2 : () => false;
    if (e.correlated) return collect(openCursor(e.plan, params, withOuterRow(ctx, row)), enough);
    const cache = ctx.runState;
    const hit = cache?.get(e) as Row[] | undefined;
    if (hit) return hit;
    const rows = await collect(openCursor(e.plan, params, ctx), enough);
    cache?.set(e, rows);
    return rows;
  };
  registerSubqueryEvaluator(async (e, row, params, ctx) => {
    const left = e.left ? await compileAsync(e.left)(row, params, ctx) : null;
    const rows = await results(e, row, params, ctx);
    switch (e.mode) {
      case 'exists':
        return rows.length > 0;
      case 'scalar':
        if (rows.length > 1) throw new DbError(SqlState.CardinalityViolation, 'more than one row returned by a subquery used as an expression');
        return rows.length === 0 ? null : (rows[0]![0] ?? null);
      case 'array':
        return PgArray.of(rows.map((r) => r[0] ?? null));
      default: {
        if (!e.correlated && hashable(e)) {
          // An uncorrelated IN / NOT IN list: hash it once per execution, then probe per row.
          const cache = ctx.runState;
          let set = cache?.get(rows) as ValueSet | undefined;
          if (!set) {
            set = valueSet(rows);
            cache?.set(rows, set);
          }
          return probe(e, left, set);
        }
        return quantified(e, left, rows, params, ctx);
      }
    }
  });
}
