/**
 * Window function binding: each `fn(...) OVER (...)` in the SELECT list or ORDER BY becomes
 * a WindowCall of the block's window node and a reference to the column the node appends.
 * Named windows (WINDOW w AS (...)) and PostgreSQL's frame options are resolved here.
 */
import { DbError, SqlState, notSupported } from '../errors/index.ts';
import { aggregateNamed, type BoundExpr, type FrameBound, type SortKey, type WindowCall, type WindowFrame } from '../executor/index.ts';
import { errorPosition, type Expr, type WindowSpec } from '../sql/index.ts';
import { Oid } from '../types/index.ts';
import { bindAggregateCall, bindExpr, bindOutputExpr, coerce, functionName, mentionsSublink, mentionsWindow, type BindContext, type WindowBinder } from './bind-expr.ts';

/** Window references are bound to placeholder indexes from here, fixed up once the input width is known. */
export const WINDOW_REF_BASE = 1 << 24;

/** Window functions proper: name → result type given the first argument's type. */
const WINDOW_FUNCTIONS: Record<string, { args: readonly number[]; result: (argType: number) => number }> = {
  row_number: { args: [0], result: () => Oid.int8 },
  rank: { args: [0], result: () => Oid.int8 },
  dense_rank: { args: [0], result: () => Oid.int8 },
  percent_rank: { args: [0], result: () => Oid.float8 },
  cume_dist: { args: [0], result: () => Oid.float8 },
  ntile: { args: [1], result: () => Oid.int4 },
  lag: { args: [1, 2, 3], result: (t) => t },
  lead: { args: [1, 2, 3], result: (t) => t },
  first_value: { args: [1], result: (t) => t },
  last_value: { args: [1], result: (t) => t },
  nth_value: { args: [2], result: (t) => t },
};

// PostgreSQL's FRAMEOPTION_* bits (nodes/parsenodes.h).
const F = {
  RANGE: 0x2,
  ROWS: 0x4,
  GROUPS: 0x8,
  START_UNBOUNDED_PRECEDING: 0x20,
  END_UNBOUNDED_FOLLOWING: 0x100,
  START_CURRENT_ROW: 0x200,
  END_CURRENT_ROW: 0x400,
  START_OFFSET_PRECEDING: 0x800,
  END_OFFSET_PRECEDING: 0x1000,
  START_OFFSET_FOLLOWING: 0x2000,
  END_OFFSET_FOLLOWING: 0x4000,
  EXCLUDE_CURRENT_ROW: 0x8000,
  EXCLUDE_GROUP: 0x10000,
  EXCLUDE_TIES: 0x20000,
  NONDEFAULT: 0x1,
} as const;

const DEFAULT_FRAME: WindowFrame = { mode: 'range', start: { kind: 'unbounded_preceding' }, end: { kind: 'current_row' }, exclude: 'no_others' };

function bindFrame(spec: WindowSpec, ctx: BindContext): WindowFrame {
  const o = spec.frameOptions;
  if (!(o & F.NONDEFAULT)) return DEFAULT_FRAME;
  const mode = o & F.ROWS ? 'rows' : o & F.GROUPS ? 'groups' : 'range';
  const offset = (e: Expr | null): BoundExpr => {
    const b = bindExpr(e!, { ...ctx, windows: undefined });
    return coerce(b, Oid.int8, -1, 'implicit', ctx, spec.location);
  };
  const start: FrameBound =
    o & F.START_UNBOUNDED_PRECEDING
      ? { kind: 'unbounded_preceding' }
      : o & F.START_CURRENT_ROW
        ? { kind: 'current_row' }
        : o & F.START_OFFSET_PRECEDING
          ? { kind: 'preceding', offset: offset(spec.startOffset) }
          : { kind: 'following', offset: offset(spec.startOffset) };
  const end: FrameBound =
    o & F.END_UNBOUNDED_FOLLOWING
      ? { kind: 'unbounded_following' }
      : o & F.END_CURRENT_ROW
        ? { kind: 'current_row' }
        : o & F.END_OFFSET_PRECEDING
          ? { kind: 'preceding', offset: offset(spec.endOffset) }
          : o & F.END_OFFSET_FOLLOWING
            ? { kind: 'following', offset: offset(spec.endOffset) }
            : { kind: 'current_row' };
  if (mode === 'range' && (start.kind === 'preceding' || start.kind === 'following' || end.kind === 'preceding' || end.kind === 'following')) {
    throw notSupported('RANGE with offset PRECEDING/FOLLOWING is not supported yet').at(errorPosition(spec.location));
  }
  const exclude = o & F.EXCLUDE_CURRENT_ROW ? 'current_row' : o & F.EXCLUDE_GROUP ? 'group' : o & F.EXCLUDE_TIES ? 'ties' : 'no_others';
  return { mode, start, end, exclude };
}

/** Collects the window calls of one query block. */
export class WindowCollector implements WindowBinder {
  readonly calls: WindowCall[] = [];
  constructor(private readonly named: readonly { readonly name: string; readonly spec: WindowSpec }[]) {}

  private resolveSpec(spec: WindowSpec): WindowSpec {
    if (spec.refName === null) return spec;
    const base = this.named.find((w) => w.name === spec.refName);
    if (!base) throw new DbError(SqlState.UndefinedObject, `window "${spec.refName}" does not exist`).at(errorPosition(spec.location));
    const resolved = this.resolveSpec(base.spec);
    return {
      ...resolved,
      orderBy: spec.orderBy.length > 0 ? spec.orderBy : resolved.orderBy,
      frameOptions: spec.frameOptions & F.NONDEFAULT ? spec.frameOptions : resolved.frameOptions,
      startOffset: spec.frameOptions & F.NONDEFAULT ? spec.startOffset : resolved.startOffset,
      endOffset: spec.frameOptions & F.NONDEFAULT ? spec.endOffset : resolved.endOffset,
      refName: null,
    };
  }

  bind(e: Expr & { kind: 'window' }, ctx: BindContext): BoundExpr {
    const inner: BindContext = { ...ctx, windows: undefined };
    const at = errorPosition(e.location);
    if (e.call.args.some(mentionsWindow)) throw new DbError(SqlState.WindowingError, 'window function calls cannot be nested').at(at);
    const spec = this.resolveSpec(e.over);
    if (mentionsSublink(e.call.args) || mentionsSublink(spec)) throw notSupported('subqueries in window function calls are not supported yet').at(at);
    const name = functionName(e.call.name, e.call.location);
    const partitionBy = spec.partitionBy.map((p) => bindOutputExpr(p, inner));
    const orderBy: SortKey[] = spec.orderBy.map((s) => ({ expr: bindOutputExpr(s.expr, inner), descending: s.descending, nullsFirst: s.nullsFirst ?? s.descending }));
    const frame = bindFrame(spec, inner);
    let call: WindowCall;
    if (aggregateNamed(name)) {
      if (e.call.withinGroup) throw notSupported(`OVER is not supported for ordered-set aggregate ${name}`).at(at);
      if (e.call.distinct) throw notSupported('DISTINCT is not implemented for window functions').at(at);
      if ((e.call.orderBy ?? []).length > 0) throw notSupported('aggregate ORDER BY is not implemented for window functions').at(at);
      const agg = bindAggregateCall(e.call, name, inner);
      call = { fn: { kind: 'aggregate', call: agg }, args: agg.args, partitionBy, orderBy, frame, type: agg.type };
    } else {
      const wf = WINDOW_FUNCTIONS[name];
      if (!wf) {
        throw new DbError(SqlState.WrongObjectType, `OVER specified, but ${name} is not a window function nor an aggregate function`).at(at);
      }
      let args = e.call.args.map((a) => bindOutputExpr(a, inner));
      if (!wf.args.includes(args.length)) {
        throw new DbError(SqlState.UndefinedFunction, `function ${name} with ${args.length} arguments does not exist`).at(at);
      }
      if (name === 'ntile' || name === 'nth_value') args = args.map((a, i) => (i === args.length - 1 ? coerce(a, Oid.int4, -1, 'implicit', inner, e.location) : a));
      if (name === 'lag' || name === 'lead') {
        args = args.map((a, i) => (i === 1 ? coerce(a, Oid.int4, -1, 'implicit', inner, e.location) : i === 2 ? coerce(a, args[0]!.type, -1, 'implicit', inner, e.location) : a));
      }
      call = { fn: { kind: 'window', name }, args, partitionBy, orderBy, frame, type: wf.result(args[0]?.type ?? Oid.int8) };
    }
    this.calls.push(call);
    return { kind: 'column', index: WINDOW_REF_BASE + this.calls.length - 1, type: call.type, typmod: -1, name, tableOid: 0, attnum: 0 };
  }
}
