/**
 * Plans a SELECT: binds the target list against the FROM scope, then stacks
 * filter → sort → limit → project over the input. FROM-less SELECTs read the one-row
 * `result` node; table scans arrive with the storage engine.
 */
import { DbError, SqlState } from '../errors/index.ts';
import type { Expr, SelectStmt } from '../sql/index.ts';
import { Oid, typeByOid } from '../types/index.ts';
import { bindExpr, bindOutputExpr, coerce, ParamTypes, type BindContext } from './bind-expr.ts';
import type { BoundExpr } from '../executor/index.ts';
import type { OutputColumn, Plan, PlannedQuery, SortKey } from '../executor/index.ts';
import type { FormatContext } from '../types/index.ts';

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

export function planSelect(stmt: SelectStmt, givenParamTypes: readonly number[], format: FormatContext): PlannedQuery {
  if (stmt.from.length > 0) {
    const t = stmt.from[0]!;
    const name = t.schema ? `${t.schema}.${t.name}` : t.name;
    throw new DbError(SqlState.UndefinedTable, `relation "${name}" does not exist`).at(t.location >= 0 ? t.location + 1 : undefined);
  }
  const ctx: BindContext = { params: new ParamTypes(givenParamTypes), scope: [], format };
  const exprs = stmt.targets.map((t) => bindOutputExpr(t.expr, ctx));
  const columns: OutputColumn[] = stmt.targets.map((t, i) => ({
    name: t.alias ?? figureColumnName(t.expr),
    type: exprs[i]!.type,
    typmod: exprs[i]!.typmod,
    tableOid: 0,
    columnAttr: 0,
  }));
  let plan: Plan = { kind: 'result' };
  if (stmt.where) {
    const predicate = bindExpr(stmt.where, ctx);
    plan = { kind: 'filter', input: plan, predicate: coerce(predicate, Oid.bool, -1, 'implicit', ctx, -1) };
  }
  if (stmt.orderBy.length > 0) {
    const keys: SortKey[] = stmt.orderBy.map((s) => {
      let expr: BoundExpr;
      if (s.expr.kind === 'const' && s.expr.literal === 'integer') {
        const n = Number(s.expr.text);
        if (n < 1 || n > exprs.length) {
          throw new DbError(SqlState.InvalidColumnReference, `ORDER BY position ${n} is not in select list`).at(
            s.expr.location >= 0 ? s.expr.location + 1 : undefined,
          );
        }
        expr = exprs[n - 1]!;
      } else {
        expr = bindOutputExpr(s.expr, ctx);
      }
      if (!typeByOid(expr.type)) throw new DbError(SqlState.UndefinedFunction, 'could not identify an ordering operator');
      return { expr, descending: s.descending, nullsFirst: s.nullsFirst ?? s.descending };
    });
    plan = { kind: 'sort', input: plan, keys };
  }
  if (stmt.limit || stmt.offset) {
    plan = { kind: 'limit', input: plan, limit: bindLimit(stmt.limit, ctx), offset: bindLimit(stmt.offset, ctx) };
  }
  plan = { kind: 'project', input: plan, exprs };
  return { plan, columns, paramTypes: ctx.params.finish() };
}
