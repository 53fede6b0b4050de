/**
 * Window functions (WindowAgg): sorts the input by each call's PARTITION BY and ORDER BY,
 * then computes per partition the ranking functions (row_number, rank, dense_rank,
 * percent_rank, cume_dist, ntile), the value functions (lag, lead, first_value, last_value,
 * nth_value) and aggregates over each row's frame (ROWS / RANGE / GROUPS, with EXCLUDE).
 * Output rows follow the last call's window order, like PostgreSQL's plan.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { compile, type Evaluator } from './compile.ts';
import type { ExecContext } from './context.ts';
import { hashKey } from './hash-key.ts';
import type { FrameBound, Plan, WindowCall } from './plan.ts';
import { ArrayCursor, type RowCursor } from './cursor.ts';

import { compareSortValues } from './sort-keys.ts';
import type { Row, Value } from './value.ts';

type OpenCursor = (plan: Plan, params: readonly Value[], ctx: ExecContext) => RowCursor;

interface Partition {
  /** Row numbers (into the input) in window order. */
  readonly rows: number[];
  /** Peer group number of each position. */
  readonly peer: number[];
  /** First and last position of each peer group. */
  readonly groupStart: number[];
  readonly groupEnd: number[];
}

function offsetValue(b: FrameBound, params: readonly Value[], ctx: ExecContext): number {
  if (b.kind !== 'preceding' && b.kind !== 'following') return 0;
  const v = compile(b.offset)([], params, ctx);
  if (v === null) throw new DbError(SqlState.NullValueNotAllowed, 'frame starting offset must not be null');
  const n = Number(v as number | bigint);
  if (n < 0) throw new DbError(SqlState.InvalidPrecedingOrFollowingSize, 'frame starting offset must not be negative');
  return n;
}

/** The frame [start, end] (positions within the partition) of position i; empty when start > end. */
function frameOf(call: WindowCall, p: Partition, i: number, offsets: [number, number]): [number, number] {
  const { mode, start, end } = call.frame;
  const n = p.rows.length;
  const bound = (b: FrameBound, off: number, isStart: boolean): number => {
    switch (b.kind) {
      case 'unbounded_preceding':
        return 0;
      case 'unbounded_following':
        return n - 1;
      case 'current_row':
        if (mode === 'rows') return i;
        return isStart ? p.groupStart[p.peer[i]!]! : p.groupEnd[p.peer[i]!]!;
      case 'preceding':
      case 'following': {
        const sign = b.kind === 'preceding' ? -1 : 1;
        if (mode === 'rows') return i + sign * off;
        // GROUPS: whole peer groups away from the current one.
        const g = p.peer[i]! + sign * off;
        if (g < 0) return isStart ? 0 : -1;
        if (g >= p.groupStart.length) return isStart ? n : n - 1;
        return isStart ? p.groupStart[g]! : p.groupEnd[g]!;
      }
    }
  };
  return [Math.max(0, bound(start, offsets[0], true)), Math.min(n - 1, bound(end, offsets[1], false))];
}

/** Aggregates whose final() may be read repeatedly while rows keep being added. */
const INCREMENTAL = new Set(['count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'string_agg']);

function excluded(call: WindowCall, p: Partition, i: number, j: number): boolean {
  switch (call.frame.exclude) {
    case 'no_others':
      return false;
    case 'current_row':
      return i === j;
    case 'group':
      return p.peer[i] === p.peer[j];
    case 'ties':
      return i !== j && p.peer[i] === p.peer[j];
  }
}

/** Computes one call's value for every input row (indexed by input row number). */
function computeCall(call: WindowCall, input: readonly Row[], params: readonly Value[], ctx: ExecContext): { values: Value[]; order: number[] } {
  const partEval = call.partitionBy.map(compile);
  const orderEval = call.orderBy.map((k) => compile(k.expr));
  const args: Evaluator[] = call.args.map(compile);
  const partKeys = input.map((r) => partEval.map((e) => e(r, params, ctx)));
  const orderKeys = input.map((r) => orderEval.map((e) => e(r, params, ctx)));
  const partOrders = call.partitionBy.map((e) => ({ type: e.type, descending: false, nullsFirst: false }));
  const orders = call.orderBy.map((k) => ({ type: k.expr.type, descending: k.descending, nullsFirst: k.nullsFirst }));
  const order = input.map((_, i) => i);
  order.sort((a, b) => compareSortValues(partOrders, partKeys[a]!, partKeys[b]!) || compareSortValues(orders, orderKeys[a]!, orderKeys[b]!) || a - b);
  const values: Value[] = new Array(input.length).fill(null);
  const offsets: [number, number] = [offsetValue(call.frame.start, params, ctx), offsetValue(call.frame.end, params, ctx)];
  let s = 0;
  while (s < order.length) {
    const pk = hashKey(partKeys[order[s]!]!);
    let e = s + 1;
    while (e < order.length && hashKey(partKeys[order[e]!]!) === pk) e++;
    const rows = order.slice(s, e);
    const peer: number[] = [];
    const groupStart: number[] = [];
    const groupEnd: number[] = [];
    rows.forEach((r, i) => {
      if (i === 0 || compareSortValues(orders, orderKeys[rows[i - 1]!]!, orderKeys[r]!) !== 0) groupStart.push(i);
      peer.push(groupStart.length - 1);
      groupEnd[groupStart.length - 1] = i;
    });
    computePartition(call, { rows, peer, groupStart, groupEnd }, input, args, params, ctx, offsets, values);
    s = e;
  }
  return { values, order };
}

function computePartition(
  call: WindowCall,
  p: Partition,
  input: readonly Row[],
  args: readonly Evaluator[],
  params: readonly Value[],
  ctx: ExecContext,
  offsets: [number, number],
  out: Value[],
): void {
  const n = p.rows.length;
  const arg = (k: number, pos: number): Value => args[k]!(input[p.rows[pos]!]!, params, ctx);
  const frameRows = (i: number): number[] => {
    const [a, b] = frameOf(call, p, i, offsets);
    const rows: number[] = [];
    for (let j = a; j <= b; j++) if (!excluded(call, p, i, j)) rows.push(j);
    return rows;
  };
  if (call.fn.kind === 'aggregate' && call.frame.start.kind === 'unbounded_preceding' && call.frame.exclude === 'no_others' && INCREMENTAL.has(call.fn.call.fn.name)) {
    // Frames that only grow (the default ones among them): step each row once, read the state per row.
    const agg = call.fn.call;
    const state = agg.fn.create(agg.argTypes, ctx.format);
    const filter = agg.filter ? compile(agg.filter) : null;
    let stepped = -1;
    for (let i = 0; i < n; i++) {
      const end = frameOf(call, p, i, offsets)[1];
      while (stepped < end) {
        const row = input[p.rows[++stepped]!]!;
        if (filter && filter(row, params, ctx) !== true) continue;
        state.step(args.map((a) => a(row, params, ctx)));
      }
      out[p.rows[i]!] = state.final();
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const target = p.rows[i]!;
    if (call.fn.kind === 'aggregate') {
      const agg = call.fn.call;
      const state = agg.fn.create(agg.argTypes, ctx.format);
      const filter = agg.filter ? compile(agg.filter) : null;
      for (const j of frameRows(i)) {
        const row = input[p.rows[j]!]!;
        if (filter && filter(row, params, ctx) !== true) continue;
        state.step(args.map((a) => a(row, params, ctx)));
      }
      out[target] = state.final();
      continue;
    }
    switch (call.fn.name) {
      case 'row_number':
        out[target] = BigInt(i + 1);
        break;
      case 'rank':
        out[target] = BigInt(p.groupStart[p.peer[i]!]! + 1);
        break;
      case 'dense_rank':
        out[target] = BigInt(p.peer[i]! + 1);
        break;
      case 'percent_rank':
        out[target] = n > 1 ? p.groupStart[p.peer[i]!]! / (n - 1) : 0;
        break;
      case 'cume_dist':
        out[target] = (p.groupEnd[p.peer[i]!]! + 1) / n;
        break;
      case 'ntile': {
        const buckets = Number(arg(0, i) as number);
        if (arg(0, i) === null) break;
        if (buckets <= 0) throw new DbError(SqlState.InvalidArgumentForNtileFunction, 'argument of ntile must be greater than zero');
        const per = Math.floor(n / buckets);
        const extra = n % buckets;
        // The first `extra` buckets hold per+1 rows.
        const big = extra * (per + 1);
        out[target] = i < big ? Math.floor(i / (per + 1)) + 1 : Math.floor((i - big) / Math.max(per, 1)) + extra + 1;
        break;
      }
      case 'lag':
      case 'lead': {
        const off = args.length > 1 ? arg(1, i) : 1;
        if (off === null) break;
        const j = i + (call.fn.name === 'lag' ? -1 : 1) * Number(off as number);
        out[target] = j >= 0 && j < n ? arg(0, j) : args.length > 2 ? arg(2, i) : null;
        break;
      }
      case 'first_value':
      case 'last_value':
      case 'nth_value': {
        // Positions in the frame: a contiguous range unless EXCLUDE takes rows out of it.
        const [a, b] = frameOf(call, p, i, offsets);
        const rows = call.frame.exclude === 'no_others' ? null : frameRows(i);
        const size = rows ? rows.length : Math.max(0, b - a + 1);
        const k = call.fn.name === 'first_value' ? 0 : call.fn.name === 'last_value' ? size - 1 : Number(arg(1, i) as number) - 1;
        if (call.fn.name === 'nth_value' && k < 0) throw new DbError(SqlState.InvalidArgumentForNthValueFunction, 'argument of nth_value must be greater than zero');
        out[target] = k >= 0 && k < size ? arg(0, rows ? rows[k]! : a + k) : null;
        break;
      }
      default:
        throw new DbError(SqlState.FeatureNotSupported, `window function ${call.fn.name} is not supported`);
    }
  }
}

export function openWindow(plan: Plan & { kind: 'window' }, params: readonly Value[], ctx: ExecContext, open: OpenCursor): RowCursor {
  const input = open(plan.input, params, ctx);
  let result: ArrayCursor | null = null;
  return {
    async next() {
      if (!result) {
        const rows: Row[] = [];
        for (let b = await input.next(); b; b = await input.next()) for (const r of b) rows.push(r);
        let order = rows.map((_, i) => i);
        const columns = plan.calls.map((call) => {
          const { values, order: o } = computeCall(call, rows, params, ctx);
          if (call.partitionBy.length > 0 || call.orderBy.length > 0) order = o;
          return values;
        });
        result = new ArrayCursor(order.map((i) => [...rows[i]!, ...columns.map((c) => c[i])]));
      }
      return result.next();
    },
    close: () => input.close(),
  };
}
