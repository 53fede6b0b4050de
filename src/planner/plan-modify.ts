/**
 * Plans INSERT, UPDATE and DELETE: target columns, assignment casts to column types,
 * DEFAULT and serial/identity values, NOT NULL and CHECK constraints, RETURNING. The
 * result is a PlannedQuery whose `plan` yields source rows and whose `modify` tells the
 * executor (executor/modify.ts) how to turn them into table changes.
 */
import type { ColumnDef, TableDef } from '../catalog/index.ts';
import { DbError, SqlState } from '../errors/index.ts';
import { privileges, type BoundExpr, type ModifyPlan, type OnConflictPlan, type OutputColumn, type Plan, type PlannedQuery, type RowChecks } from '../executor/index.ts';
import { errorPosition, convertExpr, type Expr, type OnConflictClause, type SelectTarget, type Statement } from '../sql/index.ts';
import { bindExpr, bindOutputExpr, coerce, ParamTypes, type BindContext, type ScopeColumn } from './bind-expr.ts';
import { expandStars, outputColumns, planSelect, planTableScan, statementPlanner } from './plan-select.ts';
import { joinPlan } from './plan-from.ts';
import { pushDown } from './pushdown.ts';
import { columnsUsed, splitConjuncts } from './bound-utils.ts';
import { assertWritable, liveColumns, resolveTable, type PlanEnv } from './relations.ts';
import { applicablePolicies, conflictChecks, tableRowScope, withSecurityQuals, writeChecks } from './rls.ts';
import { partitionQual, resolvePartition, withPartitionCheck, type PartitionTarget } from './plan-partition.ts';

const at = errorPosition;

/** The column a SET item assigns: it must exist, be assigned once, and not be GENERATED ALWAYS (unless to DEFAULT). */
function assignmentTarget(
  t: TableDef,
  cols: readonly ColumnDef[],
  s: { readonly column: string; readonly expr: unknown; readonly location: number },
  assigned: ReadonlyMap<ColumnDef, unknown>,
): ColumnDef {
  const col = cols.find((c) => c.name === s.column);
  if (!col) throw new DbError(SqlState.UndefinedColumn, `column "${s.column}" of relation "${t.name}" does not exist`).at(at(s.location));
  if (assigned.has(col)) throw new DbError(SqlState.SyntaxError, `multiple assignments to same column "${s.column}"`).at(at(s.location));
  if (col.identity === 'always' && s.expr !== null) {
    throw new DbError(SqlState.GeneratedAlways, `column "${col.name}" can only be updated to DEFAULT`, {
      detail: `Column "${col.name}" is an identity column defined as GENERATED ALWAYS.`,
    }).at(at(s.location));
  }
  return col;
}

/** Binds a catalog-stored expression (DEFAULT / CHECK, kept as libpg-query JSON). */
export function bindStored(raw: string, ctx: BindContext): BoundExpr {
  return bindExpr(convertExpr(JSON.parse(raw)), ctx);
}

function columnDefault(c: ColumnDef, ctx: BindContext): BoundExpr {
  if (c.defaultExpr === null) return { kind: 'const', type: c.typeOid, typmod: c.typmod, value: null };
  return coerce(bindStored(c.defaultExpr, { ...ctx, scope: [] }), c.typeOid, c.typmod, 'assignment', ctx, -1);
}

function rowScope(t: TableDef, alias: string | null): ScopeColumn[] {
  return liveColumns(t).map((c) => ({ table: alias ?? t.name, name: c.name, type: c.typeOid, typmod: c.typmod, tableOid: t.tableId, attnum: c.attnum }));
}

function rowChecks(t: TableDef, ctx: BindContext): RowChecks {
  const cols = liveColumns(t);
  const scoped: BindContext = { ...ctx, scope: rowScope(t, null) };
  return {
    table: t.name,
    notNull: cols.flatMap((c, index) => (c.notNull ? [{ index, column: c.name }] : [])),
    checks: t.constraints
      .filter((k) => k.kind === 'check' && k.expr !== null)
      .map((k) => ({ name: k.name, expr: coerce(bindStored(k.expr!, scoped), 16, -1, 'implicit', scoped, -1) })),
  };
}

function rowColumns(t: TableDef): OutputColumn[] {
  return liveColumns(t).map((c) => ({ name: c.name, type: c.typeOid, typmod: c.typmod, tableOid: t.tableId, columnAttr: c.attnum }));
}

function returningList(targets: readonly SelectTarget[] | null, scope: ScopeColumn[], ctx: BindContext): { exprs: BoundExpr[]; columns: OutputColumn[] } | null {
  if (!targets) return null;
  const expanded = expandStars(targets, scope);
  const exprs = expanded.map((x) => bindOutputExpr(x.expr, { ...ctx, scope }));
  return { exprs, columns: outputColumns(expanded, exprs) };
}

function identityAlways(c: ColumnDef, location: number): DbError {
  return new DbError(SqlState.GeneratedAlways, `cannot insert a non-DEFAULT value into column "${c.name}"`, {
    detail: `Column "${c.name}" is an identity column defined as GENERATED ALWAYS.`,
    hint: 'Use OVERRIDING SYSTEM VALUE to override.',
  }).at(at(location));
}

export interface PlannedModify extends PlannedQuery {
  readonly modify: ModifyPlan;
  /** The table's live columns, for constraint error details. */
  readonly rowColumns: readonly OutputColumn[];
  readonly returningColumns: readonly OutputColumn[] | null;
  readonly tag: string;
}

export function planInsert(stmt: Statement & { kind: 'insert' }, paramTypes: readonly number[], env: PlanEnv): PlannedModify {
  assertWritable(env, stmt.table);
  const part = resolvePartition(env, stmt.table);
  const t = part?.parent ?? resolveTable(env, stmt.table);
  const params = new ParamTypes(paramTypes);
  const ctx: BindContext = { params, scope: [], format: env.format, correlation: { used: false }, queries: statementPlanner(env, params).queries };
  const cols = liveColumns(t);
  const targets: ColumnDef[] = [];
  for (const c of stmt.columns ?? cols.map((x) => ({ name: x.name, location: -1 }))) {
    const col = cols.find((x) => x.name === c.name);
    if (!col) throw new DbError(SqlState.UndefinedColumn, `column "${c.name}" of relation "${t.name}" does not exist`).at(at(c.location));
    if (targets.includes(col)) throw new DbError(SqlState.DuplicateColumn, `column "${c.name}" specified more than once`).at(at(c.location));
    targets.push(col);
  }
  let input: Plan;
  let sourceTypes: number[];
  if (stmt.source.kind === 'values') {
    const rows = stmt.source.rows;
    for (const r of rows) {
      if (r.length > targets.length) {
        throw new DbError(SqlState.SyntaxError, 'INSERT has more expressions than target columns').at(at((r[targets.length] as Expr | null)?.location ?? -1));
      }
    }
    // Each VALUES entry is coerced straight to its target column; DEFAULT becomes the column default.
    const bound = rows.map((r) =>
      targets.map((col, i) => {
        const e = r[i];
        if (e === undefined || e === null) return columnDefault(col, ctx);
        if (col.identity === 'always') throw identityAlways(col, e.location);
        return coerce(bindExpr(e, ctx), col.typeOid, col.typmod, 'assignment', ctx, e.location);
      }),
    );
    input = { kind: 'values', rows: bound };
    sourceTypes = targets.map((c) => c.typeOid);
  } else if (stmt.source.kind === 'select') {
    const sub = planSelect(stmt.source.select, [], env, params);
    if (sub.columns.length > targets.length) throw new DbError(SqlState.SyntaxError, 'INSERT has more expressions than target columns');
    for (const col of targets.slice(0, sub.columns.length)) if (col.identity === 'always') throw identityAlways(col, -1);
    input = sub.plan;
    sourceTypes = sub.columns.map((c) => c.type);
  } else {
    input = { kind: 'result' };
    sourceTypes = [];
  }
  const sourceCount = Math.min(sourceTypes.length, targets.length);
  requireSequenceUsage(env, t, cols.filter((c) => { const i = targets.indexOf(c); return i < 0 || i >= sourceCount; }));
  const newRow = cols.map((col) => {
    const i = targets.indexOf(col);
    if (i < 0 || i >= sourceCount) return columnDefault(col, ctx);
    const ref: BoundExpr = { kind: 'column', index: i, type: sourceTypes[i]!, typmod: -1, name: col.name, tableOid: 0, attnum: 0 };
    return coerce(ref, col.typeOid, col.typmod, 'assignment', ctx, -1);
  });
  privileges.requireTablePrivilege(env.roles, t, `a${stmt.returning ? 'r' : ''}${stmt.onConflict?.action === 'update' ? 'w' : ''}`);
  const onConflict = stmt.onConflict ? withConflictRls(planOnConflict(t, stmt.alias, stmt.onConflict, ctx, env), t, env) : undefined;
  const ret = returningList(stmt.returning, rowScope(t, stmt.alias), ctx);
  return {
    plan: input,
    columns: ret?.columns ?? [],
    paramTypes: params.finish(),
    modify: {
      kind: 'insert', tableId: t.tableId, attnums: cols.map((c) => c.attnum), newRow,
      checks: withRls(withPartitionCheck(rowChecks(t, ctx), part, env), writeChecks(env, t, 'a', stmt.returning !== null)), returning: ret?.exprs ?? null, onConflict,
    },
    rowColumns: rowColumns(t),
    returningColumns: ret?.columns ?? null,
    tag: 'INSERT 0',
  };
}

/** Scope name of EXCLUDED's columns: not a valid identifier, so unqualified names never reach them. */
const EXCLUDED = '\u0000excluded';

/** Rewrites `excluded.col` references in an ON CONFLICT expression to the hidden EXCLUDED scope. */
function renameExcluded(e: unknown, t: TableDef): unknown {
  if (Array.isArray(e)) return e.map((x) => renameExcluded(x, t));
  if (e === null || typeof e !== 'object') return e;
  const o = e as Record<string, unknown>;
  if (o['kind'] === 'column' && Array.isArray(o['names']) && o['names'].length === 2 && o['names'][0] === 'excluded') {
    const name = o['names'][1] as string;
    if (!liveColumns(t).some((c) => c.name === name)) {
      throw new DbError(SqlState.UndefinedColumn, `column excluded.${name} does not exist`).at(at(o['location'] as number));
    }
    return { ...o, names: [EXCLUDED, name] };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = renameExcluded(v, t);
  return out;
}

/**
 * ON CONFLICT: the arbiter constraint (inferred from the target columns, named, or none for
 * DO NOTHING) and DO UPDATE's SET/WHERE bound over (existing row ‖ EXCLUDED row).
 */
function planOnConflict(t: TableDef, alias: string | null, c: OnConflictClause, ctx: BindContext, env: PlanEnv): OnConflictPlan {
  const keys = t.constraints.filter((k) => k.kind === 'primary' || k.kind === 'unique');
  const cols = liveColumns(t);
  let constraint: string | null = null;
  if (c.columns !== null) {
    const attnums = c.columns.map((x) => {
      const col = cols.find((y) => y.name === x.name);
      if (!col) throw new DbError(SqlState.UndefinedColumn, `column "${x.name}" does not exist`).at(at(x.location));
      return col.attnum;
    });
    const want = new Set(attnums);
    const match = keys.find((k) => k.attnums.length === want.size && k.attnums.every((a) => want.has(a)));
    if (!match) throw new DbError(SqlState.InvalidColumnReference, 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
    constraint = match.name;
  } else if (c.constraint !== null) {
    const match = t.constraints.find((k) => k.name === c.constraint);
    if (!match) throw new DbError(SqlState.UndefinedObject, `constraint "${c.constraint}" for table "${t.name}" does not exist`);
    if (match.kind !== 'primary' && match.kind !== 'unique') {
      throw new DbError(SqlState.WrongObjectType, 'constraint in ON CONFLICT clause has no associated index');
    }
    constraint = match.name;
  } else if (c.action === 'update') {
    throw new DbError(SqlState.SyntaxError, 'ON CONFLICT DO UPDATE requires inference specification or constraint name', {
      hint: 'For example, ON CONFLICT (column_name).',
    }).at(at(c.location));
  }
  const missing = (planTableScan(t, alias, false, env.format).plan as { missing: readonly unknown[] }).missing;
  if (c.action === 'nothing') return { action: 'nothing', constraint, set: null, where: null, missing, keyPreserving: true };
  const scope: ScopeColumn[] = [...rowScope(t, alias), ...rowScope(t, null).map((s) => ({ ...s, table: EXCLUDED }))];
  const sctx: BindContext = { ...ctx, scope };
  const assigned = new Map<ColumnDef, BoundExpr>();
  for (const s of c.set) {
    const col = assignmentTarget(t, cols, s, assigned);
    const expr = s.expr === null ? null : (renameExcluded(s.expr, t) as Expr);
    assigned.set(col, expr === null ? columnDefault(col, ctx) : coerce(bindExpr(expr, sctx), col.typeOid, col.typmod, 'assignment', sctx, s.location));
  }
  const set = cols.map((col, i): BoundExpr => assigned.get(col) ?? { kind: 'column', index: i, type: col.typeOid, typmod: col.typmod, name: col.name, tableOid: t.tableId, attnum: col.attnum });
  const whereExpr = c.where === null ? null : (renameExcluded(c.where, t) as Expr);
  const where = whereExpr === null ? null : coerce(bindExpr(whereExpr, sctx), 16, -1, 'implicit', sctx, whereExpr.location);
  const keyAttnums = new Set(keys.flatMap((k) => k.attnums));
  const keyPreserving = [...assigned.keys()].every((col) => !keyAttnums.has(col.attnum));
  return { action: 'update', constraint, set, where, missing, keyPreserving };
}

/**
 * An INSERT whose source rows arrive already typed, one value per target column (COPY FROM):
 * the rest of the columns get their defaults.
 */
export function planInsertRows(t: TableDef, targetNames: readonly string[] | null, env: PlanEnv, part?: PartitionTarget | null): PlannedModify & { targets: ColumnDef[] } {
  const ctx: BindContext = { params: new ParamTypes([]), scope: [], format: env.format };
  const cols = liveColumns(t);
  const targets: ColumnDef[] = [];
  for (const name of targetNames ?? cols.map((c) => c.name)) {
    const col = cols.find((c) => c.name === name);
    if (!col) throw new DbError(SqlState.UndefinedColumn, `column "${name}" of relation "${t.name}" does not exist`);
    if (targets.includes(col)) throw new DbError(SqlState.DuplicateColumn, `column "${name}" specified more than once`);
    targets.push(col);
  }
  requireSequenceUsage(env, t, cols.filter((c) => !targets.includes(c)));
  const newRow = cols.map((col): BoundExpr => {
    const i = targets.indexOf(col);
    if (i < 0) return columnDefault(col, ctx);
    return { kind: 'column', index: i, type: col.typeOid, typmod: col.typmod, name: col.name, tableOid: t.tableId, attnum: col.attnum };
  });
  return {
    plan: { kind: 'result' },
    columns: [],
    paramTypes: [],
    modify: { kind: 'insert', tableId: t.tableId, attnums: cols.map((c) => c.attnum), newRow, checks: withPartitionCheck(rowChecks(t, ctx), part ?? null, env), returning: null, ...copyFromAllowed(t, env) },
    rowColumns: rowColumns(t),
    returningColumns: null,
    tag: 'COPY',
    targets,
  };
}

export function planUpdateOrDelete(stmt: Statement & { kind: 'update' | 'delete' }, paramTypes: readonly number[], env: PlanEnv): PlannedModify {
  assertWritable(env, stmt.table);
  const part = resolvePartition(env, stmt.table);
  const t = part?.parent ?? resolveTable(env, stmt.table);
  const params = new ParamTypes(paramTypes);
  const scan = planTableScan(t, stmt.alias ?? part?.partition.name ?? null, true, env.format);
  // A named partition's rows: its key condition joins WHERE before pushdown (plan-partition.ts).
  const partQual = part ? partitionQual(part, scan.scope, env) : null;
  const planner = statementPlanner(env, params);
  const correlation = { used: false };
  const tables = new Map([[t.tableId, t]]);
  // Privileges and row-level security: a statement that reads the rows (WHERE, RETURNING, FROM,
  // SET from columns) also needs SELECT and is bound by the SELECT policies, as in PostgreSQL.
  const reads = stmt.where !== null || stmt.returning !== null || stmt.from.length > 0 || (stmt.kind === 'update' && JSON.stringify(stmt.set).includes('"kind":"column"'));
  privileges.requireTablePrivilege(env.roles, t, `${stmt.kind === 'update' ? 'w' : 'd'}${reads ? 'r' : ''}`);
  const rlsCtx: BindContext = { params, scope: tableRowScope(t), format: env.format, correlation: { used: false }, queries: planner.queries };
  const secured = withSecurityQuals(env, t, scan.plan, rlsCtx, tables, stmt.kind === 'update' ? 'w' : 'd', reads);
  let input: Plan = secured.plan;
  let scope: ScopeColumn[] = scan.scope;
  if (stmt.from.length > 0) {
    // UPDATE ... FROM / DELETE ... USING: the target rows (ending with their row id) joined with the other items.
    const from = planner.planFromItems(stmt.from, correlation, tables);
    const rowId: ScopeColumn = { table: null, name: 'ctid', type: 20, typmod: -1, hidden: true };
    scope = [...scan.scope, rowId, ...from.scope];
    input = joinPlan('cross', input, from.plan, scan.scope.length + 1, from.scope.length, null);
  }
  const ctx: BindContext = { params, scope, format: env.format, correlation, queries: planner.queries };
  let predicate: BoundExpr | null = null;
  if (stmt.where) {
    predicate = coerce(bindExpr(stmt.where, ctx), 16, -1, 'implicit', ctx, stmt.where.location);
    // Conditions go down to the scans; WHERE pk = $1 / pk IN (...) reads the rows through the primary-key index.
    input = pushDown(input, [...(partQual ? [partQual] : []), ...splitConjuncts(predicate)], tables);
  } else if (partQual) input = pushDown(input, [partQual], tables);
  if (partQual) predicate = predicate ? { kind: 'and', args: [partQual, predicate], type: 16, typmod: -1 } : partQual;
  if (secured.quals.length > 0) predicate = { kind: 'and', args: [...secured.quals, ...(predicate ? [predicate] : [])], type: 16, typmod: -1 };
  // READ COMMITTED re-check of a row a concurrent transaction changed: WHERE over the table's row alone.
  const recheck = stmt.from.length === 0 && (predicate === null || columnsUsed(predicate) !== null) ? (predicate ?? { kind: 'const' as const, type: 16, typmod: -1, value: true }) : null;
  const cols = liveColumns(t);
  let newRow: BoundExpr[] | null = null;
  if (stmt.kind === 'update') {
    const assigned = new Map<ColumnDef, BoundExpr>();
    for (const s of stmt.set) {
      const col = assignmentTarget(t, cols, s, assigned);
      assigned.set(col, s.expr === null ? columnDefault(col, ctx) : coerce(bindExpr(s.expr, ctx), col.typeOid, col.typmod, 'assignment', ctx, s.location));
    }
    newRow = cols.map((col, i) => assigned.get(col) ?? { kind: 'column', index: i, type: col.typeOid, typmod: col.typmod, name: col.name, tableOid: t.tableId, attnum: col.attnum });
  }
  const ret = returningList(stmt.returning, scan.scope, ctx);
  // A DELETE reads only what it uses: key columns (the key index), WHERE / policy / partition
  // conditions and RETURNING — not, say, the vectors of a whole tenant it removes.
  if (stmt.kind === 'delete' && stmt.from.length === 0) input = readOnly(input, t, [...(predicate ? [predicate] : []), ...(ret?.exprs ?? [])]);
  return {
    plan: input,
    columns: ret?.columns ?? [],
    paramTypes: params.finish(),
    modify: {
      kind: stmt.kind,
      tableId: t.tableId,
      attnums: cols.map((c) => c.attnum),
      newRow,
      checks: stmt.kind === 'update' ? withRls(withPartitionCheck(rowChecks(t, ctx), part, env), writeChecks(env, t, 'w', reads)) : null,
      recheck,
      returning: ret?.exprs ?? null,
    },
    rowColumns: rowColumns(t),
    returningColumns: ret?.columns ?? null,
    tag: stmt.kind === 'update' ? 'UPDATE' : 'DELETE',
  };
}

/** Row checks with row-level security's WITH CHECK options (planner/rls.ts) added. */
function withRls(checks: RowChecks, rls: RowChecks['rls'] | null): RowChecks {
  return rls ? { ...checks, rls } : checks;
}

/** ON CONFLICT DO UPDATE under row-level security: the existing row and the updated row are checked. */
function withConflictRls(oc: OnConflictPlan, t: TableDef, env: PlanEnv): OnConflictPlan {
  if (oc.action !== 'update') return oc;
  const existing = conflictChecks(env, t);
  if (existing === null) return oc;
  return { ...oc, rlsExisting: existing, rlsUpdate: writeChecks(env, t, 'w', true) ?? undefined };
}

/** COPY FROM: needs INSERT; refused where row-level security applies (PostgreSQL's 0A000). */
function copyFromAllowed(t: TableDef, env: PlanEnv): Record<string, never> {
  privileges.requireTablePrivilege(env.roles, t, 'a');
  if (applicablePolicies(env, t, 'a') !== null) {
    throw new DbError(SqlState.FeatureNotSupported, 'COPY FROM not supported with row-level security', { hint: 'Use INSERT statements instead.' });
  }
  return {};
}

/** Defaults that call nextval() of a serial / identity sequence need USAGE or UPDATE on it (42501), as in PostgreSQL. */
function requireSequenceUsage(env: PlanEnv, t: TableDef, defaulted: readonly ColumnDef[]): void {
  const rc = env.roles;
  if (rc === undefined || rc.superuser) return;
  for (const c of defaulted) {
    if (c.sequence && c.identity === null && !privileges.hasSequencePrivilege(rc, c.sequence, rc.security.tableSecurity(t.tableId).ownerOid, 'Uw')) {
      throw new DbError(SqlState.InsufficientPrivilege, `permission denied for sequence ${c.sequence}`);
    }
  }
}

/** The DELETE's target scan marked to read only the key columns and those `exprs` use (unchanged when one is opaque). */
function readOnly(input: Plan, t: TableDef, exprs: readonly BoundExpr[]): Plan {
  const cols = liveColumns(t);
  const read = cols.map(() => false);
  for (const k of t.constraints) {
    if (k.kind !== 'primary' && k.kind !== 'unique') continue;
    for (const a of k.attnums) {
      const i = cols.findIndex((c) => c.attnum === a);
      if (i >= 0) read[i] = true;
    }
  }
  for (const e of exprs) {
    const used = columnsUsed(e);
    if (used === null) return input;
    for (const i of used) if (i < read.length) read[i] = true;
  }
  const mark = (p: Plan): Plan => {
    if (p.kind === 'filter') return { ...p, input: mark(p.input) };
    if ((p.kind === 'seq-scan' || p.kind === 'pk-lookup') && p.tableId === t.tableId && p.attnums.length === read.length) return { ...p, read };
    return p;
  };
  return mark(input);
}
