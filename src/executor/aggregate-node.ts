/**
 * The aggregate node (GROUP BY / plain aggregates): one state per group and aggregate call,
 * fed with each input row's argument values — except rows its FILTER rejects, repeats under
 * DISTINCT, and, with ORDER BY inside the call, in that order at the end. A single group key
 * of a primitive JS type keys the group map directly; others go through hashKey().
 */
import { compile, compileAsync, isAsync } from './compile.ts';
import type { ExecContext } from './context.ts';
import { ArrayCursor, type RowCursor } from './cursor.ts';
import { hashKey } from './hash-key.ts';
import type { AggregateState } from './aggregates.ts';
import type { Plan, TenantPin } from './plan.ts';
import { compareSortValues } from './sort-keys.ts';
import { tenantFilter } from './tenant-keys.ts';
import type { Row, Value } from './value.ts';

type OpenCursor = (plan: Plan, params: readonly Value[], ctx: ExecContext) => RowCursor;

interface Group {
  readonly key: Row;
  readonly states: AggregateState[];
  readonly seen: Set<string>[];
  readonly pending: { vals: Value[]; sort: Value[] }[][];
}

const NULL_KEY = Symbol('null group');
const NO_ARGS: Value[] = [];

/** The map key of one group-key value: the value itself when Map equality is `=` for it. */
function singleKey(v: Value): unknown {
  if (v === null || v === undefined) return NULL_KEY;
  const t = typeof v;
  // Map keys compare by SameValueZero: -0 = 0 and NaN = NaN, as `=` does for floats.
  return t === 'number' || t === 'bigint' || t === 'boolean' ? v : t === 'string' ? `s${v as string}` : hashKey([v]);
}

export function openAggregate(plan: Plan & { kind: 'aggregate' }, params: readonly Value[], ctx: ExecContext, open: OpenCursor): RowCursor {
  // count(*) of a partitioned table's tenants: from the tenant directory and delete bitmaps.
  const scan = plan.fromTenantDirectory ? pinnedScan(plan.input) : null;
  if (scan !== null) return tenantCount(scan.tableId, scan.tenants!, params, ctx);
  const input = open(plan.input, params, ctx);
  const keys = plan.groupBy.map(compile);
  // Arguments and FILTERs holding subqueries are evaluated asynchronously; all others synchronously.
  const args = plan.aggregates.map((a) => a.args.map((x) => (isAsync(x) ? compileAsync(x) : compile(x))));
  const filters = plan.aggregates.map((a) => (a.filter ? (isAsync(a.filter) ? compileAsync(a.filter) : compile(a.filter)) : null));
  const anyAsync = plan.aggregates.some((a) => a.args.some(isAsync) || (a.filter !== null && a.filter !== undefined && isAsync(a.filter)));
  const orderKeys = plan.aggregates.map((a) => (a.orderBy ?? []).map((k) => ({ ...k, eval: compile(k.expr), type: k.expr.type })));
  const distinct = plan.aggregates.map((a) => a.distinct);
  const ordered = orderKeys.some((k) => k.length > 0);
  let result: ArrayCursor | null = null;
  const newGroup = (key: Row): Group => ({
    key,
    states: plan.aggregates.map((a) => a.fn.create(a.argTypes, ctx.format)),
    seen: plan.aggregates.map(() => new Set<string>()),
    pending: plan.aggregates.map(() => []),
  });
  return {
    async next() {
      if (!result) {
        const groups = new Map<unknown, Group>();
        if (keys.length === 0) groups.set(NULL_KEY, newGroup([]));
        const single = keys.length === 1 ? keys[0]! : null;
        for (let batch = await input.next(); batch; batch = await input.next()) {
          ctx.checkCancel();
          for (const r of batch) {
            let g: Group | undefined;
            if (keys.length === 0) g = groups.get(NULL_KEY)!;
            else if (single) {
              const v = single(r, params, ctx);
              const id = singleKey(v);
              g = groups.get(id);
              if (!g) groups.set(id, (g = newGroup([v])));
            } else {
              const key = keys.map((k) => k(r, params, ctx));
              const id = hashKey(key);
              g = groups.get(id);
              if (!g) groups.set(id, (g = newGroup(key)));
            }
            for (let i = 0; i < args.length; i++) {
              const filter = filters[i];
              if (filter && (anyAsync ? await filter(r, params, ctx) : filter(r, params, ctx)) !== true) continue;
              const fns = args[i]!;
              let vals = NO_ARGS;
              if (fns.length > 0) {
                vals = new Array(fns.length);
                for (let j = 0; j < fns.length; j++) vals[j] = anyAsync ? await fns[j]!(r, params, ctx) : fns[j]!(r, params, ctx);
              }
              if (distinct[i]) {
                // NULLs take part in DISTINCT too (array_agg keeps one); strict aggregates skip them when stepping.
                const k = hashKey(vals);
                if (g.seen[i]!.has(k)) continue;
                g.seen[i]!.add(k);
              }
              if (orderKeys[i]!.length > 0) g.pending[i]!.push({ vals, sort: orderKeys[i]!.map((k) => k.eval(r, params, ctx)) });
              else g.states[i]!.step(vals);
            }
          }
        }
        if (ordered) {
          // ORDER BY inside aggregate calls: feed each group's rows in that order (stable, like a sort).
          for (const g of groups.values()) {
            g.pending.forEach((rows, i) => {
              const ks = orderKeys[i]!;
              rows.sort((a, b) => compareSortValues(ks, a.sort, b.sort));
              for (const row of rows) g.states[i]!.step(row.vals);
            });
          }
        }
        result = new ArrayCursor([...groups.values()].map((g) => [...g.key, ...g.states.map((s) => s.final())]));
      }
      return result.next();
    },
    close: () => input.close(),
  };
}

/** The pinned scan under an aggregate the planner marked `fromTenantDirectory` (through the filters of the pin's conjunct). */
function pinnedScan(input: Plan): (Plan & { kind: 'seq-scan' }) | null {
  let node = input;
  while (node.kind === 'filter') node = node.input;
  return node.kind === 'seq-scan' && node.tenants !== undefined ? node : null;
}

function tenantCount(tableId: number, pin: TenantPin, params: readonly Value[], ctx: ExecContext): RowCursor {
  let done = false;
  return {
    async next() {
      if (done) return null;
      done = true;
      return [[BigInt(await ctx.data.countTenants(tableId, await tenantFilter(pin, params, ctx)))]];
    },
    close() {
      done = true;
    },
  };
}
