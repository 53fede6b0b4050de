/**
 * planner/: a serial or identity column's sequence named in FROM (`SELECT last_value,
 * is_called FROM app.items_id_seq`, as pg_dump reads it): a one-row scan of
 * tessera_sequence_relation() (executor/functions-dump.ts). A sequence lives in its table's
 * schema; an unqualified name is looked up along search_path.
 */
import type { TableDef } from '../catalog/index.ts';
import { DbError, SqlState } from '../errors/index.ts';
import { functionsNamed, privileges, type Plan } from '../executor/index.ts';
import type { QualifiedName } from '../sql/index.ts';
import { Oid } from '../types/index.ts';
import type { ScopeColumn } from './bind-expr.ts';
import type { PlanEnv } from './relations.ts';

/** The sequence's stored name and its table if `name` names one (and no table of that name comes first), else null. */
function findSequence(env: PlanEnv, name: QualifiedName): { seq: string; owner: TableDef } | null {
  const tables = env.catalog.listTables?.() ?? [];
  for (const schema of name.schema !== null ? [name.schema] : env.searchPath) {
    if (env.catalog.getTable(schema, name.name)) return null;
    const owner = tables.find((t) => t.schema === schema && t.columns.some((c) => !c.dropped && c.sequence === name.name));
    if (owner) return { seq: name.name, owner };
  }
  return null;
}

/** The scan of a sequence relation, or null when `name` is no sequence. */
export function planSequenceRelation(env: PlanEnv, name: QualifiedName, alias: string | null): { plan: Plan; scope: ScopeColumn[] } | null {
  const found = findSequence(env, name);
  if (found === null) return null;
  const { seq, owner } = found;
  const rc = env.roles;
  if (rc && !privileges.hasSequencePrivilege(rc, seq, rc.security.tableSecurity(owner.tableId).ownerOid, 'r')) {
    throw new DbError(SqlState.InsufficientPrivilege, `permission denied for sequence ${seq}`);
  }
  const fn = functionsNamed('tessera_sequence_relation')[0]!;
  const table = alias ?? name.name;
  return {
    plan: { kind: 'function-scan', fn, args: [{ kind: 'const', type: Oid.text, typmod: -1, value: seq }] },
    scope: fn.setColumns!.map((c) => ({ table, name: c.name, type: c.type, typmod: -1 })),
  };
}
