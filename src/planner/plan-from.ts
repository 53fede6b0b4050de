/**
 * Plans the FROM clause: tables (and WITH queries, system views), set-returning functions,
 * subqueries (LATERAL or not), and joins — hash joins on equality conditions between the
 * two sides, nested loops otherwise. Returns the input plan and the scope of columns it
 * makes visible; comma-separated items are cross joins whose WHERE conditions
 * planSelectBlock later pushes into them.
 */
import { DbError, SqlState, notSupported } from '../errors/index.ts';
import { errorPosition, type FromItem, type SelectStmt } from '../sql/index.ts';
import { Oid, typeByOid, type FormatContext } from '../types/index.ts';
import { privileges, type BoundExpr, type JoinKind, type OutputColumn, type Plan, type ScalarFunction } from '../executor/index.ts';
import { SYSTEM_VIEWS, systemViewOid, type Catalog, type TableDef } from '../catalog/index.ts';
import { bindCall, bindExpr, coerce, findColumns, functionName, type BindContext, type ParamTypes, type ScopeColumn, type SubqueryPlanner } from './bind-expr.ts';
import { selectCommonType } from './resolve.ts';
import { liveColumns, resolveTable, resolveView, systemViewName, type PlanEnv } from './relations.ts';
import { planViewQuery, requireViewSelect } from './plan-view.ts';
import { planSequenceRelation } from './plan-sequence.ts';
import { columnsUsed, shiftColumns, splitConjuncts } from './bound-utils.ts';
import { tableRowScope, withSecurityQuals } from './rls.ts';
import { resolvePartition, restrictToPartition } from './plan-partition.ts';

export interface FromResult {
  readonly plan: Plan;
  readonly scope: ScopeColumn[];
}

/** A WITH query visible to FROM items. */
export interface CteEntry {
  readonly id: number;
  readonly name: string;
  readonly columns: readonly { readonly name: string; readonly type: number; readonly typmod: number }[];
  /** The CTE's plan; null while its recursive term is being planned (references read the work table). */
  plan: Plan | null;
}

export interface CteScope {
  readonly parent: CteScope | null;
  readonly entries: Map<string, CteEntry>;
}

/** What planning one query block needs. */
export interface BlockEnv {
  readonly env: PlanEnv;
  readonly params: ParamTypes;
  readonly outer: BindContext | undefined;
  readonly correlation: { used: boolean };
  readonly queries: SubqueryPlanner;
  readonly ctes: CteScope | null;
  /** The tables this block scans, by id (for primary-key lookups when filters are pushed down). */
  readonly tables: Map<number, TableDef>;
  /** SELECT ... FOR UPDATE / SHARE: table scans append the row id (after the scope's columns). */
  readonly withRowIds?: boolean;
  /** Plans a subquery in FROM with the given enclosing context. */
  planFromSubquery(stmt: SelectStmt, outer: BindContext | undefined): { plan: Plan; columns: readonly OutputColumn[]; correlated: boolean };
}

function findCte(scope: CteScope | null, name: string): CteEntry | undefined {
  for (let s = scope; s; s = s.parent) {
    const e = s.entries.get(name);
    if (e) return e;
  }
  return undefined;
}

/** A full scan of a table with all live columns (plus the row id when asked, for UPDATE/DELETE), and the scope naming them. */
export function planTableScan(t: TableDef, alias: string | null, withRowId: boolean, format: FormatContext, columnAliases: readonly string[] = []): FromResult {
  const cols = liveColumns(t);
  const missing = cols.map((c) => {
    if (c.missingValue === null) return null;
    const type = typeByOid(c.typeOid);
    return type ? type.textIn(c.missingValue, c.typmod, format) : null;
  });
  return {
    plan: {
      kind: 'seq-scan', tableId: t.tableId, table: t.name, attnums: cols.map((c) => c.attnum), missing, withRowId,
      ...(t.partitionKey ? { partitionKey: t.partitionKey.attnum } : {}),
    },
    scope: cols.map((c, i) => ({ table: alias ?? t.name, name: columnAliases[i] ?? c.name, type: c.typeOid, typmod: c.typmod, tableOid: t.tableId, attnum: c.attnum })),
  };
}

function aliasColumns(names: readonly string[], aliases: readonly string[], what: string, location: number): string[] {
  if (aliases.length > names.length) {
    throw new DbError(SqlState.InvalidColumnReference, `${what} has ${names.length} columns available but ${aliases.length} columns specified`).at(errorPosition(location));
  }
  return names.map((n, i) => aliases[i] ?? n);
}

/** The binding context of a block's own FROM-level expressions. */
function blockContext(b: BlockEnv, scope: readonly ScopeColumn[], outer = b.outer): BindContext {
  return { params: b.params, scope, format: b.env.format, outer, correlation: b.correlation, queries: b.queries };
}

/**
 * The context a LATERAL item binds in: the items to its left are its innermost outer
 * scope (at run time the nested loop supplies their row); beyond them, the block's outer.
 */
function lateralContext(b: BlockEnv, left: FromResult | null): BindContext | undefined {
  if (!left) return b.outer;
  return { params: b.params, scope: left.scope, format: b.env.format, outer: b.outer, correlation: b.correlation, queries: b.queries };
}

interface ItemResult extends FromResult {
  /** True when the item refers to the FROM items on its left (a LATERAL dependency). */
  readonly lateral: boolean;
}

function planItem(item: FromItem, b: BlockEnv, left: FromResult | null): ItemResult {
  const at = errorPosition(item.location);
  switch (item.kind) {
    case 'table': {
      const cte = item.schema === null ? findCte(b.ctes, item.name) : undefined;
      const alias = item.alias ?? item.name;
      if (cte) {
        const names = aliasColumns(
          cte.columns.map((c) => c.name),
          item.columnAliases,
          `table "${alias}"`,
          item.location,
        );
        const plan: Plan = cte.plan ? { kind: 'cte-scan', cteId: cte.id, name: cte.name, input: cte.plan } : { kind: 'worktable-scan', cteId: cte.id, name: cte.name };
        return { plan, scope: cte.columns.map((c, i) => ({ table: alias, name: names[i]!, type: c.type, typmod: c.typmod })), lateral: false };
      }
      const qualified = { schema: item.schema, name: item.name, location: item.location };
      const view = systemViewName(b.env, qualified);
      if (view) {
        // pg_authid holds password verifiers: superusers only, as in PostgreSQL.
        if (view === 'pg_catalog.pg_authid' && b.env.roles && !b.env.roles.superuser) {
          throw new DbError(SqlState.InsufficientPrivilege, 'permission denied for table pg_authid');
        }
        const columns = SYSTEM_VIEWS[view]!(b.env.catalog as Catalog).columns;
        const names = aliasColumns(
          columns.map((c) => c.name),
          item.columnAliases,
          `table "${alias}"`,
          item.location,
        );
        // Catalog columns carry the relation's OID and attnum (RowDescription, tableoid).
        const oid = systemViewOid(view);
        return {
          plan: { kind: 'system-view', name: view },
          scope: columns.map((c, i) => ({ table: alias, name: names[i]!, type: c.typeOid, typmod: c.typmod ?? -1, tableOid: oid, attnum: i + 1 })),
          lateral: false,
        };
      }
      const userView = resolveView(b.env, qualified);
      if (userView) {
        // A plain view: its stored query planned as a subquery, its columns as fixed at CREATE VIEW.
        if (b.withRowIds === true) throw notSupported(`SELECT ... FOR UPDATE/SHARE on view "${userView.name}" is not supported`).at(at);
        requireViewSelect(b.env, userView);
        const names = aliasColumns(userView.columns.map((c) => c.name), item.columnAliases, `table "${alias}"`, item.location);
        return {
          plan: planViewQuery(b.env, userView, b.tables),
          scope: userView.columns.map((c, i) => ({ table: alias, name: names[i]!, type: c.typeOid, typmod: c.typmod, tableOid: userView.viewId, attnum: i + 1 })),
          lateral: false,
        };
      }
      const part = resolvePartition(b.env, qualified);
      if (part) {
        // A named partition: the parent's scan restricted to the partition's key values.
        b.tables.set(part.parent.tableId, part.parent);
        aliasColumns(liveColumns(part.parent).map((c) => c.name), item.columnAliases, `table "${alias}"`, item.location);
        const scan = planTableScan(part.parent, alias, b.withRowIds === true, b.env.format, item.columnAliases);
        // Privileges and row-level security of the partitioned table bind its partitions too.
        privileges.requireTablePrivilege(b.env.roles, part.parent, b.withRowIds === true ? 'rw' : 'r');
        const pctx = (): BindContext => ({ params: b.params, scope: tableRowScope(part.parent), format: b.env.format, correlation: { used: false }, queries: b.queries });
        const secured = withSecurityQuals(b.env, part.parent, scan.plan, pctx, b.tables, b.withRowIds === true ? 'w' : 'r');
        return { plan: restrictToPartition(part, secured.plan, scan.scope, b.env), scope: scan.scope, lateral: false };
      }
      const seq = planSequenceRelation(b.env, qualified, item.alias);
      if (seq) return { ...seq, lateral: false };
      const t = resolveTable(b.env, qualified);
      // SELECT ... FOR UPDATE / SHARE also needs UPDATE and is bound by the UPDATE policies, as in PostgreSQL.
      privileges.requireTablePrivilege(b.env.roles, t, b.withRowIds === true ? 'rw' : 'r');
      b.tables.set(t.tableId, t);
      aliasColumns(liveColumns(t).map((c) => c.name), item.columnAliases, `table "${alias}"`, item.location);
      const scan = planTableScan(t, item.alias, b.withRowIds === true, b.env.format, item.columnAliases);
      // Row-level security: the policies' USING quals become conjuncts of this table reference.
      const ctx = (): BindContext => ({ params: b.params, scope: tableRowScope(t), format: b.env.format, correlation: { used: false }, queries: b.queries });
      return { plan: withSecurityQuals(b.env, t, scan.plan, ctx, b.tables, b.withRowIds === true ? 'w' : 'r').plan, scope: scan.scope, lateral: false };
    }
    case 'function': {
      // Functions in FROM may always refer to the items on their left (implicitly LATERAL).
      const correlation = { used: false };
      const ctx: BindContext = { ...blockContext(b, [], lateralContext(b, left)), correlation };
      const fnName = functionName(item.call.name, item.call.location);
      const call = bindCall(fnName, item.call.args.map((a) => bindExpr(a, ctx)), false, item.call.location, ctx, true);
      const table = item.alias ?? fnName;
      if (call.kind !== 'call') throw notSupported(`function ${fnName}() in FROM is not supported yet`).at(at);
      // Any reference outside is bound through the left items' scope: run it per left row.
      const lateral = correlation.used && left !== null;
      if (correlation.used && left === null) b.correlation.used = true;
      // A scalar function in FROM (TypeORM: SELECT * FROM current_schema()) is a one-row relation of its value.
      const plan: Plan = call.fn.returnsSet
        ? { kind: 'function-scan', fn: call.fn, args: call.args, ordinality: item.ordinality }
        : { kind: 'values', rows: [item.ordinality ? [call, { kind: 'const', type: Oid.int8, typmod: -1, value: 1n }] : [call]] };
      // Several output columns (jsonb_each: key, value) are named by the column aliases, else as declared;
      // a scalar function's column after the column alias, else the table alias, else the function.
      const scope: ScopeColumn[] = call.fn.setColumns
        ? call.fn.setColumns.map((c, i) => ({ table, name: item.columnAliases[i] ?? c.name, type: c.type, typmod: -1 }))
        : [{ table, name: item.columnAliases[0] ?? item.alias ?? fnName, type: call.type, typmod: -1 }];
      if (item.ordinality) scope.push({ table, name: item.columnAliases[scope.length] ?? 'ordinality', type: Oid.int8, typmod: -1 });
      return { plan, scope, lateral };
    }
    case 'subquery': {
      if (item.alias === null) throw new DbError(SqlState.SyntaxError, 'subquery in FROM must have an alias').at(at);
      const outer = item.lateral ? lateralContext(b, left) : b.outer;
      const sub = b.planFromSubquery(item.query, outer);
      const lateral = item.lateral && left !== null && sub.correlated;
      if (sub.correlated && !lateral) b.correlation.used = true;
      const names = aliasColumns(
        sub.columns.map((c) => c.name),
        item.columnAliases,
        `table "${item.alias}"`,
        item.location,
      );
      // A plain column of the subquery keeps its origin for RowDescription, as PostgreSQL reports it.
      const scope = sub.columns.map((c, i): ScopeColumn => ({
        table: item.alias, name: names[i]!, type: c.type, typmod: c.typmod, tableOid: c.tableOid || undefined, attnum: c.columnAttr || undefined, derived: true,
      }));
      return { plan: sub.plan, scope, lateral };
    }
    case 'join':
      return { ...planJoin(item, b, left), lateral: false };
  }
}

function joinNode(joinType: JoinKind, left: FromResult, right: ItemResult, on: BoundExpr | null): Plan {
  const leftWidth = left.scope.length;
  const rightWidth = right.scope.length;
  if (right.lateral) {
    if (joinType === 'right' || joinType === 'full') {
      throw new DbError(SqlState.InvalidColumnReference, `The combining JOIN type must be INNER or LEFT for a LATERAL reference.`);
    }
    return { kind: 'nested-loop', joinType, left: left.plan, right: right.plan, on, lateral: true, leftWidth, rightWidth };
  }
  return joinPlan(joinType, left.plan, right.plan, leftWidth, rightWidth, on);
}

/**
 * A join of two independent inputs: a hash join when the condition has equality conjuncts
 * between the two sides (the rest is a residual check), a nested loop otherwise.
 */
export function joinPlan(joinType: JoinKind, left: Plan, right: Plan, leftWidth: number, rightWidth: number, on: BoundExpr | null): Plan {
  if (on) {
    const leftKeys: BoundExpr[] = [];
    const rightKeys: BoundExpr[] = [];
    const equalities: ScalarFunction[] = [];
    const residual: BoundExpr[] = [];
    for (const c of splitConjuncts(on)) {
      const keys = hashablePair(c, leftWidth);
      if (keys && c.kind === 'call') {
        leftKeys.push(keys[0]);
        rightKeys.push(keys[1]);
        equalities.push(c.fn);
      } else residual.push(c);
    }
    if (leftKeys.length > 0) {
      const rest = residual.length === 0 ? null : residual.length === 1 ? residual[0]! : { kind: 'and' as const, args: residual, type: Oid.bool, typmod: -1 };
      return { kind: 'hash-join', joinType, left, right, leftKeys, rightKeys, equalities, residual: rest, leftWidth, rightWidth };
    }
  }
  return { kind: 'nested-loop', joinType, left, right, on, lateral: false, leftWidth, rightWidth };
}

/**
 * `l = r` with l over the left columns only and r over the right ones (or the mirror), with
 * one equality operator for one type — so equal values have equal hash keys.
 */
function hashablePair(c: BoundExpr, leftWidth: number): [BoundExpr, BoundExpr] | null {
  if (c.kind !== 'call' || c.fn.name !== '=' || c.args.length !== 2) return null;
  if (c.fn.argTypes[0] !== c.fn.argTypes[1]) return null;
  const [a, b] = c.args as [BoundExpr, BoundExpr];
  const side = (e: BoundExpr): 'left' | 'right' | null => {
    const used = columnsUsed(e);
    if (used === null || used.size === 0) return null;
    const all = [...used];
    if (all.every((i) => i < leftWidth)) return 'left';
    if (all.every((i) => i >= leftWidth)) return 'right';
    return null;
  };
  const sa = side(a);
  const sb = side(b);
  if (sa === 'left' && sb === 'right') return [a, shiftColumns(b, -leftWidth)];
  if (sa === 'right' && sb === 'left') return [b, shiftColumns(a, -leftWidth)];
  return null;
}

function planJoin(item: FromItem & { kind: 'join' }, b: BlockEnv, outerLeft: FromResult | null): FromResult {
  const left = planItem(item.left, b, outerLeft);
  const right = planItem(item.right, b, left);
  const both = [...left.scope, ...right.scope];
  const ctx = blockContext(b, both);
  let usingNames = item.using;
  if (item.natural) {
    const rightNames = new Set(right.scope.filter((c) => !c.hidden).map((c) => c.name));
    usingNames = left.scope.filter((c) => !c.hidden && rightNames.has(c.name)).map((c) => c.name);
  }
  let plan: Plan;
  let scope: ScopeColumn[];
  if (usingNames !== null) {
    const pairs = usingNames.map((name) => {
      const find = (side: FromResult, which: string): number => {
        const found = findColumns(side.scope, [name]);
        if (found.length === 0) throw new DbError(SqlState.UndefinedColumn, `column "${name}" specified in USING clause does not exist in ${which} table`);
        if (found.length > 1) throw new DbError(SqlState.AmbiguousColumn, `common column name "${name}" appears more than once in ${which} table`);
        return side.scope.indexOf(found[0]!);
      };
      return { name, l: find(left, 'left'), r: left.scope.length + find(right, 'right') };
    });
    const col = (i: number): BoundExpr => {
      const c = both[i]!;
      return { kind: 'column', index: i, type: c.type, typmod: c.typmod, name: c.name, tableOid: c.tableOid ?? 0, attnum: c.attnum ?? 0 };
    };
    const conds = pairs.map((p) => bindCall('=', [col(p.l), col(p.r)], true, item.location, ctx));
    const on = conds.length === 0 ? null : conds.length === 1 ? conds[0]! : { kind: 'and' as const, args: conds, type: Oid.bool, typmod: -1 };
    const joinType: JoinKind = item.joinType === 'inner' && conds.length === 0 ? 'cross' : item.joinType;
    const joined = joinNode(joinType, left, right, on);
    // The merged columns come first: the left value (right for RIGHT JOIN, COALESCE for FULL).
    const merged = pairs.map((p) => {
      const type = selectCommonType([both[p.l]!.type, both[p.r]!.type], 'JOIN/USING');
      const l = coerce(col(p.l), type, -1, 'implicit', ctx, item.location);
      const r = coerce(col(p.r), type, -1, 'implicit', ctx, item.location);
      const expr: BoundExpr =
        item.joinType === 'full' ? { kind: 'coalesce', args: [l, r], type, typmod: -1 } : item.joinType === 'right' ? r : l;
      return { expr, name: p.name, type };
    });
    const usingIdx = new Set(pairs.flatMap((p) => [p.l, p.r]));
    plan = { kind: 'project', input: joined, exprs: [...merged.map((m) => m.expr), ...both.map((_, i) => col(i))] };
    scope = [
      ...merged.map((m, i) => ({ table: null, name: m.name, type: m.type, typmod: -1, tableOid: mergedSource(merged[i]!.expr)?.tableOid, attnum: mergedSource(merged[i]!.expr)?.attnum })),
      ...both.map((c, i) => (usingIdx.has(i) ? { ...c, hidden: true } : c)),
    ];
  } else {
    const on = item.on ? coerce(bindExpr(item.on, ctx), Oid.bool, -1, 'implicit', ctx, item.location) : null;
    plan = joinNode(item.joinType, left, right, on);
    scope = both;
  }
  // An aliased join exposes its columns only under the alias; USING's hidden columns become unreachable.
  if (item.alias) scope = scope.map((c) => ({ ...c, table: c.hidden ? null : item.alias }));
  return { plan, scope };
}

function mergedSource(e: BoundExpr): { tableOid: number; attnum: number } | undefined {
  return e.kind === 'column' ? { tableOid: e.tableOid, attnum: e.attnum } : undefined;
}

/** Plans a FROM list; items after the first are cross joins (LATERAL ones as nested loops). */
export function planFrom(items: readonly FromItem[], b: BlockEnv): FromResult {
  if (items.length === 0) return { plan: { kind: 'result' }, scope: [] };
  let acc: FromResult = planItem(items[0]!, b, null);
  for (const item of items.slice(1)) {
    const right = planItem(item, b, acc);
    acc = { plan: joinNode('cross', acc, right, null), scope: [...acc.scope, ...right.scope] };
  }
  return acc;
}
