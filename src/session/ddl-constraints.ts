/**
 * ALTER TABLE on constraints and column properties: ADD CONSTRAINT (PRIMARY KEY, UNIQUE,
 * CHECK — existing rows are checked first, with PostgreSQL's errors), DROP CONSTRAINT,
 * ALTER COLUMN SET/DROP NOT NULL and SET/DROP DEFAULT. The catalog change is one SQLite
 * transaction; the key index picks up new keys through UniqueKeys.attach().
 */
import type { ColumnDef, TableDef } from '../catalog/index.ts';
import { DbError, SqlState } from '../errors/index.ts';
import { compile, hashKey, openCursor, type Row } from '../executor/index.ts';
import { bindAddConstraint, bindStored, planTableScan, validateDefault, type BindContext, ParamTypes } from '../planner/index.ts';
import type { AlterTableCommand } from '../sql/index.ts';
import { typeByOid } from '../types/index.ts';
import type { DdlHost } from './ddl.ts';

type ConstraintCommand = AlterTableCommand & { kind: 'add_constraint' | 'drop_constraint' | 'set_not_null' | 'set_default' };

/** Every visible row of the table (live columns in attnum order), as the statement sees them. */
async function* rowsOf(host: DdlHost, t: TableDef): AsyncGenerator<Row> {
  const { plan } = planTableScan(t, null, false, host.planEnv().format);
  const cursor = openCursor(plan, [], host.execContext());
  try {
    for (let b = await cursor.next(); b; b = await cursor.next()) yield* b;
  } finally {
    cursor.close();
  }
}

const live = (t: TableDef): ColumnDef[] => t.columns.filter((c) => !c.dropped);

async function checkNoNulls(host: DdlHost, t: TableDef, attnums: readonly number[]): Promise<void> {
  const cols = live(t);
  const idx = attnums.map((a) => cols.findIndex((c) => c.attnum === a));
  for await (const r of rowsOf(host, t)) {
    const i = idx.find((j) => r[j] === null);
    if (i !== undefined) throw new DbError(SqlState.NotNullViolation, `column "${cols[i]!.name}" of relation "${t.name}" contains null values`);
  }
}

export async function checkUnique(host: DdlHost, t: TableDef, name: string, attnums: readonly number[]): Promise<void> {
  const cols = live(t);
  const idx = attnums.map((a) => cols.findIndex((c) => c.attnum === a));
  const seen = new Set<string>();
  const format = host.planEnv().format;
  for await (const r of rowsOf(host, t)) {
    const key = idx.map((i) => r[i]);
    if (key.includes(null)) continue;
    const k = hashKey(key);
    if (seen.has(k)) {
      const shown = idx.map((i, j) => typeByOid(cols[i]!.typeOid)!.textOut(key[j], format)).join(', ');
      throw new DbError(SqlState.UniqueViolation, `could not create unique index "${name}"`, {
        detail: `Key (${idx.map((i) => cols[i]!.name).join(', ')})=(${shown}) is duplicated.`,
      });
    }
    seen.add(k);
  }
}

async function checkRows(host: DdlHost, t: TableDef, name: string, raw: string): Promise<void> {
  const scope = live(t).map((c) => ({ table: t.name, name: c.name, type: c.typeOid, typmod: c.typmod }));
  const ctx: BindContext = { params: new ParamTypes([]), scope, format: host.planEnv().format };
  const check = compile(bindStored(raw, ctx));
  const exec = host.execContext();
  for await (const r of rowsOf(host, t)) {
    if (check(r, [], exec) === false) {
      throw new DbError(SqlState.CheckViolation, `check constraint "${name}" of relation "${t.name}" is violated by some row`);
    }
  }
}

function column(t: TableDef, name: string): ColumnDef {
  const c = live(t).find((x) => x.name === name);
  if (!c) throw new DbError(SqlState.UndefinedColumn, `column "${name}" of relation "${t.name}" does not exist`);
  return c;
}

/** Applies one constraint / column-property command; returns the new definition. */
export async function alterConstraint(host: DdlHost, t: TableDef, cmd: ConstraintCommand): Promise<TableDef> {
  const { db } = host;
  switch (cmd.kind) {
    case 'add_constraint': {
      const { constraint, notNull } = bindAddConstraint(t, cmd.constraint, host.planEnv());
      if (notNull.length > 0) await checkNoNulls(host, t, notNull);
      if (constraint.kind === 'primary' || constraint.kind === 'unique') await checkUnique(host, t, constraint.name, constraint.attnums);
      if (constraint.kind === 'check') await checkRows(host, t, constraint.name, constraint.expr!);
      return db.catalog.alterDefinition(t.tableId, (def) => ({
        columns: def.columns.map((c) => (notNull.includes(c.attnum) ? { ...c, notNull: true } : c)),
        constraints: [...def.constraints, constraint],
      }));
    }
    case 'drop_constraint': {
      if (!t.constraints.some((k) => k.name === cmd.name && !k.indexOnly)) {
        if (cmd.ifExists) {
          host.notice('NOTICE', SqlState.SuccessfulCompletion, `constraint "${cmd.name}" of relation "${t.name}" does not exist, skipping`);
          return t;
        }
        throw new DbError(SqlState.UndefinedObject, `constraint "${cmd.name}" of relation "${t.name}" does not exist`);
      }
      return db.catalog.alterDefinition(t.tableId, (def) => ({ columns: def.columns, constraints: def.constraints.filter((k) => k.name !== cmd.name) }));
    }
    case 'set_not_null': {
      const col = column(t, cmd.column);
      if (cmd.notNull) await checkNoNulls(host, t, [col.attnum]);
      else if (t.constraints.some((k) => k.kind === 'primary' && k.attnums.includes(col.attnum))) {
        throw new DbError(SqlState.InvalidTableDefinition, `column "${col.name}" is in a primary key`);
      } else if (col.identity) {
        throw new DbError(SqlState.InvalidTableDefinition, `column "${col.name}" of relation "${t.name}" is an identity column`);
      }
      return db.catalog.alterDefinition(t.tableId, (def) => ({
        columns: def.columns.map((c) => (c.attnum === col.attnum ? { ...c, notNull: cmd.notNull } : c)),
        constraints: def.constraints,
      }));
    }
    case 'set_default': {
      const col = column(t, cmd.column);
      if (cmd.expr) validateDefault(cmd.expr, col.typeOid, col.typmod, col.name, host.planEnv());
      return db.catalog.alterDefinition(t.tableId, (def) => ({
        columns: def.columns.map((c) => (c.attnum === col.attnum ? { ...c, defaultExpr: cmd.expr?.raw ?? null } : c)),
        constraints: def.constraints,
      }));
    }
  }
}
