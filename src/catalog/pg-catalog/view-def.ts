/**
 * catalog/pg-catalog: the shape of a catalog relation — a fixed column list and a row
 * generator over a PgCatalogModel. Rows are generated only when read (`rows` is a getter),
 * so the planner can ask for the columns without the catalog being walked.
 */
import { ArrayOid, Oid, PgArray } from '../../types/index.ts';
import type { Catalog } from '../catalog.ts';
import { PgCatalogModel, type SystemViewContext } from './model.ts';

/** One column: name, type OID and (for information_schema's yes_or_no, varchar(3)) a typmod. */
export interface ViewColumn {
  name: string;
  typeOid: number;
  typmod?: number;
}

/** A column spec: name, type OID, optional typmod. */
export type ColumnSpec = readonly [string, number] | readonly [string, number, number];

/** A relation served from the catalog. */
export interface CatalogRelation {
  readonly columns: ViewColumn[];
  readonly rows: unknown[][];
}

/** Builds a relation: columns now, rows when first read. */
export type CatalogRelationFn = (catalog: Catalog, ctx?: SystemViewContext) => CatalogRelation;

/** Column type shorthands. */
export const T = {
  oid: Oid.oid, name: Oid.name, char: Oid.char, bool: Oid.bool, int2: Oid.int2, int4: Oid.int4, int8: Oid.int8, float4: Oid.float4,
  float8: Oid.float8, text: Oid.text, regproc: Oid.regproc, regclass: Oid.regclass, regtype: Oid.regtype, xid: Oid.xid,
  tstz: Oid.timestamptz, node: Oid.pg_node_tree, int2vector: Oid.int2vector, oidvector: Oid.oidvector, numeric: Oid.numeric,
  aclArr: ArrayOid.aclitem, textArr: ArrayOid.text, oidArr: ArrayOid.oid, int2Arr: ArrayOid.int2, charArr: ArrayOid.char,
  nameArr: ArrayOid.name, float4Arr: ArrayOid.float4, interval: Oid.interval, anyarray: Oid.anyarray, inet: Oid.text,
  xid8: Oid.int8, varchar: Oid.varchar,
} as const;

/**
 * Declares a relation from `name:type` column specs and a row generator. The model is built
 * once per read, from the catalog and the session's context.
 */
export function relation(spec: readonly ColumnSpec[], rows: (m: PgCatalogModel) => unknown[][]): CatalogRelationFn {
  const columns = spec.map(([name, typeOid, typmod]): ViewColumn => (typmod === undefined ? { name, typeOid } : { name, typeOid, typmod }));
  return (catalog, ctx) => {
    let cached: unknown[][] | null = null;
    return {
      columns: [...columns],
      get rows() {
        cached ??= rows(ctx?.model?.() ?? PgCatalogModel.of(catalog, ctx));
        return cached;
      },
    };
  };
}

/** A relation that is always empty (pg_locks, pg_publication, ...). */
export function emptyRelation(spec: readonly ColumnSpec[]): CatalogRelationFn {
  return relation(spec, () => []);
}

/** A one-dimensional int2 array (pg_constraint.conkey). */
export function int2Array(items: readonly number[]): PgArray<number> {
  return PgArray.of(items);
}

/** An int2vector/oidvector value: zero-based, one-dimensional. */
export function vector0(items: readonly number[]): PgArray<number> {
  return new PgArray(items, [items.length], [0]);
}
