/**
 * catalog/pg-catalog: pg_stat_progress_create_index — the running index builds, with
 * PostgreSQL 15's columns. The builder (ann/service.ts) records each build pass per index
 * in a registry kept per Catalog (createIndexProgress()); the view reads it. Tessera's units:
 * blocks = segments to build a graph for, tuples = their rows; a segment counts as done when
 * its graph is committed. Phases as PostgreSQL/pgvector name them: `initializing`, then
 * `building index: loading tuples`.
 */
import type { Catalog } from '../catalog.ts';
import { DATABASE_OID } from './oids.ts';
import { sqlIndexOid } from './oids.ts';
import { T, relation } from './view-def.ts';

/** One running build (one index) as the view shows it. */
export interface CreateIndexProgress {
  /** Backend pid of the statement waiting for the build (CREATE INDEX / REINDEX); null for a background build. */
  pid: number | null;
  readonly tableId: number;
  readonly indexId: number;
  command: 'CREATE INDEX' | 'REINDEX';
  phase: 'initializing' | 'building index: loading tuples';
  blocksTotal: number;
  blocksDone: number;
  tuplesTotal: number;
  tuplesDone: number;
}

const registries = new WeakMap<Catalog, Map<number, CreateIndexProgress>>();

/** The running builds of a catalog's server, by index id (the builder adds, updates and removes entries). */
export function createIndexProgress(catalog: Catalog): Map<number, CreateIndexProgress> {
  let r = registries.get(catalog);
  if (r === undefined) registries.set(catalog, (r = new Map()));
  return r;
}

export const pgStatProgressCreateIndex = relation(
  [
    ['pid', T.int4], ['datid', T.oid], ['datname', T.name], ['relid', T.oid], ['index_relid', T.oid], ['command', T.text], ['phase', T.text],
    ['lockers_total', T.int8], ['lockers_done', T.int8], ['current_locker_pid', T.int8], ['blocks_total', T.int8], ['blocks_done', T.int8],
    ['tuples_total', T.int8], ['tuples_done', T.int8], ['partitions_total', T.int8], ['partitions_done', T.int8],
  ],
  (m) => [...createIndexProgress(m.catalog).values()].map((p) => [
    p.pid, DATABASE_OID, m.ctx.database, p.tableId, sqlIndexOid(p.indexId), p.command, p.phase,
    0n, 0n, 0n, BigInt(p.blocksTotal), BigInt(p.blocksDone), BigInt(p.tuplesTotal), BigInt(p.tuplesDone), 0n, 0n,
  ]),
);
