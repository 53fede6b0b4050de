/**
 * Plans queries: WITH (incl. RECURSIVE), set operations, and SELECT blocks. A block stacks
 * FROM (plan-from.ts) → WHERE filter → aggregate → HAVING → window → project (targets plus
 * hidden sort keys) → DISTINCT [ON] → sort → limit → trim. Subqueries in expressions are
 * planned through the SubqueryPlanner each block hands its binding context.
 */
import { DbError, SqlState, notSupported } from '../errors/index.ts';
import { errorPosition, type Expr, type SelectStmt } from '../sql/index.ts';
import { Oid, typeByOid } from '../types/index.ts';
import {
  bindExpr,
  bindOutputExpr,
  boundKey,
  coerce,
  commonArgs,
  mentionsAggregate,
  mentionsSublink,
  mentionsWindow,
  ParamTypes,
  type AggregationScope,
  type BindContext,
  type ScopeColumn,
  type SubqueryPlanner,
} from './bind-expr.ts';
import type { BoundExpr, OutputColumn, Plan, PlannedQuery, SortKey } from '../executor/index.ts';
import type { FormatContext } from '../types/index.ts';
import type { PlanEnv } from './relations.ts';
import type { TableDef } from '../catalog/index.ts';
import { planVectorTopK } from './plan-vector.ts';
import { planFrom, type BlockEnv, type CteEntry, type CteScope, type FromResult } from './plan-from.ts';
import { WINDOW_REF_BASE, WindowCollector } from './plan-window.ts';

/** Set-returning calls in the SELECT list bind to placeholder indexes from here (after window references). */
const SET_REF_BASE = WINDOW_REF_BASE * 2;
import { mapColumns, splitConjuncts } from './bound-utils.ts';
import { pushDown } from './pushdown.ts';
import { countsOnlyTenants } from './plan-tenants.ts';
import { existsAsJoin } from './decorrelate.ts';
import { pruneScanColumns } from './prune.ts';
import { selectCommonType } from './resolve.ts';

export { planTableScan } from './plan-from.ts';

/** PostgreSQL's FigureColname: the column name a target gets without an alias. */
export function figureColumnName(e: Expr): string {
  switch (e.kind) {
    case 'column':
      return e.star ? '?column?' : e.names[e.names.length - 1]!;
    case 'func':
      return e.name[e.name.length - 1]!;
    case 'window':
      return e.call.name[e.call.name.length - 1]!;
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
    case 'sublink':
      return e.sub === 'exists' ? 'exists' : e.sub === 'array' ? 'array' : e.sub === 'scalar' ? figureSubqueryName(e.query) : '?column?';
    case 'array':
      return 'array';
    case 'sqlvalue':
      return e.fn === 'user' ? 'current_user' : e.fn === 'current_role' ? 'current_role' : e.fn;
    default:
      return '?column?';
  }
}

function figureSubqueryName(q: SelectStmt): string {
  if (q.setOp) return figureSubqueryName(q.setOp.left);
  const t = q.targets[0];
  return t ? (t.alias ?? figureColumnName(t.expr)) : '?column?';
}

function bindLimit(e: Expr | null, ctx: BindContext): BoundExpr | null {
  if (!e) return null;
  return coerce(bindExpr(e, ctx), Oid.int8, -1, 'implicit', ctx, -1);
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
    const qualifier = t.expr.names[t.expr.names.length - 1];
    const cols = scope.filter((c) => (qualifier === undefined ? !c.hidden : c.table === qualifier));
    if (qualifier !== undefined && cols.length === 0) {
      throw new DbError(SqlState.UndefinedTable, `missing FROM-clause entry for table "${qualifier}"`).at(t.location + 1);
    }
    if (cols.length === 0 && scope.length === 0) throw new DbError(SqlState.SyntaxError, 'SELECT * with no tables specified is not valid').at(t.location + 1);
    return cols.map((c) => ({
      expr: { kind: 'column' as const, names: c.table !== null && !c.hidden ? [c.table, c.name] : c.table !== null ? [c.table, c.name] : [c.name], star: false, location: t.location },
      alias: c.name,
      location: t.location,
    }));
  });
}

/** Plans VALUES lists: each column gets the common type of its entries; columns are column1..N. */
function planValues(rows: readonly (readonly Expr[])[], ctx: BindContext): FromResult {
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
    if (mentionsSublink(g)) throw notSupported('subqueries in GROUP BY are not supported yet').at(errorPosition(g.location));
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

/** Planning state shared by the blocks of one statement. */
interface QueryEnv {
  readonly env: PlanEnv;
  readonly params: ParamTypes;
}

let nextCteId = 1;

interface PlannedBlock {
  readonly plan: Plan;
  readonly columns: OutputColumn[];
  readonly correlated: boolean;
}

/** Plans any query (WITH, set operation or block) with `outer` as its enclosing context. */
function planQuery(stmt: SelectStmt, outer: BindContext | undefined, q: QueryEnv, ctes: CteScope | null, setOpBranch = false): PlannedBlock {
  if (stmt.with) ctes = planWith(stmt, outer, q, ctes);
  if (stmt.setOp) return planSetOp(stmt, outer, q, ctes);
  return planSelectBlock(stmt, outer, q, ctes, setOpBranch);
}

/** True when a query refers to a table named `name` without a schema (a recursive CTE's self-reference). */
function refersTo(x: unknown, name: string): boolean {
  if (x === null || typeof x !== 'object') return false;
  const o = x as Record<string, unknown>;
  if (o.kind === 'table' && o.schema === null && o.name === name) return true;
  return Object.values(o).some((v) => refersTo(v, name));
}

function planWith(stmt: SelectStmt, outer: BindContext | undefined, q: QueryEnv, parent: CteScope | null): CteScope {
  const scope: CteScope = { parent, entries: new Map() };
  for (const cte of stmt.with!.ctes) {
    if (scope.entries.has(cte.name)) {
      throw new DbError(SqlState.DuplicateAlias, `WITH query name "${cte.name}" specified more than once`).at(errorPosition(cte.location));
    }
    const id = nextCteId++;
    const named = (cols: readonly OutputColumn[]): CteEntry['columns'] => {
      if (cte.columnAliases.length > cols.length) {
        throw new DbError(SqlState.InvalidColumnReference, `WITH query "${cte.name}" has ${cols.length} columns available but ${cte.columnAliases.length} columns specified`).at(
          errorPosition(cte.location),
        );
      }
      return cols.map((c, i) => ({ name: cte.columnAliases[i] ?? c.name, type: c.type, typmod: c.typmod }));
    };
    if (stmt.with!.recursive && refersTo(cte.query, cte.name)) {
      const body = cte.query.setOp;
      if (!body || body.op !== 'union' || refersTo(body.left, cte.name)) {
        throw new DbError(SqlState.InvalidRecursion, `recursive query "${cte.name}" does not have the form non-recursive-term UNION [ALL] recursive-term`).at(
          errorPosition(cte.location),
        );
      }
      const base = planQuery(body.left, outer, q, scope);
      const entry: CteEntry = { id, name: cte.name, columns: named(base.columns), plan: null };
      scope.entries.set(cte.name, entry);
      const step = planQuery(body.right, outer, q, scope);
      if (step.columns.length !== base.columns.length) {
        throw new DbError(SqlState.SyntaxError, 'each UNION query must have the same number of columns');
      }
      const stepPlan = coerceColumns(step, base.columns.map((c) => c.type), `recursive query "${cte.name}"`, q.env.format);
      entry.plan = { kind: 'recursive-union', cteId: id, all: body.all, base: base.plan, step: stepPlan };
    } else {
      const sub = planQuery(cte.query, outer, q, scope);
      scope.entries.set(cte.name, { id, name: cte.name, columns: named(sub.columns), plan: sub.plan });
    }
  }
  return scope;
}

/** Wraps a planned query so its columns have the given types (implicit casts), or throws 42804. */
function coerceColumns(p: PlannedBlock, types: readonly number[], what: string, format: FormatContext): Plan {
  if (p.columns.every((c, i) => c.type === types[i])) return p.plan;
  const ctx: BindContext = { params: new ParamTypes([]), scope: [], format };
  const exprs = p.columns.map((c, i) => {
    const col: BoundExpr = { kind: 'column', index: i, type: c.type, typmod: c.typmod, name: c.name, tableOid: 0, attnum: 0 };
    if (c.type === types[i]) return col;
    if (c.type === Oid.unknown) return { kind: 'cast' as const, arg: col, from: c.type, type: types[i]!, typmod: -1, explicit: false };
    try {
      return coerce(col, types[i]!, -1, 'implicit', ctx, -1);
    } catch {
      throw new DbError(SqlState.DatatypeMismatch, `${what} column ${i + 1} has type ${typeName(c.type)} in one term but type ${typeName(types[i]!)} overall`);
    }
  });
  return { kind: 'project', input: p.plan, exprs };
}

const typeName = (oid: number): string => typeByOid(oid)?.name ?? String(oid);

function planSetOp(stmt: SelectStmt, outer: BindContext | undefined, q: QueryEnv, ctes: CteScope | null): PlannedBlock {
  const op = stmt.setOp!;
  const what = op.op.toUpperCase();
  const left = planQuery(op.left, outer, q, ctes, true);
  const right = planQuery(op.right, outer, q, ctes, true);
  if (left.columns.length !== right.columns.length) {
    throw new DbError(SqlState.SyntaxError, `each ${what} query must have the same number of columns`);
  }
  const types = left.columns.map((c, i) => {
    const r = right.columns[i]!;
    if (c.type === Oid.unknown && r.type === Oid.unknown) return Oid.text;
    return selectCommonType([c.type, r.type].filter((t) => t !== Oid.unknown), what);
  });
  let plan: Plan = { kind: 'set-op', op: op.op, all: op.all, left: coerceColumns(left, types, what, q.env.format), right: coerceColumns(right, types, what, q.env.format) };
  const columns: OutputColumn[] = left.columns.map((c, i) => ({
    name: c.name,
    type: types[i]!,
    typmod: c.type === types[i] && right.columns[i]!.typmod === c.typmod ? c.typmod : -1,
    tableOid: 0,
    columnAttr: 0,
  }));
  // ORDER BY / LIMIT of the combined rows: by output column name or position.
  const scope: ScopeColumn[] = columns.map((c) => ({ table: null, name: c.name, type: c.type, typmod: c.typmod }));
  const ctx: BindContext = { params: q.params, scope, format: q.env.format, outer, correlation: { used: false } };
  const keys = stmt.orderBy.map((s): SortKey => {
    const expr = s.expr.kind === 'const' && s.expr.literal === 'integer' ? ordinalRef(Number(s.expr.text), columns, s.expr.location) : bindExpr(s.expr, ctx);
    return { expr, descending: s.descending, nullsFirst: s.nullsFirst ?? s.descending };
  });
  const limit = bindLimit(stmt.limit, ctx);
  const offset = bindLimit(stmt.offset, ctx);
  const ties = withTies(stmt, keys);
  if (keys.length > 0) plan = { kind: 'sort', input: plan, keys, keep: limit && !ties ? { limit, offset } : undefined };
  if (limit || offset) plan = { kind: 'limit', input: plan, limit, offset, withTies: ties };
  return { plan, columns, correlated: left.correlated || right.correlated };
}

/** FOR UPDATE / SHARE of a block: only over one plain table (a join or a view is 0A000 here). */
function lockTarget(stmt: SelectStmt): { policy: 'block' | 'nowait' | 'skip' } | null {
  if (!stmt.locking) return null;
  const item = stmt.from[0];
  if (stmt.from.length !== 1 || item?.kind !== 'table') {
    throw notSupported('FOR UPDATE/SHARE is supported only for a single table in FROM');
  }
  const name = item.alias ?? item.name;
  const other = stmt.locking.of.find((n) => n !== name);
  if (other !== undefined) throw new DbError(SqlState.UndefinedTable, `relation "${other}" in FOR UPDATE clause not found in FROM clause`);
  return { policy: stmt.locking.policy };
}

/** The ORDER BY keys for FETCH ... WITH TIES (which requires an ORDER BY), or undefined. */
function withTies(stmt: SelectStmt, keys: readonly SortKey[]): readonly SortKey[] | undefined {
  if (!stmt.withTies) return undefined;
  if (keys.length === 0) throw new DbError(SqlState.SyntaxError, 'WITH TIES cannot be specified without ORDER BY clause');
  return keys;
}

function ordinalRef(n: number, columns: readonly OutputColumn[], location: number): BoundExpr & { kind: 'column' } {
  if (n < 1 || n > columns.length) {
    throw new DbError(SqlState.InvalidColumnReference, `ORDER BY position ${n} is not in select list`).at(errorPosition(location));
  }
  const c = columns[n - 1]!;
  return { kind: 'column', index: n - 1, type: c.type, typmod: c.typmod, name: c.name, tableOid: 0, attnum: 0 };
}

/**
 * Plans one SELECT block (or VALUES list). In a set operation's branch, NULL literals in the
 * SELECT list stay untyped so the other branches decide their type.
 */
function planSelectBlock(stmt: SelectStmt, outer: BindContext | undefined, q: QueryEnv, ctes: CteScope | null, setOpBranch: boolean): PlannedBlock {
  const { env, params } = q;
  const format = env.format;
  const correlation = { used: false };
  const queries: SubqueryPlanner = {
    planSubquery: (sub, o) => planQuery(sub, o, q, ctes),
  };
  const locking = lockTarget(stmt);
  const block: BlockEnv = {
    env,
    params,
    outer,
    correlation,
    queries,
    ctes,
    tables: new Map(),
    withRowIds: locking !== null,
    planFromSubquery: (sub, o) => planQuery(sub, o, q, ctes),
  };
  const baseCtx: BindContext = { params, scope: [], format, outer, correlation, queries };
  const from = stmt.values ? planValues(stmt.values, baseCtx) : planFrom(stmt.from, block);
  if (stmt.values) {
    stmt = { ...stmt, targets: [{ expr: { kind: 'column', names: [], star: true, location: -1 }, alias: null, location: -1 }] };
  }
  const inputCtx: BindContext = { ...baseCtx, scope: from.scope };
  const targets = expandStars(stmt.targets, from.scope);
  let plan: Plan = from.plan;
  let predicate: BoundExpr | null = null;
  if (stmt.where) {
    if (mentionsAggregate(stmt.where)) throw new DbError(SqlState.GroupingError, 'aggregate functions are not allowed in WHERE');
    if (mentionsWindow(stmt.where)) throw new DbError(SqlState.WindowingError, 'window functions are not allowed in WHERE');
    predicate = coerce(bindExpr(stmt.where, inputCtx), Oid.bool, -1, 'implicit', inputCtx, -1);
    // Correlated [NOT] EXISTS on equalities becomes a semi (anti) join; the rest goes down the FROM tree.
    const rest: BoundExpr[] = [];
    for (const c of splitConjuncts(predicate)) {
      const joined = existsAsJoin(c, plan, from.scope.length);
      if (joined) plan = joined;
      else rest.push(c);
    }
    plan = pushDown(plan, rest, block.tables);
  }
  const grouped =
    stmt.groupBy.length > 0 || stmt.having !== null || targets.some((t) => mentionsAggregate(t.expr)) || stmt.orderBy.some((o) => mentionsAggregate(o.expr));
  const aggregation = grouped ? groupingScope(stmt, targets, inputCtx) : undefined;
  const windows = new WindowCollector(stmt.windows);
  const setCalls: (BoundExpr & { kind: 'call' })[] = [];
  const setFunctions = {
    add: (call: BoundExpr & { kind: 'call' }): BoundExpr => {
      setCalls.push(call);
      return { kind: 'column', index: SET_REF_BASE + setCalls.length - 1, type: call.type, typmod: call.typmod, name: call.fn.name, tableOid: 0, attnum: 0 };
    },
  };
  // Targets, HAVING and ORDER BY see the grouped rows when there is grouping.
  const ctx: BindContext = { ...inputCtx, aggregation, windows, setFunctions };
  let exprs = targets.map((t) => {
    const b = bindExpr(t.expr, ctx);
    const untypedNull = setOpBranch && b.kind === 'const' && b.value === null;
    return b.type === Oid.unknown && !untypedNull ? coerce(b, Oid.text, -1, 'implicit', ctx, -1) : b;
  });
  const columns = outputColumns(targets, exprs);
  let having: BoundExpr | null = null;
  if (stmt.having) {
    if (mentionsWindow(stmt.having)) throw new DbError(SqlState.WindowingError, 'window functions are not allowed in HAVING');
    having = coerce(bindExpr(stmt.having, { ...ctx, windows: undefined }), Oid.bool, -1, 'implicit', ctx, -1);
  }
  let keys: SortKey[] = stmt.orderBy.map((s) => {
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
  let distinctOn = (stmt.distinct ?? []).map((d) => {
    if (d.kind === 'const' && d.literal === 'integer') return exprs[ordinalRef(Number(d.text), columns, d.location).index]!;
    return bindOutputExpr(d, ctx);
  });
  // The window node appends its columns after the (grouped) input row, the project-set node after those.
  const inputWidth = aggregation ? aggregation.groupExprs.length + aggregation.calls.length : from.scope.length;
  if (windows.calls.length > 0 || setCalls.length > 0) {
    const fix = (e: BoundExpr): BoundExpr =>
      mapColumns(e, (c) =>
        c.index >= SET_REF_BASE
          ? { ...c, index: inputWidth + windows.calls.length + c.index - SET_REF_BASE }
          : c.index >= WINDOW_REF_BASE
            ? { ...c, index: inputWidth + c.index - WINDOW_REF_BASE }
            : c,
      );
    exprs = exprs.map(fix);
    keys = keys.map((k) => ({ ...k, expr: fix(k.expr) }));
    distinctOn = distinctOn.map(fix);
  }
  if (aggregation) {
    plan = { kind: 'aggregate', input: plan, groupBy: aggregation.groupExprs, aggregates: aggregation.calls };
    if (countsOnlyTenants(plan)) plan = { ...plan, fromTenantDirectory: true };
    if (having) plan = { kind: 'filter', input: plan, predicate: having };
  }
  if (windows.calls.length > 0) plan = { kind: 'window', input: plan, calls: windows.calls };
  if (setCalls.length > 0) plan = { kind: 'project-set', input: plan, calls: setCalls };
  const limit = bindLimit(stmt.limit, inputCtx);
  const offset = bindLimit(stmt.offset, inputCtx);
  const simple = !aggregation && windows.calls.length === 0 && stmt.distinct === null;
  if (locking) {
    if (!simple || setCalls.length > 0) throw notSupported('FOR UPDATE/SHARE is not allowed with aggregates, window functions, DISTINCT or set-returning functions');
    const t = [...block.tables.values()][0];
    if (block.tables.size !== 1 || !t) throw notSupported('FOR UPDATE/SHARE is supported only on a table');
    // LockRows sits under the LIMIT (as in PostgreSQL): SKIP LOCKED rows do not count toward it.
    const ties = withTies(stmt, keys);
    if (keys.length > 0) plan = { kind: 'sort', input: plan, keys };
    plan = { kind: 'lock-rows', input: plan, tableId: t.tableId, table: t.name, rowIdIndex: from.scope.length, policy: locking.policy, oneByOne: limit !== null };
    if (limit || offset) plan = { kind: 'limit', input: plan, limit, offset, withTies: ties };
    return { plan: { kind: 'project', input: plan, exprs }, columns, correlated: correlation.used };
  }
  const topK = simple && setCalls.length === 0 ? planVectorTopK({ input: from.plan, predicate, keys, limit, offset, env }) : null;
  if (topK) {
    return { plan: { kind: 'project', input: topK, exprs }, columns, correlated: correlation.used };
  }
  if (simple) {
    // No DISTINCT: sort the input rows and project last (sort keys need not be in the target list).
    const ties = withTies(stmt, keys);
    if (keys.length > 0) plan = { kind: 'sort', input: plan, keys, keep: limit && !ties ? { limit, offset } : undefined };
    if (limit || offset) plan = { kind: 'limit', input: plan, limit, offset, withTies: ties };
    return { plan: pruneScanColumns({ kind: 'project', input: plan, exprs }), columns, correlated: correlation.used };
  }
  // Project the targets plus hidden columns for sort keys and DISTINCT ON expressions not among them.
  const projected = [...exprs];
  const slot = (e: BoundExpr, mustBeTarget: string | null): BoundExpr => {
    let i = projected.findIndex((x) => boundKey(x) === boundKey(e));
    if (i < 0 || i >= exprs.length) {
      if (mustBeTarget) throw new DbError(SqlState.InvalidColumnReference, mustBeTarget);
      if (i < 0) {
        projected.push(e);
        i = projected.length - 1;
      }
    }
    return { kind: 'column', index: i, type: e.type, typmod: e.typmod, name: '', tableOid: 0, attnum: 0 };
  };
  const isDistinct = stmt.distinct !== null && stmt.distinct.length === 0;
  const sortRefs = keys.map((k) => ({ ...k, expr: slot(k.expr, isDistinct ? 'for SELECT DISTINCT, ORDER BY expressions must appear in select list' : null) }));
  const onRefs = distinctOn.map((e) => slot(e, null));
  plan = { kind: 'project', input: plan, exprs: projected };
  if (isDistinct) plan = { kind: 'distinct', input: plan };
  if (onRefs.length > 0) {
    // DISTINCT ON: the ORDER BY must start with the DISTINCT ON expressions (in any order).
    const lead = sortRefs.slice(0, onRefs.length).map((k) => boundKey(k.expr));
    if (sortRefs.length > 0 && !onRefs.every((r) => lead.includes(boundKey(r)))) {
      throw new DbError(SqlState.InvalidColumnReference, 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions');
    }
    const sortKeys = sortRefs.length > 0 ? sortRefs : onRefs.map((expr) => ({ expr, descending: false, nullsFirst: false }));
    plan = { kind: 'unique', input: { kind: 'sort', input: plan, keys: sortKeys }, keys: onRefs };
  } else if (sortRefs.length > 0) {
    plan = { kind: 'sort', input: plan, keys: sortRefs, keep: limit && !isDistinct && !stmt.withTies ? { limit, offset } : undefined };
  }
  if (limit || offset) plan = { kind: 'limit', input: plan, limit, offset, withTies: withTies(stmt, sortRefs) };
  if (projected.length > exprs.length) {
    plan = { kind: 'project', input: plan, exprs: exprs.map((e, i) => ({ kind: 'column', index: i, type: e.type, typmod: e.typmod, name: '', tableOid: 0, attnum: 0 })) };
  }
  return { plan: pruneScanColumns(plan), columns, correlated: correlation.used };
}

export function planSelect(stmt: SelectStmt, givenParamTypes: readonly number[], env: PlanEnv, params = new ParamTypes(givenParamTypes)): PlannedQuery {
  const planned = planQuery(stmt, undefined, { env, params }, null);
  return { plan: planned.plan, columns: planned.columns, paramTypes: params.finish() };
}

/**
 * Planning services for INSERT / UPDATE / DELETE: a subquery planner for their expressions
 * and FROM / USING lists planned as a block's FROM (with the tables they scan).
 */
export function statementPlanner(env: PlanEnv, params: ParamTypes): {
  queries: SubqueryPlanner;
  planFromItems(items: SelectStmt['from'], correlation: { used: boolean }, tables: Map<number, TableDef>): FromResult;
} {
  const q: QueryEnv = { env, params };
  const queries: SubqueryPlanner = { planSubquery: (sub, o) => planQuery(sub, o, q, null) };
  return {
    queries,
    planFromItems: (items, correlation, tables) =>
      planFrom(items, { env, params, outer: undefined, correlation, queries, ctes: null, tables, planFromSubquery: (sub, o) => planQuery(sub, o, q, null) }),
  };
}
