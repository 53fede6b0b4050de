/**
 * Runs a plan as a pull-based cursor of row batches. Portals keep the cursor between
 * Execute messages, so a row-limited Execute resumes where the last one stopped.
 * Cancellation is checked between batches.
 */
import { assertNever, DbError, SqlState } from '../errors/index.ts';
import { compileAsync, isAsync, compile } from './compile.ts';
import { withRunState, type ExecContext, type ScanBatch } from './context.ts';
import { ArrayCursor, type RowCursor } from './cursor.ts';
import { openSort } from './sort.ts';
import { openAggregate } from './aggregate-node.ts';
import { openHashJoin, openNestedLoop } from './join.ts';
import { openCteScan, openDistinct, openRecursiveUnion, openSetOp, openUnique, openWorktableScan } from './set-ops.ts';
import { installSubqueries } from './subquery.ts';
import { openWindow } from './window.ts';
import { openProjectSet } from './project-set.ts';
import { openLimitWithTies } from './limit-ties.ts';
import type { Plan } from './plan.ts';
import { openPkLookup } from './pk-lookup.ts';
import { openVectorTopK } from './vector-topk.ts';
import type { Row, Value } from './value.ts';
import type { TenantFilter } from '../storage/index.ts';
import { tenantFilter } from './tenant-keys.ts';

/** Rows per batch produced by leaf operators. */
const BATCH_ROWS = 1024;

export { ArrayCursor, type RowCursor } from './cursor.ts';

function toCount(v: Value, what: string): number | null {
  if (v === null) return null;
  const n = Number(v as bigint);
  if (n < 0) {
    throw new DbError(what === 'LIMIT' ? SqlState.InvalidRowCountInLimitClause : SqlState.InvalidRowCountInResultOffsetClause, `${what} must not be negative`);
  }
  return n;
}

/** Opens a cursor over the plan's output rows (with fresh per-execution state at the top level). */
export function openCursor(plan: Plan, params: readonly Value[], ctx: ExecContext): RowCursor {
  return openNode(plan, params, withRunState(ctx));
}

function openNode(plan: Plan, params: readonly Value[], ctx: ExecContext): RowCursor {
  switch (plan.kind) {
    case 'pk-lookup':
      return openPkLookup(plan, params, ctx);
    case 'nested-loop':
      return openNestedLoop(plan, params, ctx, openNode);
    case 'hash-join':
      return openHashJoin(plan, params, ctx, openNode);
    case 'distinct':
      return openDistinct(plan, params, ctx, openNode);
    case 'unique':
      return openUnique(plan, params, ctx, openNode);
    case 'set-op':
      return openSetOp(plan, params, ctx, openNode);
    case 'cte-scan':
      return openCteScan(plan, params, ctx, openNode);
    case 'worktable-scan':
      return openWorktableScan(plan, ctx);
    case 'recursive-union':
      return openRecursiveUnion(plan, params, ctx, openNode);
    case 'window':
      return openWindow(plan, params, ctx, openNode);
    case 'project-set':
      return openProjectSet(plan, params, ctx, openNode);
    case 'lock-rows': {
      const input = openNode(plan.input, params, ctx);
      let pending: Row[] = [];
      const lock = async (rows: Row[]): Promise<Row[]> => {
        const got = await ctx.data.lockRows(plan.tableId, rows.map((r) => r[plan.rowIdIndex] as number), plan.policy, plan.table);
        return rows.filter((_, i) => got[i]);
      };
      return {
        async next() {
          for (;;) {
            if (pending.length === 0) {
              const batch = await input.next();
              if (!batch) return null;
              if (!plan.oneByOne) {
                const out = await lock(batch);
                if (out.length > 0) return out;
                continue;
              }
              pending = batch;
            }
            const out = await lock([pending.shift()!]);
            if (out.length > 0) return out;
          }
        },
        close: () => input.close(),
      };
    }
    case 'result':
      return new ArrayCursor([[]]);
    case 'seq-scan': {
      const tenants = plan.tenants === undefined ? undefined : tenantFilter(plan.tenants, params, ctx);
      const read = plan.read;
      const attnums = read === undefined ? plan.attnums : plan.attnums.filter((_a, i) => read[i]);
      const it = (tenants === undefined ? ctx.data.scan(plan.tableId, attnums) : tenantScan(ctx, plan.tableId, attnums, tenants))[Symbol.asyncIterator]();
      const { missing, withRowId } = plan;
      let done = false;
      return {
        async next() {
          if (done) return null;
          ctx.checkCancel();
          const r = await it.next();
          if (r.done) {
            done = true;
            return null;
          }
          // The storage hands out fresh row arrays: fill absent columns in place.
          const { rows, rowIds } = r.value;
          const out = read === undefined ? (rows as Row[]) : rows.map((narrow) => widen(narrow as Row, read));
          const width = missing.length;
          for (let i = 0; i < out.length; i++) {
            const row = out[i]!;
            for (let j = 0; j < width; j++) if (row[j] === undefined) row[j] = missing[j];
            if (withRowId) row[width] = rowIds[i];
          }
          return out;
        },
        close() {
          done = true;
          void it.return?.();
        },
      };
    }
    case 'aggregate':
      return openAggregate(plan, params, ctx, openNode);
    case 'vector-topk':
      return openVectorTopK(plan, params, ctx);
    case 'system-view':
    {
      const rows = ctx.data.systemView(plan.name, ctx.roles);
      if (Array.isArray(rows)) return new ArrayCursor(rows as Row[]);
      let cursor: ArrayCursor | null = null;
      return {
        async next() {
          cursor ??= new ArrayCursor((await rows) as Row[]);
          return cursor.next();
        },
        close() {},
      };
    }
    case 'values': {
      const anyAsync = plan.rows.some((r) => r.some(isAsync));
      const rows = plan.rows.map((r) => r.map(anyAsync ? compileAsync : compile));
      return {
        async next() {
          if (rows.length === 0) return null;
          const out: Row[] = [];
          for (const r of rows) {
            const row: Row = [];
            for (const e of r) row.push(anyAsync ? await e([], params, ctx) : e([], params, ctx));
            out.push(row);
          }
          rows.length = 0;
          return out;
        },
        close() {
          rows.length = 0;
        },
      };
    }
    case 'function-scan': {
      let it: Iterator<Value> | null = null;
      const multiColumn = plan.fn.setColumns !== undefined;
      let done = false;
      let ordinal = 0;
      const args = plan.args.map(compile);
      return {
        async next() {
          if (done) return null;
          if (!it) {
            const vals = args.map((a) => a([], params, ctx));
            if (plan.fn.strict && vals.includes(null)) {
              done = true;
              return null;
            }
            it = (plan.fn.impl(vals, ctx) as Iterable<Value>)[Symbol.iterator]();
          }
          ctx.checkCancel();
          const out: Row[] = [];
          while (out.length < BATCH_ROWS) {
            const r = it.next();
            if (r.done) {
              done = true;
              break;
            }
            const row = multiColumn ? [...(r.value as Row)] : [r.value];
            if (plan.ordinality) row.push(BigInt(++ordinal));
            out.push(row);
          }
          return out.length > 0 ? out : null;
        },
        close() {
          done = true;
        },
      };
    }
    case 'filter': {
      const input = openCursor(plan.input, params, ctx);
      const async = isAsync(plan.predicate);
      const pred = compileAsync(plan.predicate);
      const syncPred = async ? null : compile(plan.predicate);
      return {
        async next() {
          for (;;) {
            const batch = await input.next();
            if (!batch) return null;
            ctx.checkCancel();
            const out: Row[] = [];
            if (syncPred) {
              for (const r of batch) if (syncPred(r, params, ctx) === true) out.push(r);
            } else {
              for (const r of batch) if ((await pred(r, params, ctx)) === true) out.push(r);
            }
            if (out.length > 0) return out;
          }
        },
        close: () => input.close(),
      };
    }
    case 'project': {
      const input = openCursor(plan.input, params, ctx);
      const anyAsync = plan.exprs.some(isAsync);
      const evals = plan.exprs.map((e) => (anyAsync ? compileAsync(e) : compile(e)));
      return {
        async next() {
          const batch = await input.next();
          if (!batch) return null;
          ctx.checkCancel();
          const out: Row[] = new Array(batch.length);
          for (let i = 0; i < batch.length; i++) {
            const r = batch[i]!;
            const row: Row = new Array(evals.length);
            for (let j = 0; j < evals.length; j++) row[j] = anyAsync ? await evals[j]!(r, params, ctx) : evals[j]!(r, params, ctx);
            out[i] = row;
          }
          return out;
        },
        close: () => input.close(),
      };
    }
    case 'sort':
      return openSort(plan, params, ctx, openNode);
    case 'limit': {
      if (plan.withTies) return openLimitWithTies(plan, params, ctx, openNode);
      const input = openCursor(plan.input, params, ctx);
      let limit: number | null | undefined;
      let skip = 0;
      let returned = 0;
      return {
        async next() {
          if (limit === undefined) {
            limit = plan.limit ? toCount(compile(plan.limit)([], params, ctx), 'LIMIT') : null;
            skip = plan.offset ? (toCount(compile(plan.offset)([], params, ctx), 'OFFSET') ?? 0) : 0;
          }
          for (;;) {
            if (limit !== null && returned >= limit) return null;
            let batch = await input.next();
            if (!batch) return null;
            if (skip > 0) {
              const drop = Math.min(skip, batch.length);
              skip -= drop;
              batch = batch.slice(drop);
            }
            if (limit !== null && returned + batch.length > limit) batch = batch.slice(0, limit - returned);
            returned += batch.length;
            if (batch.length > 0) return batch;
          }
        },
        close: () => input.close(),
      };
    }
    default:
      return assertNever(plan, 'plan node');
  }
}

installSubqueries(openCursor);

/** A scan restricted to the tenants its pin names (evaluated when the scan opens). */
async function* tenantScan(ctx: ExecContext, tableId: number, attnums: readonly number[], tenants: Promise<TenantFilter>): AsyncGenerator<ScanBatch> {
  yield* ctx.data.scan(tableId, attnums, await tenants);
}

/** A row of the read columns only, spread to the scan's full width (unread columns undefined). */
function widen(narrow: Row, read: readonly boolean[]): Row {
  const row: Row = new Array(read.length);
  for (let i = 0, j = 0; i < read.length; i++) if (read[i]) row[i] = narrow[j++]!;
  return row;
}
