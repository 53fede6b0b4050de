/**
 * planner/: plain views. CREATE VIEW plans the defining query once to fix the view's columns
 * and to record what it reads (bindViewDefinition); a FROM item naming a view parses the
 * stored text again and plans it as a subquery (planViewQuery) with the search_path of its
 * creation and its owner's privileges, as PostgreSQL runs a view with its owner's rights.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { parseSql, type SelectStmt } from '../sql/index.ts';
import { Oid } from '../types/index.ts';
import { privileges, type BoundExpr, type OutputColumn, type Plan } from '../executor/index.ts';
import type { TableDef, ViewColumnDef, ViewDef } from '../catalog/index.ts';
import type { CatalogReader, PlanEnv } from './relations.ts';
import { planSelect } from './plan-select.ts';

/** Views being expanded right now (planning is synchronous): a view reaching itself is 42P17. */
const expanding = new Set<number>();

/** 42501 unless the current role may SELECT from the view. */
export function requireViewSelect(env: PlanEnv, view: ViewDef): void {
  if (!privileges.hasTablePrivilege(env.roles, view.viewId, 'r')) {
    throw new DbError(SqlState.InsufficientPrivilege, `permission denied for view ${view.name}`);
  }
}

/** The environment a view's query runs in: its creation search_path and its owner's privileges. */
function ownerEnv(env: PlanEnv, view: ViewDef): PlanEnv {
  const rc = env.roles;
  if (!rc) return { ...env, searchPath: view.searchPath };
  const ownerOid = rc.security.tableSecurity(view.viewId).ownerOid;
  const name = rc.nameOf(ownerOid);
  const roles = ownerOid === rc.roleOid ? rc : name === undefined ? undefined : rc.forRole(name);
  return { ...env, searchPath: view.searchPath, roles: roles ?? rc };
}

function parseViewQuery(view: ViewDef): SelectStmt {
  const parsed = parseSql(view.query);
  const stmt = parsed[0]?.stmt;
  if (parsed.length !== 1 || stmt?.kind !== 'select') throw new DbError(SqlState.InternalError, `view "${view.name}" has a stored query that is not one SELECT`);
  return stmt;
}

/**
 * Plans a view's stored query and returns a plan whose columns are exactly the view's. The
 * text is planned again, so `*` may now yield columns added since CREATE VIEW: each stored
 * column is matched by name (the k-th of equal names to the k-th) and type, and the plan is
 * projected onto them. 0A000 when a stored column is no longer produced.
 */
export function planViewQuery(env: PlanEnv, view: ViewDef, tablesRead?: Map<number, TableDef>): Plan {
  if (expanding.has(view.viewId)) throw new DbError(SqlState.InvalidObjectDefinition, `infinite recursion detected in rules for relation "${view.name}"`);
  expanding.add(view.viewId);
  try {
    const inner = ownerEnv(env, view);
    // The tables the query resolves: the enclosing block may then push a key condition on a
    // view column down to a primary-key lookup of the table behind it (pushdown.ts).
    const base = inner.catalog;
    const catalog: CatalogReader = !tablesRead ? base : {
      getTable: (schema, name) => {
        const t = base.getTable(schema, name);
        if (t) tablesRead.set(t.tableId, t);
        return t;
      },
      schemaExists: (name) => base.schemaExists(name),
      ...(base.listTables ? { listTables: () => base.listTables!() } : {}),
      ...(base.getView ? { getView: (schema: string, name: string) => base.getView!(schema, name) } : {}),
    };
    const planned = planSelect(parseViewQuery(view), [], { ...inner, catalog });
    const picks = matchColumns(view, planned.columns);
    if (picks.every((p, i) => p === i) && picks.length === planned.columns.length) return flattenScan(planned.plan);
    const exprs: BoundExpr[] = picks.map((index, i) => ({ kind: 'column', index, type: view.columns[i]!.typeOid, typmod: view.columns[i]!.typmod, name: '', tableOid: 0, attnum: 0 }));
    return { kind: 'project', input: planned.plan, exprs };
  } finally {
    expanding.delete(view.viewId);
  }
}

/**
 * A projection of plain columns straight over a table scan becomes the scan of those columns,
 * so the enclosing query sees a table scan (a vector top-k can replace sort + limit over it,
 * as it does for the table itself).
 */
function flattenScan(plan: Plan): Plan {
  if (plan.kind !== 'project' || plan.input.kind !== 'seq-scan' || plan.input.withRowId) return plan;
  const scan = plan.input;
  const cols = plan.exprs.map((e) => (e.kind === 'column' && e.index < scan.attnums.length ? e.index : -1));
  if (cols.some((i) => i < 0)) return plan;
  return {
    ...scan, attnums: cols.map((i) => scan.attnums[i]!), missing: cols.map((i) => scan.missing[i] ?? null),
    ...(scan.read ? { read: cols.map((i) => scan.read![i]!) } : {}),
  };
}

function matchColumns(view: ViewDef, produced: readonly OutputColumn[]): number[] {
  const used = new Set<number>();
  // The planned query's names are the query's own; the view's may be renamed by its column list: match by position first.
  return view.columns.map((c, i) => {
    const p = produced[i];
    if (p && !used.has(i) && sameType(p, c)) {
      used.add(i);
      return i;
    }
    const j = produced.findIndex((q, k) => !used.has(k) && q.name === c.name && sameType(q, c));
    if (j < 0) throw new DbError(SqlState.FeatureNotSupported, `view "${view.name}" no longer matches its tables: column "${c.name}" is not produced`);
    used.add(j);
    return j;
  });
}

function sameType(p: OutputColumn, c: ViewColumnDef): boolean {
  return p.type === c.typeOid || (p.type === Oid.unknown && c.typeOid === Oid.text);
}

/** What CREATE VIEW stores besides the text: the columns and the relations read. */
export interface BoundViewDefinition {
  readonly columns: ViewColumnDef[];
  readonly dependsOn: number[];
}

/**
 * Plans a view's defining query as the current role (it must be able to read what the view
 * reads), names its columns (the explicit column list first: 42601 when it is longer than the
 * query's, 42701 for a duplicate name) and records every table and view the planner looked up.
 */
export function bindViewDefinition(env: PlanEnv, query: SelectStmt, columnNames: readonly string[]): BoundViewDefinition {
  const read = new Set<number>();
  const base = env.catalog;
  const recording: CatalogReader = {
    getTable: (schema, name) => {
      const t: TableDef | undefined = base.getTable(schema, name);
      if (t) read.add(t.tableId);
      return t;
    },
    schemaExists: (name) => base.schemaExists(name),
    ...(base.listTables ? { listTables: () => base.listTables!() } : {}),
    getView: (schema, name) => {
      const v = base.getView?.(schema, name);
      if (v) read.add(v.viewId);
      return v;
    },
  };
  const planned = planSelect(query, [], { ...env, catalog: recording });
  // A view cannot take parameters: PostgreSQL analyses its query with none declared.
  if (planned.paramTypes.length > 0) throw new DbError(SqlState.UndefinedParameter, 'there is no parameter $1');
  if (columnNames.length > planned.columns.length) throw new DbError(SqlState.SyntaxError, 'CREATE VIEW specifies more column names than columns');
  const columns = planned.columns.map((c, i): ViewColumnDef => ({
    name: columnNames[i] ?? c.name,
    // An untyped literal becomes text, as PostgreSQL 15 resolves a view's unknown columns.
    typeOid: c.type === Oid.unknown ? Oid.text : c.type,
    typmod: c.typmod,
  }));
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.name)) throw new DbError(SqlState.DuplicateColumn, `column "${c.name}" specified more than once`);
    seen.add(c.name);
  }
  return { columns, dependsOn: [...read].sort((a, b) => a - b) };
}
