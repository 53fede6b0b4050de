/**
 * FETCH FIRST n ROWS WITH TIES: OFFSET, then n rows, then every further row equal to the
 * n-th on the ORDER BY keys (the input arrives sorted on them).
 */
import { DbError, SqlState } from '../errors/index.ts';
import { compile } from './compile.ts';
import type { ExecContext } from './context.ts';
import type { RowCursor } from './cursor.ts';
import type { Plan } from './plan.ts';
import { compareSortValues } from './sort-keys.ts';
import type { Row, Value } from './value.ts';

type OpenCursor = (plan: Plan, params: readonly Value[], ctx: ExecContext) => RowCursor;

function count(v: Value, what: 'LIMIT' | 'OFFSET'): number | null {
  if (v === null) return null;
  const n = Number(v as bigint);
  if (n < 0) {
    throw new DbError(what === 'LIMIT' ? SqlState.InvalidRowCountInLimitClause : SqlState.InvalidRowCountInResultOffsetClause, `${what} must not be negative`);
  }
  return n;
}

export function openLimitWithTies(plan: Plan & { kind: 'limit' }, params: readonly Value[], ctx: ExecContext, open: OpenCursor): RowCursor {
  const input = open(plan.input, params, ctx);
  const keys = plan.withTies!.map((k) => ({ ...k, eval: compile(k.expr), type: k.expr.type }));
  const keyOf = (r: Row): Value[] => keys.map((k) => k.eval(r, params, ctx));
  let limit: number | null | undefined;
  let skip = 0;
  let returned = 0;
  let last: Value[] | null = null;
  let done = false;
  return {
    async next() {
      if (limit === undefined) {
        limit = plan.limit ? count(compile(plan.limit)([], params, ctx), 'LIMIT') : null;
        skip = plan.offset ? (count(compile(plan.offset)([], params, ctx), 'OFFSET') ?? 0) : 0;
      }
      while (!done) {
        const batch = await input.next();
        if (!batch) return null;
        const out: Row[] = [];
        for (const r of batch) {
          if (skip > 0) {
            skip--;
            continue;
          }
          if (limit === null || returned < limit) {
            out.push(r);
            if (++returned === limit) last = keyOf(r);
          } else if (last !== null && compareSortValues(keys, keyOf(r), last) === 0) {
            out.push(r);
          } else {
            done = true;
            break;
          }
        }
        if (out.length > 0) return out;
      }
      return null;
    },
    close: () => input.close(),
  };
}
