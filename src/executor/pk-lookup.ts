/**
 * executor/: the `pk-lookup` plan node (issue 6) — rows fetched through the primary-key
 * index instead of a scan. Key values (constants and parameters) are evaluated once when the
 * cursor opens; their cartesian product gives the keys. Output rows look like the seq-scan's
 * the node replaced (missing values filled, row id appended on request). If the constraint
 * has gone (never expected: plans are rebuilt after DDL) it falls back to a full scan; the
 * planner always keeps the original predicate in a filter above, so both paths are exact.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { PgArray } from '../types/index.ts';
import { compile } from './compile.ts';
import type { ExecContext, ScanBatch } from './context.ts';
import type { RowCursor } from './run-plan.ts';
import type { BoundExpr } from './bound.ts';
import type { Plan, PkRange } from './plan.ts';
import type { Row, Value } from './value.ts';

type PkLookupPlan = Plan & { readonly kind: 'pk-lookup' };

/** Most values one key column of a lookup may bring (an ANY(array) parameter can be large). */
const MAX_KEYS = 1_000_000;

/** The keys a pk-lookup names: one value list per key column, multiplied out. */
export function lookupKeys(plan: PkLookupPlan, params: readonly Value[], ctx: ExecContext): Value[][] {
  let keys: Value[][] = [[]];
  for (const [c, options] of plan.keys.entries()) {
    let vals = options.map((e) => compile(e)([], params, ctx));
    if (plan.spread?.[c]) vals = vals.flatMap((a) => (a instanceof PgArray ? (a.items as Value[]) : []));
    if (vals.length > MAX_KEYS) throw new DbError(SqlState.ProgramLimitExceeded, `too many keys in one primary-key lookup (${vals.length}, at most ${MAX_KEYS})`);
    const next: Value[][] = [];
    for (const k of keys) for (const v of vals) next.push([...k, v]);
    keys = next;
  }
  return keys;
}

/** A range pk-lookup: bounds (and limit) evaluated once, rows in key order. */
function lookupRange(plan: PkLookupPlan, range: PkRange, attnums: readonly number[], params: readonly Value[], ctx: ExecContext): Promise<ScanBatch | null> {
  const bound = (e: BoundExpr | null, inclusive: boolean): { value: unknown; inclusive: boolean } | null =>
    e === null ? null : { value: compile(e)([], params, ctx), inclusive };
  let limit: number | null = null;
  if (range.limit !== null) {
    const v = compile(range.limit)([], params, ctx);
    if (v !== null) limit = Math.max(0, Number(v));
  }
  return ctx.data.rangeByKey(plan.tableId, plan.keyAttnums, bound(range.lower, range.lowerInclusive), bound(range.upper, range.upperInclusive), limit, attnums);
}

export function openPkLookup(plan: PkLookupPlan, params: readonly Value[], ctx: ExecContext): RowCursor {
  const { missing, withRowId, read } = plan;
  // A DELETE fetches only the columns it uses (plan-modify.ts readOnly); the others stay undefined.
  const attnums = read === undefined ? plan.attnums : plan.attnums.filter((_a, i) => read[i]);
  let pending: Promise<ScanBatch[]> | null = null;
  let done = false;
  const load = async (): Promise<ScanBatch[]> => {
    const found = plan.range ? await lookupRange(plan, plan.range, attnums, params, ctx) : await ctx.data.lookupByKey(plan.tableId, plan.keyAttnums, lookupKeys(plan, params, ctx), attnums);
    if (found !== null) return [found];
    const all: ScanBatch[] = [];
    for await (const b of ctx.data.scan(plan.tableId, attnums)) all.push(b);
    return all;
  };
  let batches: ScanBatch[] | null = null;
  return {
    async next() {
      if (done) return null;
      ctx.checkCancel();
      pending ??= load();
      batches ??= await pending;
      const b = batches.shift();
      if (b === undefined) {
        done = true;
        return null;
      }
      const out: Row[] = new Array(b.rows.length);
      for (let i = 0; i < b.rows.length; i++) {
        const src = b.rows[i]!;
        const row: Row = new Array(missing.length + (withRowId ? 1 : 0));
        for (let j = 0, k = 0; j < missing.length; j++) {
          if (read !== undefined && !read[j]) continue;
          const v = src[k++];
          row[j] = v === undefined ? (missing[j] as Value) : (v as Value);
        }
        if (withRowId) row[missing.length] = b.rowIds[i]!;
        out[i] = row;
      }
      return out;
    },
    close() {
      done = true;
    },
  };
}
