/**
 * catalog/pg-catalog: the information_schema views (SQL standard) over the same model as
 * pg_catalog. Column names follow PostgreSQL 15; the standard's domains map to base types:
 * sql_identifier → name, cardinal_number → int4, character_data and yes_or_no → varchar.
 * Rows list user tables and, like PostgreSQL, the system relations.
 */
import { Oid, decodeNumericTypmod, typeByOid } from '../../types/index.ts';
import type { ColumnDef, TableDef } from '../table-def.ts';
import { quoteIdent } from './deparse.ts';
import { exprColumns, type PgCatalogModel, type RelConstraint } from './model.ts';
import { namespaceOid, systemViewOid } from './oids.ts';
import { type CatalogRelationFn, type ColumnSpec, emptyRelation as emptyViewRelation, relation as viewRelation } from './view-def.ts';
import { roleName } from './pg-catalog-security.ts';
import { viewDefinition } from './view-deparse.ts';

const ID = Oid.name;
const NUM = Oid.int4;
const CHR = Oid.varchar;

const yesNo = (b: boolean): string => (b ? 'YES' : 'NO');

/** Columns of the yes_or_no domain (varchar(3)): described with typmod 7, as PostgreSQL's RowDescription does. */
const YES_OR_NO = new Set([
  'is_nullable', 'is_self_referencing', 'is_identity', 'identity_cycle', 'is_updatable', 'is_insertable_into', 'is_typed',
  'is_trigger_updatable', 'is_trigger_deletable', 'is_trigger_insertable_into', 'is_deferrable', 'initially_deferred', 'enforced',
  'nulls_distinct', 'cycle_option', 'is_grantable', 'with_hierarchy', 'is_deterministic', 'is_null_call', 'is_udt_dependent',
  'is_implicitly_invocable', 'is_user_defined_cast', 'as_locator', 'is_result', 'schema_level_routine', 'is_derived_reference_attribute',
]);
const withYesOrNo = (spec: readonly ColumnSpec[]): ColumnSpec[] =>
  spec.map((c): ColumnSpec => (c[1] === CHR && YES_OR_NO.has(c[0]) ? [c[0], c[1], 7] : c));
const relation = (spec: readonly ColumnSpec[], rows: Parameters<typeof viewRelation>[1]): CatalogRelationFn => viewRelation(withYesOrNo(spec), rows);
const emptyRelation = (spec: readonly ColumnSpec[]): CatalogRelationFn => emptyViewRelation(withYesOrNo(spec));

const DATA_TYPE_NAMES: Record<number, string> = {
  [Oid.bpchar]: 'character', [Oid.varchar]: 'character varying', [Oid.timestamp]: 'timestamp without time zone',
  [Oid.timestamptz]: 'timestamp with time zone', [Oid.time]: 'time without time zone',
};

/** information_schema's data_type: "ARRAY", "USER-DEFINED" for extension types, else format_type without modifiers. */
export function dataTypeName(oid: number): string {
  const t = typeByOid(oid);
  if (!t) return 'USER-DEFINED';
  if (t.category === 'A' && t.name.startsWith('_')) return 'ARRAY';
  if (oid === Oid.vector || oid === Oid.halfvec || oid === Oid.sparsevec) return 'USER-DEFINED';
  return DATA_TYPE_NAMES[oid] ?? t.displayName;
}

interface TypeFacts {
  charMax: number | null;
  charOctets: number | null;
  precision: number | null;
  radix: number | null;
  scale: number | null;
  datetime: number | null;
  interval: string | null;
}

function typeFacts(oid: number, typmod: number): TypeFacts {
  const f: TypeFacts = { charMax: null, charOctets: null, precision: null, radix: null, scale: null, datetime: null, interval: null };
  switch (oid) {
    case Oid.varchar:
    case Oid.bpchar:
    case Oid.text:
      f.charMax = typmod >= 4 ? typmod - 4 : null;
      f.charOctets = typmod >= 4 ? (typmod - 4) * 4 : 1073741824;
      break;
    case Oid.int2: Object.assign(f, { precision: 16, radix: 2, scale: 0 }); break;
    case Oid.int4: Object.assign(f, { precision: 32, radix: 2, scale: 0 }); break;
    case Oid.int8: Object.assign(f, { precision: 64, radix: 2, scale: 0 }); break;
    case Oid.float4: Object.assign(f, { precision: 24, radix: 2 }); break;
    case Oid.float8: Object.assign(f, { precision: 53, radix: 2 }); break;
    case Oid.numeric:
      f.radix = 10;
      if (typmod >= 4) {
        const d = decodeNumericTypmod(typmod);
        f.precision = d.precision;
        f.scale = d.scale;
      }
      break;
    case Oid.date: f.datetime = 0; break;
    case Oid.time:
    case Oid.timetz:
    case Oid.timestamp:
    case Oid.timestamptz: f.datetime = typmod >= 0 ? typmod : 6; break;
    case Oid.interval: f.datetime = 6; break;
    default:
  }
  return f;
}

export const isSchemata = relation(
  [
    ['catalog_name', ID], ['schema_name', ID], ['schema_owner', ID], ['default_character_set_catalog', ID],
    ['default_character_set_schema', ID], ['default_character_set_name', ID], ['sql_path', CHR],
  ],
  (m) => m.namespaces.map((n) => [m.ctx.database, n.name, m.ctx.user, null, null, null, null]),
);

export const isTables = relation(
  [
    ['table_catalog', ID], ['table_schema', ID], ['table_name', ID], ['table_type', CHR], ['self_referencing_column_name', ID],
    ['reference_generation', CHR], ['user_defined_type_catalog', ID], ['user_defined_type_schema', ID], ['user_defined_type_name', ID],
    ['is_insertable_into', CHR], ['is_typed', CHR], ['commit_action', CHR],
  ],
  (m) => {
    const rows: unknown[][] = m.tables.map((t) => [m.ctx.database, t.schema, t.name, 'BASE TABLE', null, null, null, null, null, 'YES', 'NO', null]);
    // Views are not insertable into in Tessera (PostgreSQL: YES for auto-updatable ones).
    for (const v of m.views) rows.push([m.ctx.database, v.schema, v.name, 'VIEW', null, null, null, null, null, 'NO', 'NO', null]);
    for (const r of m.ctx.systemRelations ?? []) {
      const [schema, name] = r.name.split('.') as [string, string];
      // Catalogs with a fixed OID are tables in PostgreSQL (pg_class); the others are views (pg_roles, pg_tables, ...).
      const table = schema === 'pg_catalog' && systemViewOid(r.name) < 10_000;
      rows.push([m.ctx.database, schema, name, table ? 'BASE TABLE' : 'VIEW', null, null, null, null, null, table ? 'YES' : 'NO', 'NO', null]);
    }
    return rows;
  },
);

function columnRow(m: PgCatalogModel, t: TableDef, c: ColumnDef, pk: Set<number>): unknown[] {
  const type = typeByOid(c.typeOid);
  const f = typeFacts(c.typeOid, c.typmod);
  const isVector = c.typeOid === Oid.vector || c.typeOid === Oid.halfvec || c.typeOid === Oid.sparsevec;
  const identity = c.identity !== null;
  return [
    m.ctx.database, t.schema, t.name, c.name, c.attnum, m.defaultText(t, c), yesNo(!(c.notNull || pk.has(c.attnum))), dataTypeName(c.typeOid),
    f.charMax, f.charOctets, f.precision, f.radix, f.scale, f.datetime, f.interval, null, null, null, null,
    null, null, null, null, null, null, m.ctx.database, isVector && m.ctx.extensions.includes('vector') ? 'public' : 'pg_catalog',
    type?.name ?? String(c.typeOid),
    null, null, null, null, String(c.attnum), 'NO', yesNo(identity), identity ? (c.identity === 'always' ? 'ALWAYS' : 'BY DEFAULT') : null,
    identity ? '1' : null, identity ? '1' : null, identity ? maxOf(c.typeOid) : null, identity ? '1' : null, identity ? 'NO' : null,
    'NEVER', null, 'YES',
  ];
}

function maxOf(oid: number): string {
  return oid === Oid.int2 ? '32767' : oid === Oid.int4 ? '2147483647' : '9223372036854775807';
}

export const isColumns = relation(
  [
    ['table_catalog', ID], ['table_schema', ID], ['table_name', ID], ['column_name', ID], ['ordinal_position', NUM], ['column_default', CHR],
    ['is_nullable', CHR], ['data_type', CHR], ['character_maximum_length', NUM], ['character_octet_length', NUM],
    ['numeric_precision', NUM], ['numeric_precision_radix', NUM], ['numeric_scale', NUM], ['datetime_precision', NUM],
    ['interval_type', CHR], ['interval_precision', NUM], ['character_set_catalog', ID], ['character_set_schema', ID],
    ['character_set_name', ID], ['collation_catalog', ID], ['collation_schema', ID], ['collation_name', ID], ['domain_catalog', ID],
    ['domain_schema', ID], ['domain_name', ID], ['udt_catalog', ID], ['udt_schema', ID], ['udt_name', ID], ['scope_catalog', ID],
    ['scope_schema', ID], ['scope_name', ID], ['maximum_cardinality', NUM], ['dtd_identifier', ID], ['is_self_referencing', CHR],
    ['is_identity', CHR], ['identity_generation', CHR], ['identity_start', CHR], ['identity_increment', CHR], ['identity_maximum', CHR],
    ['identity_minimum', CHR], ['identity_cycle', CHR], ['is_generated', CHR], ['generation_expression', CHR], ['is_updatable', CHR],
  ],
  (m) => [
    ...m.tables.flatMap((t) => {
      const pk = new Set(t.constraints.filter((c) => c.kind === 'primary').flatMap((c) => c.attnums));
      return t.columns.filter((c) => !c.dropped).map((c) => columnRow(m, t, c, pk));
    }),
    ...m.views.flatMap((v) => {
      const t = { tableId: v.viewId, schema: v.schema, name: v.name, columns: [], constraints: [] } as unknown as TableDef;
      return v.columns.map((vc, i) => {
        const c: ColumnDef = { attnum: i + 1, name: vc.name, typeOid: vc.typeOid, typmod: vc.typmod, notNull: false, defaultExpr: null, missingValue: null, identity: null, sequence: null, dropped: false };
        const row = columnRow(m, t, c, new Set());
        row[row.length - 1] = 'NO'; // is_updatable: views are not updatable in Tessera
        return row;
      });
    }),
  ],
);

export const isViews = viewRelation([
  ['table_catalog', ID], ['table_schema', ID], ['table_name', ID], ['view_definition', CHR], ['check_option', CHR],
  ['is_updatable', CHR], ['is_insertable_into', CHR], ['is_trigger_updatable', CHR], ['is_trigger_deletable', CHR],
  ['is_trigger_insertable_into', CHR],
], (m) => m.views.map((v) => [m.ctx.database, v.schema, v.name, viewDefinition(m, v), 'NONE', 'NO', 'NO', 'NO', 'NO', 'NO']));

const CONSTRAINT_TYPES: Record<string, string> = { p: 'PRIMARY KEY', u: 'UNIQUE', c: 'CHECK' };

/** PostgreSQL 15 lists each NOT NULL column as a CHECK constraint named `<nsoid>_<reloid>_<attnum>_not_null`. */
function notNullConstraints(m: PgCatalogModel, t: TableDef): { name: string; column: string }[] {
  const ns = namespaceOid(t.schema);
  return t.columns.filter((c) => !c.dropped && c.notNull).map((c) => ({ name: `${ns}_${t.tableId}_${c.attnum}_not_null`, column: c.name }));
}

export const isTableConstraints = relation(
  [
    ['constraint_catalog', ID], ['constraint_schema', ID], ['constraint_name', ID], ['table_catalog', ID], ['table_schema', ID],
    ['table_name', ID], ['constraint_type', CHR], ['is_deferrable', CHR], ['initially_deferred', CHR], ['enforced', CHR],
    ['nulls_distinct', CHR],
  ],
  (m) => {
    const db = m.ctx.database;
    const rows: unknown[][] = m.constraints.map((k) => [
      db, k.table.schema, k.def.name, db, k.table.schema, k.table.name, CONSTRAINT_TYPES[k.contype], 'NO', 'NO', 'YES',
      k.contype === 'u' || k.contype === 'p' ? 'YES' : null,
    ]);
    for (const t of m.tables) {
      for (const n of notNullConstraints(m, t)) rows.push([db, t.schema, n.name, db, t.schema, t.name, 'CHECK', 'NO', 'NO', 'YES', null]);
    }
    return rows;
  },
);

const colName = (t: TableDef, attnum: number): string => t.columns.find((c) => c.attnum === attnum)?.name ?? '';

export const isKeyColumnUsage = relation(
  [
    ['constraint_catalog', ID], ['constraint_schema', ID], ['constraint_name', ID], ['table_catalog', ID], ['table_schema', ID],
    ['table_name', ID], ['column_name', ID], ['ordinal_position', NUM], ['position_in_unique_constraint', NUM],
  ],
  (m) => m.constraints.filter((k) => k.contype === 'p' || k.contype === 'u').flatMap((k) => k.def.attnums.map((a, i) => [
    m.ctx.database, k.table.schema, k.def.name, m.ctx.database, k.table.schema, k.table.name, colName(k.table, a), i + 1, null,
  ])),
);

/** Column names a CHECK expression mentions. */
function checkColumns(k: RelConstraint): string[] {
  return k.def.expr ? exprColumns(k.def.expr) : [];
}

export const isConstraintColumnUsage = relation(
  [
    ['table_catalog', ID], ['table_schema', ID], ['table_name', ID], ['column_name', ID], ['constraint_catalog', ID],
    ['constraint_schema', ID], ['constraint_name', ID],
  ],
  (m) => m.constraints.flatMap((k) => {
    const cols = k.contype === 'c' ? checkColumns(k) : k.def.attnums.map((a) => colName(k.table, a));
    return cols.map((c) => [m.ctx.database, k.table.schema, k.table.name, c, m.ctx.database, k.table.schema, k.def.name]);
  }),
);

export const isReferentialConstraints = emptyRelation([
  ['constraint_catalog', ID], ['constraint_schema', ID], ['constraint_name', ID], ['unique_constraint_catalog', ID],
  ['unique_constraint_schema', ID], ['unique_constraint_name', ID], ['match_option', CHR], ['update_rule', CHR], ['delete_rule', CHR],
]);

/** information_schema.routines columns, as PostgreSQL 15 lists them. */
const ROUTINE_COLUMNS = [
  ['specific_catalog', ID], ['specific_schema', ID], ['specific_name', ID], ['routine_catalog', ID], ['routine_schema', ID],
  ['routine_name', ID], ['routine_type', CHR], ['module_catalog', ID], ['module_schema', ID], ['module_name', ID],
  ['udt_catalog', ID], ['udt_schema', ID], ['udt_name', ID], ['data_type', CHR], ['character_maximum_length', NUM],
  ['character_octet_length', NUM], ['character_set_catalog', ID], ['character_set_schema', ID], ['character_set_name', ID],
  ['collation_catalog', ID], ['collation_schema', ID], ['collation_name', ID], ['numeric_precision', NUM],
  ['numeric_precision_radix', NUM], ['numeric_scale', NUM], ['datetime_precision', NUM], ['interval_type', CHR],
  ['interval_precision', NUM], ['type_udt_catalog', ID], ['type_udt_schema', ID], ['type_udt_name', ID], ['scope_catalog', ID],
  ['scope_schema', ID], ['scope_name', ID], ['maximum_cardinality', NUM], ['dtd_identifier', ID], ['routine_body', CHR],
  ['routine_definition', CHR], ['external_name', CHR], ['external_language', CHR], ['parameter_style', CHR],
  ['is_deterministic', CHR], ['sql_data_access', CHR], ['is_null_call', CHR], ['sql_path', CHR], ['schema_level_routine', CHR],
  ['max_dynamic_result_sets', NUM], ['is_user_defined_cast', CHR], ['is_implicitly_invocable', CHR], ['security_type', CHR],
  ['to_sql_specific_catalog', ID], ['to_sql_specific_schema', ID], ['to_sql_specific_name', ID], ['as_locator', CHR],
  ['created', Oid.timestamptz], ['last_altered', Oid.timestamptz], ['new_savepoint_level', CHR], ['is_udt_dependent', CHR],
  ['result_cast_from_data_type', CHR], ['result_cast_as_locator', CHR], ['result_cast_char_max_length', NUM],
  ['result_cast_char_octet_length', NUM], ['result_cast_char_set_catalog', ID], ['result_cast_char_set_schema', ID],
  ['result_cast_char_set_name', ID], ['result_cast_collation_catalog', ID], ['result_cast_collation_schema', ID],
  ['result_cast_collation_name', ID], ['result_cast_numeric_precision', NUM], ['result_cast_numeric_precision_radix', NUM],
  ['result_cast_numeric_scale', NUM], ['result_cast_datetime_precision', NUM], ['result_cast_interval_type', CHR],
  ['result_cast_interval_precision', NUM], ['result_cast_type_udt_catalog', ID], ['result_cast_type_udt_schema', ID],
  ['result_cast_type_udt_name', ID], ['result_cast_scope_catalog', ID], ['result_cast_scope_schema', ID],
  ['result_cast_scope_name', ID], ['result_cast_maximum_cardinality', NUM], ['result_cast_dtd_identifier', ID],
] as const;

export const isRoutines = relation(ROUTINE_COLUMNS, (m) => m.ctx.functions
  .filter((f) => /^[a-z_][a-z0-9_]*$/.test(f.name) && f.kind === 'f')
  .map((f, i): Record<string, unknown> => ({
    specific_catalog: m.ctx.database, specific_schema: 'pg_catalog', specific_name: `${f.name}_${i}`, routine_catalog: m.ctx.database,
    routine_schema: 'pg_catalog', routine_name: f.name, routine_type: 'FUNCTION', data_type: dataTypeName(f.returnType),
    type_udt_catalog: m.ctx.database, type_udt_schema: 'pg_catalog', type_udt_name: typeByOid(f.returnType)?.name ?? null,
    routine_body: 'EXTERNAL', external_name: f.name, external_language: 'INTERNAL', parameter_style: 'GENERAL',
    is_deterministic: yesNo(f.volatility === 'immutable'), sql_data_access: 'MODIFIES', is_null_call: yesNo(f.strict),
    schema_level_routine: 'YES', max_dynamic_result_sets: 0, security_type: 'INVOKER', as_locator: 'NO', is_udt_dependent: 'NO',
  }))
  .map((r) => ROUTINE_COLUMNS.map(([name]) => r[name] ?? null)));

export const isSequences = relation(
  [
    ['sequence_catalog', ID], ['sequence_schema', ID], ['sequence_name', ID], ['data_type', CHR], ['numeric_precision', NUM],
    ['numeric_precision_radix', NUM], ['numeric_scale', NUM], ['start_value', CHR], ['minimum_value', CHR], ['maximum_value', CHR],
    ['increment', CHR], ['cycle_option', CHR],
  ],
  // Identity columns' sequences are internal (deptype 'i'); PostgreSQL leaves them out here.
  (m) => m.sequences.filter((s) => s.column.identity === null).map((s) => {
    const f = typeFacts(s.column.typeOid, -1);
    return [m.ctx.database, s.schema, s.name, dataTypeName(s.column.typeOid), f.precision, 2, 0, '1', '1', maxOf(s.column.typeOid), '1', 'NO'];
  }),
);

export const isCheckConstraints = relation(
  [['constraint_catalog', ID], ['constraint_schema', ID], ['constraint_name', ID], ['check_clause', CHR]],
  (m) => {
    const rows: unknown[][] = m.constraints.filter((k) => k.contype === 'c').map((k) => [
      m.ctx.database, k.table.schema, k.def.name, m.constraintDef(k).slice('CHECK '.length),
    ]);
    for (const t of m.tables) {
      for (const n of notNullConstraints(m, t)) rows.push([m.ctx.database, t.schema, n.name, `${quoteIdent(n.column)} IS NOT NULL`]);
    }
    return rows;
  },
);



const PRIVILEGE_OF_LETTER: Record<string, string> = { a: 'INSERT', r: 'SELECT', w: 'UPDATE', d: 'DELETE', D: 'TRUNCATE', x: 'REFERENCES', t: 'TRIGGER' };

/**
 * table_privileges / role_table_grants: each ACL item of each table (the owner's default ACL
 * when none was granted: every privilege); the owner's own privileges are grantable.
 */
const privilegeRows = (publicToo: boolean) => (m: PgCatalogModel): unknown[][] => m.tables.flatMap((t) => {
  const sec = m.catalog.security.tableSecurity(t.tableId);
  const acl = sec.acl ?? [{ grantee: sec.ownerOid, grantor: sec.ownerOid, privs: 'arwdDxt' }];
  return acl.flatMap((a) => (a.grantee === 0 && !publicToo ? [] : [...a.privs].filter((l) => PRIVILEGE_OF_LETTER[l]).map((l) => {
    const p = PRIVILEGE_OF_LETTER[l]!;
    return [roleName(m, a.grantor), a.grantee === 0 ? 'PUBLIC' : roleName(m, a.grantee), m.ctx.database, t.schema, t.name, p,
      a.grantee === sec.ownerOid ? 'YES' : 'NO', p === 'SELECT' ? 'YES' : 'NO'];
  })));
});

const PRIVILEGE_COLUMNS = [
  ['grantor', ID], ['grantee', ID], ['table_catalog', ID], ['table_schema', ID], ['table_name', ID], ['privilege_type', CHR],
  ['is_grantable', CHR], ['with_hierarchy', CHR],
] as const;
export const isTablePrivileges = relation(PRIVILEGE_COLUMNS, privilegeRows(true));
export const isRoleTableGrants = relation(PRIVILEGE_COLUMNS, privilegeRows(false));

export const isTriggers = emptyRelation([
  ['trigger_catalog', ID], ['trigger_schema', ID], ['trigger_name', ID], ['event_manipulation', CHR], ['event_object_catalog', ID],
  ['event_object_schema', ID], ['event_object_table', ID], ['action_order', NUM], ['action_condition', CHR],
  ['action_statement', CHR], ['action_orientation', CHR], ['action_timing', CHR], ['action_reference_old_table', ID],
  ['action_reference_new_table', ID], ['action_reference_old_row', ID], ['action_reference_new_row', ID],
  ['created', Oid.timestamptz],
]);

export const isDomains = emptyRelation([
  ['domain_catalog', ID], ['domain_schema', ID], ['domain_name', ID], ['data_type', CHR], ['character_maximum_length', NUM],
  ['character_octet_length', NUM], ['character_set_catalog', ID], ['character_set_schema', ID], ['character_set_name', ID],
  ['collation_catalog', ID], ['collation_schema', ID], ['collation_name', ID], ['numeric_precision', NUM],
  ['numeric_precision_radix', NUM], ['numeric_scale', NUM], ['datetime_precision', NUM], ['interval_type', CHR],
  ['interval_precision', NUM], ['domain_default', CHR], ['udt_catalog', ID], ['udt_schema', ID], ['udt_name', ID],
  ['scope_catalog', ID], ['scope_schema', ID], ['scope_name', ID], ['maximum_cardinality', NUM], ['dtd_identifier', ID],
]);

export const isEnabledRoles = relation([['role_name', ID]], (m) => [[m.ctx.user]]);

export const isCharacterSets = relation(
  [
    ['character_set_catalog', ID], ['character_set_schema', ID], ['character_set_name', ID], ['character_repertoire', ID],
    ['form_of_use', ID], ['default_collate_catalog', ID], ['default_collate_schema', ID], ['default_collate_name', ID],
  ],
  (m) => [[null, null, 'UTF8', 'UCS', 'UTF8', m.ctx.database, null, null]],
);

/** The information_schema views by name. */
/** The tables and views each view reads (PostgreSQL: of views owned by an enabled role; here every view). */
export const isViewTableUsage = viewRelation(
  [['view_catalog', ID], ['view_schema', ID], ['view_name', ID], ['table_catalog', ID], ['table_schema', ID], ['table_name', ID]],
  (m) => m.views.flatMap((v) => v.dependsOn.flatMap((id) => {
    const r = m.relationById(id);
    return r ? [[m.ctx.database, v.schema, v.name, m.ctx.database, r.schema, r.name]] : [];
  })),
);

export const INFORMATION_SCHEMA_RELATIONS: Readonly<Record<string, CatalogRelationFn>> = {
  schemata: isSchemata, tables: isTables, columns: isColumns, views: isViews, table_constraints: isTableConstraints,
  key_column_usage: isKeyColumnUsage, constraint_column_usage: isConstraintColumnUsage,
  referential_constraints: isReferentialConstraints, routines: isRoutines, sequences: isSequences,
  check_constraints: isCheckConstraints, table_privileges: isTablePrivileges, role_table_grants: isRoleTableGrants, triggers: isTriggers,
  domains: isDomains, enabled_roles: isEnabledRoles, character_sets: isCharacterSets, view_table_usage: isViewTableUsage,
};

