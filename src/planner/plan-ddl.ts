/**
 * Binds CREATE TABLE and ALTER TABLE ADD COLUMN: column types (serial and identity columns
 * get their sequences), DEFAULT and CHECK expressions validated against the columns,
 * PRIMARY KEY / UNIQUE / CHECK constraints named as PostgreSQL names them, and the table
 * options Tessera understands (segment_size, segment_rows). The session applies the result
 * to the catalog and the storage engine.
 */
import type { ColumnDef, ConstraintDef, NewTableDef, PartitionKey, TableDef } from '../catalog/index.ts';
import { DbError, SqlState, notSupported } from '../errors/index.ts';
import { compile, isAsync, type ExecContext } from '../executor/index.ts';
import { errorPosition, type ColumnDefinition, type Expr, type PartitionSpec, type Statement, type StoredExpr, type TableConstraint, type TypeName } from '../sql/index.ts';
import { Oid, typeByOid } from '../types/index.ts';
import { bindExpr, bindTypeName, coerce, ParamTypes, type BindContext } from './bind-expr.ts';
import { creationSchema, type PlanEnv } from './relations.ts';

const at = errorPosition;

const SERIAL_TYPES: Record<string, number> = {
  smallserial: Oid.int2,
  serial2: Oid.int2,
  serial: Oid.int4,
  serial4: Oid.int4,
  bigserial: Oid.int8,
  serial8: Oid.int8,
};

/** libpg-query JSON for `nextval('<sequence>')`, stored as the column default. */
function nextvalRaw(sequence: string): string {
  return JSON.stringify({
    FuncCall: { funcname: [{ String: { sval: 'nextval' } }], args: [{ A_Const: { sval: { sval: sequence }, location: -1 } }], funcformat: 'COERCE_EXPLICIT_CALL', location: -1 },
  });
}

function serialType(t: TypeName): number | undefined {
  return t.names.length === 1 && t.arrayDims === 0 ? SERIAL_TYPES[t.names[0]!] : undefined;
}

/** Units accepted by segment_size: plain bytes or kB/MB/GB (PostgreSQL's memory units). */
function parseBytes(name: string, value: string): number {
  const m = /^\s*(\d+)\s*(B|kB|MB|GB|TB)?\s*$/.exec(value);
  if (!m) throw new DbError(SqlState.InvalidParameterValue, `invalid value for parameter "${name}": "${value}"`, { hint: 'Valid units are "B", "kB", "MB", "GB", and "TB".' });
  const mult = { B: 1, kB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 }[(m[2] ?? 'B') as 'B'];
  return Number(m[1]) * mult;
}

export const DEFAULT_SEGMENT_SIZE_BYTES = 256 * 1024 * 1024;

function tableOptions(options: Readonly<Record<string, string>>): { segmentSizeBytes: number; options: Record<string, string> } {
  let segmentSizeBytes = DEFAULT_SEGMENT_SIZE_BYTES;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(options)) {
    if (k === 'segment_size') segmentSizeBytes = parseBytes(k, v);
    else if (k === 'segment_rows') {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new DbError(SqlState.InvalidParameterValue, `invalid value for parameter "segment_rows": "${v}"`);
      out.segment_max_rows = v; // the storage engine's name for the seal threshold
    } else if (k === 'tier') out.tier = tierOption(v);
    else if (k === 'fillfactor') out.fillfactor = fillfactorOption(v);
    else if (k === 'tenant_exact_rows') {
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new DbError(SqlState.InvalidParameterValue, `invalid value for parameter "tenant_exact_rows": "${v}"`);
      out.tenant_exact_rows = v;
    } else throw new DbError(SqlState.InvalidParameterValue, `unrecognized parameter "${k}"`);
  }
  return { segmentSizeBytes, options: out };
}

/**
 * Table option `fillfactor` (10-100, as PostgreSQL validates it; pgbench -i sets it): recorded
 * and shown, with nothing to reserve — segments are immutable and always written full, so
 * the free space a heap page keeps for in-place updates has no counterpart here.
 */
function fillfactorOption(v: string): string {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < 10 || n > 100) {
    throw new DbError(SqlState.InvalidParameterValue, `value ${v} out of bounds for option "fillfactor"`, { detail: 'Valid values are between "10" and "100".' });
  }
  return String(n);
}

/** Table option `tier` (docs/tiering.md): 'hot' pins the table's files in the local cache, 'auto' lets them be evicted. */
function tierOption(v: string): string {
  if (v !== 'hot' && v !== 'auto') {
    throw new DbError(SqlState.InvalidParameterValue, `invalid value for parameter "tier": "${v}"`, { hint: 'Valid values are "hot" and "auto".' });
  }
  return v;
}

/** ALTER TABLE SET (...) / RESET (...): the table's new options; segment_size cannot change (0A000), unknown names 22023. */
export function alterTableOptions(current: Readonly<Record<string, string>>, given: Readonly<Record<string, string>>, reset: boolean): Record<string, string> {
  const out = { ...current };
  for (const [k, v] of Object.entries(given)) {
    const stored = k === 'segment_rows' ? 'segment_max_rows' : k;
    if (k === 'segment_size') throw new DbError(SqlState.FeatureNotSupported, 'segment_size cannot be changed after CREATE TABLE');
    if (k !== 'tier' && k !== 'segment_rows' && k !== 'fillfactor' && k !== 'tenant_exact_rows') throw new DbError(SqlState.InvalidParameterValue, `unrecognized parameter "${k}"`);
    if (reset) delete out[stored];
    else Object.assign(out, tableOptions({ [k]: v }).options);
  }
  return out;
}

/**
 * The column a CHECK constraint is named after: PostgreSQL names it `<table>_<column>_check`
 * when its expression reads exactly one distinct column, `<table>_check` otherwise.
 */
function onlyColumn(e: Expr): string | null {
  const found = new Set<string>();
  const visit = (x: unknown): void => {
    if (x === null || typeof x !== 'object') return;
    const o = x as Record<string, unknown>;
    if (o.kind === 'column' && Array.isArray(o.names) && o.names.length > 0) {
      found.add(o.names[o.names.length - 1] as string);
      return;
    }
    for (const v of Object.values(o)) visit(v);
  };
  visit(e);
  return found.size === 1 ? [...found][0]! : null;
}

export interface BoundColumn {
  readonly def: Omit<ColumnDef, 'attnum'>;
  /** A sequence to create for serial/identity columns. */
  readonly sequence: string | null;
}

/** Binds one column definition (for CREATE TABLE and ADD COLUMN). `others` are the columns known so far. */
export function bindColumn(table: string, c: ColumnDefinition, env: PlanEnv): BoundColumn {
  const serial = serialType(c.type);
  const { type, typmod } = serial !== undefined ? { type: serial, typmod: -1 } : bindTypeName(c.type);
  if (!typeByOid(type)) throw new DbError(SqlState.UndefinedObject, `type with OID ${type} does not exist`).at(at(c.type.location));
  if (serial !== undefined && c.defaultExpr) {
    throw new DbError(SqlState.SyntaxError, `multiple default values specified for column "${c.name}" of table "${table}"`).at(at(c.location));
  }
  let sequence: string | null = null;
  let defaultExpr: string | null = c.defaultExpr?.raw ?? null;
  if (serial !== undefined || c.identity !== null) {
    if (c.identity !== null && ![Oid.int2, Oid.int4, Oid.int8].includes(type as 21)) {
      throw new DbError(SqlState.InvalidParameterValue, `identity column type must be smallint, integer, or bigint`).at(at(c.location));
    }
    sequence = `${table}_${c.name}_seq`;
    defaultExpr = nextvalRaw(sequence);
  } else if (c.defaultExpr) {
    validateDefault(c.defaultExpr, type, typmod, c.name, env);
  }
  return {
    def: {
      name: c.name,
      typeOid: type,
      typmod,
      notNull: c.notNull || serial !== undefined,
      defaultExpr,
      missingValue: null,
      identity: c.identity,
      sequence,
      dropped: false,
    },
    sequence,
  };
}

export function validateDefault(d: StoredExpr, type: number, typmod: number, column: string, env: PlanEnv): void {
  const ctx: BindContext = { params: new ParamTypes([]), scope: [], format: env.format };
  try {
    coerce(bindExpr(d.expr, ctx), type, typmod, 'assignment', ctx, d.expr.location);
  } catch (err) {
    if (err instanceof DbError && err.code === SqlState.UndefinedColumn) {
      throw new DbError(SqlState.FeatureNotSupported, `cannot use column reference in DEFAULT expression`);
    }
    if (err instanceof DbError && err.code === SqlState.DatatypeMismatch) {
      throw new DbError(SqlState.DatatypeMismatch, `column "${column}" is of type ${typeByOid(type)?.displayName} but default expression is of another type`, {
        hint: 'You will need to rewrite or cast the expression.',
      });
    }
    throw err;
  }
  if (ctx.params.types.length > 0) throw new DbError(SqlState.FeatureNotSupported, 'cannot use parameters in DEFAULT expression');
}

export interface BoundCreateTable {
  readonly def: Omit<NewTableDef, 'columns'> & { columns: ColumnDef[] };
  readonly sequences: string[];
}

export function bindCreateTable(stmt: Statement & { kind: 'create_table' }, env: PlanEnv): BoundCreateTable {
  const schema = creationSchema(env, stmt.table.schema);
  const name = stmt.table.name;
  const columns: ColumnDef[] = [];
  const sequences: string[] = [];
  for (const c of stmt.columns) {
    if (columns.some((x) => x.name === c.name)) throw new DbError(SqlState.DuplicateColumn, `column "${c.name}" specified more than once`).at(at(c.location));
    const b = bindColumn(name, c, env);
    columns.push({ ...b.def, attnum: columns.length + 1 });
    if (b.sequence) sequences.push(b.sequence);
  }
  if (columns.length > 1600) throw new DbError(SqlState.TooManyColumns, 'tables can have at most 1600 columns');
  const attnum = (col: string, location: number): number => {
    const c = columns.find((x) => x.name === col);
    if (!c) throw new DbError(SqlState.UndefinedColumn, `column "${col}" named in key does not exist`).at(at(location));
    return c.attnum;
  };
  const constraints: ConstraintDef[] = [];
  const addKey = (kind: 'primary' | 'unique', attnums: number[], given: string | null, location: number): void => {
    if (kind === 'primary') {
      if (constraints.some((k) => k.kind === 'primary')) {
        throw new DbError(SqlState.InvalidTableDefinition, `multiple primary keys for table "${name}" are not allowed`).at(at(location));
      }
      for (const a of attnums) columns[a - 1]!.notNull = true;
    }
    const names = attnums.map((a) => columns[a - 1]!.name).join('_');
    constraints.push({ name: given ?? (kind === 'primary' ? `${name}_pkey` : `${name}_${names}_key`), kind, attnums, expr: null });
  };
  const scope = columns.map((c) => ({ table: name, name: c.name, type: c.typeOid, typmod: c.typmod }));
  const addCheck = (expr: StoredExpr, given: string | null): void => {
    const ctx: BindContext = { params: new ParamTypes([]), scope, format: env.format };
    const bound = coerce(bindExpr(expr.expr, ctx), Oid.bool, -1, 'implicit', ctx, expr.expr.location);
    if (isAsync(bound)) throw notSupported('CHECK constraints cannot call asynchronous functions');
    const col = onlyColumn(expr.expr);
    constraints.push({ name: given ?? (col ? `${name}_${col}_check` : `${name}_check`), kind: 'check', attnums: [], expr: expr.raw });
  };
  for (const c of stmt.columns) {
    const a = attnum(c.name, c.location);
    if (c.primaryKey) addKey('primary', [a], null, c.location);
    if (c.unique) addKey('unique', [a], null, c.location);
    for (const ck of c.checks) addCheck(ck.expr, ck.name);
  }
  for (const k of stmt.constraints) {
    if (k.kind === 'check') addCheck(k.expr!, k.name);
    else addKey(k.kind, k.columns.map((col) => attnum(col, k.location)), k.name, k.location);
  }
  const vectorCols = columns.filter((c) => typeByOid(c.typeOid)?.name === 'vector');
  const { segmentSizeBytes, options } = tableOptions(stmt.options);
  const partitionKey = stmt.partitionBy === null ? null : bindPartitionKey(stmt.partitionBy, columns);
  return {
    def: { schema, name, columns, constraints, segmentSizeBytes, options, dimension: vectorCols.length === 1 ? vectorCols[0]!.typmod : 0, partitionKey },
    sequences,
  };
}

/** Column types a partition (tenant) key may have. */
const PARTITION_KEY_TYPES: ReadonlySet<number> = new Set([Oid.text, Oid.varchar, Oid.int4, Oid.int8, Oid.int2, Oid.uuid]);

/**
 * PARTITION BY LIST (col): one column of a key type; every distinct value is a tenant
 * (docs/tenants.md). HASH and RANGE are refused rather than stored and ignored.
 */
function bindPartitionKey(spec: PartitionSpec, columns: readonly ColumnDef[]): PartitionKey {
  if (spec.strategy !== 'list') {
    throw notSupported(`PARTITION BY ${spec.strategy.toUpperCase()} is not supported: Tessera partitions by LIST, one tenant per key value`).at(at(spec.location));
  }
  if (spec.columns.length !== 1) throw new DbError(SqlState.InvalidTableDefinition, 'cannot use "list" partition strategy with more than one column').at(at(spec.location));
  const col = columns.find((c) => c.name === spec.columns[0]);
  if (col === undefined) throw new DbError(SqlState.UndefinedColumn, `column "${spec.columns[0]}" named in partition key does not exist`).at(at(spec.location));
  if (!PARTITION_KEY_TYPES.has(col.typeOid)) {
    throw notSupported(`partition key column "${col.name}" must be text, varchar, smallint, integer, bigint or uuid`).at(at(spec.location));
  }
  return { strategy: 'list', attnum: col.attnum };
}

/**
 * The value rows written before ADD COLUMN read as: the default evaluated once (PostgreSQL's
 * "missing value"), or null. A volatile default would need a table rewrite.
 */
export function evaluateMissingValue(col: Omit<ColumnDef, 'attnum'>, raw: Expr | null, env: PlanEnv, ctx: ExecContext): string | null {
  if (!raw || col.sequence) return null;
  const bctx: BindContext = { params: new ParamTypes([]), scope: [], format: env.format };
  const bound = coerce(bindExpr(raw, bctx), col.typeOid, col.typmod, 'assignment', bctx, -1);
  if (bound.kind === 'call' && bound.fn.volatility === 'volatile') {
    throw notSupported('ALTER TABLE ADD COLUMN with a volatile DEFAULT is not supported yet');
  }
  const v = compile(bound)([], [], ctx);
  return v === null ? null : typeByOid(col.typeOid)!.textOut(v, env.format);
}

/**
 * ALTER TABLE ADD CONSTRAINT: the new constraint (named as PostgreSQL names it) and, for a
 * PRIMARY KEY, the columns that become NOT NULL. Existing rows are checked by the caller.
 */
export function bindAddConstraint(t: TableDef, c: TableConstraint, env: PlanEnv): { constraint: ConstraintDef; notNull: number[] } {
  const live = t.columns.filter((x) => !x.dropped);
  const attnums = c.columns.map((name) => {
    const col = live.find((x) => x.name === name);
    if (!col) throw new DbError(SqlState.UndefinedColumn, `column "${name}" named in key does not exist`).at(at(c.location));
    return col.attnum;
  });
  let constraint: ConstraintDef;
  if (c.kind === 'check') {
    const scope = live.map((x) => ({ table: t.name, name: x.name, type: x.typeOid, typmod: x.typmod }));
    const ctx: BindContext = { params: new ParamTypes([]), scope, format: env.format };
    coerce(bindExpr(c.expr!.expr, ctx), Oid.bool, -1, 'implicit', ctx, c.expr!.expr.location);
    const col = onlyColumn(c.expr!.expr);
    constraint = { name: c.name ?? (col ? `${t.name}_${col}_check` : `${t.name}_check`), kind: 'check', attnums: [], expr: c.expr!.raw };
  } else {
    if (c.kind === 'primary' && t.constraints.some((k) => k.kind === 'primary')) {
      throw new DbError(SqlState.InvalidTableDefinition, `multiple primary keys for table "${t.name}" are not allowed`);
    }
    const names = attnums.map((a) => live.find((x) => x.attnum === a)!.name).join('_');
    constraint = { name: c.name ?? (c.kind === 'primary' ? `${t.name}_pkey` : `${t.name}_${names}_key`), kind: c.kind, attnums, expr: null };
  }
  if (t.constraints.some((k) => k.name === constraint.name)) {
    throw new DbError(SqlState.DuplicateObject, `constraint "${constraint.name}" for relation "${t.name}" already exists`);
  }
  return { constraint, notNull: c.kind === 'primary' ? attnums : [] };
}
