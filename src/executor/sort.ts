/**
 * The sort node: ORDER BY keys evaluated once per row, a stable sort; under a LIMIT (`keep`),
 * a top-N that keeps only the first N rows while reading — a row is compared with the current
 * N-th before anything is allocated for it, so rejected rows cost one key evaluation.
 */
import { DbError, SqlState } from '../errors/index.ts';
import type { BoundExpr } from './bound.ts';
import { compile, compileAsync, isAsync } from './compile.ts';
import type { ExecContext } from './context.ts';
import { ArrayCursor, type RowCursor } from './cursor.ts';
import type { Plan } from './plan.ts';
import { compareSortValues, type SortOrder } from './sort-keys.ts';
import type { Row, Value } from './value.ts';

type OpenCursor = (plan: Plan, params: readonly Value[], ctx: ExecContext) => RowCursor;

interface Keyed {
  readonly r: Row;
  readonly k: Value[];
}

/** The first N rows in key order, by binary insertion into a bounded sorted array (stable). */
export class TopN {
  private readonly items: Keyed[] = [];
  constructor(
    private readonly n: number,
    private readonly orders: readonly SortOrder[],
  ) {}

  /** Whether a row with these key values would be kept (it sorts before the current N-th). */
  accepts(k: readonly Value[]): boolean {
    if (this.n === 0) return false;
    const items = this.items;
    return items.length < this.n || compareSortValues(this.orders, k, items[items.length - 1]!.k) < 0;
  }

  add(x: Keyed): void {
    const items = this.items;
    // First position whose keys are greater (after all equal ones: stable).
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareSortValues(this.orders, items[mid]!.k, x.k) <= 0) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, x);
    if (items.length > this.n) items.pop();
  }

  rows(): Row[] {
    return this.items.map((x) => x.r);
  }
}

/** LIMIT + OFFSET of a sort's `keep`, evaluated once per execution (null: keep everything). */
export function keepCount(keep: { limit: BoundExpr; offset: BoundExpr | null }, params: readonly Value[], ctx: ExecContext): number | null {
  const limit = compile(keep.limit)([], params, ctx);
  if (limit === null) return null;
  if (Number(limit as bigint) < 0) throw new DbError(SqlState.InvalidRowCountInLimitClause, 'LIMIT must not be negative');
  const offset = keep.offset ? compile(keep.offset)([], params, ctx) : 0n;
  const n = Number(limit as bigint) + Math.max(0, Number((offset ?? 0n) as bigint));
  return n > 100_000 ? null : n;
}

export function openSort(plan: Plan & { kind: 'sort' }, params: readonly Value[], ctx: ExecContext, open: OpenCursor): RowCursor {
  const input = open(plan.input, params, ctx);
  const orders: SortOrder[] = plan.keys.map((k) => ({ type: k.expr.type, descending: k.descending, nullsFirst: k.nullsFirst }));
  const anyAsync = plan.keys.some((k) => isAsync(k.expr));
  const syncKeys = anyAsync ? null : plan.keys.map((k) => compile(k.expr));
  const asyncKeys = plan.keys.map((k) => compileAsync(k.expr));
  let sorted: ArrayCursor | null = null;
  return {
    async next() {
      if (!sorted) {
        const keep = plan.keep ? keepCount(plan.keep, params, ctx) : null;
        const topN = keep === null ? null : new TopN(keep, orders);
        const keyed: Keyed[] = [];
        const scratch: Value[] = new Array(plan.keys.length);
        for (let batch = await input.next(); batch; batch = await input.next()) {
          ctx.checkCancel();
          for (const r of batch) {
            if (syncKeys) for (let j = 0; j < syncKeys.length; j++) scratch[j] = syncKeys[j]!(r, params, ctx);
            else for (let j = 0; j < asyncKeys.length; j++) scratch[j] = await asyncKeys[j]!(r, params, ctx);
            if (!topN) keyed.push({ r, k: scratch.slice() });
            else if (topN.accepts(scratch)) topN.add({ r, k: scratch.slice() });
          }
        }
        if (topN) sorted = new ArrayCursor(topN.rows());
        else {
          keyed.sort((a, b) => compareSortValues(orders, a.k, b.k));
          sorted = new ArrayCursor(keyed.map((x) => x.r));
        }
      }
      return sorted.next();
    },
    close: () => input.close(),
  };
}
