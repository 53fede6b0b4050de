/**
 * catalog/pg-catalog: PostgreSQL's system catalogs (pg_catalog) and the information_schema
 * views as relations generated from Tessera's catalog, their OIDs, and the lookups behind
 * regclass and the pg_catalog functions. system-views.ts registers the relations.
 */
export { PG_CATALOG_RELATIONS } from './pg-catalog-views.ts';
export { createIndexProgress, type CreateIndexProgress } from './pg-stat-progress.ts';
export { INFORMATION_SCHEMA_RELATIONS, dataTypeName } from './information-schema.ts';
export { PgCatalogLookup, splitQualifiedName } from './lookup.ts';
export { PgCatalogModel, DEFAULT_VIEW_CONTEXT, type SystemViewContext, type CatalogFunction } from './model.ts';
export { deparseExpr, quoteIdent, quoteLiteral } from './deparse.ts';
export { NamespaceOid, SUPERUSER_OID, DATABASE_OID, namespaceOid, systemViewOid } from './oids.ts';
export type { CatalogRelation, CatalogRelationFn, ViewColumn } from './view-def.ts';
