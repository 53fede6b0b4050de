/**
 * catalog/pg-catalog: pg_depend's extension-membership rows (deptype 'e'). pgvector's types,
 * access methods and operator classes belong to the `vector` extension once it is created,
 * as in PostgreSQL, so pg_dump emits `CREATE EXTENSION vector` for them instead of
 * CREATE TYPE / ACCESS METHOD / OPERATOR CLASS statements (docs/clients.md, "pg_dump").
 */
import { Oid } from '../../types/index.ts';
import { AmOid, ExtensionOid } from './oids.ts';
import type { PgCatalogModel } from './model.ts';
import { vectorOpclassOids } from './pg-catalog-views.ts'; // a cycle (views → server → here), used only when rows are read

const PG_TYPE_OID = 1247;
const PG_AM_OID = 2601;
const PG_OPCLASS_OID = 2616;
const PG_EXTENSION_OID = 3079;

/** pg_depend rows (classid, objid, objsubid, refclassid, refobjid, refobjsubid, deptype) of extension members. */
export function extensionMemberDepends(m: PgCatalogModel): unknown[][] {
  if (!m.ctx.extensions.includes('vector')) return [];
  const member = (classid: number, objid: number): unknown[] => [classid, objid, 0, PG_EXTENSION_OID, ExtensionOid.vector, 0, 'e'];
  return [
    ...[Oid.vector, Oid.halfvec, Oid.sparsevec].map((t) => member(PG_TYPE_OID, t)),
    member(PG_AM_OID, AmOid.hnsw),
    member(PG_AM_OID, AmOid.ivfflat),
    ...vectorOpclassOids().map((o) => member(PG_OPCLASS_OID, o)),
  ];
}
