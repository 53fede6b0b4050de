/**
 * executor/: the system information functions clients call in their catalog queries
 * (format_type, pg_get_expr, pg_get_constraintdef, pg_table_is_visible, has_*_privilege,
 * current_schemas, pg_size_pretty, ...). Catalog facts come through
 * ExecContext.data.pgCatalog() (catalog/pg-catalog behind it); Tessera has one superuser and
 * no ACLs, so privilege checks only verify that the object exists, as PostgreSQL's do first.
 */
import { DbError, SqlState } from '../errors/index.ts';
import { ArrayOid, Oid, PgArray, formatType, typeByOid } from '../types/index.ts';
import type { ExecContext, PgCatalogAccess } from './context.ts';
import { compareValues, defineFunction, type ScalarFunction, type Volatility } from './functions.ts';
import type { Value } from './value.ts';
import * as privileges from './privileges.ts';

const def = (
  name: string,
  argTypes: number[],
  returnType: number,
  impl: ScalarFunction['impl'],
  opts: { strict?: boolean; volatility?: Volatility } = {},
): void => defineFunction({ name, argTypes, returnType, impl, strict: opts.strict ?? true, volatility: opts.volatility ?? 'stable' });

function access(ctx: ExecContext): PgCatalogAccess {
  const a = ctx.data.pgCatalog?.();
  if (!a) throw new DbError(SqlState.FeatureNotSupported, 'catalog functions need a session');
  return a;
}

/** The server's start, for pg_postmaster_start_time(): microseconds since 2000-01-01. */
const START_MICROS = BigInt(Date.now()) * 1000n - 946_684_800_000_000n;
let xid = 1000n;

// ---- "char" comparisons (relkind = 'r', contype IN ('p', 'u')) ----

const COMPARISONS: [string, (c: number) => boolean][] = [
  ['=', (c) => c === 0], ['<>', (c) => c !== 0], ['<', (c) => c < 0], ['<=', (c) => c <= 0], ['>', (c) => c > 0], ['>=', (c) => c >= 0],
];
for (const [op, test] of COMPARISONS) {
  def(op, [Oid.char, Oid.char], Oid.bool, ([a, b]) => test(compareValues(Oid.char, a, b)), { volatility: 'immutable' });
}

// ---- format_type and expression text ----

def('format_type', [Oid.oid, Oid.int4], Oid.text, ([oid, typmod], ctx) => {
  if (oid === null) return null;
  const text = formatType(oid as number, typmod === null ? undefined : (typmod as number)) ?? '???';
  const schema = ctx.data.pgCatalog?.().typeSchemaIfHidden?.(oid as number) ?? null;
  return schema === null ? text : `${schema}.${text}`;
}, { strict: false });

/** Pretty printing drops the parentheses around a top-level operator expression ("(1 + 2)" → "1 + 2"). */
function prettyExpr(text: string): string {
  if (!text.startsWith('(') || !text.endsWith(')')) return text;
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'") quoted = !quoted;
    if (quoted) continue;
    if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0 && i !== text.length - 1) return text;
  }
  return text.slice(1, -1);
}

// Catalog expressions are stored as SQL text already (catalog/pg-catalog/deparse.ts).
for (const node of [Oid.pg_node_tree, Oid.text]) {
  def('pg_get_expr', [node, Oid.oid], Oid.text, ([e]) => e);
  def('pg_get_expr', [node, Oid.oid, Oid.bool], Oid.text, ([e, , pretty]) => (pretty === true ? prettyExpr(e as string) : e));
}

def('pg_get_constraintdef', [Oid.oid], Oid.text, ([oid], ctx) => access(ctx).constraintDef(oid as number));
def('pg_get_constraintdef', [Oid.oid, Oid.bool], Oid.text, ([oid, pretty], ctx) => access(ctx).constraintDef(oid as number, pretty === true));
def('pg_get_indexdef', [Oid.oid], Oid.text, ([oid], ctx) => access(ctx).indexDef(oid as number, 0));
def('pg_get_indexdef', [Oid.oid, Oid.int4, Oid.bool], Oid.text, ([oid, col, pretty], ctx) => access(ctx).indexDef(oid as number, col as number, pretty === true));
def('pg_get_ruledef', [Oid.oid], Oid.text, ([oid], ctx) => access(ctx).ruleDef?.(oid as number, false) ?? null);
def('pg_get_ruledef', [Oid.oid, Oid.bool], Oid.text, ([oid, pretty], ctx) => access(ctx).ruleDef?.(oid as number, pretty === true) ?? null);
def('pg_get_viewdef', [Oid.oid], Oid.text, ([oid], ctx) => access(ctx).viewDef?.(oid as number, false) ?? null);
def('pg_get_viewdef', [Oid.oid, Oid.bool], Oid.text, ([oid, pretty], ctx) => access(ctx).viewDef?.(oid as number, pretty === true) ?? null);
def('pg_get_viewdef', [Oid.oid, Oid.int4], Oid.text, ([oid], ctx) => access(ctx).viewDef?.(oid as number, true) ?? null);
def('pg_get_viewdef', [Oid.text], Oid.text, ([name], ctx) => access(ctx).viewDef?.(access(ctx).relationOid(name as string), false) ?? null);
def('pg_get_viewdef', [Oid.text, Oid.bool], Oid.text, ([name, pretty], ctx) => access(ctx).viewDef?.(access(ctx).relationOid(name as string), pretty === true) ?? null);
def('pg_get_partkeydef', [Oid.oid], Oid.text, ([oid], ctx) => access(ctx).partKeyDef?.(oid as number) ?? null);
// pg_partition_ancestors(regclass): the relation and, for a named partition, its partitioned table (psql \d reads it).
defineFunction({
  name: 'pg_partition_ancestors',
  argTypes: [Oid.regclass],
  returnType: Oid.regclass,
  strict: true,
  volatility: 'stable',
  returnsSet: true,
  setColumns: [{ name: 'relid', type: Oid.regclass }],
  impl: ([oid], ctx) => (access(ctx).partitionAncestors?.(oid as number) ?? [oid as number]).map((o) => [o]),
});
// pg_partition_tree(regclass): (relid, parentrelid, isleaf, level) of a partitioned table or index and its partitions (psql \dP+).
defineFunction({
  name: 'pg_partition_tree',
  argTypes: [Oid.regclass],
  returnType: Oid.record,
  strict: true,
  volatility: 'stable',
  returnsSet: true,
  setColumns: [{ name: 'relid', type: Oid.regclass }, { name: 'parentrelid', type: Oid.regclass }, { name: 'isleaf', type: Oid.bool }, { name: 'level', type: Oid.int4 }],
  impl: ([oid], ctx) => access(ctx).partitionTree?.(oid as number) ?? [],
});
def('pg_get_partition_constraintdef', [Oid.oid], Oid.text, ([oid], ctx) => access(ctx).partitionConstraintDef?.(oid as number) ?? null);
def('pg_get_triggerdef', [Oid.oid], Oid.text, () => null);
def('pg_get_statisticsobjdef_columns', [Oid.oid], Oid.text, () => null);
def('pg_get_userbyid', [Oid.oid], Oid.name, ([oid], ctx) => access(ctx).roleName(oid as number) ?? `unknown (OID=${oid})`);
def('pg_get_serial_sequence', [Oid.text, Oid.text], Oid.text, ([t, c], ctx) => access(ctx).serialSequence(t as string, c as string));

/** Pseudo-types the function catalog uses that have no PgType (pg_type names). */
const PSEUDO_TYPE_NAMES: Record<number, string> = {
  2276: '"any"', 2277: 'anyarray', 2283: 'anyelement', 2776: 'anynonarray', 3500: 'anyenum', 5077: 'anycompatible',
  5078: 'anycompatiblearray', 5079: 'anycompatiblenonarray', 2281: 'internal', 2279: 'trigger',
};

function typeName(oid: number): string {
  return formatType(oid) ?? PSEUDO_TYPE_NAMES[oid] ?? String(oid);
}

function typeList(oids: readonly number[]): string {
  return oids.map(typeName).join(', ');
}

def('pg_get_function_arguments', [Oid.oid], Oid.text, ([oid], ctx) => {
  const f = access(ctx).functionSignature(oid as number);
  return f ? typeList(f.args) : null;
});
def('pg_get_function_identity_arguments', [Oid.oid], Oid.text, ([oid], ctx) => {
  const f = access(ctx).functionSignature(oid as number);
  return f ? typeList(f.args) : null;
});
def('pg_get_function_result', [Oid.oid], Oid.text, ([oid], ctx) => {
  const f = access(ctx).functionSignature(oid as number);
  return f ? `${f.returnsSet ? 'SETOF ' : ''}${typeName(f.result)}` : null;
});

// ---- visibility ----

def('pg_table_is_visible', [Oid.oid], Oid.bool, ([oid], ctx) => access(ctx).tableIsVisible(oid as number));
def('pg_type_is_visible', [Oid.oid], Oid.bool, ([oid]) => (typeByOid(oid as number) ? true : null));
def('pg_function_is_visible', [Oid.oid], Oid.bool, () => true);
def('pg_opclass_is_visible', [Oid.oid], Oid.bool, () => true);
def('pg_collation_is_visible', [Oid.oid], Oid.bool, () => true);
def('pg_is_other_temp_schema', [Oid.oid], Oid.bool, () => false);
def('pg_statistics_obj_is_visible', [Oid.oid], Oid.bool, () => true);
def('pg_conversion_is_visible', [Oid.oid], Oid.bool, () => true);
def('pg_operator_is_visible', [Oid.oid], Oid.bool, () => true);
def('pg_ts_config_is_visible', [Oid.oid], Oid.bool, () => true);
def('getdatabaseencoding', [], Oid.name, () => 'UTF8');
def('pg_client_encoding', [], Oid.name, () => 'UTF8');
def('pg_get_functiondef', [Oid.oid], Oid.text, ([oid], ctx) => {
  const f = access(ctx).functionSignature(oid as number);
  if (!f) return null;
  throw new DbError(SqlState.FeatureNotSupported, 'built-in functions have no SQL definition in Tessera');
});
def('pg_my_temp_schema', [], Oid.oid, () => 0);
def('to_regclass', [Oid.text], Oid.regclass, ([name], ctx) => {
  try {
    return access(ctx).relationOid(name as string);
  } catch (e) {
    // to_regclass returns NULL for a missing relation or schema; bad syntax still fails, as in PostgreSQL.
    if (e instanceof DbError && (e.code === SqlState.UndefinedTable || e.code === SqlState.InvalidSchemaName)) return null;
    throw e;
  }
});
def('to_regtype', [Oid.text], Oid.regtype, ([name], ctx) => {
  try {
    return typeByOid(Oid.regtype)!.textIn(name as string, -1, ctx.format) as number;
  } catch {
    return null;
  }
});

// ---- descriptions (COMMENT is not stored: always NULL) ----

/**
 * Descriptions PostgreSQL ships for built-in objects, by catalog and OID; the OIDs must match
 * catalog/pg-catalog/oids.ts (NamespaceOid, ExtensionOid, DATABASE_OID).
 */
const BUILTIN_DESCRIPTIONS: Record<string, string> = {
  'pg_namespace:2200': 'standard public schema',
  'pg_namespace:11': 'system catalog schema',
  'pg_extension:13500': 'PL/pgSQL procedural language',
  'pg_extension:16384': 'vector data type and ivfflat and hnsw access methods',
  'pg_database:5': 'default administrative connection database',
  'pg_database:1': 'default template for new databases',
  'pg_database:4': 'unmodifiable empty database',
  'pg_tablespace:1663': 'default tablespace',
};

def('obj_description', [Oid.oid, Oid.name], Oid.text, ([oid, cat], ctx) =>
  cat === 'pg_class' ? (ctx.data.pgCatalog?.().description(Number(oid), 0) ?? null) : (BUILTIN_DESCRIPTIONS[`${cat}:${oid}`] ?? null),
);
def('obj_description', [Oid.oid], Oid.text, () => null);
def('col_description', [Oid.oid, Oid.int4], Oid.text, ([oid, attnum], ctx) => ctx.data.pgCatalog?.().description(Number(oid), Number(attnum)) ?? null);
def('shobj_description', [Oid.oid, Oid.name], Oid.text, ([oid, cat]) => BUILTIN_DESCRIPTIONS[`${cat}:${oid}`] ?? null);

// ---- privileges: one superuser, so every existing object is accessible ----

const PRIVILEGE = /^\s*(select|insert|update|delete|truncate|references|trigger|usage|create|connect|temporary|temp|execute|maintain)(\s+with\s+grant\s+option)?\s*$/i;

function checkPrivilege(priv: string): void {
  for (const p of priv.split(',')) {
    if (!PRIVILEGE.test(p)) throw new DbError(SqlState.InvalidParameterValue, `unrecognized privilege type: "${p.trim()}"`);
  }
}

/** The privileges of the named role (42704 when none exists); the session's own when roles are not tracked. */
function checkUser(user: string, ctx: ExecContext): ExecContext {
  if (ctx.roles) {
    const rc = ctx.roles.forRole(user);
    if (!rc) throw new DbError(SqlState.UndefinedObject, `role "${user}" does not exist`);
    return Object.defineProperty(Object.create(ctx), 'roles', { value: rc }) as ExecContext;
  }
  if (user !== ctx.user) throw new DbError(SqlState.UndefinedObject, `role "${user}" does not exist`);
  return ctx;
}

/** Any of the listed privileges on the relation (executor/privileges.ts); system catalogs are readable by all. */
function tablePrivilege(rel: Value, priv: Value, ctx: ExecContext, isOid: boolean): boolean | null {
  checkPrivilege(priv as string);
  let oid: number;
  if (isOid) {
    if (access(ctx).tableIsVisible(rel as number) === null) return null;
    oid = rel as number;
  } else {
    oid = access(ctx).relationOid(rel as string);
    if (/^(pg_catalog\.|information_schema\.|pg_)/.test(rel as string)) return true;
  }
  return [...privileges.privilegeKeywords(priv as string)].some((p) => privileges.hasTablePrivilege(ctx.roles, oid, p));
}

for (const name of ['has_table_privilege', 'has_any_column_privilege', 'has_sequence_privilege']) {
  def(name, [Oid.text, Oid.text], Oid.bool, ([r, p], ctx) => tablePrivilege(r, p, ctx, false));
  def(name, [Oid.oid, Oid.text], Oid.bool, ([r, p], ctx) => tablePrivilege(r, p, ctx, true));
  def(name, [Oid.name, Oid.text, Oid.text], Oid.bool, ([u, r, p], ctx) => tablePrivilege(r, p, checkUser(u as string, ctx), false));
  def(name, [Oid.name, Oid.oid, Oid.text], Oid.bool, ([u, r, p], ctx) => tablePrivilege(r, p, checkUser(u as string, ctx), true));
  def(name, [Oid.oid, Oid.text, Oid.text], Oid.bool, ([, r, p], ctx) => tablePrivilege(r, p, ctx, false));
  def(name, [Oid.oid, Oid.oid, Oid.text], Oid.bool, ([, r, p], ctx) => tablePrivilege(r, p, ctx, true));
}

def('has_column_privilege', [Oid.text, Oid.text, Oid.text], Oid.bool, ([r, , p], ctx) => tablePrivilege(r, p, ctx, false));
def('has_column_privilege', [Oid.oid, Oid.text, Oid.text], Oid.bool, ([r, , p], ctx) => tablePrivilege(r, p, ctx, true));
def('has_column_privilege', [Oid.oid, Oid.int2, Oid.text], Oid.bool, ([r, , p], ctx) => tablePrivilege(r, p, ctx, true));

function schemaPrivilege(schema: Value, priv: Value, ctx: ExecContext): boolean {
  checkPrivilege(priv as string);
  if (!access(ctx).schemaExists(schema as string)) throw new DbError(SqlState.InvalidSchemaName, `schema "${schema}" does not exist`);
  return [...privileges.privilegeKeywords(priv as string)].some((p) => privileges.hasSchemaPrivilege(ctx.roles, schema as string, p));
}
def('has_schema_privilege', [Oid.text, Oid.text], Oid.bool, ([s, p], ctx) => schemaPrivilege(s, p, ctx));
def('has_schema_privilege', [Oid.name, Oid.text, Oid.text], Oid.bool, ([u, s, p], ctx) => schemaPrivilege(s, p, checkUser(u as string, ctx)));
def('has_schema_privilege', [Oid.oid, Oid.text], Oid.bool, ([, p]) => (checkPrivilege(p as string), true));
def('has_schema_privilege', [Oid.name, Oid.oid, Oid.text], Oid.bool, ([u, , p], ctx) => (checkUser(u as string, ctx), checkPrivilege(p as string), true));

function databasePrivilege(db: Value, priv: Value, ctx: ExecContext): boolean {
  checkPrivilege(priv as string);
  if (db !== ctx.database && db !== 'template0' && db !== 'template1') throw new DbError(SqlState.InvalidCatalogName, `database "${db}" does not exist`);
  return true;
}
def('has_database_privilege', [Oid.text, Oid.text], Oid.bool, ([d, p], ctx) => databasePrivilege(d, p, ctx));
def('has_database_privilege', [Oid.name, Oid.text, Oid.text], Oid.bool, ([u, d, p], ctx) => (checkUser(u as string, ctx), databasePrivilege(d, p, ctx)));
def('has_database_privilege', [Oid.oid, Oid.text], Oid.bool, ([, p]) => (checkPrivilege(p as string), true));
def('has_function_privilege', [Oid.text, Oid.text], Oid.bool, ([, p]) => (checkPrivilege(p as string), true));
def('has_function_privilege', [Oid.oid, Oid.text], Oid.bool, ([, p]) => (checkPrivilege(p as string), true));
def('pg_has_role', [Oid.name, Oid.text], Oid.bool, ([r, p], ctx) => (checkUser(r as string, ctx), void p, true));
def('pg_has_role', [Oid.name, Oid.name, Oid.text], Oid.bool, ([u, r], ctx) => (checkUser(u as string, ctx), checkUser(r as string, ctx), true));

// ---- schemas, session and server ----

/** Schemas of search_path that exist ("$user" resolved); with implicit, pg_catalog first unless listed. */
function schemasOnPath(ctx: ExecContext, implicit: boolean): string[] {
  const setting = ctx.getSetting('search_path', true) ?? '"$user", public';
  const names = setting.split(',').map((s) => s.trim()).filter(Boolean)
    .map((s) => (s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).replace(/""/g, '"') : s.toLowerCase()))
    .map((s) => (s === '$user' ? ctx.user : s));
  const a = ctx.data.pgCatalog?.();
  const existing = names.filter((s) => (a ? a.schemaExists(s) : s === 'public'));
  return implicit && !existing.includes('pg_catalog') ? ['pg_catalog', ...existing] : existing;
}

def('current_schema', [], Oid.name, (_a, ctx) => schemasOnPath(ctx, false)[0] ?? null);
def('current_schemas', [Oid.bool], ArrayOid.name, ([implicit], ctx) => PgArray.of(schemasOnPath(ctx, implicit as boolean)));
def('pg_encoding_to_char', [Oid.int4], Oid.name, ([e]) => (e === 6 ? 'UTF8' : e === 0 ? 'SQL_ASCII' : ''), { volatility: 'immutable' });
def('pg_char_to_encoding', [Oid.name], Oid.int4, ([e]) => (String(e).toUpperCase().replace(/[-_]/g, '') === 'UTF8' ? 6 : -1));
def('pg_cancel_backend', [Oid.int4], Oid.bool, ([pid], ctx) => pid === ctx.backendPid, { volatility: 'volatile' });
def('pg_terminate_backend', [Oid.int4], Oid.bool, ([pid], ctx) => pid === ctx.backendPid, { volatility: 'volatile' });
def('pg_postmaster_start_time', [], Oid.timestamptz, () => START_MICROS);
def('pg_conf_load_time', [], Oid.timestamptz, () => START_MICROS);
def('txid_current', [], Oid.int8, () => ++xid, { volatility: 'volatile' });
def('pg_is_in_recovery', [], Oid.bool, () => false, { volatility: 'volatile' });
def('inet_server_addr', [], Oid.text, () => null, { strict: false });
def('inet_server_port', [], Oid.int4, () => null, { strict: false });
def('inet_client_addr', [], Oid.text, () => null, { strict: false });
def('inet_client_port', [], Oid.int4, () => null, { strict: false });
def('pg_tablespace_location', [Oid.oid], Oid.text, () => '');
def('pg_relation_is_publishable', [Oid.regclass], Oid.bool, ([oid], ctx) => access(ctx).tableIsVisible(oid as number) !== null);

// ---- sizes ----

/** pg_size_pretty: PostgreSQL 15's units and half-rounding (10240 bytes → "10 kB"). */
export function sizePretty(bytes: bigint): string {
  const limit = 10n * 1024n;
  const abs = (x: bigint): bigint => (x < 0n ? -x : x);
  const halfRounded = (x: bigint): bigint => (x + (x < 0n ? -1n : 1n)) / 2n;
  let size = bytes;
  if (abs(size) < limit) return `${size} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  size >>= 9n; // one extra bit for rounding
  for (let i = 0; i < units.length; i++) {
    if (abs(size) < limit * 2n - 1n || i === units.length - 1) return `${halfRounded(size)} ${units[i]}`;
    size >>= 10n;
  }
  return `${size} PB`;
}

def('pg_size_pretty', [Oid.int8], Oid.text, ([b]) => sizePretty(b as bigint), { volatility: 'immutable' });
def('pg_size_pretty', [Oid.numeric], Oid.text, ([b]) => sizePretty(BigInt((b as { toBigInt(m: string): bigint }).toBigInt('bigint'))), {
  volatility: 'immutable',
});

for (const name of ['pg_relation_size', 'pg_total_relation_size', 'pg_table_size']) {
  def(name, [Oid.regclass], Oid.int8, ([oid], ctx) => access(ctx).relationSizeBytes(oid as number), { volatility: 'volatile' });
}
def('pg_relation_size', [Oid.regclass, Oid.text], Oid.int8, ([oid], ctx) => access(ctx).relationSizeBytes(oid as number), { volatility: 'volatile' });
def('pg_indexes_size', [Oid.regclass], Oid.int8, ([oid], ctx) => (access(ctx).relationSizeBytes(oid as number) === null ? null : 0n), {
  volatility: 'volatile',
});
def('pg_database_size', [Oid.name], Oid.int8, () => 0n, { volatility: 'volatile' });

// ---- pg_get_keywords (completion in pgcli and others): the reserved keywords ----

const RESERVED_KEYWORDS = (
  'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create current_catalog ' +
  'current_date current_role current_time current_timestamp current_user default deferrable desc distinct do else end except false ' +
  'fetch for foreign from grant group having in initially intersect into lateral leading limit localtime localtimestamp not null ' +
  'offset on only or order placing primary references returning select session_user some symmetric table then to trailing true ' +
  'union unique user using variadic when where window with'
).split(' ');

defineFunction({
  name: 'pg_get_keywords',
  argTypes: [],
  returnType: Oid.record,
  strict: true,
  volatility: 'stable',
  returnsSet: true,
  setColumns: [
    { name: 'word', type: Oid.text }, { name: 'catcode', type: Oid.char }, { name: 'barelabel', type: Oid.bool },
    { name: 'catdesc', type: Oid.text }, { name: 'baredesc', type: Oid.text },
  ],
  impl: () => RESERVED_KEYWORDS.map((w) => [w, 'R', !['all', 'as', 'from', 'having', 'into', 'limit', 'offset', 'on', 'order', 'returning', 'to', 'where', 'window', 'with', 'create', 'fetch', 'for', 'grant', 'group', 'intersect', 'except', 'union'].includes(w), 'reserved', 'can be bare label']),
});

// ---- information_schema._pg_expandarray(anyarray): (x, n) rows, as pgJDBC's getPrimaryKeys uses ----

for (const [arg, elem] of [[ArrayOid.int2, Oid.int2], [Oid.int2vector, Oid.int2], [ArrayOid.oid, Oid.oid], [Oid.oidvector, Oid.oid], [ArrayOid.int4, Oid.int4], [ArrayOid.text, Oid.text]] as const) {
  // Registered under its qualified name too, for binders that keep information_schema's prefix (as tessera.* functions are).
  for (const name of ['_pg_expandarray', 'information_schema._pg_expandarray']) {
    defineFunction({
      name,
      argTypes: [arg],
      returnType: Oid.record,
      strict: true,
      volatility: 'immutable',
      returnsSet: true,
      setColumns: [{ name: 'x', type: elem }, { name: 'n', type: Oid.int4 }],
      impl: ([a]) => (a as PgArray<unknown>).items.map((x, i) => [x, i + 1]),
    });
  }
}
import './functions-dump.ts'; // acldefault, pg_options_to_table, pg_get_triggerdef (pg_dump)
