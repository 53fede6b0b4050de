/**
 * catalog/: row-level security policies (CREATE POLICY), stored in the Policies table of
 * migration 0005. Expressions are kept as libpg-query JSON and bound by the planner
 * (planner/rls.ts) whenever a statement reads or writes the table, like CHECK constraints.
 */
import { DbError, SqlState } from '../errors/index.ts';
import type { CatalogDb } from './catalog-db.ts';

/** pg_policy.polcmd: '*' ALL, 'r' SELECT, 'a' INSERT, 'w' UPDATE, 'd' DELETE. */
export type PolicyCommand = '*' | 'r' | 'a' | 'w' | 'd';

/** One policy. `roles` holds role OIDs; 0 stands for PUBLIC. */
export interface PolicyDef {
  readonly oid: number;
  readonly tableId: number;
  readonly name: string;
  readonly command: PolicyCommand;
  readonly permissive: boolean;
  readonly roles: readonly number[];
  /** USING (...) as libpg-query JSON, or null. */
  readonly using: string | null;
  /** WITH CHECK (...) as libpg-query JSON, or null. */
  readonly check: string | null;
}

/** Policy OIDs (pg_policy.oid) live in their own range. */
const POLICY_OID_BASE = 3_500_000_000;

interface PolicyRow {
  policy_id: number;
  table_id: number;
  name: string;
  command: string;
  permissive: number;
  roles: string;
  using_expr: string | null;
  check_expr: string | null;
}

function fromRow(r: PolicyRow): PolicyDef {
  return {
    oid: POLICY_OID_BASE + r.policy_id,
    tableId: r.table_id,
    name: r.name,
    command: r.command as PolicyCommand,
    permissive: r.permissive === 1,
    roles: JSON.parse(r.roles) as number[],
    using: r.using_expr,
    check: r.check_expr,
  };
}

/** The table's policies (every table's when omitted), by name as PostgreSQL applies them. */
export function listPolicies(cdb: CatalogDb, tableId?: number): PolicyDef[] {
  const rows =
    tableId === undefined
      ? cdb.all<PolicyRow>('SELECT * FROM Policies ORDER BY table_id, name')
      : cdb.all<PolicyRow>('SELECT * FROM Policies WHERE table_id = ? ORDER BY name', tableId);
  return rows.map(fromRow);
}

export function getPolicy(cdb: CatalogDb, tableId: number, name: string): PolicyDef | undefined {
  const r = cdb.get<PolicyRow>('SELECT * FROM Policies WHERE table_id = ? AND name = ?', tableId, name);
  return r ? fromRow(r) : undefined;
}

/** CREATE POLICY: 42710 'policy "p" for table "t" already exists'. */
export function createPolicy(cdb: CatalogDb, p: Omit<PolicyDef, 'oid'>, tableName: string): PolicyDef {
  return cdb.tx(() => {
    if (getPolicy(cdb, p.tableId, p.name)) {
      throw new DbError(SqlState.DuplicateObject, `policy "${p.name}" for table "${tableName}" already exists`);
    }
    cdb.run(
      'INSERT INTO Policies (table_id, name, command, permissive, roles, using_expr, check_expr) VALUES (?, ?, ?, ?, ?, ?, ?)',
      p.tableId, p.name, p.command, p.permissive ? 1 : 0, JSON.stringify(p.roles), p.using, p.check,
    );
    return getPolicy(cdb, p.tableId, p.name)!;
  });
}

/** ALTER POLICY: replaces the given parts (undefined: unchanged). */
export function alterPolicy(
  cdb: CatalogDb,
  tableId: number,
  name: string,
  change: { roles?: readonly number[]; using?: string | null; check?: string | null; rename?: string },
): void {
  cdb.tx(() => {
    const p = getPolicy(cdb, tableId, name)!;
    cdb.run(
      'UPDATE Policies SET name = ?, roles = ?, using_expr = ?, check_expr = ? WHERE table_id = ? AND name = ?',
      change.rename ?? p.name,
      JSON.stringify(change.roles ?? p.roles),
      change.using === undefined ? p.using : change.using,
      change.check === undefined ? p.check : change.check,
      tableId,
      name,
    );
  });
}

export function dropPolicy(cdb: CatalogDb, tableId: number, name: string): boolean {
  return cdb.run('DELETE FROM Policies WHERE table_id = ? AND name = ?', tableId, name).changes > 0;
}
