/**
 * Row-level security (PostgreSQL's rowsecurity.c): which policies bind the current role on a
 * table, and their expressions bound over the table's row. Reads get the USING quals as
 * ordinary conjuncts of the table reference, placed with pushDown() so they prune scans
 * exactly as a user's own `WHERE tenant_id = ...` would (tenant pinning, key lookups); writes
 * get WITH CHECK options evaluated on each new row by executor/modify.ts. Policies apply when
 * RLS is enabled, the role is no superuser and has no BYPASSRLS, and does not own the table
 * (unless FORCE ROW LEVEL SECURITY). No applicable permissive policy means default deny.
 */
import type { PolicyDef, TableDef } from '../catalog/index.ts';
import { DbError, SqlState } from '../errors/index.ts';
import { privileges, type BoundExpr, type Plan, type RlsCheck } from '../executor/index.ts';
import { convertExpr } from '../sql/index.ts';
import { Oid } from '../types/index.ts';
import { bindExpr, coerce, ParamTypes, type BindContext, type ScopeColumn } from './bind-expr.ts';
import { splitConjuncts } from './bound-utils.ts';
import { pushDown } from './pushdown.ts';
import { statementPlanner } from './plan-select.ts';
import { liveColumns, type PlanEnv } from './relations.ts';

/** The command a policy list is asked for: SELECT r, INSERT a, UPDATE w, DELETE d. */
export type RlsCommand = 'r' | 'a' | 'w' | 'd';

const TRUE: BoundExpr = { kind: 'const', type: Oid.bool, typmod: -1, value: true };
const FALSE: BoundExpr = { kind: 'const', type: Oid.bool, typmod: -1, value: false };

/** Tables whose policies are being bound (a policy reading its own table recurses forever: 42P17). */
const expanding = new Set<number>();

/** The policies binding the current role for `cmd` on t, or null when RLS does not apply at all. */
export function applicablePolicies(env: PlanEnv, t: TableDef, cmd: RlsCommand): PolicyDef[] | null {
  const rc = env.roles;
  if (rc === undefined || rc.bypassRls) return null;
  const sec = rc.security.tableSecurity(t.tableId);
  if (!sec.rlsEnabled) return null;
  if (!sec.rlsForced && privileges.hasOwnership(rc, sec.ownerOid)) return null;
  if (env.rowSecurity === false) {
    // row_security = off (pg_dump's default): refuse rather than return a filtered result.
    throw new DbError(SqlState.InsufficientPrivilege, `query would be affected by row-level security policy for table "${t.name}"`,
      privileges.hasOwnership(rc, sec.ownerOid) ? { hint: "To disable the policy for the table's owner, use ALTER TABLE NO FORCE ROW LEVEL SECURITY." } : {});
  }
  return rc.security
    .listPolicies(t.tableId)
    .filter((p) => (p.command === '*' || p.command === cmd) && p.roles.some((r) => r === 0 || rc.privRoles.has(r)));
}

/** The table's row as a scope (live columns in attnum order), for binding policy expressions. */
export function tableRowScope(t: TableDef): ScopeColumn[] {
  return liveColumns(t).map((c) => ({ table: t.name, name: c.name, type: c.typeOid, typmod: c.typmod, tableOid: t.tableId, attnum: c.attnum }));
}

function bindPolicy(raw: string, t: TableDef, ctx: BindContext): BoundExpr {
  if (expanding.has(t.tableId)) throw new DbError(SqlState.InvalidObjectDefinition, `infinite recursion detected in policy for relation "${t.name}"`);
  expanding.add(t.tableId);
  try {
    const expr = convertExpr(JSON.parse(raw));
    return coerce(bindExpr(expr, ctx), Oid.bool, -1, 'implicit', ctx, expr.location);
  } finally {
    expanding.delete(t.tableId);
  }
}

function or(args: BoundExpr[]): BoundExpr {
  return args.length === 1 ? args[0]! : { kind: 'or', args, type: Oid.bool, typmod: -1 };
}

/** permissive USINGs OR'ed, AND each restrictive USING; false without a permissive policy. */
function usingQuals(policies: readonly PolicyDef[], t: TableDef, ctx: BindContext): BoundExpr[] {
  const permissive = policies.filter((p) => p.permissive);
  if (permissive.length === 0) return [FALSE];
  const quals = [or(permissive.map((p) => (p.using === null ? TRUE : bindPolicy(p.using, t, ctx))))];
  for (const p of policies) if (!p.permissive && p.using !== null) quals.push(bindPolicy(p.using, t, ctx));
  return quals;
}

/**
 * The security quals of a read of t for `cmd` (SELECT; UPDATE / DELETE, which also need the
 * SELECT policies when the statement reads the table's columns), over t's live columns.
 * null when RLS does not apply.
 */
export function securityQuals(env: PlanEnv, t: TableDef, cmd: 'r' | 'w' | 'd', readsColumns: boolean, ctx: BindContext): BoundExpr[] | null {
  const own = applicablePolicies(env, t, cmd);
  if (own === null) return null;
  const quals: BoundExpr[] = [];
  if (cmd !== 'r' && readsColumns) quals.push(...usingQuals(applicablePolicies(env, t, 'r')!, t, ctx));
  quals.push(...usingQuals(own, t, ctx));
  return quals.flatMap((q) => splitConjuncts(q));
}

/** A table scan with the security quals of a SELECT applied, pushed down like WHERE conjuncts. */
export function withSecurityQuals(
  env: PlanEnv, t: TableDef, scan: Plan, ctx: BindContext | (() => BindContext), tables: ReadonlyMap<number, TableDef>, cmd: 'r' | 'w' | 'd' = 'r', readsColumns = true,
): { plan: Plan; quals: BoundExpr[] } {
  // The common case (a superuser, BYPASSRLS, no RLS on the table) costs no binding context.
  if (env.roles === undefined || env.roles.bypassRls) return { plan: scan, quals: [] };
  const quals = securityQuals(env, t, cmd, readsColumns, typeof ctx === 'function' ? ctx() : ctx);
  if (quals === null) return { plan: scan, quals: [] };
  // pushDown keeps every qual in the filter above the scan, also one that pins the scan to a
  // tenant: a later pushDown of WHERE that picks a primary-key lookup still checks it.
  return { plan: pushDown(scan, quals, tables), quals };
}

/** WITH CHECK options as PostgreSQL builds them: permissive combined (unnamed), then each restrictive (named). */
function checkOptions(policies: readonly PolicyDef[], t: TableDef, ctx: BindContext, forceUsing: boolean, kind: RlsCheck['kind']): RlsCheck[] {
  const expr = (p: PolicyDef): string | null => (forceUsing ? p.using : (p.check ?? p.using));
  const permissive = policies.filter((p) => p.permissive);
  const out: RlsCheck[] = [];
  if (permissive.length === 0) out.push({ expr: FALSE, policy: null, kind });
  else {
    const exprs = permissive.map((p) => expr(p));
    out.push({ expr: exprs.some((e) => e === null) ? TRUE : or(exprs.map((e) => bindPolicy(e!, t, ctx))), policy: null, kind });
  }
  for (const p of policies) {
    const e = expr(p);
    if (!p.permissive && e !== null) out.push({ expr: bindPolicy(e, t, ctx), policy: p.name, kind });
  }
  return out;
}

/**
 * The checks of rows a statement writes to t: INSERT's new rows (INSERT policies' WITH
 * CHECK), UPDATE's new rows (UPDATE policies'), plus the SELECT policies' USING when the
 * statement reads the rows back (RETURNING, or UPDATE reading columns). null when RLS does
 * not apply.
 */
export function writeChecks(env: PlanEnv, t: TableDef, cmd: 'a' | 'w', readsBack: boolean): RlsCheck[] | null {
  const own = applicablePolicies(env, t, cmd);
  if (own === null) return null;
  const params = new ParamTypes([]);
  const ctx: BindContext = { params, scope: tableRowScope(t), format: env.format, correlation: { used: false }, queries: statementPlanner(env, params).queries };
  const out = checkOptions(own, t, ctx, false, 'check');
  if (readsBack) out.push(...checkOptions(applicablePolicies(env, t, 'r')!, t, ctx, true, 'check'));
  return out;
}

/** ON CONFLICT DO UPDATE: the existing row must pass the UPDATE policies' USING (and SELECT's). */
export function conflictChecks(env: PlanEnv, t: TableDef): RlsCheck[] | null {
  const own = applicablePolicies(env, t, 'w');
  if (own === null) return null;
  const params = new ParamTypes([]);
  const ctx: BindContext = { params, scope: tableRowScope(t), format: env.format, correlation: { used: false }, queries: statementPlanner(env, params).queries };
  return [...checkOptions(own, t, ctx, true, 'conflict'), ...checkOptions(applicablePolicies(env, t, 'r')!, t, ctx, true, 'conflict')];
}

/** CREATE / ALTER POLICY: the expression must bind over the table's row as a boolean. */
export function validatePolicyExpr(env: PlanEnv, t: TableDef, raw: string, _what: string): void {
  const params = new ParamTypes([]);
  const ctx: BindContext = { params, scope: tableRowScope(t), format: env.format, correlation: { used: false }, queries: statementPlanner(env, params).queries };
  bindPolicy(raw, t, ctx);
}
