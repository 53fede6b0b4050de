/**
 * Top-N sorting for ORDER BY ... LIMIT: keeps only the first N rows in order while reading,
 * by binary insertion into a bounded sorted array (stable: a row never overtakes an
 * equal earlier one), so memory is O(N) and time O(rows · log N) for small N.
 */
import { DbError, SqlState } from '../errors/index.ts';
import type { BoundExpr } from './bound.ts';
import { compile } from './compile.ts';
import type { ExecContext } from './context.ts';
import type { Value } from './value.ts';

export class TopN<T> {
  private readonly items: T[] = [];
  constructor(
    private readonly n: number,
    private readonly compare: (a: T, b: T) => number,
  ) {}

  add(x: T): void {
    const items = this.items;
    if (this.n === 0) return;
    if (items.length === this.n && this.compare(x, items[items.length - 1]!) >= 0) return;
    // First position whose item is greater than x (after all equal ones: stable).
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(items[mid]!, x) <= 0) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, x);
    if (items.length > this.n) items.pop();
  }

  rows(): T[] {
    return this.items;
  }
}

/** LIMIT + OFFSET of a sort's `keep`, evaluated once per execution (LIMIT NULL = all: no bound). */
export function keepCount(keep: { limit: BoundExpr; offset: BoundExpr | null }, params: readonly Value[], ctx: ExecContext): number | null {
  const limit = compile(keep.limit)([], params, ctx);
  if (limit === null) return null;
  const offset = keep.offset ? compile(keep.offset)([], params, ctx) : 0n;
  const n = Number(limit as bigint) + Number((offset ?? 0n) as bigint);
  if (Number(limit as bigint) < 0) throw new DbError(SqlState.InvalidRowCountInLimitClause, 'LIMIT must not be negative');
  return n > 100_000 ? null : n;
}
