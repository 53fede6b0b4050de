/**
 * catalog/pg-catalog: the OIDs Tessera gives catalog objects in pg_catalog. Fixed where
 * PostgreSQL's are fixed (pg_catalog 11, public 2200, the system catalogs' own OIDs, role
 * 10); derived, stable values elsewhere: a table's OID is its catalog table id (what
 * RowDescription reports), and the objects hanging off a table (indexes, constraints,
 * defaults, sequences) take OIDs from disjoint ranges keyed by the table id.
 */

/** Namespace OIDs of the built-in schemas (pg_catalog and public as in PostgreSQL). */
export const NamespaceOid = {
  pg_catalog: 11,
  pg_toast: 99,
  public: 2200,
  information_schema: 13_000,
  tessera: 13_100,
} as const;

/** The bootstrap superuser's OID (pg_authid), owner of everything. */
export const SUPERUSER_OID = 10;
/** pg_database_owner, the predefined role that owns schema public in PostgreSQL 15. */
export const DATABASE_OWNER_OID = 6171;
/** The current database's OID (pg_database). */
export const DATABASE_OID = 5;
/** pg_am OIDs: heap 2, btree 403, hash 405, gist 783, gin 2742, spgist 4000, brin 3580 as in PostgreSQL; pgvector's fixed here. */
export const AmOid = { heap: 2, btree: 403, hash: 405, gist: 783, gin: 2742, spgist: 4000, brin: 3580, hnsw: 16_400, ivfflat: 16_401 } as const;
/** pg_extension OIDs. */
export const ExtensionOid = { plpgsql: 13_500, vector: 16_384 } as const;

const USER_SCHEMA_BASE = 20_000_000;
const INDEX_BASE = 1_000_000_000;
const CONSTRAINT_BASE = 1_500_000_000;
const ATTRDEF_BASE = 2_000_000_000;
const SEQUENCE_BASE = 2_500_000_000;
const PROC_BASE = 3_000_000_000;
/** Objects per table in each per-table range. */
const PER_TABLE = 1_000;

/** 32-bit FNV-1a of a string. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * A schema's OID: fixed for the built-in ones; for a user schema a stable value derived
 * from its name (schemas are never renamed), in a range no other object uses.
 */
export function namespaceOid(name: string): number {
  const fixed = (NamespaceOid as Record<string, number>)[name];
  return fixed ?? USER_SCHEMA_BASE + (fnv1a(name) % 10_000_000);
}

/** The n-th (0-based) index of a table. */
export function indexOid(tableId: number, n: number): number {
  return INDEX_BASE + tableId * PER_TABLE + n;
}

/** A CREATE INDEX index (catalog Indexes row). */
export function sqlIndexOid(indexId: number): number {
  return 1_400_000_000 + indexId;
}

/** The n-th (0-based) constraint of a table. */
export function constraintOid(tableId: number, n: number): number {
  return CONSTRAINT_BASE + tableId * PER_TABLE + n;
}

/** The default of column attnum of a table (pg_attrdef.oid). */
export function attrdefOid(tableId: number, attnum: number): number {
  return ATTRDEF_BASE + tableId * PER_TABLE + attnum;
}

/** A view's _RETURN rule (pg_rewrite.oid): attnum 0 of its range, which no column default takes. */
export function rewriteOid(viewId: number): number {
  return attrdefOid(viewId, 0);
}

/** A sequence's OID, stable for its name. */
export function sequenceOid(name: string): number {
  return SEQUENCE_BASE + (fnv1a(name) % 400_000_000);
}

/** The n-th function of the executor's function catalog (pg_proc.oid). */
export function procOid(n: number): number {
  return PROC_BASE + n;
}

/** The system relations Tessera serves, with PostgreSQL 15's OIDs where they are fixed (catalogs) and stable ones for views. */
export const SYSTEM_RELATION_OIDS: Readonly<Record<string, number>> = {
  'pg_catalog.pg_type': 1247, 'pg_catalog.pg_attribute': 1249, 'pg_catalog.pg_proc': 1255, 'pg_catalog.pg_class': 1259,
  'pg_catalog.pg_authid': 1260, 'pg_catalog.pg_database': 1262, 'pg_catalog.pg_tablespace': 1213, 'pg_catalog.pg_am': 2601,
  'pg_catalog.pg_attrdef': 2604, 'pg_catalog.pg_constraint': 2606, 'pg_catalog.pg_description': 2609, 'pg_catalog.pg_index': 2610,
  'pg_catalog.pg_inherits': 2611, 'pg_catalog.pg_namespace': 2615, 'pg_catalog.pg_opclass': 2616, 'pg_catalog.pg_sequence': 2224,
  'pg_catalog.pg_extension': 3079, 'pg_catalog.pg_enum': 3501, 'pg_catalog.pg_collation': 3456, 'pg_catalog.pg_policy': 3256,
  'pg_catalog.pg_range': 3541, 'pg_catalog.pg_statistic_ext': 3381, 'pg_catalog.pg_publication': 6104,
  'pg_catalog.pg_publication_rel': 6106, 'pg_catalog.pg_publication_namespace': 6237, 'pg_catalog.pg_shdescription': 2396,
  'pg_catalog.pg_trigger': 2620, 'pg_catalog.pg_rewrite': 2618, 'pg_catalog.pg_depend': 2608, 'pg_catalog.pg_operator': 2617,
  'pg_catalog.pg_cast': 2605, 'pg_catalog.pg_foreign_table': 3118, 'pg_catalog.pg_partitioned_table': 3350,
  'pg_catalog.pg_event_trigger': 3466, 'pg_catalog.pg_foreign_server': 1417, 'pg_catalog.pg_foreign_data_wrapper': 2328,
};

/** A stable OID for a system view without a fixed one (pg_roles, information_schema.tables, ...). */
export function systemViewOid(qualifiedName: string): number {
  return SYSTEM_RELATION_OIDS[qualifiedName] ?? 12_000 + (fnv1a(qualifiedName) % 900);
}
