/**
 * session/: the table an `IF EXISTS` statement names, or null after PostgreSQL's "does not
 * exist, skipping" NOTICE (ALTER TABLE IF EXISTS, DROP POLICY IF EXISTS ... ON t).
 */
import type { TableDef } from '../catalog/index.ts';
import { DbError, SqlState } from '../errors/index.ts';
import { resolveTable, type PlanEnv } from '../planner/index.ts';
import type { QualifiedName } from '../sql/index.ts';

export function resolveTableIfExists(
  env: PlanEnv, name: QualifiedName, ifExists: boolean, host: { notice(severity: 'NOTICE', code: string, message: string): void },
): TableDef | null {
  try {
    return resolveTable(env, name);
  } catch (err) {
    if (!ifExists || !(err instanceof DbError) || err.code !== SqlState.UndefinedTable) throw err;
    host.notice('NOTICE', SqlState.SuccessfulCompletion, `relation "${name.name}" does not exist, skipping`);
    return null;
  }
}
