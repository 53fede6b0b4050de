/**
 * Binds AST expressions (sql/ast.ts) into typed BoundExprs: resolves column names against
 * the scope, picks operator and function overloads, inserts casts, folds typed literals,
 * and infers the types of parameters from their context as PostgreSQL does ($1 + 1 makes
 * $1 an integer; a parameter nothing constrains becomes text in a SELECT list).
 */
import { DbError, SqlState, notSupported, assertNever } from '../errors/index.ts';
import { ANYNONARRAY_OID, aggregateNamed, canCast, castValue, functionsNamed, isAggregateName, type AggregateCall, type ScalarFunction } from '../executor/index.ts';
import { errorPosition, type Expr, type SelectStmt, type TypeName } from '../sql/index.ts';
import { Oid, Numeric, arrayTypeOf, typeByOid, resolveTypeName, type FormatContext } from '../types/index.ts';
import type { BoundExpr, OutputColumn, Plan } from '../executor/index.ts';
import { selectCandidate, selectCommonType, typeDisplayName } from './resolve.ts';
import { recordShape, recordTypmod } from './record-shapes.ts';

/** One visible column of the FROM clause. */
export interface ScopeColumn {
  readonly table: string | null;
  readonly name: string;
  readonly type: number;
  readonly typmod: number;
  /** Source table OID and attnum for RowDescription, when the column comes from a table. */
  readonly tableOid?: number;
  readonly attnum?: number;
  /** A subquery's output column: its tableOid / attnum are the origin PostgreSQL reports, not a relation of this scope (no `tableoid`). */
  readonly derived?: boolean;
  /** Hidden from unqualified references and `*` (a JOIN USING column of one side; the merged column is visible). */
  readonly hidden?: boolean;
}

/**
 * Parameter types of a statement: given by the client (Parse message / PREPARE) or inferred
 * while binding. Oid.unknown marks a parameter not yet constrained.
 */
export class ParamTypes {
  readonly types: number[];
  constructor(given: readonly number[]) {
    // A type OID of 0 in Parse means "unspecified": infer it like an untyped literal.
    this.types = given.map((t) => (t === 0 ? Oid.unknown : t));
  }
  typeOf(index: number): number {
    while (this.types.length <= index) this.types.push(Oid.unknown);
    return this.types[index]!;
  }
  resolve(index: number, type: number): void {
    this.typeOf(index);
    this.types[index] = type;
  }
  /** Called at the end of binding: parameters that stayed unknown become text. */
  finish(): number[] {
    return this.types.map((t) => (t === Oid.unknown ? Oid.text : t));
  }
}

/**
 * Binding above GROUP BY / aggregates: column references must match a grouping expression
 * (42803 otherwise); aggregate calls bind their arguments over the input and become
 * references to the aggregate node's output (group keys first, then aggregates).
 */
export interface AggregationScope {
  readonly inputScope: readonly ScopeColumn[];
  readonly groupExprs: readonly BoundExpr[];
  readonly groupKeys: readonly string[];
  readonly calls: AggregateCall[];
}

export interface BindContext {
  readonly params: ParamTypes;
  readonly scope: readonly ScopeColumn[];
  readonly format: FormatContext;
  readonly aggregation?: AggregationScope;
  /** The enclosing query block, for correlated references (bound as `outer` at depth 1, 2...). */
  readonly outer?: BindContext;
  /** Shared by the contexts of one query block: set when the block refers to an enclosing block. */
  readonly correlation?: { used: boolean };
  /** Plans subqueries (absent where subqueries are not allowed, e.g. CHECK constraints). */
  readonly queries?: SubqueryPlanner;
  /** Collects window calls of the SELECT list and ORDER BY (absent where they are not allowed). */
  readonly windows?: WindowBinder;
  /** Collects set-returning calls of the SELECT list (absent where they are not allowed). */
  readonly setFunctions?: { add(call: BoundExpr & { kind: 'call' }): BoundExpr };
}

/** Plans a subquery used as an expression, with `outer` as its enclosing context. */
export interface SubqueryPlanner {
  planSubquery(stmt: SelectStmt, outer: BindContext): { plan: Plan; columns: readonly OutputColumn[]; correlated: boolean };
}

/** Binds a window call (planner/plan-window.ts) into a reference to the window node's output. */
export interface WindowBinder {
  bind(e: Expr & { kind: 'window' }, ctx: BindContext): BoundExpr;
}

/** A structural key of a bound expression, to match expressions against GROUP BY. */
export function boundKey(e: BoundExpr): string {
  return JSON.stringify(e, (k, v) => (typeof v === 'bigint' ? `${v}n` : k === 'fn' ? `${v.name}(${v.argTypes})` : v));
}

function groupRef(agg: AggregationScope, index: number, e: BoundExpr): BoundExpr {
  // A grouped plain column keeps its origin for RowDescription, as in PostgreSQL.
  const col = e.kind === 'column' ? e : null;
  return { kind: 'column', index, type: e.type, typmod: e.typmod, name: col?.name ?? '?column?', tableOid: col?.tableOid ?? 0, attnum: col?.attnum ?? 0 };
}

/** Binds an aggregate call: arguments over the input rows; the call becomes a reference to its result. */
function bindAggregate(e: Expr & { kind: 'func' }, name: string, ctx: BindContext): BoundExpr {
  const agg = ctx.aggregation;
  if (!agg) throw new DbError(SqlState.GroupingError, 'aggregate functions are not allowed here').at(pos(e.location));
  if (e.args.some(mentionsAggregate)) {
    throw new DbError(SqlState.GroupingError, 'aggregate function calls cannot be nested').at(pos(e.location));
  }
  if (e.args.some(mentionsWindow)) {
    throw new DbError(SqlState.GroupingError, 'aggregate function calls cannot contain window function calls').at(pos(e.location));
  }
  const call = bindAggregateCall(e, name, inputContext(ctx, agg));
  agg.calls.push(call);
  return { kind: 'column', index: agg.groupExprs.length + agg.calls.length - 1, type: call.type, typmod: -1, name, tableOid: 0, attnum: 0 };
}

/** The context below the aggregation: the input rows' scope, same outer blocks and subquery planner. */
function inputContext(ctx: BindContext, agg: AggregationScope): BindContext {
  return { params: ctx.params, scope: agg.inputScope, format: ctx.format, outer: ctx.outer, correlation: ctx.correlation, queries: ctx.queries };
}

/** Resolves an aggregate call with its arguments, FILTER and ORDER BY bound in `inner` (the rows it aggregates). */
export function bindAggregateCall(e: Expr & { kind: 'func' }, name: string, inner: BindContext): AggregateCall {
  if (mentionsSublink(e.orderBy ?? null)) throw notSupported('subqueries in an aggregate ORDER BY are not supported yet').at(pos(e.location));
  let args = e.star ? [] : e.args.map((a) => bindExpr(a, inner));
  const fn = aggregateNamed(name);
  // An untyped literal is text, except an ordered-set aggregate's direct argument (a fraction: float8).
  const direct = (i: number): boolean => fn?.orderedSet === true && e.withinGroup === true && i < args.length - 1;
  args = args.map((a, i) => (a.type === Oid.unknown ? coerce(a, direct(i) ? Oid.float8 : Oid.text, -1, 'implicit', inner, e.location) : a));
  if (fn?.orderedSet && !e.withinGroup) {
    throw new DbError(SqlState.WrongObjectType, `WITHIN GROUP is required for ordered-set aggregate ${name}`).at(pos(e.location));
  }
  const argTypes = args.map((a) => a.type);
  // WITHIN GROUP on a plain aggregate looks up f(direct args, sorted value), which does not exist.
  const type = e.withinGroup && !fn?.orderedSet ? null : (fn?.resultType(argTypes) ?? null);
  if (!fn || type === null) {
    throw new DbError(SqlState.UndefinedFunction, `function ${name}(${e.star ? '*' : argTypes.map(typeDisplayName).join(', ')}) does not exist`, {
      hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
    }).at(pos(e.location));
  }
  const wanted = fn.argTypesFor(argTypes);
  args = args.map((a, i) => coerce(a, wanted[i]!, -1, 'implicit', inner, e.location));
  if ((e.filter && mentionsAggregate(e.filter)) || (e.orderBy ?? []).some((o) => mentionsAggregate(o.expr))) {
    throw new DbError(SqlState.GroupingError, 'aggregate function calls cannot be nested').at(pos(e.location));
  }
  const filter = e.filter ? toBool(bindExpr(e.filter, inner), 'FILTER', inner, e.location) : null;
  const orderBy = (e.orderBy ?? []).map((o) => {
    const expr = bindExpr(o.expr, inner);
    const key = expr.type === Oid.unknown ? coerce(expr, Oid.text, -1, 'implicit', inner, e.location) : expr;
    return { expr: key, descending: o.descending, nullsFirst: o.nullsFirst ?? o.descending };
  });
  if (e.distinct && orderBy.some((o) => !args.some((a) => boundKey(a) === boundKey(o.expr)))) {
    throw new DbError(SqlState.InvalidColumnReference, 'in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list').at(
      pos(e.location),
    );
  }
  return { fn, args, argTypes: wanted, distinct: e.distinct, type, filter, orderBy };
}

/** True when an AST expression calls an aggregate function (not counting subqueries and window calls themselves). */
export function mentionsAggregate(x: unknown): boolean {
  if (x === null || typeof x !== 'object') return false;
  const o = x as Record<string, unknown>;
  if (o.kind === 'sublink') return o.left !== null && mentionsAggregate(o.left);
  if (o.kind === 'window') return mentionsAggregate((o.call as Record<string, unknown>).args) || mentionsAggregate(o.over);
  if (o.kind === 'func' && Array.isArray(o.name) && isAggregateName(o.name[o.name.length - 1] as string)) return true;
  return Object.values(o).some(mentionsAggregate);
}

/** True when an AST expression contains a window function call (outside subqueries). */
export function mentionsWindow(x: unknown): boolean {
  if (x === null || typeof x !== 'object') return false;
  const o = x as Record<string, unknown>;
  if (o.kind === 'window') return true;
  if (o.kind === 'sublink') return false;
  return Object.values(o).some(mentionsWindow);
}

const pos = errorPosition;

/** Resolves an AST type name to (oid, typmod). */
export function bindTypeName(t: TypeName): { type: number; typmod: number } {
  const r = resolveTypeName(t.names, t.typmods, t.arrayDims);
  if (!r) {
    throw new DbError(SqlState.UndefinedObject, `type "${t.names.filter((n) => n !== 'pg_catalog').join('.')}" does not exist`).at(pos(t.location));
  }
  return r;
}

function literalConst(e: Expr & { kind: 'const' }): BoundExpr {
  switch (e.literal) {
    case 'null':
      return { kind: 'const', type: Oid.unknown, typmod: -1, value: null };
    case 'string':
      return { kind: 'const', type: Oid.unknown, typmod: -1, value: e.text };
    case 'boolean':
      return { kind: 'const', type: Oid.bool, typmod: -1, value: e.text === 'true' };
    case 'integer': {
      const n = BigInt(e.text);
      if (n >= -2147483648n && n <= 2147483647n) return { kind: 'const', type: Oid.int4, typmod: -1, value: Number(n) };
      if (n >= -9223372036854775808n && n <= 9223372036854775807n) return { kind: 'const', type: Oid.int8, typmod: -1, value: n };
      return { kind: 'const', type: Oid.numeric, typmod: -1, value: Numeric.parse(e.text) };
    }
    case 'numeric':
      return { kind: 'const', type: Oid.numeric, typmod: -1, value: Numeric.parse(e.text) };
    case 'bitstring':
      throw notSupported('bit string literals are not supported yet').at(pos(e.location));
    default:
      return assertNever(e.literal, 'literal kind');
  }
}

/**
 * Coerces a bound expression to a target type in the given cast context, resolving unknown
 * literals and parameters on the way. Throws 42804 when no such cast exists.
 */
export function coerce(
  expr: BoundExpr,
  type: number,
  typmod: number,
  how: 'implicit' | 'assignment' | 'explicit',
  ctx: BindContext,
  location: number,
): BoundExpr {
  if (expr.kind === 'const' && expr.type === Oid.unknown) {
    if (expr.value === null) return { kind: 'const', type, typmod, value: null };
    const target = typeByOid(type);
    if (!target) throw new DbError(SqlState.UndefinedObject, `type with OID ${type} does not exist`);
    try {
      let value = target.textIn(expr.value as string, typmod, ctx.format);
      if (typmod >= 0 && target.applyTypmod) value = target.applyTypmod(value, typmod, how === 'explicit');
      return { kind: 'const', type, typmod, value };
    } catch (err) {
      if (err instanceof DbError) throw err.at(pos(location));
      throw err;
    }
  }
  if (expr.kind === 'param' && expr.type === Oid.unknown) {
    ctx.params.resolve(expr.index, type);
    const bound: BoundExpr = { kind: 'param', index: expr.index, type, typmod: -1 };
    return typmod >= 0 ? { kind: 'cast', arg: bound, from: type, type, typmod, explicit: how === 'explicit' } : bound;
  }
  if (expr.type === type && (typmod < 0 || expr.typmod === typmod)) return expr;
  if (!canCast(expr.type, type, how)) {
    if (how === 'explicit') {
      throw new DbError(SqlState.CannotCoerce, `cannot cast type ${typeDisplayName(expr.type)} to ${typeDisplayName(type)}`).at(pos(location));
    }
    throw new DbError(
      SqlState.DatatypeMismatch,
      `argument of type ${typeDisplayName(expr.type)} cannot be converted to type ${typeDisplayName(type)}`,
    ).at(pos(location));
  }
  // Fold casts of constants now, so errors surface at bind time with a position, like PostgreSQL.
  if (expr.kind === 'const') {
    try {
      const value = expr.value === null ? null : castValue(expr.value, expr.type, type, typmod, how === 'explicit', ctx.format);
      return { kind: 'const', type, typmod, value };
    } catch (err) {
      if (err instanceof DbError && err.code === SqlState.InvalidTextRepresentation) throw err.at(pos(location));
      // Runtime-class errors (overflow...) are raised at execution, as PostgreSQL does.
    }
  }
  return { kind: 'cast', arg: expr, from: expr.type, type, typmod, explicit: how === 'explicit' };
}

export function bindCall(
  name: string,
  args: BoundExpr[],
  isOperator: boolean,
  location: number,
  ctx: BindContext,
  allowSet = false,
): BoundExpr {
  const argTypes = args.map((a) => a.type);
  const describe = (): string =>
    isOperator
      ? args.length === 1
        ? `${name} ${typeDisplayName(argTypes[0]!)}`
        : `${typeDisplayName(argTypes[0]!)} ${name} ${typeDisplayName(argTypes[1]!)}`
      : `${name}(${argTypes.map(typeDisplayName).join(', ')})`;
  const what = isOperator ? 'operator' : 'function';
  const fn: ScalarFunction | null = selectCandidate(functionsNamed(name), argTypes, () =>
    new DbError(SqlState.AmbiguousFunction, `${what} is not unique: ${describe()}`, {
      hint: `Could not choose a best candidate ${what}. You might need to add explicit type casts.`,
    }).at(pos(location)),
  );
  if (!fn) {
    // PostgreSQL's wording: "function lower(integer) does not exist", "operator does not exist: integer || integer".
    throw new DbError(SqlState.UndefinedFunction, isOperator ? `operator does not exist: ${describe()}` : `function ${describe()} does not exist`, {
      hint: `No ${what} matches the given name and argument types. You might need to add explicit type casts.`,
    }).at(pos(location));
  }
  if (fn.returnsSet && !allowSet && !ctx.setFunctions) {
    throw notSupported(`set-returning function ${name}() is only supported in FROM and in the SELECT list`).at(pos(location));
  }
  // A parameter passed as a variadic "any" argument has nothing to take its type from.
  args.forEach((a, i) => {
    if (fn.argTypes[i] === Oid.unknown && a.kind === 'param' && a.type === Oid.unknown) {
      throw new DbError(SqlState.IndeterminateDatatype, `could not determine data type of parameter $${a.index + 1}`).at(pos(location));
    }
  });
  const coerced = args.map((a, i) =>
    fn.argTypes[i] === ANYNONARRAY_OID ? coerce(a, Oid.text, -1, 'explicit', ctx, location) : coerce(a, fn.argTypes[i]!, -1, 'implicit', ctx, location),
  );
  // Several output columns in the SELECT list make one anonymous record per row (one named column is a plain value).
  const record = fn.setColumns && fn.setColumns.length > 1 && !allowSet;
  const call: BoundExpr & { kind: 'call' } = { kind: 'call', fn, args: coerced, type: record ? Oid.record : fn.returnType, typmod: record ? recordTypmod(fn.setColumns!) : -1 };
  // A set-returning function in the SELECT list: its rows come from the block's project-set node.
  return fn.returnsSet && !allowSet ? ctx.setFunctions!.add(call) : call;
}

export function functionName(names: readonly string[], location: number): string {
  if (names.length === 2 && names[0] === 'pg_catalog') return names[1]!;
  if (names.length === 2 && (names[0] === 'tessera' || names[0] === 'information_schema')) return `${names[0]}.${names[1]!}`;
  if (names.length !== 1) {
    throw new DbError(SqlState.UndefinedFunction, `function ${names.join('.')} does not exist`).at(pos(location));
  }
  return names[0]!;
}


export function commonArgs(args: BoundExpr[], context: string, ctx: BindContext, location: number): { args: BoundExpr[]; type: number } {
  const type = selectCommonType(
    args.map((a) => a.type),
    context,
  );
  return { args: args.map((a) => coerce(a, type, -1, 'implicit', ctx, location)), type };
}

function toBool(e: BoundExpr, construct: string, ctx: BindContext, location: number): BoundExpr {
  if (e.type === Oid.bool) return e;
  if (e.type === Oid.unknown) return coerce(e, Oid.bool, -1, 'implicit', ctx, location);
  throw new DbError(SqlState.DatatypeMismatch, `argument of ${construct} must be type boolean, not type ${typeDisplayName(e.type)}`).at(
    pos(location),
  );
}

/** Binds one expression. */
export function bindExpr(e: Expr, ctx: BindContext): BoundExpr {
  const agg = ctx.aggregation;
  if (agg && e.kind !== 'const' && e.kind !== 'param' && !mentionsAggregate(e) && !mentionsWindow(e) && !mentionsSublink(e)) {
    // An expression equal to a GROUP BY expression reads the group key.
    let bound: BoundExpr | null = null;
    try {
      bound = bindExpr(e, inputContext(ctx, agg));
    } catch {
      bound = null;
    }
    if (bound) {
      const i = agg.groupKeys.indexOf(boundKey(bound));
      if (i >= 0) return groupRef(agg, i, bound);
      if (e.kind === 'column') {
        const col = agg.inputScope.find((c) => c.name === e.names[e.names.length - 1]);
        const shown = col?.table ? `${col.table}.${col.name}` : e.names.join('.');
        throw new DbError(SqlState.GroupingError, `column "${shown}" must appear in the GROUP BY clause or be used in an aggregate function`).at(pos(e.location));
      }
    }
  }
  switch (e.kind) {
    case 'const':
      return literalConst(e);
    case 'param': {
      if (e.number < 1) throw new DbError(SqlState.UndefinedParameter, `there is no parameter $${e.number}`).at(pos(e.location));
      const index = e.number - 1;
      return { kind: 'param', index, type: ctx.params.typeOf(index), typmod: -1 };
    }
    case 'column': {
      const [name] = e.names.slice(-1);
      const matches = findColumns(ctx.scope, e.names);
      if (e.star || matches.length === 0) {
        if (e.star) throw new DbError(SqlState.SyntaxError, 'SELECT * with no tables specified is not valid').at(pos(e.location));
        const system = systemColumn(e, ctx.scope);
        if (system) return system;
        const outer = bindOuterColumn(e, ctx);
        if (outer) return outer;
        if (e.names.length > 1 && !ctx.scope.some((c) => c.table === e.names[0])) {
          throw new DbError(SqlState.UndefinedTable, `missing FROM-clause entry for table "${e.names[0]}"`).at(pos(e.location));
        }
        throw new DbError(SqlState.UndefinedColumn, `column "${e.names.join('.')}" does not exist`).at(pos(e.location));
      }
      if (matches.length > 1) throw new DbError(SqlState.AmbiguousColumn, `column reference "${name}" is ambiguous`).at(pos(e.location));
      const c = matches[0]!;
      return { kind: 'column', index: ctx.scope.indexOf(c), type: c.type, typmod: c.typmod, name: c.name, tableOid: c.tableOid ?? 0, attnum: c.attnum ?? 0 };
    }
    case 'cast': {
      const { type, typmod } = bindTypeName(e.type);
      return coerce(bindExpr(e.arg, ctx), type, typmod, 'explicit', ctx, e.location);
    }
    case 'op': {
      if (e.left?.kind === 'row' || e.right.kind === 'row') return bindExpr(expandRowComparison(e), ctx);
      const args = e.left ? [bindExpr(e.left, ctx), bindExpr(e.right, ctx)] : [bindExpr(e.right, ctx)];
      return bindCall(e.name, args, true, e.location, ctx);
    }
    case 'and':
    case 'or':
      return {
        kind: e.kind,
        args: e.args.map((a) => toBool(bindExpr(a, ctx), e.kind.toUpperCase(), ctx, e.location)),
        type: Oid.bool,
        typmod: -1,
      };
    case 'not':
      return { kind: 'not', arg: toBool(bindExpr(e.arg, ctx), 'NOT', ctx, e.location), type: Oid.bool, typmod: -1 };
    case 'func': {
      const name = functionName(e.name, e.location);
      if (isAggregateName(name)) {
        return bindAggregate(e, name, ctx);
      }
      if (e.star || e.distinct || e.filter || (e.orderBy ?? []).length > 0) {
        const what = e.filter ? 'FILTER specified, but' : e.distinct ? 'DISTINCT specified, but' : e.star ? `${name}(*) specified, but` : 'ORDER BY specified, but';
        throw new DbError(SqlState.WrongObjectType, `${what} ${name} is not an aggregate function`).at(pos(e.location));
      }
      return bindCall(name, e.args.map((a) => bindExpr(a, ctx)), false, e.location, ctx);
    }
    case 'nulltest': {
      const arg = bindExpr(e.arg, ctx);
      return { kind: 'isnull', arg: arg.type === Oid.unknown ? coerce(arg, Oid.text, -1, 'implicit', ctx, e.location) : arg, negated: !e.isNull, type: Oid.bool, typmod: -1 };
    }
    case 'booltest':
      return { kind: 'booltest', arg: toBool(bindExpr(e.arg, ctx), `IS ${e.test.toUpperCase()}`, ctx, e.location), test: e.test, type: Oid.bool, typmod: -1 };
    case 'case': {
      const whens = e.whens.map((w) => ({
        when: e.arg
          ? bindCall('=', [bindExpr(e.arg, ctx), bindExpr(w.when, ctx)], true, e.location, ctx)
          : toBool(bindExpr(w.when, ctx), 'CASE/WHEN', ctx, e.location),
        then: bindExpr(w.then, ctx),
      }));
      const otherwise = e.otherwise ? bindExpr(e.otherwise, ctx) : null;
      const results = [...whens.map((w) => w.then), ...(otherwise ? [otherwise] : [])];
      const { args, type } = commonArgs(results, 'CASE', ctx, e.location);
      return {
        kind: 'case',
        whens: whens.map((w, i) => ({ when: w.when, then: args[i]! })),
        otherwise: otherwise ? args[args.length - 1]! : null,
        type,
        typmod: -1,
      };
    }
    case 'coalesce': {
      const { args, type } = commonArgs(e.args.map((a) => bindExpr(a, ctx)), 'COALESCE', ctx, e.location);
      return { kind: 'coalesce', args, type, typmod: -1 };
    }
    case 'minmax': {
      const { args, type } = commonArgs(e.args.map((a) => bindExpr(a, ctx)), e.op.toUpperCase(), ctx, e.location);
      bindCall('<', [args[0]!, args[0]!], true, e.location, ctx); // the type must be ordered
      return { kind: 'minmax', op: e.op, args, type, typmod: -1 };
    }
    case 'nullif': {
      const equals = bindCall('=', [bindExpr(e.left, ctx), bindExpr(e.right, ctx)], true, e.location, ctx);
      if (equals.kind !== 'call') throw new DbError(SqlState.InternalError, 'NULLIF did not bind to an operator');
      const left = equals.args[0]!;
      return { kind: 'nullif', left, equals, type: left.type, typmod: left.typmod };
    }
    case 'in': {
      // x IN (a, b) is x = a OR x = b; NOT IN is x <> a AND x <> b, with the same NULL semantics.
      if (e.arg.kind === 'row') {
        const tests: Expr[] = e.list.map((item) => ({ kind: 'op', name: e.negated ? '<>' : '=', left: e.arg, right: item, location: e.location }));
        return bindExpr(tests.length === 1 ? tests[0]! : { kind: e.negated ? 'and' : 'or', args: tests, location: e.location }, ctx);
      }
      const arg = bindExpr(e.arg, ctx);
      const tests = e.list.map((item) => bindCall(e.negated ? '<>' : '=', [arg, bindExpr(item, ctx)], true, e.location, ctx));
      return tests.length === 1 ? tests[0]! : { kind: e.negated ? 'and' : 'or', args: tests, type: Oid.bool, typmod: -1 };
    }
    case 'between': {
      const arg = bindExpr(e.arg, ctx);
      const low = bindExpr(e.low, ctx);
      const high = bindExpr(e.high, ctx);
      const range = (lo: BoundExpr, hi: BoundExpr): BoundExpr => ({
        kind: 'and',
        args: [bindCall('>=', [arg, lo], true, e.location, ctx), bindCall('<=', [arg, hi], true, e.location, ctx)],
        type: Oid.bool,
        typmod: -1,
      });
      let test: BoundExpr = range(low, high);
      if (e.symmetric) test = { kind: 'or', args: [test, range(high, low)], type: Oid.bool, typmod: -1 };
      return e.negated ? { kind: 'not', arg: test, type: Oid.bool, typmod: -1 } : test;
    }
    case 'distinct': {
      const eq = bindCall('=', [bindExpr(e.left, ctx), bindExpr(e.right, ctx)], true, e.location, ctx);
      if (eq.kind !== 'call') throw new DbError(SqlState.InternalError, 'IS DISTINCT FROM did not bind to an operator');
      return {
        kind: 'distinct',
        left: eq.args[0]!,
        right: eq.args[1]!,
        compareType: eq.args[0]!.type,
        negated: e.negated,
        type: Oid.bool,
        typmod: -1,
      };
    }
    case 'sqlvalue': {
      const map: Record<string, string> = {
        current_timestamp: 'now',
        current_date: 'current_date',
        localtimestamp: 'localtimestamp',
        localtime: 'localtime',
        current_user: 'current_user',
        current_role: 'current_user',
        user: 'current_user',
        session_user: 'session_user',
        current_catalog: 'current_database',
        current_schema: 'current_schema',
      };
      const target = map[e.fn];
      if (!target) throw notSupported(`${e.fn.toUpperCase()} is not supported yet`).at(pos(e.location));
      return bindCall(target, [], false, e.location, ctx);
    }
    case 'subscript':
      return bindSubscript(e, ctx);
    case 'row':
      throw notSupported('row expressions are only supported in comparisons').at(pos(e.location));
    case 'field': {
      const arg = bindExpr(e.arg, ctx);
      const shape = arg.type === Oid.record ? recordShape(arg.typmod) : undefined;
      if (!shape) {
        throw new DbError(SqlState.WrongObjectType, `column notation .${e.field} applied to type ${typeDisplayName(arg.type)}, which is not a composite type`).at(pos(e.location));
      }
      const index = shape.columns.findIndex((c) => c.name === e.field);
      if (index < 0) throw new DbError(SqlState.UndefinedColumn, `column "${e.field}" not found in data type record`).at(pos(e.location));
      return { kind: 'field', arg, index, type: shape.columns[index]!.type, typmod: -1 };
    }
    case 'sublink':
      return bindSublink(e, ctx);
    case 'array_op':
      return bindArrayOp(e, ctx);
    case 'window':
      if (!ctx.windows) throw new DbError(SqlState.WindowingError, 'window functions are not allowed here').at(pos(e.location));
      return ctx.windows.bind(e, ctx);
    case 'array': {
      if (e.elements.length === 0) {
        throw new DbError(SqlState.IndeterminateDatatype, 'cannot determine type of empty array', {
          hint: 'Explicitly cast to the desired type, for example ARRAY[]::integer[].',
        }).at(pos(e.location));
      }
      const { args, type } = commonArgs(e.elements.map((a) => bindExpr(a, ctx)), 'ARRAY', ctx, e.location);
      const arrayType = arrayTypeOf(type);
      // ARRAY[[1,2],[3,4]]: sub-arrays stack into one more dimension (array_stack in functions-array.ts).
      if (typeByOid(type)?.category === 'A') return bindCall('array_stack', args, false, e.location, ctx);
      if (!arrayType) {
        throw notSupported(`arrays of type ${typeDisplayName(type)} are not supported yet`).at(pos(e.location));
      }
      return { kind: 'array', elements: args, type: arrayType.oid, typmod: -1 };
    }
    default:
      return assertNever(e, 'expression');
  }
}

/** Binds an expression and resolves a leftover unknown type to text (SELECT-list rule). */
export function bindOutputExpr(e: Expr, ctx: BindContext): BoundExpr {
  const b = bindExpr(e, ctx);
  return b.type === Oid.unknown ? coerce(b, Oid.text, -1, 'implicit', ctx, -1) : b;
}

/**
 * Array subscripts and slices become calls of array_subscript(arr, i, j...) or
 * array_slice(arr, mask, lo1, hi1, ...), where bit k of mask marks an omitted bound
 * (`a[:2]`), whose placeholder is a non-null 0 so a NULL subscript still yields NULL.
 */
function bindSubscript(e: Expr & { kind: 'subscript' }, ctx: BindContext): BoundExpr {
  const arr = bindExpr(e.arg, ctx);
  // name is a fixed-length "char" array in PostgreSQL (lower bound 0): pg_dump reads typname[0].
  if (arr.type === Oid.name && e.indices.length === 1 && !e.indices[0]!.slice) {
    const i = e.indices[0]!.upper!;
    return bindCall('name_subscript', [arr, coerce(bindExpr(i, ctx), Oid.int4, -1, 'implicit', ctx, i.location)], false, e.location, ctx);
  }
  if (typeByOid(arr.type)?.category !== 'A') {
    throw new DbError(SqlState.DatatypeMismatch, `cannot subscript type ${typeDisplayName(arr.type)} because it does not support subscripting`).at(
      pos(e.location),
    );
  }
  const int = (x: Expr): BoundExpr => coerce(bindExpr(x, ctx), Oid.int4, -1, 'implicit', ctx, x.location);
  const zero: BoundExpr = { kind: 'const', type: Oid.int4, typmod: -1, value: 0 };
  if (!e.indices.some((i) => i.slice)) return bindCall('array_subscript', [arr, ...e.indices.map((i) => int(i.upper!))], false, e.location, ctx);
  let mask = 0;
  const bounds: BoundExpr[] = [];
  e.indices.forEach((i, k) => {
    const lower = i.slice ? i.lower : null;
    if (i.slice && !lower) mask |= 1 << (2 * k);
    if (!i.upper) mask |= 1 << (2 * k + 1);
    // A plain index inside a slice means 1:i, as in PostgreSQL.
    bounds.push(lower ? int(lower) : i.slice ? zero : { kind: 'const', type: Oid.int4, typmod: -1, value: 1 }, i.upper ? int(i.upper) : zero);
  });
  return bindCall('array_slice', [arr, { kind: 'const', type: Oid.int4, typmod: -1, value: mask }, ...bounds], false, e.location, ctx);
}

/** True when an AST expression contains a subquery. */
export function mentionsSublink(x: unknown): boolean {
  if (x === null || typeof x !== 'object') return false;
  const o = x as Record<string, unknown>;
  return o.kind === 'sublink' || Object.values(o).some(mentionsSublink);
}

/**
 * Columns a name refers to: `c` matches visible columns named c; `t.c` matches columns of
 * table t, including those hidden from unqualified use by JOIN USING.
 */
export function findColumns(scope: readonly ScopeColumn[], names: readonly string[]): ScopeColumn[] {
  const name = names[names.length - 1]!;
  if (names.length === 1) return scope.filter((c) => c.name === name && !c.hidden);
  const table = names[names.length - 2]!;
  return scope.filter((c) => c.name === name && c.table === table);
}

/**
 * Resolves a column in the enclosing query blocks: the innermost one that has it. In a
 * grouped block it must be a GROUP BY expression (its row is the grouped row). Marks every
 * block crossed as correlated.
 */
function bindOuterColumn(e: Expr & { kind: 'column' }, ctx: BindContext): BoundExpr | null {
  const crossed: ({ used: boolean } | undefined)[] = [ctx.correlation];
  let depth = 1;
  for (let o = ctx.outer; o; o = o.outer, depth++) {
    const agg = o.aggregation;
    const scope = agg ? agg.inputScope : o.scope;
    const matches = findColumns(scope, e.names);
    if (matches.length > 1) throw new DbError(SqlState.AmbiguousColumn, `column reference "${e.names.join('.')}" is ambiguous`).at(pos(e.location));
    if (matches.length === 1) {
      const c = matches[0]!;
      let index = scope.indexOf(c);
      if (agg) {
        const bound: BoundExpr = { kind: 'column', index, type: c.type, typmod: c.typmod, name: c.name, tableOid: c.tableOid ?? 0, attnum: c.attnum ?? 0 };
        index = agg.groupKeys.indexOf(boundKey(bound));
        if (index < 0) {
          throw new DbError(SqlState.GroupingError, `subquery uses ungrouped column "${c.table ? `${c.table}.` : ''}${c.name}" from outer query`).at(pos(e.location));
        }
      }
      for (const flag of crossed) if (flag) flag.used = true;
      return { kind: 'outer', depth, index, type: c.type, typmod: c.typmod };
    }
    crossed.push(o.correlation);
  }
  return null;
}

function singleColumn(cols: readonly OutputColumn[], location: number): OutputColumn {
  if (cols.length !== 1) {
    throw new DbError(SqlState.SyntaxError, cols.length > 1 ? 'subquery must return only one column' : 'subquery must return a column').at(pos(location));
  }
  return cols[0]!;
}

/**
 * `left op ANY|ALL (...)`: the comparison is bound over a two-column row [left, element],
 * resolving the operator as for `left op element`.
 */
function bindQuantifiedTest(left: BoundExpr, op: string, elemType: number, location: number, ctx: BindContext): { left: BoundExpr; test: BoundExpr } {
  if (left.type === Oid.unknown) left = coerce(left, elemType, -1, 'implicit', ctx, location);
  const row: BindContext = { params: ctx.params, scope: [], format: ctx.format };
  const test = bindCall(
    op,
    [
      { kind: 'column', index: 0, type: left.type, typmod: left.typmod, name: '', tableOid: 0, attnum: 0 },
      { kind: 'column', index: 1, type: elemType, typmod: -1, name: '', tableOid: 0, attnum: 0 },
    ],
    true,
    location,
    row,
  );
  if (test.type !== Oid.bool) throw new DbError(SqlState.DatatypeMismatch, `op ANY/ALL (array) requires operator to yield boolean`).at(pos(location));
  return { left, test };
}

function bindSublink(e: Expr & { kind: 'sublink' }, ctx: BindContext): BoundExpr {
  if (!ctx.queries) throw notSupported('cannot use subquery here').at(pos(e.location));
  const { plan, columns, correlated } = ctx.queries.planSubquery(e.query, ctx);
  const base = { kind: 'subquery' as const, plan, correlated, left: null, test: null, typmod: -1 };
  switch (e.sub) {
    case 'exists':
      return { ...base, mode: 'exists', type: Oid.bool };
    case 'scalar': {
      const c = singleColumn(columns, e.location);
      return { ...base, mode: 'scalar', type: c.type, typmod: c.typmod };
    }
    case 'array': {
      const c = singleColumn(columns, e.location);
      const arrayType = arrayTypeOf(c.type);
      if (!arrayType) throw new DbError(SqlState.UndefinedObject, `could not find array type for data type ${typeDisplayName(c.type)}`).at(pos(e.location));
      return { ...base, mode: 'array', type: arrayType.oid };
    }
    default: {
      const c = singleColumn(columns, e.location);
      const { left, test } = bindQuantifiedTest(bindExpr(e.left!, ctx), e.op!, c.type, e.location, ctx);
      return { ...base, mode: e.sub, left, test, type: Oid.bool };
    }
  }
}

function bindArrayOp(e: Expr & { kind: 'array_op' }, ctx: BindContext): BoundExpr {
  let left = bindExpr(e.left, ctx);
  let right = bindExpr(e.right, ctx);
  if (right.type === Oid.unknown) {
    if (left.type === Oid.unknown) left = coerce(left, Oid.text, -1, 'implicit', ctx, e.location);
    const arrayType = arrayTypeOf(left.type);
    if (!arrayType) throw new DbError(SqlState.UndefinedObject, `could not find array type for data type ${typeDisplayName(left.type)}`).at(pos(e.location));
    right = coerce(right, arrayType.oid, -1, 'implicit', ctx, e.location);
  }
  const elem = typeByOid(right.type)?.elemOid ?? 0;
  if (!elem) throw new DbError(SqlState.WrongObjectType, `op ANY/ALL (array) requires array on right side`).at(pos(e.location));
  const bound = bindQuantifiedTest(left, e.op, elem, e.location, ctx);
  return { kind: 'array_op', quantifier: e.quantifier, left: bound.left, right, test: bound.test, type: Oid.bool, typmod: -1 };
}

/**
 * `(a, b) op (c, d)` as PostgreSQL compares rows: = is a pairwise AND, <> a pairwise OR, and
 * < <= > >= are decided by the first pair that is not equal — (a < c) OR (a = c AND b <= d).
 */
function expandRowComparison(e: Expr & { kind: 'op' }): Expr {
  const left = e.left;
  const right = e.right;
  if (left?.kind !== 'row' || right.kind !== 'row') throw notSupported('comparing a row with a non-row value is not supported').at(pos(e.location));
  if (left.args.length !== right.args.length) throw new DbError(SqlState.SyntaxError, 'unequal number of entries in row expressions').at(pos(e.location));
  const op = (name: string, i: number): Expr => ({ kind: 'op', name, left: left.args[i]!, right: right.args[i]!, location: e.location });
  const all = (name: string, n: number): Expr[] => Array.from({ length: n }, (_, i) => op(name, i));
  const n = left.args.length;
  switch (e.name) {
    case '=':
      return { kind: 'and', args: all('=', n), location: e.location };
    case '<>':
      return { kind: 'or', args: all('<>', n), location: e.location };
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const strict = e.name[0]!;
      const arms: Expr[] = Array.from({ length: n }, (_, i) => {
        const last = op(i === n - 1 ? e.name : strict, i);
        return i === 0 ? last : { kind: 'and', args: [...all('=', i), last], location: e.location };
      });
      return { kind: 'or', args: arms, location: e.location };
    }
    default:
      throw notSupported(`row comparison with operator ${e.name} is not supported`).at(pos(e.location));
  }
}

/**
 * The `tableoid` system column: the same in every row of a relation, so it binds to the
 * relation's OID (a table's id; a catalog relation's fixed OID). Other system columns
 * (ctid, xmin, ...) do not exist here.
 */
function systemColumn(e: Expr & { kind: 'column' }, scope: readonly ScopeColumn[]): BoundExpr | null {
  if (e.names[e.names.length - 1] !== 'tableoid' || e.names.length > 2) return null;
  const tables = new Set(scope.filter((c) => (e.names.length === 1 || c.table === e.names[0]) && !c.derived && (c.tableOid ?? 0) > 0).map((c) => c.tableOid!));
  if (tables.size > 1) throw new DbError(SqlState.AmbiguousColumn, 'column reference "tableoid" is ambiguous').at(pos(e.location));
  const [oid] = tables;
  return oid === undefined ? null : { kind: 'const', type: Oid.oid, typmod: -1, value: oid };
}
