/**
 * Plans a SELECT: binds the target list against the FROM scope, then stacks
 * filter → sort → limit → project over the input. FROM-less SELECTs read the one-row
 * `result` node, set-returning functions a `function-scan`; table scans arrive with the
 * storage engine.
 */
import { DbError, SqlState, notSupported } from '../errors/index.ts';
import { errorPosition, type Expr, type FromItem, type SelectStmt } from '../sql/index.ts';
import { Oid, typeByOid } from '../types/index.ts';
import { bindCall, bindExpr, bindOutputExpr, boundKey, coerce, commonArgs, functionName, mentionsAggregate, ParamTypes, type AggregationScope, type BindContext, type ScopeColumn } from './bind-expr.ts';
import type { BoundExpr } from '../executor/index.ts';
import type { OutputColumn, Plan, PlannedQuery, SortKey } from '../executor/index.ts';
import type { FormatContext } from '../types/index.ts';
import { SYSTEM_VIEWS, type Catalog, type TableDef } from '../catalog/index.ts';
import { liveColumns, resolveTable, systemViewName, type PlanEnv } from './relations.ts';
import { planVectorTopK } from './plan-vector.ts';

/** PostgreSQL's FigureColname: the column name a target gets without an alias. */
export function figureColumnName(e: Expr): string {
  switch (e.kind) {
    case 'column':
      return e.star ? '?column?' : e.names[e.names.length - 1]!;
    case 'func':
      return e.name[e.name.length - 1]!;
    case 'cast': {
      const inner = figureColumnName(e.arg);
      if (inner !== '?column?') return inner;
      const last = e.type.names[e.type.names.length - 1]!;
      return e.type.arrayDims > 0 ? '?column?' : last;
    }
    case 'case':
      return 'case';
    case 'coalesce':
      return 'coalesce';
    case 'minmax':
      return e.op;
    case 'nullif':
      return 'nullif';
    case 'sqlvalue':
      return e.fn === 'user' ? 'current_user' : e.fn === 'current_role' ? 'current_role' : e.fn;
    default:
      return '?column?';
  }
}

function bindLimit(e: Expr | null, ctx: BindContext): BoundExpr | null {
  if (!e) return null;
  return coerce(bindExpr(e, ctx), Oid.int8, -1, 'implicit', ctx, -1);
}

/**
 * A full scan of a table with all live columns visible (plus the row id when asked, for
 * UPDATE/DELETE), and the scope naming them.
 */
export function planTableScan(t: TableDef, alias: string | null, withRowId: boolean, format: FormatContext): { plan: Plan; scope: ScopeColumn[] } {
  const cols = liveColumns(t);
  const missing = cols.map((c) => {
    if (c.missingValue === null) return null;
    const type = typeByOid(c.typeOid);
    return type ? type.textIn(c.missingValue, c.typmod, format) : null;
  });
  return {
    plan: { kind: 'seq-scan', tableId: t.tableId, table: t.name, attnums: cols.map((c) => c.attnum), missing, withRowId },
    scope: cols.map((c) => ({ table: alias ?? t.name, name: c.name, type: c.typeOid, typmod: c.typmod, tableOid: t.tableId, attnum: c.attnum })),
  };
}

/** Plans the FROM clause: its input plan and the columns it makes visible. */
function planFrom(from: readonly FromItem[], params: ParamTypes, env: PlanEnv): { plan: Plan; scope: ScopeColumn[] } {
  const format = env.format;
  if (from.length === 0) return { plan: { kind: 'result' }, scope: [] };
  if (from.length > 1) throw notSupported('joins and multiple FROM items are not supported yet');
  const item = from[0]!;
  const at = errorPosition(item.location);
  if (item.kind === 'table') {
    const qualified = { schema: item.schema, name: item.name, location: item.location };
    const view = systemViewName(env, qualified);
    if (view) {
      const columns = SYSTEM_VIEWS[view]!(env.catalog as Catalog).columns;
      return {
        plan: { kind: 'system-view', name: view },
        scope: columns.map((c) => ({ table: item.alias ?? item.name, name: c.name, type: c.typeOid, typmod: -1 })),
      };
    }
    const t = resolveTable(env, qualified);
    return planTableScan(t, item.alias, false, format);
  }
  const ctx: BindContext = { params, scope: [], format };
  const fnName = functionName(item.call.name, item.call.location);
  const call = bindCall(fnName, item.call.args.map((a) => bindExpr(a, ctx)), false, item.call.location, ctx, true);
  if (call.kind !== 'call' || !call.fn.returnsSet) throw notSupported(`function ${fnName}() in FROM is not supported yet`).at(at);
  // PostgreSQL names a scalar function's column after the column alias, else the table alias, else the function.
  const column = item.columnAliases[0] ?? item.alias ?? fnName;
  return {
    plan: { kind: 'function-scan', fn: call.fn, args: call.args },
    scope: [{ table: item.alias ?? fnName, name: column, type: call.type, typmod: -1 }],
  };
}

/** Output columns of a target list; plain column references carry their table and attnum (RowDescription). */
export function outputColumns(targets: SelectStmt['targets'], exprs: readonly BoundExpr[]): OutputColumn[] {
  return targets.map((t, i) => {
    const e = exprs[i]!;
    return {
      name: t.alias ?? figureColumnName(t.expr),
      type: e.type,
      typmod: e.typmod,
      tableOid: e.kind === 'column' ? e.tableOid : 0,
      columnAttr: e.kind === 'column' ? e.attnum : 0,
    };
  });
}

/** Expands `*` and `t.*` targets into one target per visible column. */
export function expandStars(targets: SelectStmt['targets'], scope: readonly ScopeColumn[]): SelectStmt['targets'] {
  return targets.flatMap((t) => {
    if (t.expr.kind !== 'column' || !t.expr.star) return [t];
    const qualifier = t.expr.names[0];
    const cols = scope.filter((c) => qualifier === undefined || c.table === qualifier);
    if (qualifier !== undefined && cols.length === 0) {
      throw new DbError(SqlState.UndefinedTable, `missing FROM-clause entry for table "${qualifier}"`).at(t.location + 1);
    }
    if (cols.length === 0) throw new DbError(SqlState.SyntaxError, 'SELECT * with no tables specified is not valid').at(t.location + 1);
    return cols.map((c) => ({ expr: { kind: 'column' as const, names: [c.name], star: false, location: t.location }, alias: null, location: t.location }));
  });
}

/** Plans VALUES lists: each column gets the common type of its entries; columns are column1..N. */
function planValues(rows: readonly (readonly Expr[])[], params: ParamTypes, format: FormatContext): { plan: Plan; scope: ScopeColumn[] } {
  const ctx: BindContext = { params, scope: [], format };
  const width = rows[0]!.length;
  const bound = rows.map((r) => {
    if (r.length !== width) throw new DbError(SqlState.SyntaxError, 'VALUES lists must all be the same length').at(errorPosition(r[0]?.location));
    return r.map((e) => bindExpr(e, ctx));
  });
  const columns = Array.from({ length: width }, (_, c) => commonArgs(bound.map((r) => r[c]!), 'VALUES', ctx, -1));
  return {
    plan: { kind: 'values', rows: bound.map((_, i) => columns.map((col) => col.args[i]!)) },
    scope: columns.map((col, c) => ({ table: '*VALUES*', name: `column${c + 1}`, type: col.type, typmod: -1 })),
  };
}

function outputName(e: Expr): string {
  return e.kind === 'column' ? e.names[0]! : '';
}

/**
 * Sets up grouping: binds GROUP BY expressions over the input (ordinals and output names refer
 * to the target list, as in PostgreSQL) and returns the aggregation scope that targets,
 * HAVING and ORDER BY are bound in.
 */
function groupingScope(stmt: SelectStmt, targets: SelectStmt['targets'], inputCtx: BindContext): AggregationScope {
  const groupExprs = stmt.groupBy.map((g) => {
    if (g.kind === 'const' && g.literal === 'integer') {
      const n = Number(g.text);
      if (n < 1 || n > targets.length) throw new DbError(SqlState.InvalidColumnReference, `GROUP BY position ${n} is not in select list`).at(g.location + 1);
      return bindExpr(targets[n - 1]!.expr, inputCtx);
    }
    if (g.kind === 'column' && g.names.length === 1 && !inputCtx.scope.some((c) => c.name === g.names[0])) {
      const t = targets.find((x) => x.alias === g.names[0]);
      if (t) return bindExpr(t.expr, inputCtx);
    }
    return bindExpr(g, inputCtx);
  });
  return { inputScope: inputCtx.scope, groupExprs, groupKeys: groupExprs.map(boundKey), calls: [] };
}

export function planSelect(stmt: SelectStmt, givenParamTypes: readonly number[], env: PlanEnv, params = new ParamTypes(givenParamTypes)): PlannedQuery {
  const format = env.format;
  const from = stmt.values ? planValues(stmt.values, params, format) : planFrom(stmt.from, params, env);
  if (stmt.values) {
    stmt = { ...stmt, targets: [{ expr: { kind: 'column', names: [], star: true, location: -1 }, alias: null, location: -1 }] };
  }
  const inputCtx: BindContext = { params, scope: from.scope, format };
  const targets = expandStars(stmt.targets, from.scope);
  let plan: Plan = from.plan;
  let predicate: BoundExpr | null = null;
  if (stmt.where) {
    if (mentionsAggregate(stmt.where)) throw new DbError(SqlState.GroupingError, 'aggregate functions are not allowed in WHERE');
    predicate = coerce(bindExpr(stmt.where, inputCtx), Oid.bool, -1, 'implicit', inputCtx, -1);
    plan = { kind: 'filter', input: plan, predicate };
  }
  const grouped = stmt.groupBy.length > 0 || stmt.having !== null || targets.some((t) => mentionsAggregate(t.expr)) || stmt.orderBy.some((o) => mentionsAggregate(o.expr));
  const aggregation = grouped ? groupingScope(stmt, targets, inputCtx) : undefined;
  // Targets, HAVING and ORDER BY see the grouped rows when there is grouping.
  const ctx: BindContext = aggregation ? { ...inputCtx, aggregation } : inputCtx;
  const exprs = targets.map((t) => bindOutputExpr(t.expr, ctx));
  const columns = outputColumns(targets, exprs);
  let having: BoundExpr | null = null;
  if (stmt.having) having = coerce(bindExpr(stmt.having, ctx), Oid.bool, -1, 'implicit', ctx, -1);
  const keys: SortKey[] = stmt.orderBy.map((s) => {
    let expr: BoundExpr;
    if (s.expr.kind === 'const' && s.expr.literal === 'integer') {
      const n = Number(s.expr.text);
      if (n < 1 || n > exprs.length) {
        throw new DbError(SqlState.InvalidColumnReference, `ORDER BY position ${n} is not in select list`).at(errorPosition(s.expr.location));
      }
      expr = exprs[n - 1]!;
    } else if (s.expr.kind === 'column' && s.expr.names.length === 1 && columns.some((c) => c.name === outputName(s.expr))) {
      // ORDER BY an output column name: PostgreSQL prefers output names over input columns.
      expr = exprs[columns.findIndex((c) => c.name === outputName(s.expr))]!;
    } else {
      expr = bindOutputExpr(s.expr, ctx);
    }
    if (!typeByOid(expr.type)) throw new DbError(SqlState.UndefinedFunction, 'could not identify an ordering operator');
    return { expr, descending: s.descending, nullsFirst: s.nullsFirst ?? s.descending };
  });
  if (aggregation) {
    plan = { kind: 'aggregate', input: plan, groupBy: aggregation.groupExprs, aggregates: aggregation.calls };
    if (having) plan = { kind: 'filter', input: plan, predicate: having };
  }
  const limit = bindLimit(stmt.limit, inputCtx);
  const offset = bindLimit(stmt.offset, inputCtx);
  const topK = aggregation ? null : planVectorTopK({ input: from.plan, predicate, keys, limit, offset, env });
  if (topK) {
    plan = topK;
  } else {
    if (keys.length > 0) plan = { kind: 'sort', input: plan, keys };
    if (limit || offset) plan = { kind: 'limit', input: plan, limit, offset };
  }
  plan = { kind: 'project', input: plan, exprs };
  return { plan, columns, paramTypes: params.finish() };
}
