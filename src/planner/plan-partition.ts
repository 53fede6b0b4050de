/**
 * Named partitions in plans (docs/tenants.md, "SQL surface"). A named partition
 * (CREATE TABLE p PARTITION OF t FOR VALUES IN (...)) owns no rows: reading it is a scan of
 * the parent with `key = v` / `key IN (...)` pushed down onto it, so tenant pruning sees it
 * as if the user had written it in WHERE; writing through it checks
 * PostgreSQL's partition constraint. Called by plan-from.ts and plan-modify.ts where a
 * relation name resolves, and by the session's COPY and DDL.
 */
import type { ColumnDef, PartitionDef, TableDef } from '../catalog/index.ts';
import { DbError, SqlState, notSupported } from '../errors/index.ts';
import { compile, PARTITION_CONSTRAINT, type BoundExpr, type ExecContext, type Plan, type RowChecks } from '../executor/index.ts';
import { errorPosition, type Expr, type QualifiedName } from '../sql/index.ts';
import { typeByOid } from '../types/index.ts';
import { bindExpr, coerce, ParamTypes, type BindContext, type ScopeColumn } from './bind-expr.ts';
import { pushDown } from './pushdown.ts';
import { liveColumns, type PlanEnv } from './relations.ts';

/** A relation name that resolved to a named partition: the partition, its parent and the key column. */
export interface PartitionTarget {
  readonly partition: PartitionDef;
  readonly parent: TableDef;
  readonly key: ColumnDef;
}

/** What the planner reads about named partitions (Catalog has these; test twins may not). */
interface PartitionCatalog {
  getPartition(schema: string, name: string): PartitionDef | undefined;
  getTableById(tableId: number): TableDef | undefined;
  getTable(schema: string, name: string): TableDef | undefined;
}

function partitionCatalog(env: PlanEnv): PartitionCatalog | null {
  const c = env.catalog as Partial<PartitionCatalog>;
  return typeof c.getPartition === 'function' && typeof c.getTableById === 'function' ? (c as PartitionCatalog) : null;
}

/**
 * The named partition a relation name denotes, or null when it denotes something else (a
 * table, or nothing). Unqualified names follow search_path as resolveTable does: a table
 * earlier on the path wins.
 */
export function resolvePartition(env: PlanEnv, name: QualifiedName): PartitionTarget | null {
  const cat = partitionCatalog(env);
  if (!cat) return null;
  const schemas = name.schema !== null ? [name.schema] : env.searchPath;
  // Partitions are rare: look for one first (no table definition parsed), then for a table shadowing it.
  for (let i = 0; i < schemas.length; i++) {
    const partition = cat.getPartition(schemas[i]!, name.name);
    if (!partition) continue;
    if (schemas.slice(0, i).some((s) => cat.getTable(s, name.name))) return null;
    const parent = cat.getTableById(partition.tableId);
    const key = parent?.partitionKey ? parent.columns.find((c) => c.attnum === parent.partitionKey!.attnum && !c.dropped) : undefined;
    if (!parent || !key) throw new DbError(SqlState.InternalError, `partition "${partition.name}" has no partitioned parent table`);
    return { partition, parent, key };
  }
  return null;
}

/** `key = 'v'` for one value, `key IN ('a', 'b')` for several: what a user would write (tenant pruning looks for it). */
function keyMembership(target: PartitionTarget, location: number): Expr {
  const column: Expr = { kind: 'column', names: [target.key.name], star: false, location };
  const values: Expr[] = target.partition.values.map((v) => ({ kind: 'const', literal: 'string', text: v, location }));
  if (values.length === 1) return { kind: 'op', name: '=', left: column, right: values[0]!, location };
  return { kind: 'in', arg: column, list: values, negated: false, location };
}

/** The partition's rows among `scope` (a scan of the parent): the key is in the partition's list. */
export function partitionQual(target: PartitionTarget, scope: readonly ScopeColumn[], env: PlanEnv): BoundExpr {
  // Bound against the key column alone, so an alias or column alias of the scan cannot hide it.
  const index = scope.findIndex((s) => s.attnum === target.key.attnum && s.tableOid === target.parent.tableId);
  const own: ScopeColumn[] = scope.map((s, i) => (i === index ? { ...s, table: null, name: target.key.name, hidden: false } : { ...s, hidden: true }));
  const ctx: BindContext = { params: new ParamTypes([]), scope: own, format: env.format };
  return coerce(bindExpr(keyMembership(target, -1), ctx), 16, -1, 'implicit', ctx, -1);
}

/**
 * A scan of the parent restricted to the partition's rows: the key condition pushed onto the
 * scan at once, so the scan is pinned to the partition's tenants even without a WHERE clause
 * (the pin keeps its conjunct as a filter, which a later pushdown of WHERE takes up again).
 */
export function restrictToPartition(target: PartitionTarget, plan: Plan, scope: readonly ScopeColumn[], env: PlanEnv): Plan {
  return pushDown(plan, [partitionQual(target, scope, env)], new Map([[target.parent.tableId, target.parent]]));
}

/**
 * PostgreSQL's partition constraint as a row check over the parent's live columns:
 * `key IS NOT NULL AND key IN (...)`, reported as 23514 "violates partition constraint".
 */
export function partitionCheck(target: PartitionTarget, env: PlanEnv): { name: string; expr: BoundExpr } {
  const scope: ScopeColumn[] = liveColumns(target.parent).map((c) => ({
    table: null, name: c.name, type: c.typeOid, typmod: c.typmod, tableOid: target.parent.tableId, attnum: c.attnum,
  }));
  const ctx: BindContext = { params: new ParamTypes([]), scope, format: env.format };
  const column: Expr = { kind: 'column', names: [target.key.name], star: false, location: -1 };
  const expr: Expr = { kind: 'and', args: [{ kind: 'nulltest', arg: column, isNull: false, location: -1 }, keyMembership(target, -1)], location: -1 };
  return { name: PARTITION_CONSTRAINT, expr: coerce(bindExpr(expr, ctx), 16, -1, 'implicit', ctx, -1) };
}

/**
 * FOR VALUES IN (...) of a new partition: each value assignment-cast to the key's type and
 * evaluated (as PostgreSQL does, so `'2'` or `1 + 1` is fine for an integer key), then kept as
 * the type's text output, duplicates dropped, in order. NULL is refused: a tenant key has a value.
 */
export function bindPartitionValues(key: ColumnDef, values: readonly Expr[], env: PlanEnv, ctx: ExecContext): string[] {
  const type = typeByOid(key.typeOid)!;
  const out: string[] = [];
  for (const e of values) {
    const bctx: BindContext = { params: new ParamTypes([]), scope: [], format: env.format };
    const bound = coerce(bindExpr(e, bctx), key.typeOid, key.typmod, 'assignment', bctx, e.location);
    const v = compile(bound)([], [], ctx);
    if (v === null) throw notSupported('a NULL partition bound is not supported: rows with a NULL key belong to no named partition').at(errorPosition(e.location));
    const text = type.textOut(v, env.format);
    if (!out.includes(text)) out.push(text);
  }
  return out;
}

/** A write target's row checks, plus the partition constraint (and the partition's name in errors) when it is a named partition. */
export function withPartitionCheck(checks: RowChecks, part: PartitionTarget | null, env: PlanEnv): RowChecks {
  if (!part) return checks;
  return { ...checks, table: part.partition.name, checks: [...checks.checks, partitionCheck(part, env)] };
}
